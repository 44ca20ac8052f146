"""The two languages of what a person reads: English (the default, the text in the code) and Simplified Chinese.

Messages are marked in the code with `_("...")` (format fields in braces, filled with `.format` after the
translation) and translated in the gettext catalog `locale/zh_CN/LC_MESSAGES/accountgraph.po`, managed with
Babel (`pybabel extract / update`, README "Languages"). The catalog ships as its `.po`; it is compiled in memory
with Babel the first time a process needs it (`translations`), so an editable install and a wheel work alike,
with no build step and no compiled binary in the repository that could fall behind its source.

The language of the moment is a context variable (`use`, `current`): the CLI sets it once from `--lang` or
`ACCOUNTGRAPH_LANG`, the API for each error response from `Accept-Language` (`negotiate`). Numbers are
formatted for it with Babel (`number`, `percent`); English keeps the code's own formatting, byte for byte.

This module imports nothing of ours, so every layer may use it.
"""

from __future__ import annotations

import functools
import gettext as _gettext
import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from babel import Locale, UnknownLocaleError, negotiate_locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent

__all__ = [
    "DEFAULT",
    "DOMAIN",
    "ENV",
    "LANGUAGES",
    "LOCALE_DIR",
    "N_",
    "_",
    "current",
    "language",
    "negotiate",
    "ngettext",
    "number",
    "percent",
    "set_language",
    "translations",
    "use",
]

DOMAIN = "accountgraph"
LOCALE_DIR = Path(__file__).parent / "locale"
DEFAULT = "en"
LANGUAGES = ("en", "zh_CN")
"""The languages there are: English (the code's own text) and the catalogs under `locale/`."""
ENV = "ACCOUNTGRAPH_LANG"

_current: ContextVar[str] = ContextVar("accountgraph_language", default=DEFAULT)


def language(tag: str | None) -> str:
    """The language (one of `LANGUAGES`) a tag names: `zh-CN`, `zh`, `zh-Hans`, `zh_CN.UTF-8` -> `zh_CN`; `en`,
    `en-GB` -> `en`. Raises ValueError for a tag that is none of them (the CLI names it); empty -> English."""
    if not tag or not tag.strip():
        return DEFAULT
    cleaned = tag.strip().split(".")[0].split("@")[0].replace("-", "_")
    try:
        parsed = Locale.parse(cleaned)
    except (ValueError, UnknownLocaleError):
        raise ValueError(f"unknown language {tag!r}; choose one of: en, zh-CN") from None
    if parsed.language == "en":
        return "en"
    if parsed.language == "zh" and parsed.script in (None, "Hans") and parsed.territory in (None, "CN", "SG"):
        return "zh_CN"
    raise ValueError(f"unsupported language {tag!r}; choose one of: en, zh-CN")


def negotiate(accept_language: str | None) -> str:
    """The language an `Accept-Language` header prefers among ours (Babel's negotiation, quality order); English
    when it names none of them or is missing."""
    if not accept_language:
        return DEFAULT
    wanted: list[tuple[float, str]] = []
    for n, part in enumerate(accept_language.split(",")):
        tag, _sep, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _eq, value = param.strip().partition("=")
            if key.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag.strip() and quality > 0:
            wanted.append((-quality + n * 1e-6, tag.strip().replace("_", "-")))
    preferred = [tag for _q, tag in sorted(wanted)]
    # the aliases Babel's negotiation knows by their own tags: zh, zh-Hans and zh-CN all mean our zh_CN
    available = ["en", "zh_CN", "zh", "zh_Hans", "zh_Hans_CN", "zh_SG"]
    found = negotiate_locale(preferred, available, sep="-")
    return language(found) if found else DEFAULT


@functools.cache
def translations(lang: str) -> _gettext.NullTranslations:
    """The compiled catalog of a language (English: the messages as they are), compiled once per process."""
    if lang == DEFAULT:
        return _gettext.NullTranslations()
    po = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    with po.open("rb") as f:
        catalog = read_po(f, locale=lang, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


def current() -> str:
    """The language of the moment."""
    return _current.get()


def set_language(lang: str) -> None:
    """Make `lang` (one of `LANGUAGES`) the language of this context from now on (the CLI's run)."""
    _current.set(lang)


@contextmanager
def use(lang: str) -> Iterator[None]:
    """The language `lang` within the block (an API response)."""
    token = _current.set(lang)
    try:
        yield
    finally:
        _current.reset(token)


def _(message: str) -> str:
    """A message in the language of the moment (format it after: `_("of {account}").format(account=...)`)."""
    return translations(current()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural message for `n` in the language of the moment."""
    return translations(current()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a message for the catalog where it is defined; `_` translates it where it is shown."""
    return message


def number(value: float, digits: int) -> str:
    """A number with `digits` decimals for the language of the moment; in English exactly `f"{value:.{digits}f}"`."""
    lang = current()
    if lang == DEFAULT:
        return f"{value:.{digits}f}"
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=lang, decimal_quantization=True)


def percent(value: float) -> str:
    """A share as a whole percentage for the language of the moment; in English exactly `f"{value:.0%}"`."""
    lang = current()
    if lang == DEFAULT:
        return f"{value:.0%}"
    return format_percent(value, format="#,##0%", locale=lang)
