"""The sentences the algorithms build (a gap's detail, an action's plan and reasons, a path's explanation, the
explanation of a score), said in the language of the moment when they are shown.

An algorithm is pure: it does not know who will read its result, so it builds each sentence as a `Phrase`, a
`str` whose text is the English sentence (what JSON, English output and every existing comparison see, byte for
byte) and which keeps its message (marked `N_` for the catalog) and its fields. Showing it is `say(text)`: in
English the text as it is; in another language the message translated with `_` and its fields rendered for that
language (numbers with Babel, glossary words through `term`, nested phrases said in turn, names verbatim).
`said(result)` does that to every sentence of a result model (the API's JSON in the request's language; the CLI
and the workspace can call `say` on the one field they show). A text that is no `Phrase` (a stored note, a
sentence from before) is shown as it is.

Fields: `str` (a name, an id: verbatim), `int` (a count, grouped for the locale), `float` (a number the
message formats itself, `{x:.2f}`: the cheapest, for values that need no grouping), `Num` (a number with a format
spec, for the locale), `Pct` (a share as a percentage), `Term` (a stored word of the glossary), `Seq` (a list
joined by a marked separator) and `Phrase` (a clause). A `Phrase` survives pickling (worker processes) and
pydantic validation where the field is a `Text` (`accountgraph.algorithms.results`); a JSON round trip leaves
the English text only. A sentence kept in a stored record to be said later, in each reader's language (an
alert's action), is kept as `stored(text)`, plain JSON (its message, plural and fields, each field tagged with
its kind, numbers other than integers as their exact text), and shown as `say(restored(kept))`.
"""

from __future__ import annotations

from typing import Any, NamedTuple, TypeVar

from babel.numbers import format_decimal
from pydantic import BaseModel

from accountgraph.i18n import DEFAULT, _, current, number, percent, translations

__all__ = ["Num", "Pct", "Phrase", "Seq", "Term", "restored", "said", "say", "stored"]


class Num(NamedTuple):
    """A number written with `spec` in English (`.2f`, `.0f`, `g`), for the locale otherwise."""

    value: float
    spec: str = ".2f"


class Pct(NamedTuple):
    """A share (0..1) as a whole percentage."""

    value: float


class Term(NamedTuple):
    """A stored word (a stance, a role, a layer): `english` in English, the glossary's word otherwise."""

    value: str
    english: str


class Seq(NamedTuple):
    """Items joined by `sep` (a message marked `N_`: `", "`, `"; "`, `" → "`), each rendered as a field is."""

    items: tuple[object, ...]
    sep: str


class Phrase(str):
    """An English sentence that keeps its message and fields, to be said in another language (`say`)."""

    message: str
    plural: str | None
    fields: dict[str, object]

    def __new__(cls, message: str, /, **fields: object) -> Phrase:
        return cls._made(message, None, fields)

    @classmethod
    def ngettext(cls, one: str, many: str, n: int, /, **fields: object) -> Phrase:
        """`one` for a count of 1, `many` otherwise, the count as the field `n`; marked for the catalog as a
        plural pair (Babel's extractor takes `Phrase.ngettext("...", "...", n)` for `ngettext`)."""
        return cls._made(one, many, {"n": n, **fields})

    @classmethod
    def known(cls, english: str, message: str, /, **fields: object) -> Phrase:
        """A phrase whose English text the caller made itself (an f-string, for a sentence built once per person
        of a large account): it must be `message` formatted with `fields` (a test checks it)."""
        self = str.__new__(cls, english)
        self.__dict__.update(message=message, plural=None, fields=fields)
        return self

    @classmethod
    def _made(cls, message: str, plural: str | None, fields: dict[str, object]) -> Phrase:
        english = plural if plural is not None and fields.get("n") != 1 else message
        shown = {k: v if type(v) in _AS_IS else _english(v) for k, v in fields.items()}
        self = str.__new__(cls, english.format_map(shown))
        self.__dict__.update(message=message, plural=plural, fields=fields)
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuilt, (self.message, self.plural, self.fields))


def _rebuilt(message: str, plural: str | None, fields: dict[str, object]) -> Phrase:
    return Phrase._made(message, plural, fields)


_AS_IS = frozenset({str, int, float, Phrase})  # fields whose English is themselves
_STR = frozenset({str, Phrase})


def _english(value: object) -> object:
    kind = type(value)
    if kind is Num:
        return format(value[0], value[1])  # type: ignore[index]
    if kind is Term:
        return value[1]  # type: ignore[index]
    if kind is Seq:
        return value[1].join([x if type(x) in _STR else str(_english(x)) for x in value[0]])  # type: ignore[index]
    if kind is Pct:
        return f"{value[0]:.0%}"  # type: ignore[index]
    return value


