"""Why a value was refused (a field's reason in a validation error), said in the reader's language.

Pydantic writes its reasons in English (`Field required`, `String should have at most 200 characters`); a record
rule of ours raises a `ValueError` whose message may be a `Phrase`. `reason(error)` turns one of pydantic's
errors into the reason a `BundleIssue` keeps: a `Phrase` whose English text is pydantic's own message, byte for
byte (what JSON, English output and every comparison see), and whose message (marked here for the catalog) and
fields (the limits pydantic names) say it in another language; a reason of a kind not listed here stays the
English text it is.

This module imports nothing of ours but `i18n`, so the schema and every layer may use it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from accountgraph.i18n import N_
from accountgraph.i18n.phrase import Phrase

__all__ = ["reason"]

_VALUE_ERROR = "Value error, "

_BY_TYPE: dict[str, str] = {
    "missing": N_("Field required"),
    "extra_forbidden": N_("Extra inputs are not permitted"),
    "string_type": N_("Input should be a valid string"),
    "string_too_short": N_("String should have at least {min_length} characters"),
    "string_too_long": N_("String should have at most {max_length} characters"),
    "string_pattern_mismatch": N_("String should match pattern {pattern}"),
    "greater_than": N_("Input should be greater than {gt}"),
    "greater_than_equal": N_("Input should be greater than or equal to {ge}"),
    "less_than": N_("Input should be less than {lt}"),
    "less_than_equal": N_("Input should be less than or equal to {le}"),
    "int_type": N_("Input should be a valid integer"),
    "int_parsing": N_("Input should be a valid integer, unable to parse string as an integer"),
    "int_from_float": N_("Input should be a valid integer, got a number with a fractional part"),
    "float_type": N_("Input should be a valid number"),
    "float_parsing": N_("Input should be a valid number, unable to parse string as a number"),
    "decimal_type": N_("Decimal input should be an integer, float, string or Decimal object"),
    "decimal_parsing": N_("Input should be a valid decimal"),
    "bool_type": N_("Input should be a valid boolean"),
    "bool_parsing": N_("Input should be a valid boolean, unable to interpret input"),
    "date_type": N_("Input should be a valid date"),
    "date_parsing": N_("Input should be a valid date in the format YYYY-MM-DD, {error}"),
    "date_from_datetime_parsing": N_("Input should be a valid date or datetime, {error}"),
    "datetime_type": N_("Input should be a valid datetime"),
    "datetime_parsing": N_("Input should be a valid datetime, {error}"),
    "datetime_from_date_parsing": N_("Input should be a valid datetime or date, {error}"),
    "enum": N_("Input should be {expected}"),
    "literal_error": N_("Input should be {expected}"),
    "list_type": N_("Input should be a valid list"),
    "dict_type": N_("Input should be a valid dictionary"),
    "model_type": N_("Input should be a valid dictionary or instance of {class_name}"),
    "model_attributes_type": N_("Input should be a valid dictionary or object to extract fields from"),
    "too_short": N_("List should have at least {min_length} items after validation, not {actual_length}"),
    "too_long": N_("List should have at most {max_length} items after validation, not {actual_length}"),
}
"""Pydantic's reasons by error type, each with the context fields it names (the English shown is pydantic's)."""

RULES: frozenset[str] = frozenset(
    {
        # the record rules of `schema.models` (which imports nothing of ours: its messages are said here)
        N_("must not be empty or blank"),
        N_("must not start or end with whitespace"),
        N_("must not contain control characters"),
        N_("give amounts and quantities as decimal strings such as '1250.00', never JSON numbers"),
        N_("a person cannot report to themselves"),
        N_("history: only the first state may have no `since` date"),
        N_("history: states must be in strictly increasing `since` order"),
        N_("a tie needs two different endpoints"),
        N_("`until` is before `since`"),
        N_("date out of range"),
        N_("currency must be an ISO 4217 code such as EUR"),
        N_("an amount needs a currency"),
        # deals and the ledger
        N_("stage names must be distinct (open stages, won and lost)"),
        N_("a role is listed twice"),
        N_("a person is listed twice in the committee"),
        N_("amounts are never float: give a decimal string such as '0.10'"),
        N_("not an amount"),
        N_("amounts are finite"),
        N_("net_total is not the sum of the lines"),
    }
)
"""The fixed messages of the record rules' `ValueError`s, said in the reader's language by their English text."""


def reason(error: Mapping[str, Any]) -> str:
    """The reason of one of pydantic's errors (`ValidationError.errors()`), without pydantic's `Value error, `
    prefix: the rule's own message for a `ValueError` (a `Phrase` if it made one), else pydantic's message kept
    as the English of a `Phrase` that can be said in another language."""
    english = str(error.get("msg", "invalid"))
    if english.startswith(_VALUE_ERROR):
        english = english[len(_VALUE_ERROR) :]
    ctx = error.get("ctx") or {}
    if error.get("type") == "value_error":
        raised = ctx.get("error")
        said = raised.args[0] if isinstance(raised, Exception) and len(raised.args) == 1 else None
        if isinstance(said, Phrase) and str(said) == english:
            return said
        return Phrase(english) if english in RULES and "{" not in english else english
    message = _BY_TYPE.get(str(error.get("type")))
    if message is None:
        return english
    fields = {k: _field(v) for k, v in ctx.items() if "{" + k + "}" in message}
    if any("{" + k + "}" in message and k not in fields for k in _names(message)):
        return english  # a field pydantic did not give: the English as it is
    return Phrase.known(english, message, **fields)


def _field(value: object) -> object:
    """A context value as a field: numbers as numbers (grouped for the locale), the rest as text (a pattern, an
    expected value list, a date's parsing error: verbatim)."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return value if isinstance(value, int) else str(value)
    return str(value)


def _names(message: str) -> list[str]:
    import string

    return [name for _text, name, _spec, _conv in string.Formatter().parse(message) if name]
