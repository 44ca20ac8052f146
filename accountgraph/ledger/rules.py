"""What the ledger accepts from a user: the one place its input rules live.

Every interface (the CLI, the HTTP API, Python callers of `accountgraph.ledger.service`) reaches these
checks through the service, so the same input is refused everywhere with the same message. A refusal is an
`InvalidArgument` whose message names the field in words ("line 2 (ag-server) quantity: …") and whose
`field` names it as the API's body does (`lines.1.quantity`); nothing is written.

- **Amounts and quantities** are decimals in plain notation (`1250.00`; no exponent, never a float) of at
  most 15 digits before the point and 6 after. Order, invoice, payment and refund amounts and quote
  quantities are greater than 0; list prices and price-list prices may be any sign (as before).
- **Percentages** (the manual discount) are between 0 and 100 with at most 4 decimals.
- **Piece counts are whole numbers**: a product is sold by the piece unless it declares a divisible unit
  (`Product.unit`, `Product.divisible`, e.g. hours or kg); a fractional quantity of a piece product is
  refused, naming the quote line.
- **Dates** are from 1900-01-01 to 2200-12-31 (`FIRST_DATE`, `LAST_DATE`): anything outside is a typing
  mistake, refused before any date arithmetic (the API's date parameters take the same range, `plausible`).
- **Days and counts**: validity 1–3650 days, terms and intervals 0–3650 days, 1–120 instalments, 1–1000
  quote lines.
- **Identifiers** given by the user (quote numbers, order ids, approvers, idempotency keys) follow the
  record id rules; an idempotency key is visible ASCII without spaces. Currencies are ISO 4217 codes.

Whether a JSON body carries a decimal string rather than a JSON number is a matter of parsing, checked
by the API (a JSON number would lose digits before any rule could see it).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from pydantic import TypeAdapter, ValidationError

from accountgraph.errors import InvalidArgument
from accountgraph.i18n import N_
from accountgraph.i18n.phrase import Phrase
from accountgraph.i18n.reasons import reason
from accountgraph.schema.models import MAX_ID_LENGTH, MAX_TEXT_LENGTH, Id

if TYPE_CHECKING:
    from accountgraph.ledger.models import Product

MAX_INTEGER_DIGITS = 15
MAX_DECIMALS = 6
MAX_PERCENT_DECIMALS = 4
MAX_LINES = 1000
MAX_DAYS = 3650
MAX_INSTALMENTS = 120
FIRST_DATE, LAST_DATE = date(1900, 1, 1), date(2200, 12, 31)
"""The dates the ledger (and the API) take: anything outside is a typing mistake."""
DATE_RANGE = f"a date written YYYY-MM-DD, from {FIRST_DATE} to {LAST_DATE}"
DECIMAL_PATTERN = rf"^\d{{1,{MAX_INTEGER_DIGITS}}}(\.\d{{1,{MAX_DECIMALS}}})?$"
"""A positive amount or quantity as the API documents it (the rule itself is `amount`)."""
PERCENT_PATTERN = rf"^\d{{1,3}}(\.\d{{1,{MAX_PERCENT_DECIMALS}}})?$"
"""A percentage as the API documents it (the rule itself is `percent`)."""

_PLAIN = re.compile(r"^-?\d+(\.\d+)?$")
_KEY = re.compile(r"^[!-~]+$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_ID: TypeAdapter[str] = TypeAdapter(Id)
CURRENCY = Phrase(N_("currency"))
DATE = Phrase(N_("date"))
"""The field label of a currency (the labels are phrases, said in the reader's language with the message)."""


def _not_an_amount(what: str, value: str, shape: Phrase) -> Phrase:
    return Phrase(N_("{what}: not an amount: {value} ({shape})"), what=what, value=repr(value), shape=shape)


def decimal(
    value: Decimal | str | int,
    what: str,
    field: str | None = None,
    *,
    digits: int = MAX_INTEGER_DIGITS,
    decimals: int = MAX_DECIMALS,
) -> Decimal:
    """`value` as a Decimal: plain notation, at most `digits` digits before the point and `decimals` after."""
    shape = Phrase(
        N_("a decimal such as '1250.00', at most {digits} digits before the point and {decimals} after"),
        digits=digits,
        decimals=decimals,
    )
    number: Decimal | None = None
    if isinstance(value, Decimal) and value.is_finite():
        number = value
    elif isinstance(value, int) and not isinstance(value, bool):
        number = Decimal(value)
    elif isinstance(value, str) and _PLAIN.fullmatch(value):
        number = Decimal(value)
    if number is None:
        raise InvalidArgument(_not_an_amount(what, str(value), shape), field=field)
    exponent = number.as_tuple().exponent
    assert isinstance(exponent, int)  # finite
    if exponent > 0:  # 1E+3: not plain notation
        raise InvalidArgument(_not_an_amount(what, str(value), shape), field=field)
    if -exponent > decimals or number.adjusted() >= digits:
        shown = format(value, "f") if isinstance(value, Decimal) else str(value)  # 1E-7 as 0.0000001
        raise InvalidArgument(
            Phrase(
                N_("{what}: not an amount: {value} has too many digits ({shape})"),
                what=what,
                value=repr(shown),
                shape=shape,
            ),
            field=field,
        )
    return number


def amount(value: Decimal | str | int, what: str, field: str | None = None) -> Decimal:
    """A positive amount or quantity (see `decimal`)."""
    number = decimal(value, what, field)
    if number <= 0:
        raise InvalidArgument(
            Phrase(N_("{what} must be greater than 0, not {value}"), what=what, value=str(value)), field=field
        )
    return number


def percent(value: Decimal | str | int, what: str, field: str | None = None) -> Decimal:
    """A percentage 0–100 with at most 4 decimals."""
    number = decimal(value, what, field, digits=3, decimals=MAX_PERCENT_DECIMALS)
    if not 0 <= number <= 100:
        raise InvalidArgument(
            Phrase(N_("{what} must be between 0 and 100, not {value}"), what=what, value=str(value)), field=field
        )
    return number


def whole(product: Product, quantity: Decimal, what: str, field: str | None = None) -> Decimal:
    """`quantity` of `product`, refused when fractional unless the product's unit is divisible."""
    if not product.divisible and quantity != quantity.to_integral_value():
        raise InvalidArgument(
            Phrase(
                N_(
                    "{what}: {quantity} is not a whole number: {product} is sold by the piece, "
                    "in whole numbers (a product with a divisible unit may be quoted in fractions)"
                )
                if product.unit == "piece"  # the default unit: a word of ours, said in the reader's language
                else N_(
                    "{what}: {quantity} is not a whole number: {product} is sold by the {unit}, "
                    "in whole numbers (a product with a divisible unit may be quoted in fractions)"
                ),
                what=what,
                quantity=f"{quantity:f}",
                product=repr(product.id),
                unit=product.unit,
            ),
            field=field,
        )
    return quantity


def days(value: int, what: str, field: str, *, least: int = 0, most: int = MAX_DAYS) -> int:
    """A count of days (or instalments) between `least` and `most`."""
    if isinstance(value, bool) or not isinstance(value, int) or not least <= value <= most:
        raise InvalidArgument(
            Phrase(
                N_("{what} must be a whole number from {least} to {most}, not {value}"),
                what=what,
                least=str(least),
                most=str(most),
                value=repr(value),
            ),
            field=field,
        )
    return value


def identifier(value: str | None, what: str, field: str) -> str | None:
    """A user-given id (None passes): non-blank, at most 200 characters, no control characters."""
    if value is None:
        return None
    try:
        return _ID.validate_python(value)
    except ValidationError as e:
        raise InvalidArgument(
            Phrase(N_("{what}: {reason}"), what=what, reason=reason(e.errors()[0])), field=field
        ) from None


def idempotency_key(value: str) -> str:
    """An idempotency key: 1–200 visible ASCII characters, no spaces."""
    if not isinstance(value, str) or not 1 <= len(value) <= MAX_ID_LENGTH or not _KEY.fullmatch(value):
        raise InvalidArgument(
            Phrase(
                N_("idempotency key: 1 to {most} visible ASCII characters without spaces, not {value}"),
                most=str(MAX_ID_LENGTH),
                value=repr(value),
            ),
            field="idempotency_key",
        )
    return value


def currency(value: str | None, what: str = CURRENCY, field: str = "currency") -> str | None:
    """An ISO 4217 code such as EUR (None passes)."""
    if value is not None and not _CURRENCY.fullmatch(value):
        raise InvalidArgument(
            Phrase(N_("{what}: an ISO 4217 code such as EUR, not {value}"), what=what, value=repr(value)), field=field
        )
    return value


def text(value: str | None, what: str, field: str) -> str | None:
    """A free text of at most 10,000 characters (None passes)."""
    if value is not None and len(value) > MAX_TEXT_LENGTH:
        raise InvalidArgument(
            Phrase(N_("{what}: at most {most} characters"), what=what, most=str(MAX_TEXT_LENGTH)), field=field
        )
    return value


def plausible(value: date, field: str | None = None) -> date:
    """A date from `FIRST_DATE` to `LAST_DATE`; the message is the API's for any date parameter."""
    if not FIRST_DATE <= value <= LAST_DATE:
        raise InvalidArgument(
            Phrase(
                N_("must be a date written YYYY-MM-DD, from {first} to {last}, not {value}"),
                first=str(FIRST_DATE),
                last=str(LAST_DATE),
                value=str(value),
            ),
            field=field,
        )
    return value


def day(value: date, what: str, field: str) -> date:
    """A ledger date (see `plausible`), refused naming it: "quote date: must be a date written ..."."""
    try:
        return plausible(value, field)
    except InvalidArgument as err:
        raise InvalidArgument(Phrase(N_("{what}: {reason}"), what=what, reason=err.message), field=field) from None