def _shown(value: object) -> object:
    """A field in the language of the moment (not English)."""
    from accountgraph.i18n.glossary import term

    if isinstance(value, Phrase):
        return say(value)
    if isinstance(value, Num):
        spec = value.spec
        if spec.startswith(".") and spec.endswith("f"):
            return number(value.value, int(spec[1:-1]))
        return format_decimal(value.value, locale=current())
    if isinstance(value, Pct):
        return percent(value.value)
    if isinstance(value, Term):
        return term(value.value, value.english)
    if isinstance(value, Seq):
        return _(value.sep).join(str(_shown(x)) for x in value.items)
    if isinstance(value, float):
        return value  # formatted by the spec its message gives it (`{x:.2f}`)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return number(value, 0)
    return str(value)


def say(text: object) -> str:
    """A sentence in the language of the moment: a `Phrase` translated with its fields rendered for the
    language; in English, or for any other text, the text as it is."""
    if not isinstance(text, Phrase):
        return "" if text is None else str(text)
    if current() == DEFAULT:
        return str(text)
    if text.plural is not None:
        n = text.fields["n"]
        message = translations(current()).ngettext(text.message, text.plural, n if isinstance(n, int) else 0)
    else:
        message = _(text.message)
    return message.format(**{k: _shown(v) for k, v in text.fields.items()})


M = TypeVar("M")


def said(result: M) -> M:
    """A result (a model, or a list or dict of them) with every `Phrase` in it said in the language of the
    moment (a copy); in English the result itself, unchanged."""
    if current() == DEFAULT:
        return result
    return _said(result)  # type: ignore[no-any-return]


def _said(value: Any) -> Any:
    if isinstance(value, Phrase):
        return say(value)
    if isinstance(value, BaseModel):
        return value.model_copy(update={k: _said(v) for k, v in value.__dict__.items()})
    if isinstance(value, list):
        return [_said(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_said(v) for v in value)
    if isinstance(value, dict):
        return {k: _said(v) for k, v in value.items()}
    return value


def stored(text: object) -> object:
    """`text` as plain JSON that `restored` turns back into it: a `Phrase` as its message, plural and fields
    (each tagged with its kind), any other text as its string."""
    if not isinstance(text, Phrase):
        return "" if text is None else str(text)
    return {
        "message": text.message,
        "plural": text.plural,
        "fields": {k: _field_stored(v) for k, v in text.fields.items()},
    }


def restored(kept: object, fallback: str = "") -> str:
    """The sentence `stored` kept: a `Phrase` again (its English text identical), or the text as it was;
    `fallback` for a kept form that is not one `stored` makes (a record edited by hand)."""
    if kept is None:
        return fallback
    if not isinstance(kept, dict):
        return str(kept)
    message, plural = kept.get("message"), kept.get("plural")
    if not isinstance(message, str) or not isinstance(plural, str | None):
        return fallback
    try:
        fields = {str(k): _field_restored(v) for k, v in kept.get("fields", {}).items()}
        return Phrase._made(message, plural, fields)
    except (KeyError, IndexError, TypeError, ValueError, AttributeError):
        return fallback


def _field_stored(value: object) -> object:
    kind = type(value)
    if kind is str or kind is bool or kind is int:
        return value
    if kind is float:
        return {"float": repr(value)}  # as text: a document keeps no float (and a whole one stays a float)
    if kind is Num:
        return {"num": repr(float(value[0])), "spec": value[1]}  # type: ignore[index]
    if kind is Pct:
        return {"pct": repr(float(value[0]))}  # type: ignore[index]
    if kind is Term:
        return {"term": value[0], "english": value[1]}  # type: ignore[index]
    if kind is Seq:
        return {"seq": [_field_stored(x) for x in value[0]], "sep": value[1]}  # type: ignore[index]
    if isinstance(value, Phrase):
        return {"phrase": stored(value)}
    return str(value)  # a str subclass or anything else: its text, shown verbatim


def _field_restored(value: object) -> object:
    if not isinstance(value, dict):
        return value
    if "float" in value:
        return float(value["float"])
    if "num" in value:
        return Num(float(value["num"]), str(value["spec"]))
    if "pct" in value:
        return Pct(float(value["pct"]))
    if "term" in value:
        return Term(str(value["term"]), str(value["english"]))
    if "seq" in value:
        return Seq(tuple(_field_restored(x) for x in value["seq"]), str(value["sep"]))
    if "phrase" in value:
        return restored(value["phrase"])
    raise ValueError(f"not a stored phrase field: {value!r}")
