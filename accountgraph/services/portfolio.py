"""The portfolio: which accounts are key and why, how value is distributed, what revenue is at risk, which accounts
need attention now, and the operating KPIs per period (issue 16, items 1 to 5; the KPIs' definitions are in
`KPI_DEFINITIONS`).

Every figure is computed over the accounts the caller's `Scope` sees (a key limited to one account sees a
portfolio of that account only), in one currency (default: the discount policy's; amounts in other currencies
are left out, as in `accountgraph.ledger.value`), on a reference date `on` (default today). The facts of each
account are gathered once (`account_facts`) from the services that own them; the sections are pure functions
of those facts and the tunable `PortfolioParams`:

- **revenue**: the paid orders of the 365 days up to `on` (`AccountValue.annual_value`, the base of the value
  grades), taken as the next year's expected revenue;
- **grade**: the account's value grade (A–D or "no history"), scored against every account of the store,
  exactly as `GET /v1/accounts/{id}/value` shows it;
- **coverage trend**: the relationship coverage on `on` minus the coverage `trend_days` (90) days earlier;
- **pipeline**: the open opportunities in the currency, and their amounts weighted by each deal's win
  probability (`opportunities.health`; the deals as they stand now).

Key accounts (item 1). An account is

- `key` when it meets *contribution* (among the accounts with revenue, ranked by revenue, it is in the top
  `contribution_share` of them, rounded up, at least one; accounts tied with the last one are in too) or
  *strategic* (the flag set with `ledger.service.set_strategic`, with its free-text reason);
- `candidate` when it is not key but meets *potential*: a weighted open pipeline at least as large as the
  smallest key-by-contribution account's revenue (any weighted pipeline when there is none); *whitespace*
  (it has bought, and at least `whitespace_share` of the catalogue's products are not yet bought by it); or
  *momentum* (coverage up by `momentum_points` or more over `trend_days`);
- `other` otherwise.

An account without revenue is not ranked, so adding an unrelated empty account changes no status.

Revenue at risk (item 4): the account's expected revenue times the chance of losing the relationships that
carry it, ``1 − Π (1 − p_i)`` over its threats ``i`` (taken as independent):

- a key person (the coverage's key layer) reached only through stale ties: ``stale_only`` × w;
- a key person reached by nobody of ours at the coverage threshold: ``uncovered`` × w;
- a key person reached by one of ours only (single-threaded): ``single_threaded`` × w;
- an opponent or blocker holding a decision role: ``opponent`` × w;
- a key person of `trend_days` earlier who has left: ``left`` × w;
- the open risk events: ``risk_events`` × risk score / 100;

with w a person's rank weight divided by the largest of the account's key layer (the top person counts fully).
The chances are a planner's judgement, tunable in `PortfolioParams`. So an account whose key people are all
covered by two or more of ours through fresh ties, with no opponent in a decision role, no departure and no risk
event, has nothing at risk.

Attention list (item 5): the accounts with revenue at risk or a change (coverage drop of `momentum_points` or
more, a key person gone, a risk event of the last `new_risk_days`, overdue cash, a deal without a stage change
for `stalled_days`), by revenue at risk, then the number of changes, then the coverage drop; each with the first
of its next best actions (`services.analysis.actions`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from functools import partial
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

from accountgraph.algorithms import AccountView, account_risk
from accountgraph.algorithms import coverage as coverage_alg
from accountgraph.algorithms.prepared import TeamTie
from accountgraph.algorithms.results import Coverage, Text
from accountgraph.errors import InvalidArgument
from accountgraph.graph.settings import open_store
from accountgraph.graph.store import GraphStore
from accountgraph.i18n import N_
from accountgraph.i18n.phrase import Num, Phrase, Seq, Term
from accountgraph.ledger import rules
from accountgraph.ledger import service as ledger
from accountgraph.ledger.cash import cash_picture
from accountgraph.ledger.models import AccountProfile, Money, Order, round_money
from accountgraph.ledger.service import (
    account_profile,
    discount_policy,
    get_contract,
    get_quote,
    list_orders,
    list_products,
    paid_orders,
)
from accountgraph.ledger.value import NO_HISTORY, AccountValue, account_values
from accountgraph.opportunities.health import opportunity_health
from accountgraph.opportunities.models import Opportunity
from accountgraph.opportunities.service import get_pipeline, list_opportunities
from accountgraph.schema.models import ApiRole, today
from accountgraph.services import analysis
from accountgraph.services.analysis import AnalysisCache
from accountgraph.services.parallel import Engine
from accountgraph.services.scope import Scope, writes

__all__ = [
    "GRADE_ROWS",
    "HEALTH_COLUMNS",
    "AccountFacts",
    "AccountRisk",
    "Attention",
    "KeyAccount",
    "Kpi",
    "Period",
    "PeriodKpis",
    "Portfolio",
    "PortfolioParams",
    "RevenueAtRisk",
    "Threat",
    "ValueDistribution",
    "account_facts",
    "attention",
    "attention_list",
    "classify",
    "contribution_cutoff",
    "distribution",
    "key_accounts",
    "loss_chance",
    "operating_kpis",
    "overview",
    "period_bounds",
    "revenue_at_risk",
    "revenue_risk",
    "risk_of",
    "set_strategic",
    "value_chart_svg",
    "value_distribution",
]

Share = Annotated[Decimal, Field(gt=0, le=1), PlainSerializer(lambda d: format(d, "f"), return_type=str)]
"""A share 0..1 (exclusive of 0), in JSON a plain decimal string (never an exponent)."""
Chance = Annotated[float, Field(ge=0.0, le=1.0)]
Status = Literal["key", "candidate", "other"]
Criterion = Literal["contribution", "strategic", "pipeline", "whitespace", "momentum"]
ThreatKind = Literal["stale_only", "uncovered", "single_threaded", "opponent", "left", "risk_events"]
Health = Literal["strong", "fair", "weak"]
Trend = Literal["rising", "steady", "falling"]
GRADE_ROWS = ("A", "B", "C", "D", NO_HISTORY)
HEALTH_COLUMNS: tuple[Health, ...] = ("strong", "fair", "weak")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PortfolioParams(_Model):
    """What a planner can tune (see the module docstring for how each is used)."""

    contribution_share: Share = Decimal("0.2")
    """Key by contribution: the top this share of the accounts with revenue (rounded up)."""
    pareto_share: Share = Decimal("0.2")
    """The value distribution reports the revenue share of the top this share of accounts."""
    whitespace_share: Share = Decimal("0.5")
    """Potential by whitespace: at least this share of the catalogue not yet bought (by an account that buys)."""
    trend_days: Annotated[int, Field(ge=1, le=3650)] = 90
    momentum_points: Annotated[float, Field(gt=0.0, le=100.0)] = 5.0
    """Coverage points over `trend_days` that make momentum (up) or a drop (down)."""
    strong_coverage: Annotated[float, Field(ge=0.0, le=100.0)] = 60.0
    fair_coverage: Annotated[float, Field(ge=0.0, le=100.0)] = 30.0
    stalled_days: Annotated[int, Field(ge=1)] = 60
    new_risk_days: Annotated[int, Field(ge=1)] = 30
    stale_only: Chance = 0.20
    uncovered: Chance = 0.10
    single_threaded: Chance = 0.10
    opponent: Chance = 0.25
    left: Chance = 0.30
    risk_events: Chance = 0.50


# ---- the facts of one account ------------------------------------------------------------------------------


class Threat(_Model):
    """One threat to the relationships that carry an account's revenue."""

    kind: ThreatKind
    person: str | None = Field(description="the key person it is about (None: the account's risk events)")
    chance: float = Field(description="its chance of losing the relationship, 0..1")
    detail: Text


