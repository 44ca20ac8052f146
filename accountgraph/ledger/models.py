"""The ledger's records: catalogue, pricing, quotes, contracts, orders, invoices and payments.

Money is `Decimal` with an ISO 4217 currency, never float: amounts are validated from strings (or
`Decimal`/`int`), floats are refused, and records are stored as JSON with amounts as decimal strings so
they round-trip exactly on every backend.

Rounding rule (quotes, invoice instalments): every amount is rounded once, per line, to the currency's
minor unit (2 decimals; 0 for JPY/KRW/…, 3 for BHD/KWD/…) with ROUND_HALF_EVEN (banker's rounding);
totals are the exact sums of the rounded lines, so a total always equals the sum of what is shown.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, model_validator

from accountgraph.schema.documents import DocumentModel
from accountgraph.schema.models import Id, Name


def _no_float(value: Any) -> Any:
    if isinstance(value, float):
        raise ValueError("amounts are never float: give a decimal string such as '0.10'")
    if isinstance(value, bool):
        raise ValueError("not an amount")
    if isinstance(value, str | int | Decimal):
        try:
            d = Decimal(value)
        except ArithmeticError as e:
            raise ValueError(f"not an amount: {value!r} (a decimal such as '1250.00')") from e
        if not d.is_finite():
            raise ValueError("amounts are finite")
        return d
    return value


Dec = Annotated[Decimal, BeforeValidator(_no_float)]
"""An exact decimal (never from a float)."""
Positive = Annotated[Decimal, BeforeValidator(_no_float), Field(gt=0)]
NonNegative = Annotated[Decimal, BeforeValidator(_no_float), Field(ge=0)]
Percent = Annotated[Decimal, BeforeValidator(_no_float), Field(ge=0, le=100)]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]

MINOR_UNITS: dict[str, int] = {
    "JPY": 0,
    "KRW": 0,
    "CLP": 0,
    "ISK": 0,
    "VND": 0,
    "BHD": 3,
    "KWD": 3,
    "JOD": 3,
    "OMR": 3,
    "TND": 3,
}
"""Decimals of the currencies that do not use 2 (ISO 4217)."""


def minor_unit(currency: str) -> int:
    return MINOR_UNITS.get(currency, 2)


def round_money(amount: Decimal, currency: str) -> Decimal:
    """`amount` rounded half-even to the currency's minor unit (the one rounding rule of the ledger)."""
    return amount.quantize(Decimal(1).scaleb(-minor_unit(currency)), rounding=ROUND_HALF_EVEN)


def split_evenly(amount: Decimal, parts: int, currency: str) -> list[Decimal]:
    """`amount` in `parts` instalments of whole minor units, rounded down, the last taking the rest:
    the parts always sum to `amount` exactly."""
    step = Decimal(1).scaleb(-minor_unit(currency))
    each = (amount / parts).quantize(step, rounding=ROUND_DOWN)
    return [each] * (parts - 1) + [amount - each * (parts - 1)]


class Money(BaseModel):
    """An amount in a currency."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    amount: Dec
    currency: Currency

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


# ---- catalogue and pricing --------------------------------------------------------------------
class Component(BaseModel):
    model_config = ConfigDict(extra="forbid")
    product: Id
    quantity: Positive


class Product(DocumentModel):
    """A product with its list price, bill of materials and option dependencies.

    `unit` names what one of it is (default "piece"); a product is quoted in whole numbers of it unless
    `divisible` says the unit can be split (hours, days, kg, metres): "1.5 servers" is refused, "1.5 hours"
    is not. A required accessory follows the quantities of every line that requires it (added up), and
    accessories and bill-of-materials components sold by the piece are rounded up to whole pieces
    (`accountgraph.ledger.rules`, `accountgraph.ledger.service`).
    """

    kind = "product"
    id: Id
    name: Name
    list_price: Money
    unit: Name = "piece"
    divisible: bool = False
    components: list[Component] = []  # the bill of materials (nested: components may have components)
    requires: list[Id] = []  # accessories that come with it (added to a quote automatically)
    incompatible: list[Id] = []  # options that cannot be quoted together with it


class PriceList(DocumentModel):
    """Unit prices in one currency (its id is the currency); they override the products' list prices."""

    kind = "price_list"
    id: Currency
    prices: dict[str, Dec]

    @property
    def currency(self) -> str:
        return self.id


class DiscountTier(BaseModel):
    model_config = ConfigDict(extra="forbid")
    min_volume: NonNegative  # trailing-12-month paid volume from which the tier applies
    percent: Percent


