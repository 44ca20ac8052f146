"""Account value: RFM scores from paid orders, a lifetime-value estimate and an A/B/C/D grade.

RFM (on the reference date `on`, from `paid_orders`, amounts in one currency, no FX):

- recency R: days from the latest paid order to `on` (fewer is better);
- frequency F: the number of paid orders;
- monetary M: the sum of the paid orders' amounts.

Quintile scores 1–5, over the accounts compared **that have purchase history** (at least one paid order
in the currency): for each measure, with n such accounts, w the number of them strictly worse on it and
e the number equal to it (itself included), the account's mid-rank percentile is (w + e/2) / n and
score = 1 + floor(5 × (w + e/2) / n). Ties share a score. With distinct values this is 1 + floor(5 × w / n)
when n is a multiple of 5, so the best fifth scores 5 and the worst fifth 1; accounts that cannot be told
apart (a lone account, or all equal) score the middle, 3, not the bottom: a grade says how an account
compares with the others, and an account compared with nobody is neither best nor worst.

An account without purchase history is graded ``"no history"`` (`NO_HISTORY`): it has no R, F, M scores
and is left out of the quintiles, so importing an account without revenue changes no other account's
grade, and its strategic flag is reported but lifts nothing.

What the quintiles guarantee (property-tested in `tests/ledger/test_value.py`): on a given reference date,

- adding or removing an account without purchase history changes no other account's scores or grade;
- adding revenue (a paid order, on or before the reference date) to an account that has history never
  lowers its own R, F or M score, hence never its grade: each of its measures improves or stays, the
  others' stay, and n does not change. Its first paid order takes it from "no history" to a letter, which
  is not an order relation; other accounts' grades may move when an account's revenue changes (the
  grades are relative: quintiles among the accounts with history).

Lifetime value (the simple retention model with discounting):

    LTV = A × m × r / (1 + d − r)

with A the paid-order value of the last 365 days, m the gross margin (default 0.30), r the yearly
retention rate (default 0.80) and d the discount rate (default 0.10); with the defaults
LTV = A × 0.30 × 0.8 / 0.3 = 0.8 × A. Rounded half-even to the currency's minor unit.

Grade from the RFM total T = R + F + M (3–15): A when T ≥ 13, B when T ≥ 10, C when T ≥ 7, else D;
a strategic account (flag set with `set_strategic`) with purchase history is lifted by one step (D→C,
C→B, B→A).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Collection, Mapping
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
NO_HISTORY = "no history"
"""The grade of an account without purchase history (no paid order in the currency): outside the quintiles."""
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
    r: int | None  # None: no purchase history (not scored)
    f: int | None
    m: int | None
    annual_value: Decimal  # paid orders of the last 365 days
    ltv: Decimal
    strategic: bool
    grade: str  # A/B/C/D, or NO_HISTORY

    @property
    def rfm(self) -> str | None:
        return None if self.r is None else f"{self.r}{self.f}{self.m}"

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
    """Score 1–5 per key, higher values better, by mid-rank percentile:
    1 + floor(5 × (w + e/2) / n) with w the keys strictly worse and e the keys equal (itself included)."""
    n = len(values)
    ordered = sorted(values.values())
    scores = {}
    for key, value in values.items():
        worse = bisect_left(ordered, value)  # the values strictly below
        equal = bisect_right(ordered, value) - worse
        scores[key] = 1 + (5 * (2 * worse + equal)) // (2 * n)
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


@dataclass(frozen=True)
class Purchases:
    """An account's paid orders on the reference date, as RFM measures."""

    recency_days: int | None  # None: no paid order
    frequency: int
    monetary: Decimal

    @property
    def history(self) -> bool:
        return self.frequency > 0


def rfm_scores(purchases: Mapping[str, Purchases]) -> dict[str, tuple[int, int, int] | None]:
    """(R, F, M) quintile scores of each account with purchase history, compared with each other only;
    None for an account without history."""
    scored = {a: p for a, p in purchases.items() if p.history}
    out: dict[str, tuple[int, int, int] | None] = dict.fromkeys(purchases)
    if not scored:
        return out
    # higher is better for every measure: recency as minus days
    r = quintile_scores({a: Decimal(-(p.recency_days or 0)) for a, p in scored.items()})
    f = quintile_scores({a: Decimal(p.frequency) for a, p in scored.items()})
    m = quintile_scores({a: p.monetary for a, p in scored.items()})
    out.update({a: (r[a], f[a], m[a]) for a in scored})
    return out


def grades(purchases: Mapping[str, Purchases], strategic: Collection[str] = ()) -> dict[str, str]:
    """The grade of each account: A–D from its RFM scores (strategic lifts one step), `NO_HISTORY` without
    purchase history."""
    return {
        a: NO_HISTORY if scores is None else grade_of(sum(scores), a in strategic)
        for a, scores in rfm_scores(purchases).items()
    }


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
    on = rules.day(on or today(), rules.DATE, "on")
    currency = rules.currency(currency) or discount_policy(store).currency
    orders = [o for o in paid_orders(store, None, on) if o.currency == currency]
    if accounts is None:
        accounts = sorted({c.id for c in store.list_accounts()} | {o.account for o in orders})
    if not accounts:
        return []
    year_start = on - timedelta(days=365)
    purchases: dict[str, Purchases] = {}
    annual: dict[str, Decimal] = {}
    for account in accounts:
        mine = [o for o in orders if o.account == account]
        purchases[account] = Purchases(
            recency_days=(on - max(o.ordered_on for o in mine)).days if mine else None,
            frequency=len(mine),
            monetary=sum((o.amount for o in mine), Decimal(0)),
        )
        annual[account] = sum((o.amount for o in mine if o.ordered_on > year_start), Decimal(0))
    strategic = {a for a in accounts if is_strategic(store, a)}
    scores = rfm_scores(purchases)
    graded = grades(purchases, strategic)
    out = []
    for account, p in purchases.items():
        r, f, m = scores[account] or (None, None, None)
        out.append(
            AccountValue(
                account=account,
                currency=currency,
                on=on,
                recency_days=p.recency_days,
                frequency=p.frequency,
                monetary=p.monetary,
                r=r,
                f=f,
                m=m,
                annual_value=annual[account],
                ltv=lifetime_value(annual[account], currency),
                strategic=account in strategic,
                grade=graded[account],
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
    """The grade (A/B/C/D, or `NO_HISTORY`) of an account: what the algorithms use to weight it."""
    return account_value(store, account, on).grade


def grade_table(store: GraphStore, on: date | None = None) -> dict[str, str]:
    """Every account's grade by account id: a plain mapping the algorithms can take as input."""
    return {v.account: v.grade for v in account_values(store, on)}