class Deal(_Model):
    id: str
    name: str
    stage: str
    amount: Money
    win_probability: float
    weighted: Money
    days_in_stage: int


class AccountFacts(_Model):
    """What the portfolio knows about one account on the reference date (amounts in the portfolio's currency)."""

    account: str
    name: str
    revenue: Money = Field(description="paid orders of the 365 days up to the reference date")
    ltv: Money
    grade: str = Field(description="A, B, C, D or 'no history' (scored against every account of the store)")
    strategic: bool
    strategic_reason: str | None
    coverage: float = Field(description="relationship coverage on the reference date, 0..100")
    coverage_before: float = Field(description="coverage `trend_days` earlier")
    people: int = Field(description="people of the account on the reference date")
    deals: list[Deal] = Field(description="open opportunities in the currency")
    bought: list[str] = Field(description="products the account has ordered")
    whitespace: list[str] = Field(description="products of the catalogue it has not ordered yet")
    catalogue: int
    threats: list[Threat]
    risk_score: float = Field(description="the account's risk score from its risk events, 0..100")
    new_risk_events: list[str] = Field(description="summaries of the risk events of the last `new_risk_days`")
    key_people_gone: list[str] = Field(description="names of the key people of `trend_days` earlier who left")
    overdue: Money

    @property
    def trend(self) -> float:
        return round(self.coverage - self.coverage_before, 1)

    @property
    def pipeline(self) -> Decimal:
        return sum((d.amount.amount for d in self.deals), Decimal(0))

    @property
    def weighted_pipeline(self) -> Decimal:
        return sum((d.weighted.amount for d in self.deals), Decimal(0))


def _money(amount: Decimal, currency: str) -> Money:
    return Money(amount=round_money(amount, currency), currency=currency)


def _who(row: Mapping[str, object]) -> str:
    """`Name (title)` of a person's row."""
    title = row.get("title")
    return f"{row.get('name') or row.get('id')}" + (f" ({title})" if title else "")


def _last_contact(tie: TeamTie) -> str:
    """`, last contact 200 days ago` (empty when the tie has no contact date)."""
    if tie.core.age_days is None:
        return ""
    days = round(tie.core.age_days)
    return Phrase.ngettext(", last contact {n} day ago", ", last contact {n} days ago", days)


def _threats(
    view: AccountView,
    cov: Coverage,
    before: Coverage | None,
    gone: Iterable[str],
    risk_score: float,
    risk_summary: str | None,
    params: PortfolioParams,
) -> list[Threat]:
    """The threats of one account, most likely first (see the module docstring)."""
    key = [p for p in cov.people if p.layer == "key"]
    top = max((p.weight for p in key), default=0.0)
    ties_of: dict[str, list[TeamTie]] = {}
    for (_, person), tie in view.team_ties.items():
        ties_of.setdefault(person, []).append(tie)
    out: list[Threat] = []
    for p in key:
        w = p.weight / top if top > 0 else 0.0
        row = view.node(p.id)
        who = _who(row)
        decision = {"decision_maker", "economic_buyer"} & set(p.roles)
        if decision and (p.stance == "opponent" or "blocker" in p.roles):
            out.append(
                Threat(
                    kind="opponent",
                    person=p.id,
                    chance=params.opponent * w,
                    detail=Phrase(
                        N_("{who}, who works against us, is a {role}"),
                        who=who,
                        role=Term(sorted(decision)[0], sorted(decision)[0].replace("_", " ")),
                    ),
                )
            )
        ties = sorted(ties_of.get(p.id, []), key=lambda t: (-t.core.effective, t.member))
        if not p.covered:
            stale = [t for t in ties if t.core.stale]
            if stale:
                t = stale[0]
                age = _last_contact(t)
                through = Seq(tuple(view.name(s.member) for s in stale), N_(", "))
                out.append(
                    Threat(
                        kind="stale_only",
                        person=p.id,
                        chance=params.stale_only * w,
                        detail=Phrase(
                            N_("{who} is reached only through {through} by stale ties{age}"),
                            who=who,
                            through=through,
                            age=age,
                        ),
                    )
                )
            else:
                out.append(
                    Threat(
                        kind="uncovered",
                        person=p.id,
                        chance=params.uncovered * w,
                        detail=Phrase(N_("{who} is not reached by any of ours"), who=who),
                    )
                )
        elif len(p.members) == 1:
            t = next(t for t in ties if t.member == p.members[0])
            age = _last_contact(t)
            out.append(
                Threat(
                    kind="single_threaded",
                    person=p.id,
                    chance=params.single_threaded * w,
                    detail=Phrase(
                        N_("{who} is reached only through {member}{age}"),
                        who=who,
                        member=view.name(p.members[0]),
                        age=age,
                    ),
                )
            )
    if before is not None:
        earlier = {p.id: p for p in before.people if p.layer == "key"}
        top_before = max((p.weight for p in earlier.values()), default=0.0)
        for pid in gone:
            p = earlier[pid]
            w = p.weight / top_before if top_before > 0 else 0.0
            out.append(
                Threat(
                    kind="left",
                    person=pid,
                    chance=params.left * w,
                    detail=Phrase(
                        N_("{name}, a key person {days} days ago, has left"), name=p.name, days=params.trend_days
                    ),
                )
            )
    if risk_score > 0:
        what = Phrase(N_(" (the largest: {summary})"), summary=risk_summary) if risk_summary else ""
        out.append(
            Threat(
                kind="risk_events",
                person=None,
                chance=params.risk_events * risk_score / 100,
                detail=Phrase(
                    N_("open risk events score {score} of 100{what}"), score=Num(risk_score, ".0f"), what=what
                ),
            )
        )
    out = [t.model_copy(update={"chance": round(t.chance, 4)}) for t in out]
    out.sort(key=lambda t: (-t.chance, t.kind, t.person or ""))
    return out


