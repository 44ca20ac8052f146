"""Account value: RFM scores from paid orders, a lifetime-value estimate and an A/B/C/D grade.

RFM (on the reference date `on`, from `paid_orders`, amounts in one currency, no FX):

- recency R: days from the latest paid order to `on` (fewer is better);
- frequency F: the number of paid orders;
- monetary M: the sum of the paid orders' amounts.

Quintile scores 1–5, over the accounts compared: for each measure, with n accounts and w the number
of accounts strictly worse on it, score = 1 + floor(5 × w / n). Ties share a score; an account without
paid orders is worst on every measure (R = F = M = 1 when it is alone at the bottom).

Lifetime value (the simple retention model with discounting):

    LTV = A × m × r / (1 + d − r)

with A the paid-order value of the last 365 days, m the gross margin (default 0.30), r the yearly
retention rate (default 0.80) and d the discount rate (default 0.10); with the defaults
LTV = A × 0.30 × 0.8 / 0.3 = 0.8 × A. Rounded half-even to the currency's minor unit.

Grade from the RFM total T = R + F + M (3–15): A when T ≥ 13, B when T ≥ 10, C when T ≥ 7, else D;
a strategic account (flag set with `set_strategic`) is lifted by one step (D→C, C→B, B→A).
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from accountgraph.errors import NotFoundError
from accountgraph.graph.store import GraphStore
from accountgraph.ledger import rules
from accountgraph.ledger.models import round_money
from accountgraph.ledger.service import discount_policy, is_strategic, paid_orders
from accountgraph.schema.models import today

GRADES = ("D", "C", "B", "A")
MARGIN = Decimal("0.30")
RETENTION = Decimal("0.80")
DISCOUNT_RATE = Decimal("0.10")


@dataclass(frozen=True)
class AccountValue:
    account: str
    currency: str
    on: date
    recency_days: int | None  # None: no paid order yet
    frequency: int
    monetary: Decimal
    r: int
    f: int
    m: int
    annual_value: Decimal  # paid orders of the last 365 days
    ltv: Decimal
    strategic: bool
    grade: str

    @property
    def rfm(self) -> str:
        return f"{self.r}{self.f}{self.m}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "account": self.account,
            "currency": self.currency,
            "on": self.on.isoformat(),
            "recency_days": self.recency_days,
            "frequency": self.frequency,
            "monetary": str(self.monetary),
            "r": self.r,
            "f": self.f,
            "m": self.m,
            "rfm": self.rfm,
            "annual_value": str(self.annual_value),
            "ltv": str(self.ltv),
            "strategic": self.strategic,
            "grade": self.grade,
        }


def quintile_scores(values: dict[str, Decimal]) -> dict[str, int]:
    """Score 1–5 per key, higher values better: 1 + floor(5 × (keys strictly worse) / n)."""
    n = len(values)
    ordered = sorted(values.values())
    scores = {}
    for key, value in values.items():
        worse = bisect_left(ordered, value)  # the values strictly below
        scores[key] = 1 + (5 * worse) // n
    return scores


def lifetime_value(
    annual_value: Decimal,
    currency: str,
    margin: Decimal = MARGIN,
    retention: Decimal = RETENTION,
    discount_rate: Decimal = DISCOUNT_RATE,
) -> Decimal:
    """LTV = A × m × r / (1 + d − r), rounded half-even to the currency's minor unit."""
    return round_money(annual_value * margin * retention / (1 + discount_rate - retention), currency)


def grade_of(total: int, strategic: bool) -> str:
    """A when R + F + M ≥ 13, B ≥ 10, C ≥ 7, else D; strategic lifts one step (A stays A)."""
    step = 3 if total >= 13 else 2 if total >= 10 else 1 if total >= 7 else 0
    if strategic:
        step = min(step + 1, 3)
    return GRADES[step]


def account_values(
    store: GraphStore,
    on: date | None = None,
    currency: str | None = None,
    accounts: list[str] | None = None,
) -> list[AccountValue]:
    """RFM, lifetime value and grade of each account (default: every root company and every account
    with orders), compared with each other, by account id."""
    on = on or today()
    currency = rules.currency(currency) or discount_policy(store).currency
    orders = [o for o in paid_orders(store, None, on) if o.currency == currency]
    if accounts is None:
        accounts = sorted({c.id for c in store.list_accounts()} | {o.account for o in orders})
    if not accounts:
        return []
    year_start = on - timedelta(days=365)
    stats: dict[str, tuple[int | None, int, Decimal, Decimal]] = {}
    for account in accounts:
        mine = [o for o in orders if o.account == account]
        recency = (on - max(o.ordered_on for o in mine)).days if mine else None
        monetary = sum((o.amount for o in mine), Decimal(0))
        annual = sum((o.amount for o in mine if o.ordered_on > year_start), Decimal(0))
        stats[account] = (recency, len(mine), monetary, annual)
    # higher is better for every measure: recency as minus days, none at all below everything
    lowest = Decimal(-(10**9))
    r = quintile_scores({a: lowest if s[0] is None else Decimal(-s[0]) for a, s in stats.items()})
    f = quintile_scores({a: Decimal(s[1]) for a, s in stats.items()})
    m = quintile_scores({a: s[2] if s[1] else lowest for a, s in stats.items()})
    out = []
    for account, (recency, frequency, monetary, annual) in stats.items():
        strategic = is_strategic(store, account)
        out.append(
            AccountValue(
                account=account,
                currency=currency,
                on=on,
                recency_days=recency,
                frequency=frequency,
                monetary=monetary,
                r=r[account],
                f=f[account],
                m=m[account],
                annual_value=annual,
                ltv=lifetime_value(annual, currency),
                strategic=strategic,
                grade=grade_of(r[account] + f[account] + m[account], strategic),
            )
        )
    return out


def account_value(store: GraphStore, account: str, on: date | None = None, currency: str | None = None) -> AccountValue:
    """The value of one account, scored against every account of the store."""
    for value in account_values(store, on, currency):
        if value.account == account:
            return value
    raise NotFoundError("account", account)


def account_grade(store: GraphStore, account: str, on: date | None = None) -> str:
    """The grade (A/B/C/D) of an account: what the algorithms use to weight it (e.g. next best actions)."""
    return account_value(store, account, on).grade


def grade_table(store: GraphStore, on: date | None = None) -> dict[str, str]:
    """Every account's grade by account id: a plain mapping the algorithms can take as input."""
    return {v.account: v.grade for v in account_values(store, on)}