class DiscountPolicy(DocumentModel):
    """Volume discount by the account's trailing-12-month paid volume, and the manual-discount limit."""

    kind = "discount_policy"
    id: Id = "default"
    currency: Currency = "EUR"  # the currency volumes are counted in
    tiers: list[DiscountTier] = [
        DiscountTier(min_volume=Decimal(0), percent=Decimal(0)),
        DiscountTier(min_volume=Decimal(50_000), percent=Decimal(3)),
        DiscountTier(min_volume=Decimal(200_000), percent=Decimal(5)),
        DiscountTier(min_volume=Decimal(1_000_000), percent=Decimal(8)),
    ]
    approval_threshold: Percent = Decimal(10)  # manual discounts above this need an approver

    def volume_percent(self, volume: Decimal) -> Decimal:
        """The percent of the highest tier whose `min_volume` the volume reaches (0 below every tier)."""
        reached = [t for t in self.tiers if volume >= t.min_volume]
        return max(reached, key=lambda t: t.min_volume).percent if reached else Decimal(0)


# ---- quotes -----------------------------------------------------------------------------------
class QuoteStatus(StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    EXPIRED = "expired"


TRANSITIONS: dict[QuoteStatus, frozenset[QuoteStatus]] = {
    QuoteStatus.DRAFT: frozenset({QuoteStatus.SENT}),
    QuoteStatus.SENT: frozenset({QuoteStatus.ACCEPTED, QuoteStatus.REJECTED, QuoteStatus.EXPIRED}),
    QuoteStatus.ACCEPTED: frozenset(),
    QuoteStatus.REJECTED: frozenset(),
    QuoteStatus.EXPIRED: frozenset(),
}
"""The only legal status changes; an accepted version is frozen."""


class LineRequest(BaseModel):
    """What the planner asks for: a product and a quantity."""

    model_config = ConfigDict(extra="forbid")
    product: Id
    quantity: Positive


class QuoteLine(BaseModel):
    model_config = ConfigDict(extra="forbid")
    product: Id
    name: str
    quantity: Positive
    unit_price: Dec
    list_amount: Dec  # round(quantity × unit_price)
    volume_discount: Percent
    manual_discount: Percent
    net: Dec  # round(quantity × unit_price × (100 − min(100, volume + manual)) / 100)
    required_by: Id | None = None  # the product that brought this accessory in
    bom: dict[str, Dec] = {}  # leaf components of the quantity quoted (bill of materials exploded)


class Quote(DocumentModel):
    """One version of a quote; its record id is `{number}-v{version}`."""

    kind = "quote"
    id: Id
    number: Id
    version: int = Field(ge=1)
    account: Id
    currency: Currency
    status: QuoteStatus = QuoteStatus.DRAFT
    created: date
    valid_until: date
    requested: list[LineRequest]
    lines: list[QuoteLine]
    trailing_volume: Dec  # the account's paid volume the volume discount was taken from
    manual_discount: Percent = Decimal(0)
    approver: str | None = None
    list_total: Dec
    discount_total: Dec
    net_total: Dec
    history: list[dict[str, str]] = []  # status changes: {"status", "on"}

    @model_validator(mode="after")
    def _totals_add_up(self) -> Quote:
        if self.net_total != sum((line.net for line in self.lines), Decimal(0)):
            raise ValueError("net_total is not the sum of the lines")
        return self


def quote_record_id(number: str, version: int) -> str:
    return f"{number}-v{version}"


# ---- contracts, orders, invoices, payments ----------------------------------------------------
class Contract(DocumentModel):
    """Made from an accepted quote (its id is `C-{quote id}`, so a quote makes one contract at most)."""

    kind = "contract"
    id: Id
    account: Id
    quote: Id
    currency: Currency
    value: NonNegative
    start: date
    ordered: NonNegative = Decimal(0)  # the sum of its orders, never above `value`


class Order(DocumentModel):
    kind = "order"
    id: Id
    account: Id
    contract: Id
    currency: Currency
    amount: Positive
    ordered_on: date
    description: str | None = None
    invoiced: NonNegative = Decimal(0)  # the sum of its invoices, never above `amount`


class Invoice(DocumentModel):
    """A receivable: one invoice, or one instalment of an order's schedule."""

    kind = "invoice"
    id: Id
    account: Id
    order: Id
    currency: Currency
    amount: Positive
    issued: date
    due: date
    instalment: str | None = None  # "2/3" for the second of three
    paid: NonNegative = Decimal(0)  # payments net of refunds, never above `amount`

    @property
    def balance(self) -> Decimal:
        return self.amount - self.paid


class Payment(DocumentModel):
    """A payment against an invoice, or a refund (a negative amount, `refund_of` the payment)."""

    kind = "payment"
    id: Id
    account: Id
    invoice: Id
    currency: Currency
    amount: Dec
    received: date
    idempotency_key: Id
    refund_of: Id | None = None
    refunded: NonNegative = Decimal(0)  # of a payment: how much of it was refunded


class AccountProfile(DocumentModel):
    """What the ledger knows about an account beyond its records: the strategic flag and why it is set."""

    kind = "account_profile"
    id: Id
    strategic: bool = False
    reason: str | None = None  # why it is strategic, e.g. "industry leader" (at most 10,000 characters)

    def document_account(self) -> str:
        return self.id  # the account it describes