def _bought(store: GraphStore, account: str, on: date) -> list[str]:
    """The products of the quotes behind the account's orders placed on or before `on`."""
    products: set[str] = set()
    for contract_id in sorted({o.contract for o in list_orders(store, account) if o.ordered_on <= on}):
        quote = get_quote(store, get_contract(store, contract_id).quote)
        products.update(line.product for line in quote.lines)
    return sorted(products)


def _deals(store: GraphStore, account: str, currency: str, on: date, cache: AnalysisCache | None) -> list[Deal]:
    """The account's open deals in `currency`, each weighted by its win probability (as the deal stands now)."""
    deals = []
    for opp in list_opportunities(store, account, open_only=True):
        if opp.currency != currency:
            continue
        moved = max([opp.created_at, *(c.at for c in opp.stage_history)])
        p = opportunity_health(store, opp.id, cache=cache).probability
        deals.append(
            Deal(
                id=opp.id,
                name=opp.name,
                stage=opp.stage,
                amount=_money(opp.amount, currency),
                win_probability=round(p, 4),
                weighted=_money(opp.amount * Decimal(str(round(p, 4))), currency),
                days_in_stage=max(0, (on - moved.date()).days),
            )
        )
    return deals


def _account_fact(
    store: GraphStore,
    account: str,
    name: str,
    value: AccountValue,
    catalogue: list[str],
    on: date,
    currency: str,
    params: PortfolioParams,
    cache: AnalysisCache | None,
) -> AccountFacts:
    """The facts of one account (what `account_facts` gathers for each, serially or in a worker)."""
    earlier = on - timedelta(days=params.trend_days)
    view = analysis.account_view(store, account, as_of=on, cache=cache)
    cov = coverage_alg(view)
    before = coverage_alg(analysis.account_view(store, account, as_of=earlier, cache=cache))
    gone = [p.id for p in before.people if p.layer == "key" and not view.is_person(p.id)]
    risk = account_risk(view)
    biggest = max(risk.events, key=lambda e: (e.contribution, e.id), default=None)
    profile = account_profile(store, account)
    bought = _bought(store, account, on)
    return AccountFacts(
        account=account,
        name=name,
        revenue=_money(value.annual_value, currency),
        ltv=_money(value.ltv, currency),
        grade=value.grade,
        strategic=profile.strategic,
        strategic_reason=profile.reason,
        coverage=round(cov.score, 1),
        coverage_before=round(before.score, 1),
        people=view.P,
        deals=_deals(store, account, currency, on, cache),
        bought=bought,
        whitespace=[p for p in catalogue if p not in bought],
        catalogue=len(catalogue),
        threats=_threats(
            view, cov, before, gone, risk.score, (biggest.summary or biggest.kind) if biggest else None, params
        ),
        risk_score=round(risk.score, 1),
        new_risk_events=[e.summary or e.kind for e in risk.events if (on - e.at).days <= params.new_risk_days],
        key_people_gone=[next(p.name for p in before.people if p.id == g) for g in gone],
        overdue=_money(cash_picture(store, account, on, currency).overdue, currency),
    )


Work = tuple[str, str, AccountValue]  # an account, its name and its value


def _facts_of_share(
    work: list[Work], *, url: str, catalogue: list[str], on: date, currency: str, params: PortfolioParams
) -> list[AccountFacts]:
    """A worker's share: opens the store by its URL (a worker holds no store) and gathers the facts of `work`,
    with a cache of its own (the win model is fitted once per share)."""
    cache = AnalysisCache()
    with open_store(url) as store:
        return [_account_fact(store, a, n, v, catalogue, on, currency, params, cache) for a, n, v in work]


def account_facts(
    store: GraphStore,
    scope: Scope,
    *,
    on: date | None = None,
    currency: str | None = None,
    params: PortfolioParams | None = None,
    cache: AnalysisCache | None = None,
    engine: Engine | None = None,
) -> list[AccountFacts]:
    """The facts of every account the scope sees, by account id; in parallel as `engine` (default: the
    settings, `Engine.from_env`; see `services.parallel`) says. Every engine gives exactly the serial results."""
    params = params or PortfolioParams()
    on = on or today()
    currency = rules.currency(currency) or discount_policy(store).currency
    values = {v.account: v for v in account_values(store, on, currency)}
    names = {c.id: c.name for c in store.list_accounts()}
    catalogue = sorted(p.id for p in list_products(store))
    work = [(a, names[a], values[a]) for a in sorted(a for a in values if scope.sees(a) and a in names)]
    engine = engine or Engine.from_env()

    def gather() -> list[AccountFacts]:
        if not engine.parallel_for(store.url, len(work)):
            return [_account_fact(store, a, n, v, catalogue, on, currency, params, cache) for a, n, v in work]
        share = partial(_facts_of_share, url=store.url, catalogue=catalogue, on=on, currency=currency, params=params)
        return [facts for done in engine.map(share, engine.chunks(work)) for facts in done]

    if cache is None:
        return gather()
    key = (store.url, "portfolio_facts", on, currency, params.model_dump_json(), tuple(a for a, _, _ in work))
    return list(cache.fitted(key, store.data_version(), gather))


