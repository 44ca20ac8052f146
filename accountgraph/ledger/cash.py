"""The cash picture of an account on a reference date: billed, collected, outstanding, overdue ageing, DSO.

Definitions (all in one currency, on the reference date `on`):

- billed: the invoices issued on or before `on`;
- collected: payments received on or before `on` against those invoices, refunds subtracted;
- outstanding: billed − collected;
- overdue: the open balance of invoices whose due date is before `on`, aged by days past due into
  the buckets 0–30, 31–60, 61–90 and 90+ (a balance one day late is in 0–30);
- DSO (days sales outstanding, the period method):
  outstanding ÷ (billed in the last 90 days, `on` included) × 90, rounded half-even to 0.1 day;
  None when nothing was billed in those 90 days.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from accountgraph.errors import RuleViolation
from accountgraph.graph.store import GraphStore
from accountgraph.ledger import rules
from accountgraph.ledger.models import round_money
from accountgraph.ledger.service import discount_policy, list_invoices, list_payments
from accountgraph.schema.models import today

BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0-30", 0, 30),
    ("31-60", 31, 60),
    ("61-90", 61, 90),
    ("90+", 91, None),
)
"""Ageing buckets: (name, first day past due, last day past due)."""
DSO_PERIOD = 90


def _bucket(days_late: int) -> str:
    for name, low, high in BUCKETS:
        if days_late >= low and (high is None or days_late <= high):
            return name
    return BUCKETS[0][0]


@dataclass
class CashPicture:
    account: str
    currency: str
    on: date
    billed: Decimal = Decimal(0)
    collected: Decimal = Decimal(0)
    outstanding: Decimal = Decimal(0)
    overdue: Decimal = Decimal(0)
    ageing: dict[str, Decimal] = field(default_factory=lambda: {name: Decimal(0) for name, _, _ in BUCKETS})
    billed_last_90_days: Decimal = Decimal(0)
    dso: Decimal | None = None
    invoices: int = 0

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: amounts as decimal strings to the currency's minor unit (they are exact there)."""

        def money(amount: Decimal) -> str:
            return str(round_money(amount, self.currency))

        return {
            "account": self.account,
            "currency": self.currency,
            "on": self.on.isoformat(),
            "billed": money(self.billed),
            "collected": money(self.collected),
            "outstanding": money(self.outstanding),
            "overdue": money(self.overdue),
            "ageing": {k: money(v) for k, v in self.ageing.items()},
            "billed_last_90_days": money(self.billed_last_90_days),
            "dso": None if self.dso is None else str(self.dso),
            "invoices": self.invoices,
        }


def cash_picture(store: GraphStore, account: str, on: date | None = None, currency: str | None = None) -> CashPicture:
    """The cash picture of one account (see the module docstring for the definitions).

    Raises NotFoundError when `account` is not a company of the store.

    `currency` defaults to the one currency of the account's invoices (the policy's when it has none);
    an account invoiced in several currencies needs it named.
    """
    on = rules.day(on or today(), rules.DATE, "on")
    rules.currency(currency)
    account = store.account_of(account)  # a company of the account names the account
    invoices = [i for i in list_invoices(store, account) if i.issued <= on]
    if currency is None:
        currencies = sorted({i.currency for i in invoices})
        if len(currencies) > 1:
            raise RuleViolation(f"account {account!r} is invoiced in {', '.join(currencies)}: name one currency")
        currency = currencies[0] if currencies else discount_policy(store).currency
    invoices = [i for i in invoices if i.currency == currency]
    paid: dict[str, Decimal] = {}
    for p in list_payments(store, account):
        if p.received <= on:
            paid[p.invoice] = paid.get(p.invoice, Decimal(0)) + p.amount
    out = CashPicture(account=account, currency=currency, on=on, invoices=len(invoices))
    since = on - timedelta(days=DSO_PERIOD)
    for invoice in invoices:
        collected = paid.get(invoice.id, Decimal(0))
        out.billed += invoice.amount
        out.collected += collected
        if invoice.issued > since:
            out.billed_last_90_days += invoice.amount
        balance = invoice.amount - collected
        if balance > 0 and invoice.due < on:
            out.ageing[_bucket((on - invoice.due).days)] += balance
            out.overdue += balance
    out.outstanding = out.billed - out.collected
    if out.billed_last_90_days > 0:
        out.dso = (out.outstanding / out.billed_last_90_days * DSO_PERIOD).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_EVEN
        )
    return out


def cash_report(store: GraphStore, on: date | None = None, currency: str | None = None) -> list[CashPicture]:
    """The cash picture of every account (every root company) in
    `currency` (default: the discount policy's), by account id."""
    on = rules.day(on or today(), rules.DATE, "on")
    currency = rules.currency(currency) or discount_policy(store).currency
    accounts = {c.id for c in store.list_accounts()}
    return [cash_picture(store, a, on, currency) for a in sorted(accounts)]


def report_totals(pictures: list[CashPicture]) -> CashPicture:
    """The sum of several pictures of one currency (DSO recomputed from the sums)."""
    if not pictures:
        raise RuleViolation("no accounts to add up")
    total = CashPicture(account="(all)", currency=pictures[0].currency, on=pictures[0].on)
    for p in pictures:
        if p.currency != total.currency:
            raise RuleViolation("cash pictures of different currencies do not add up")
        total.billed += p.billed
        total.collected += p.collected
        total.outstanding += p.outstanding
        total.overdue += p.overdue
        total.billed_last_90_days += p.billed_last_90_days
        total.invoices += p.invoices
        for k, v in p.ageing.items():
            total.ageing[k] += v
    if total.billed_last_90_days > 0:
        total.dso = (total.outstanding / total.billed_last_90_days * DSO_PERIOD).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_EVEN
        )
    return total