# ---- key accounts (item 1) ---------------------------------------------------------------------------------


class KeyAccount(_Model):
    account: str
    name: str
    status: Status
    criteria: list[Criterion] = Field(description="the criteria it met")
    reasons: list[Text] = Field(description="one sentence per criterion met")
    revenue: Money
    revenue_rank: int | None = Field(description="its rank by revenue among the accounts with revenue")
    revenue_share: float = Field(description="its share of the portfolio's revenue, 0..1")
    grade: str


def _pct(x: float | Decimal) -> str:
    return f"{100 * float(x):.0f} %"


def _top(n: int, share: Decimal) -> int:
    """How many of `n` accounts the top `share` holds: rounded up, at least one (none of none)."""
    return min(n, max(1, math.ceil(n * share))) if n else 0


def _ranked(facts: Sequence[AccountFacts]) -> list[AccountFacts]:
    """The accounts with revenue, largest first (ties by id)."""
    return sorted((f for f in facts if f.revenue.amount > 0), key=lambda f: (-f.revenue.amount, f.account))


def contribution_cutoff(revenue: Iterable[Decimal], share: Decimal) -> Decimal | None:
    """The smallest revenue that makes an account key by contribution: the revenue of the last of the top `share`
    of the accounts with revenue (rounded up, at least one); None when no account has revenue. Accounts tied with
    it are key too."""
    ranked = sorted((r for r in revenue if r > 0), reverse=True)
    n_top = _top(len(ranked), share)
    return ranked[n_top - 1] if n_top else None


def classify(facts: Sequence[AccountFacts], params: PortfolioParams | None = None) -> list[KeyAccount]:
    """Each account `key`, `candidate` or `other`, with the criteria it met (pure; see the module docstring).
    Key accounts first, then candidates, then the others, each by revenue."""
    params = params or PortfolioParams()
    ranked = _ranked(facts)
    total = sum((f.revenue.amount for f in ranked), Decimal(0))
    rank = {f.account: i + 1 for i, f in enumerate(ranked)}
    cutoff = contribution_cutoff((f.revenue.amount for f in ranked), params.contribution_share)
    out = []
    for f in facts:
        met: list[tuple[Criterion, str]] = []
        share = f.revenue.amount / total if total else Decimal(0)
        if cutoff is not None and f.revenue.amount >= cutoff and f.revenue.amount > 0:
            met.append(
                (
                    "contribution",
                    Phrase(
                        N_(
                            "top {top} of the {n} accounts with revenue: rank {rank}, {revenue} in the last 12 months "
                            "({share} of the portfolio's revenue)"
                        ),
                        top=_pct(params.contribution_share),
                        n=len(ranked),
                        rank=rank[f.account],
                        revenue=str(f.revenue),
                        share=_pct(share),
                    ),
                )
            )
        if f.strategic:
            met.append(
                (
                    "strategic",
                    Phrase(N_("strategic: {reason}"), reason=f.strategic_reason)
                    if f.strategic_reason
                    else Phrase(N_("strategic: flagged strategic (no reason given)")),
                )
            )
        weighted, currency = f.weighted_pipeline, f.revenue.currency
        if weighted > 0 and (cutoff is None or weighted >= cutoff):
            bar = (
                ""
                if cutoff is None
                else Phrase(
                    N_(", at least the smallest key account's yearly revenue ({cutoff})"), cutoff=f"{cutoff} {currency}"
                )
            )
            met.append(
                (
                    "pipeline",
                    Phrase(
                        N_("open pipeline of {pipeline} in {n} deal(s), {weighted} weighted by win probability{bar}"),
                        pipeline=str(_money(f.pipeline, currency)),
                        n=len(f.deals),
                        weighted=str(_money(weighted, currency)),
                        bar=bar,
                    ),
                )
            )
        if f.bought and f.catalogue and Decimal(len(f.whitespace)) / f.catalogue >= params.whitespace_share:
            met.append(
                (
                    "whitespace",
                    Phrase(
                        N_("whitespace: {n} of {catalogue} products not bought yet ({products})"),
                        n=len(f.whitespace),
                        catalogue=f.catalogue,
                        products=Seq((*f.whitespace[:5], *(("...",) if len(f.whitespace) > 5 else ())), N_(", ")),
                    ),
                )
            )
        if f.trend >= params.momentum_points:
            met.append(
                (
                    "momentum",
                    Phrase(
                        N_("relationship momentum: coverage up {trend} points in {days} days ({before} → {after})"),
                        trend=Num(f.trend, ".1f"),
                        days=params.trend_days,
                        before=Num(f.coverage_before, ".1f"),
                        after=Num(f.coverage, ".1f"),
                    ),
                )
            )
        kinds = [k for k, _ in met]
        status: Status = "key" if {"contribution", "strategic"} & set(kinds) else "candidate" if kinds else "other"
        out.append(
            KeyAccount(
                account=f.account,
                name=f.name,
                status=status,
                criteria=kinds,
                reasons=[r for _, r in met],
                revenue=f.revenue,
                revenue_rank=rank.get(f.account),
                revenue_share=round(float(share), 4),
                grade=f.grade,
            )
        )
    order = {"key": 0, "candidate": 1, "other": 2}
    out.sort(key=lambda k: (order[k.status], -k.revenue.amount, k.account))
    return out


# ---- value distribution (item 2) ---------------------------------------------------------------------------


class ParetoPoint(_Model):
    account: str
    name: str
    revenue: Money
    cumulative_revenue_share: float = Field(description="share of revenue of this account and the larger ones")
    cumulative_account_share: float = Field(description="share of the accounts with revenue up to this one")


class MatrixAccount(_Model):
    account: str
    name: str
    grade: str
    coverage: float
    trend: float
    health: Health
    direction: Trend


class MatrixCell(_Model):
    grade: str
    health: Health
    accounts: list[str]


class ValueDistribution(_Model):
    currency: str
    total_revenue: Money
    accounts_with_revenue: int
    accounts_without_revenue: int
    pareto_share: float = Field(description="the share of accounts the headline is about (default 0.2)")
    top_accounts: int = Field(description="how many accounts that share is (rounded up)")
    top_revenue_share: float = Field(description="the share of revenue those accounts make, 0..1")
    pareto: list[ParetoPoint] = Field(description="the Pareto curve: accounts with revenue, largest first")
    accounts: list[MatrixAccount] = Field(description="every account: grade × relationship health")
    matrix: list[MatrixCell] = Field(description="grades (A..D, no history) × health (strong, fair, weak)")
    explanation: Text


def _health(coverage: float, params: PortfolioParams) -> Health:
    return "strong" if coverage >= params.strong_coverage else "fair" if coverage >= params.fair_coverage else "weak"


def _direction(trend: float, params: PortfolioParams) -> Trend:
    return "rising" if trend >= params.momentum_points else "falling" if trend <= -params.momentum_points else "steady"


def distribution(
    facts: Sequence[AccountFacts], currency: str, params: PortfolioParams | None = None
) -> ValueDistribution:
    """The Pareto curve of revenue and the grade × relationship-health matrix (pure)."""
    params = params or PortfolioParams()
    ranked = _ranked(facts)
    total = sum((f.revenue.amount for f in ranked), Decimal(0))
    points, running = [], Decimal(0)
    for i, f in enumerate(ranked):
        running += f.revenue.amount
        points.append(
            ParetoPoint(
                account=f.account,
                name=f.name,
                revenue=f.revenue,
                cumulative_revenue_share=round(float(running / total), 4),
                cumulative_account_share=round((i + 1) / len(ranked), 4),
            )
        )
    n_top = _top(len(ranked), params.pareto_share)
    top_share = float(sum((f.revenue.amount for f in ranked[:n_top]), Decimal(0)) / total) if total else 0.0
    accounts = [
        MatrixAccount(
            account=f.account,
            name=f.name,
            grade=f.grade,
            coverage=f.coverage,
            trend=f.trend,
            health=_health(f.coverage, params),
            direction=_direction(f.trend, params),
        )
        for f in facts
    ]
    matrix = [
        MatrixCell(grade=g, health=h, accounts=[a.account for a in accounts if a.grade == g and a.health == h])
        for g in GRADE_ROWS
        for h in HEALTH_COLUMNS
    ]
    explanation = (
        Phrase(
            N_(
                "the top {top} of the {n} accounts with revenue ({count}) make {share} of {total} in the last 12 months"
            ),
            top=_pct(params.pareto_share),
            n=len(ranked),
            count=n_top,
            share=_pct(top_share),
            total=str(_money(total, currency)),
        )
        if ranked
        else Phrase(N_("no account has revenue in the last 12 months"))
    )
    return ValueDistribution(
        currency=currency,
        total_revenue=_money(total, currency),
        accounts_with_revenue=len(ranked),
        accounts_without_revenue=len(facts) - len(ranked),
        pareto_share=float(params.pareto_share),
        top_accounts=n_top,
        top_revenue_share=round(top_share, 4),
        pareto=points,
        accounts=accounts,
        matrix=matrix,
        explanation=explanation,
    )


# ---- revenue at risk (item 4) ------------------------------------------------------------------------------


class AccountRisk(_Model):
    account: str
    name: str
    expected: Money = Field(description="the next year's expected revenue (the last 12 months' paid orders)")
    chance: float = Field(description="the chance of losing the relationships that carry it, 0..1")
    at_risk: Money = Field(description="expected × chance")
    threats: list[Threat]
    explanation: Text


class RevenueAtRisk(_Model):
    currency: str
    total: Money
    expected: Money
    accounts: list[AccountRisk] = Field(description="most at risk first")
    explanation: Text


def loss_chance(threats: Iterable[Threat]) -> float:
    """1 − Π (1 − p) over the threats' chances (independent threats)."""
    keep = 1.0
    for t in threats:
        keep *= 1.0 - t.chance
    return min(1.0, max(0.0, 1.0 - keep))


def risk_of(f: AccountFacts) -> AccountRisk:
    """One account's revenue at risk, with the sentence that explains it (pure)."""
    chance = round(loss_chance(f.threats), 4)
    currency = f.revenue.currency
    at_risk = _money(f.revenue.amount * Decimal(str(chance)), currency)
    shown = Seq(tuple(t.detail for t in f.threats[:3]), N_("; "))
    more = Phrase(N_("; and {n} more"), n=len(f.threats) - 3) if len(f.threats) > 3 else ""
    text: str
    if not f.threats:
        text = Phrase(
            N_(
                "nothing at risk: every key person is reached by two or more of ours through fresh ties, and there is "
                "no opponent in a decision role, no departure and no risk event"
            )
        )
    elif f.revenue.amount == 0:
        text = Phrase(
            N_(
                "no revenue in the last 12 months to lose, but a {chance} chance of losing the relationships: "
                "{threats}{more}"
            ),
            chance=_pct(chance),
            threats=shown,
            more=more,
        )
    else:
        text = Phrase(
            N_("{at_risk} at risk ({chance} of {expected} expected next year): {threats}{more}"),
            at_risk=str(at_risk),
            chance=_pct(chance),
            expected=str(f.revenue),
            threats=shown,
            more=more,
        )
    return AccountRisk(
        account=f.account,
        name=f.name,
        expected=f.revenue,
        chance=chance,
        at_risk=at_risk,
        threats=list(f.threats),
        explanation=text,
    )


def revenue_at_risk(facts: Sequence[AccountFacts], currency: str) -> RevenueAtRisk:
    """Revenue at risk per account and in total (pure)."""
    risks = sorted((risk_of(f) for f in facts), key=lambda r: (-r.at_risk.amount, -r.chance, r.account))
    total = sum((r.at_risk.amount for r in risks), Decimal(0))
    expected = sum((r.expected.amount for r in risks), Decimal(0))
    share = (
        Phrase(
            N_(" ({share} of {expected} expected)"),
            share=_pct(total / expected),
            expected=str(_money(expected, currency)),
        )
        if expected
        else ""
    )
    return RevenueAtRisk(
        currency=currency,
        total=_money(total, currency),
        expected=_money(expected, currency),
        accounts=risks,
        explanation=Phrase(
            N_("{total} of next year's revenue at risk{share} across {n} accounts"),
            total=str(_money(total, currency)),
            share=share,
            n=len(risks),
        ),
    )


# ---- attention list (item 5) -------------------------------------------------------------------------------


class Attention(_Model):
    account: str
    name: str
    at_risk: Money
    changes: list[Text] = Field(description="what changed: coverage drop, key person gone, new risk event, ...")
    coverage: float
    trend: float
    action: Text | None = Field(description="the top next best action (None when there is none)")
    explanation: Text


def _changes(f: AccountFacts, params: PortfolioParams) -> list[str]:
    out: list[str] = []
    if f.trend <= -params.momentum_points:
        out.append(
            Phrase(
                N_("coverage down {points} points in {days} days"),
                points=Num(-f.trend, ".1f"),
                days=params.trend_days,
            )
        )
    out += [Phrase(N_("key person gone: {name}"), name=name) for name in f.key_people_gone]
    out += [Phrase(N_("new risk event: {summary}"), summary=summary) for summary in f.new_risk_events]
    if f.overdue.amount > 0:
        out.append(Phrase(N_("overdue cash: {amount}"), amount=str(f.overdue)))
    out += [
        Phrase(
            N_("stalled deal: {name} ({id}) in {stage} for {days} days"),
            name=d.name,
            id=d.id,
            stage=d.stage,
            days=d.days_in_stage,
        )
        for d in f.deals
        if d.days_in_stage >= params.stalled_days
    ]
    return out


def attention_list(
    facts: Sequence[AccountFacts],
    params: PortfolioParams | None = None,
    action_of: Callable[[str], str | None] = lambda account: None,
) -> list[Attention]:
    """The accounts that need action now, ranked by revenue at risk, then how many changes, then the coverage
    drop; `action_of(account)` gives each its top next best action."""
    params = params or PortfolioParams()
    rows = []
    for f in facts:
        r = risk_of(f)
        changes = _changes(f, params)
        if r.at_risk.amount > 0 or changes:
            rows.append((f, r, changes))
    rows.sort(key=lambda x: (-x[1].at_risk.amount, -len(x[2]), x[0].trend, x[0].account))
    out = []
    for f, r, changes in rows:
        action = action_of(f.account)
        why = Seq(tuple(changes), N_("; ")) if changes else Phrase(N_("no change, but revenue is at risk"))
        out.append(
            Attention(
                account=f.account,
                name=f.name,
                at_risk=r.at_risk,
                changes=changes,
                coverage=f.coverage,
                trend=f.trend,
                action=action,
                explanation=Phrase(
                    N_("{at_risk} at risk; {why}; next: {action}") if action else N_("{at_risk} at risk; {why}"),
                    at_risk=str(r.at_risk),
                    why=why,
                    action=action or "",
                ),
            )
        )
    return out


# ---- the service's use cases ------------------------------------------------------------------------------


class Portfolio(_Model):
    """The overview: every section, from one gathering of the facts."""

    on: date
    currency: str
    params: PortfolioParams
    accounts: int
    keys: list[KeyAccount]
    value: ValueDistribution
    risk: RevenueAtRisk
    attention: list[Attention]


def _facts(
    store: GraphStore,
    scope: Scope,
    on: date | None,
    currency: str | None,
    params: PortfolioParams | None,
    cache: AnalysisCache | None,
) -> tuple[date, str, PortfolioParams, list[AccountFacts]]:
    params = params or PortfolioParams()
    if params.fair_coverage > params.strong_coverage:
        raise InvalidArgument("fair_coverage must not be above strong_coverage", field="fair_coverage")
    on = on or today()
    currency = rules.currency(currency) or discount_policy(store).currency
    return on, currency, params, account_facts(store, scope, on=on, currency=currency, params=params, cache=cache)


def _top_action(store: GraphStore, scope: Scope, on: date, cache: AnalysisCache | None) -> Callable[[str], str | None]:
    def action_of(account: str) -> str | None:
        plan = analysis.actions(store, scope, account, as_of=on, cache=cache)
        return plan.actions[0].plan if plan.actions else None

    return action_of


def key_accounts(
    store: GraphStore,
    scope: Scope,
    *,
    on: date | None = None,
    currency: str | None = None,
    params: PortfolioParams | None = None,
    cache: AnalysisCache | None = None,
) -> list[KeyAccount]:
    """Which accounts the scope sees are key, candidates or others, and why."""
    _, _, params, facts = _facts(store, scope, on, currency, params, cache)
    return classify(facts, params)


def value_distribution(
    store: GraphStore,
    scope: Scope,
    *,
    on: date | None = None,
    currency: str | None = None,
    params: PortfolioParams | None = None,
    cache: AnalysisCache | None = None,
) -> ValueDistribution:
    """The Pareto curve and the grade matrix of the accounts the scope sees."""
    _, currency, params, facts = _facts(store, scope, on, currency, params, cache)
    return distribution(facts, currency, params)


def revenue_risk(
    store: GraphStore,
    scope: Scope,
    *,
    on: date | None = None,
    currency: str | None = None,
    params: PortfolioParams | None = None,
    cache: AnalysisCache | None = None,
) -> RevenueAtRisk:
    """Revenue at risk of the accounts the scope sees, per account and in total."""
    _, currency, _, facts = _facts(store, scope, on, currency, params, cache)
    return revenue_at_risk(facts, currency)


def attention(
    store: GraphStore,
    scope: Scope,
    *,
    on: date | None = None,
    currency: str | None = None,
    params: PortfolioParams | None = None,
    cache: AnalysisCache | None = None,
) -> list[Attention]:
    """The accounts the scope sees that need action now, each with its top next best action."""
    on, _, params, facts = _facts(store, scope, on, currency, params, cache)
    return attention_list(facts, params, _top_action(store, scope, on, cache))


def overview(
    store: GraphStore,
    scope: Scope,
    *,
    on: date | None = None,
    currency: str | None = None,
    params: PortfolioParams | None = None,
    cache: AnalysisCache | None = None,
) -> Portfolio:
    """Every section of the portfolio the scope sees (what the CLI's `portfolio` and the workspace's home show)."""
    on, currency, params, facts = _facts(store, scope, on, currency, params, cache)
    return Portfolio(
        on=on,
        currency=currency,
        params=params,
        accounts=len(facts),
        keys=classify(facts, params),
        value=distribution(facts, currency, params),
        risk=revenue_at_risk(facts, currency),
        attention=attention_list(facts, params, _top_action(store, scope, on, cache)),
    )


def value_chart_png(result: ValueDistribution) -> bytes:
    """The value chart (`value_chart_svg`) as a PNG, drawn by a headless Chromium (`accountgraph.viz.raster`;
    InvalidArgument saying what to install when there is none)."""
    from accountgraph.viz.portfolio import HEIGHT, WIDTH
    from accountgraph.viz.raster import svg_to_png

    return svg_to_png(value_chart_svg(result), WIDTH, HEIGHT)


def value_chart_svg(result: ValueDistribution) -> str:
    """The value distribution as one SVG image: the Pareto curve beside the grade matrix."""
    from accountgraph.viz.portfolio import render_value_svg

    return render_value_svg(
        title=result.explanation,
        pareto=[
            (p.name, p.cumulative_account_share, p.cumulative_revenue_share, str(p.revenue)) for p in result.pareto
        ],
        rows=list(GRADE_ROWS),
        columns=list(HEALTH_COLUMNS),
        cells={
            (c.grade, c.health): [a.name for a in result.accounts if a.account in c.accounts] for c in result.matrix
        },
    )


@writes
def set_strategic(
    store: GraphStore, scope: Scope, account: str, *, strategic: bool = True, reason: str | None = None
) -> AccountProfile:
    """Flag an account strategic with a free-text reason (or clear the flag): a planner's write, within the scope
    (an account outside it answers as if it did not exist)."""
    scope.require_role(ApiRole.PLANNER)
    account = store.account_of(account)
    scope.require_account(account)
    return ledger.set_strategic(store, account, strategic, reason)


# ---- operating KPIs per period (item 3) --------------------------------------------------------------------

Period = Literal["month", "quarter", "year"]
KPI_DEFINITIONS: dict[str, str] = {
    "key_account_share": Phrase(N_("revenue of the key accounts ÷ revenue of every account, in the period")),
    "retention": Phrase(
        N_(
            "key accounts with revenue in the period before that also have revenue in this one ÷ key "
            "accounts with revenue in the period before"
        )
    ),
    "cross_sell": Phrase(
        N_("key accounts that ordered in the period a product they had never ordered before ÷ key accounts")
    ),
    "cost_to_serve": Phrase(N_("the period's logged interactions costed by kind × our person's function ÷ revenue")),
    "cycle_time": Phrase(N_("median days from created to won, of the deals won in the period")),
    "win_rate": Phrase(N_("deals won ÷ deals closed (won or lost) in the period")),
}
"""What each KPI means. Revenue of a period: the orders placed in it and fully paid by its end (or the reference
date, if earlier), in the currency; key accounts: those key at the period's end by contribution (their revenue
of the 365 days up to then) or strategic (the flag as it is now)."""
INTERACTION_COSTS: dict[str, Decimal] = {
    "meeting": Decimal(150),
    "visit": Decimal(400),
    "call": Decimal(40),
    "email": Decimal(10),
    "event": Decimal(250),
}
"""Default cost of one interaction of each kind, in the portfolio's currency."""
FUNCTION_FACTORS: dict[str, Decimal] = {
    "executive": Decimal(3),
    "solution_expert": Decimal("1.5"),
    "delivery_manager": Decimal("1.2"),
    "account_manager": Decimal(1),
    "other": Decimal(1),
}
"""How much more one of our people's interaction costs by their function (× the kind's cost)."""


class Kpi(_Model):
    name: str
    definition: Text
    unit: Literal["share", "days"]
    value: float | None = Field(description="the period's figure (None: nothing to divide by)")
    previous: float | None = Field(description="the previous period's figure")
    parts: dict[str, str] = Field(description="the numerator and denominator (amounts with their currency)")
    records: list[str] = Field(description="ids of the records the period's figure came from")


class PeriodKpis(_Model):
    period: Period
    start: date
    end: date = Field(description="the period's last day, or the reference date when that is earlier (to date)")
    previous_start: date
    previous_end: date
    currency: str
    key_accounts: list[str]
    kpis: list[Kpi]


def period_bounds(on: date, period: Period, back: int = 0) -> tuple[date, date]:
    """The first and last day of the calendar `period` containing `on`, or `back` periods before it."""
    months = {"month": 1, "quarter": 3, "year": 12}[period]
    index = (on.year * 12 + on.month - 1) // months * months - back * months
    start = date(index // 12, index % 12 + 1, 1)
    after = index + months
    return start, date(after // 12, after % 12 + 1, 1) - timedelta(days=1)


class _Ledger:
    """The ledger of the accounts a scope sees, read once, in one currency."""

    def __init__(self, store: GraphStore, accounts: list[str], currency: str, on: date) -> None:
        self.store, self.accounts, self.currency, self.on = store, accounts, currency, on
        self.orders = [o for a in accounts for o in list_orders(store, a) if o.currency == currency]
        self.products: dict[str, set[str]] = {}
        for o in self.orders:
            if o.contract not in self.products:
                quote = get_quote(store, get_contract(store, o.contract).quote)
                self.products[o.contract] = {line.product for line in quote.lines}
        self.strategic = {a for a in accounts if account_profile(store, a).strategic}

    def paid(self, start: date, end: date) -> list[Order]:
        """Orders placed from `start` to `end`, fully paid by `end` (or the reference date)."""
        end = min(end, self.on)
        ids = {o.id for a in self.accounts for o in paid_orders(self.store, a, end)}
        return [o for o in self.orders if o.id in ids and start <= o.ordered_on <= end]

    def keys(self, end: date, params: PortfolioParams) -> set[str]:
        end = min(end, self.on)
        revenue = dict.fromkeys(self.accounts, Decimal(0))
        for o in self.paid(end - timedelta(days=364), end):
            revenue[o.account] += o.amount
        cutoff = contribution_cutoff(revenue.values(), params.contribution_share)
        return {a for a, r in revenue.items() if cutoff is not None and r >= cutoff} | self.strategic


def _ratio(numerator: Decimal | int, denominator: Decimal | int) -> float | None:
    return round(float(Decimal(numerator) / Decimal(denominator)), 4) if denominator else None


def _period_figures(
    ledger: _Ledger,
    bounds: tuple[date, date],
    before: tuple[date, date],
    params: PortfolioParams,
    costs: Callable[[date, date], tuple[Decimal, list[str]]],
    deals: list[Opportunity],
    won_stage: Callable[[Opportunity], bool | None],
) -> dict[str, tuple[float | None, dict[str, str], list[str]]]:
    """Each KPI of one period: its value, its parts and its records."""
    start, end = bounds
    currency = ledger.currency
    keys = ledger.keys(end, params)
    paid = ledger.paid(start, end)
    revenue = sum((o.amount for o in paid), Decimal(0))
    key_revenue = sum((o.amount for o in paid if o.account in keys), Decimal(0))
    earlier = {o.account for o in ledger.paid(*before) if o.account in ledger.keys(before[1], params)}
    kept = {o.account for o in paid} & earlier
    ordered = [o for o in ledger.orders if start <= o.ordered_on <= min(end, ledger.on)]
    crossed: dict[str, list[str]] = {}
    for o in ordered:
        if o.account not in keys:
            continue
        before_products = set().union(
            *(ledger.products[p.contract] for p in ledger.orders if p.account == o.account and p.ordered_on < start)
        )
        if ledger.products[o.contract] - before_products:
            crossed.setdefault(o.account, []).append(o.id)
    cost, touches = costs(start, min(end, ledger.on))
    closed: list[tuple[Opportunity, bool]] = []
    for d in deals:
        outcome = won_stage(d)
        if outcome is not None and d.closed_at is not None and start <= d.closed_at.date() <= end:
            closed.append((d, outcome))
    won = [d for d, outcome in closed if outcome]
    days = sorted((d.closed_at - d.created_at).total_seconds() / 86400 for d in won if d.closed_at is not None)
    median = None if not days else round((days[(len(days) - 1) // 2] + days[len(days) // 2]) / 2, 1)
    return {
        "key_account_share": (
            _ratio(key_revenue, revenue),
            {"key revenue": f"{_money(key_revenue, currency)}", "revenue": f"{_money(revenue, currency)}"},
            sorted(o.id for o in paid),
        ),
        "retention": (
            _ratio(len(kept), len(earlier)),
            {"kept": str(len(kept)), "key accounts with revenue before": str(len(earlier))},
            sorted(kept),
        ),
        "cross_sell": (
            _ratio(len(crossed), len(keys)),
            {"bought a new product": str(len(crossed)), "key accounts": str(len(keys))},
            sorted(i for ids in crossed.values() for i in ids),
        ),
        "cost_to_serve": (
            _ratio(cost, revenue),
            {"cost": f"{_money(cost, currency)}", "revenue": f"{_money(revenue, currency)}"},
            touches,
        ),
        "cycle_time": (median, {"won": str(len(won))}, sorted(d.id for d in won)),
        "win_rate": (
            _ratio(len(won), len(closed)),
            {"won": str(len(won)), "closed": str(len(closed))},
            sorted(d.id for d, _ in closed),
        ),
    }


def operating_kpis(
    store: GraphStore,
    scope: Scope,
    *,
    period: Period = "quarter",
    on: date | None = None,
    currency: str | None = None,
    params: PortfolioParams | None = None,
    interaction_costs: Mapping[str, Decimal] | None = None,
    function_factors: Mapping[str, Decimal] | None = None,
) -> PeriodKpis:
    """The operating KPIs (`KPI_DEFINITIONS`) of the calendar `period` containing `on` (to date), with the previous
    period's beside them, over the accounts the scope sees. Interactions cost `interaction_costs[kind]` ×
    `function_factors[function of our person]` (defaults `INTERACTION_COSTS`, `FUNCTION_FACTORS`)."""
    params = params or PortfolioParams()
    on = on or today()
    currency = rules.currency(currency) or discount_policy(store).currency
    rates = {**INTERACTION_COSTS, **(interaction_costs or {})}
    factors = {**FUNCTION_FACTORS, **(function_factors or {})}
    accounts = sorted(c.id for c in store.list_accounts() if scope.sees(c.id))
    ledger = _Ledger(store, accounts, currency, on)
    touches = [
        (i, store.get_team_member(i.member).function.value)
        for a in accounts
        for i in store.export_bundle(a).interactions
    ]

    def costs(start: date, end: date) -> tuple[Decimal, list[str]]:
        mine = [(i, f) for i, f in touches if start <= i.at.date() <= end]
        total = sum((rates.get(i.kind.value, Decimal(0)) * factors.get(f, Decimal(1)) for i, f in mine), Decimal(0))
        return total, sorted(i.id for i, _ in mine)

    pipeline = get_pipeline(store)
    deals = [d for a in accounts for d in list_opportunities(store, a)]

    def won_stage(d: Opportunity) -> bool | None:
        return None if not pipeline.is_closed(d.stage) else d.stage == pipeline.won

    current = period_bounds(on, period)
    current = (current[0], min(current[1], on))
    previous, before = period_bounds(on, period, 1), period_bounds(on, period, 2)
    now = _period_figures(ledger, current, previous, params, costs, deals, won_stage)
    then = _period_figures(ledger, previous, before, params, costs, deals, won_stage)
    return PeriodKpis(
        period=period,
        start=current[0],
        end=current[1],
        previous_start=previous[0],
        previous_end=previous[1],
        currency=currency,
        key_accounts=sorted(ledger.keys(current[1], params)),
        kpis=[
            Kpi(
                name=name,
                definition=definition,
                unit="days" if name == "cycle_time" else "share",
                value=now[name][0],
                previous=then[name][0],
                parts=now[name][1],
                records=now[name][2],
            )
            for name, definition in KPI_DEFINITIONS.items()
        ],
    )
