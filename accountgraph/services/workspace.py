"""The use cases of the planner's workspace (`accountgraph.web`): the portfolio, an account's map, a person's
card, and the edits made from them.

Each takes the store, the caller's `Scope` and the app's `AnalysisCache`, checks what the scope may see (an
account outside it answers as if it did not exist) and may do (an edit needs a planner's key), and reads or
writes through the same use cases as the API and the CLI: `records.put_record` for an edit, the analysis
service for the numbers. Nothing here knows HTTP.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field

from accountgraph.algorithms import best_paths, key_people, what_if
from accountgraph.algorithms import coverage as coverage_alg
from accountgraph.errors import AccountGraphError, NotFoundError
from accountgraph.graph.store import GraphStore
from accountgraph.schema.models import ApiRole, Interaction, InteractionKind, Person, Stance
from accountgraph.services import analysis, records
from accountgraph.services.analysis import AnalysisCache
from accountgraph.services.records import Access
from accountgraph.services.scope import Scope

__all__ = [
    "DECISION_ROLES",
    "PersonCard",
    "PortfolioRow",
    "account_map",
    "account_tree",
    "log_interaction",
    "person_card",
    "portfolio",
    "set_stance",
    "vis_network_script",
]

DECISION_ROLES = frozenset({"decision_maker", "economic_buyer", "technical_buyer", "user_buyer"})
"""The roles of the decision chain: a person holding one is on the map by default."""
TOP_RANKED = 25
"""The best-ranked people are on the map by default too."""
CHAIN_SHOWN = 150
"""At most this many people are on the map by default (the best ranked of them), so a large account stays
readable; `everyone` shows them all."""


# ---- the portfolio --------------------------------------------------------------------------------
class PortfolioRow(BaseModel):
    """One account of the portfolio, with the numbers the services give for it."""

    account: str
    name: str
    industry: str | None = None
    people: int = Field(description="people of the account today")
    coverage: float = Field(description="0..100")
    key_coverage: float | None = Field(description="coverage of the key layer, 0..100 (None: no key layer)")
    risk: float = Field(description="0..100")
    open_deals: int
    open_pipeline: list[str] = Field(description="open deals' amounts, one `CUR amount` per currency")
    best_win: float | None = Field(description="the best open deal's win probability, 0..1")
    best_deal: str | None
    overdue: str | None = Field(description="overdue receivables, `CUR amount` (None: nothing billed)")
    grade: str | None
    coverage_change: float | None = Field(
        description="coverage now minus 90 days earlier, in points (None: the portfolio service has no facts)"
    )
    status: str | None = Field(description="key, candidate or other (the portfolio service's key accounts)")
    status_reasons: list[str] = Field(description="why: one sentence per criterion met")
    revenue_at_risk: str | None = Field(description="expected revenue × the chance of losing it, `CUR amount`")
    at_risk: Decimal | None = Field(description="the amount of `revenue_at_risk` (for sorting)")
    risk_explanation: str | None = Field(description="the sentence that explains the revenue at risk")


def portfolio(store: GraphStore, scope: Scope, *, cache: AnalysisCache | None) -> list[PortfolioRow]:
    """Every account the scope sees, by name, with coverage (and its change over 90 days), key-people coverage,
    risk, open pipeline, the best open deal's win probability, overdue cash and grade, and from the portfolio
    service its status (key, candidate, other) with the reasons, and its revenue at risk."""
    from accountgraph.ledger.cash import cash_picture
    from accountgraph.ledger.value import grade_table
    from accountgraph.opportunities.health import opportunity_health
    from accountgraph.opportunities.service import list_opportunities
    from accountgraph.services import portfolio as portfolio_service

    scope.require_role(ApiRole.VIEWER)
    accounts = records.list_accounts(store, scope)
    grades = grade_table(store) if accounts else {}
    facts = {f.account: f for f in portfolio_service.account_facts(store, scope, cache=cache)} if accounts else {}
    statuses = {k.account: k for k in portfolio_service.classify(list(facts.values()))}
    risks = {r.account: r for r in map(portfolio_service.risk_of, facts.values())}
    rows = []
    for company in accounts:
        view = analysis.account_view(store, company.id, cache=cache)
        cov = coverage_alg(view)
        key = next((b.score for b in cov.by_layer if b.key == "key"), None)
        risk = analysis.risk(store, scope, company.id, cache=cache)
        deals = list_opportunities(store, company.id, open_only=True)
        pipeline: dict[str, Decimal] = defaultdict(Decimal)
        for deal in deals:
            pipeline[deal.currency] += deal.amount
        best: tuple[float, str] | None = None
        for deal in deals:
            try:
                p = opportunity_health(store, deal.id, cache=cache).probability
            except AccountGraphError:  # a deal the model cannot score is left out of the best
                continue
            if best is None or p > best[0]:
                best = (p, deal.name)
        cash = cash_picture(store, company.id)
        fact, status, risked = facts.get(company.id), statuses.get(company.id), risks.get(company.id)
        rows.append(
            PortfolioRow(
                account=company.id,
                name=company.name,
                industry=company.industry,
                people=view.P,
                coverage=round(cov.score, 1),
                key_coverage=None if key is None else round(key, 1),
                risk=round(risk.score, 1),
                open_deals=len(deals),
                open_pipeline=[f"{cur} {amount}" for cur, amount in sorted(pipeline.items())],
                best_win=None if best is None else round(best[0], 3),
                best_deal=None if best is None else best[1],
                overdue=f"{cash.currency} {cash.overdue}" if cash.invoices else None,
                grade=grades.get(company.id),
                coverage_change=None if fact is None else fact.trend,
                status=None if status is None else status.status,
                status_reasons=[] if status is None else status.reasons,
                revenue_at_risk=None if risked is None else f"{risked.at_risk.currency} {risked.at_risk.amount}",
                at_risk=None if risked is None else risked.at_risk.amount,
                risk_explanation=None if risked is None else risked.explanation,
            )
        )
    return sorted(rows, key=lambda r: (r.name.casefold(), r.account))


# ---- an account's map -----------------------------------------------------------------------------
def _require_account(store: GraphStore, scope: Scope, account: str) -> None:
    """NotFoundError for an account that does not exist or lies outside the scope."""
    scope.require_role(ApiRole.VIEWER)
    scope.require_account(account)
    try:
        if store.account_of(account) != account:
            raise NotFoundError("account", account)
    except NotFoundError:
        raise NotFoundError("account", account) from None


def account_map(
    store: GraphStore,
    scope: Scope,
    account: str,
    *,
    everyone: bool = False,
    path_to: str | None = None,
    cache: AnalysisCache | None,
) -> dict[str, Any]:
    """The account's power map as the workspace draws it: the decision chain (people with a decision role,
    and the best ranked; at most `CHAIN_SHOWN`, the best ranked of them) and our ties to them, or `everyone`;
    each person node carries its stance, roles, company, department and relationship `layer` (key,
    organisational, broad; None: outside the decision chain), for the page's filters and layered layout.
    `path_to`: a person of the account whose best path from our team is drawn (its people added to the map).
    With it: the account's name, its companies, the coverage figures, how many people are shown of how many,
    and the path (`path`: None when none was asked for)."""
    from accountgraph.viz import power_map_data

    _require_account(store, scope, account)
    view = analysis.account_view(store, account, cache=cache)
    if path_to is not None and not view.is_person(path_to):
        raise NotFoundError("person", path_to)
    ranking = key_people(view, top=None)
    cov = coverage_alg(view)
    people = view.attrs[: view.P]
    paths = None if path_to is None else best_paths(view, path_to, k=1)
    route = paths.paths[0] if paths is not None and paths.reachable and paths.paths else None
    if everyone:
        nodes = None
    else:
        deciders = {p["id"] for p in people if DECISION_ROLES & set(p.get("roles") or [])}
        ranked = [p.id for p in ranking.people if p.rank <= TOP_RANKED or p.id in deciders]  # best first
        chain = set(ranked[:CHAIN_SHOWN])
        ours = {t.member for pair, t in view.team_ties.items() if pair[1] in chain}
        nodes = chain | ours
        if route is not None:
            nodes |= {route.member, *(h.target for h in route.hops)}
    drawn = analysis.account_map(view, nodes)
    data = power_map_data(drawn, ranking, cov, highlight_path=paths, show_gaps=True)
    row_of = {r["id"]: r for r in drawn.people}
    layer_of = {p.id: p.layer for p in cov.people}
    for node in data["nodes"]:
        row = row_of.get(node["id"])
        if row is not None:
            node["stance"] = str(row.get("stance") or "unknown")
            node["roles"] = [str(r) for r in row.get("roles") or []]
            node["company"] = row.get("company")
            node["department"] = row.get("department")
            node["layer"] = layer_of.get(node["id"])
    key = next((b for b in cov.by_layer if b.key == "key"), None)
    companies = {str(c["id"]): str(c.get("name") or c["id"]) for c in view.projection.companies}
    name = companies.get(account, account)
    return {
        "account": account,
        "name": name,
        "coverage": {
            "score": round(cov.score, 1),
            "covered": cov.covered_count,
            "chain": cov.chain_size,
            "key": None if key is None else round(key.score, 1),
            "gaps": cov.gap_count,
        },
        "shown": len(drawn.people),
        "people": view.P,
        "everyone": everyone or len(drawn.people) == view.P,
        "limit": CHAIN_SHOWN,
        "companies": companies,
        "path": None
        if paths is None
        else {
            "to": path_to,
            "name": paths.target_name,
            "reachable": route is not None,
            "reason": paths.reason,
            "nodes": [] if route is None else [route.member, *(h.target for h in route.hops)],
            "hops": [] if route is None else [h.explanation for h in route.hops],
        },
        "map": data,
    }


# ---- the customer tree ----------------------------------------------------------------------------
def account_tree(store: GraphStore, scope: Scope, account: str, *, cache: AnalysisCache | None) -> dict[str, Any]:
    """The account's customer tree as the workspace draws it (`accountgraph.viz.tree_data`: each company with
    its coverage of key people and its risk), each node also naming its `parent`, `depth` and `risk` (its own
    and its subsidiaries' risk rolled up), `coverage` (0..100, None: no key people) and `alerts`; with the
    account's name and its coverage and risk scores."""
    from accountgraph.algorithms import account_risk
    from accountgraph.viz import tree_data

    _require_account(store, scope, account)
    view = analysis.account_view(store, account, cache=cache)
    tree = analysis.company_tree(view)
    cov = coverage_alg(view)
    risk = account_risk(view)
    data = tree_data(tree, cov, risk)
    parent = {child.company.id: node.company.id for node in tree.walk() for child in node.children}
    depth = {tree.company.id: 0}
    for company in tree.walk():  # parents before their children
        for child in company.children:
            depth[child.company.id] = depth[company.company.id] + 1
    rolled = {r.id: r.rolled_up for r in risk.companies}
    covered = {b.key: (round(b.score, 1) if b.people else None) for b in cov.by_company}
    for node in data["nodes"]:
        id = node["id"]
        node["parent"] = parent.get(id)
        node["depth"] = depth.get(id, 0)
        node["risk"] = round(rolled.get(id, 0.0), 3)
        node["coverage"] = covered.get(id)
    return {
        "account": account,
        "name": tree.company.name,
        "companies": len(data["nodes"]),
        "coverage": round(cov.score, 1),
        "risk": round(risk.score, 1),
        "tree": data,
    }


# ---- a person's card ------------------------------------------------------------------------------
class OurTieCard(BaseModel):
    member: str
    member_name: str
    strength: float = Field(description="effective strength, 0..1")
    stated: float
    interactions: int
    last_contact: date | None
    stale: bool


class StanceChange(BaseModel):
    since: date | None
    stance: str
    roles: list[str]


class PathHopCard(BaseModel):
    text: str


class PersonCard(BaseModel):
    """What the workspace shows about one person of an account."""

    account: str
    id: str
    name: str
    title: str | None
    company: str
    company_name: str
    department: str | None
    roles: list[str]
    stance: str
    history: list[StanceChange]
    rank: int | None
    ranked: int
    score: float | None
    score_parts: dict[str, float]
    layer: str | None
    covered: bool | None
    ours: list[OurTieCard]
    path: str = Field(description="the best path from our team, or why there is none")
    path_hops: list[str]
    leave_delta: float = Field(description="coverage change if they left (points)")
    leave_lost: list[str] = Field(description="people we would lose every path to")
    leave_uncovered: list[str] = Field(description="chain members no longer covered")
    leave_explanation: str
    gaps: list[str]
    team: list[dict[str, str]] = Field(description="our team members (id, name), for logging an interaction")


def _person_of(store: GraphStore, scope: Scope, account: str, person: str) -> Person:
    """The person, when they belong to `account` and the scope sees it (else NotFoundError)."""
    _require_account(store, scope, account)
    access = Access(store, scope)
    found = access.person(person)
    if access.company_account(found.company) != account:
        raise NotFoundError("person", person)
    return found


def person_card(
    store: GraphStore, scope: Scope, account: str, person: str, *, cache: AnalysisCache | None
) -> PersonCard:
    """Roles, stance and its dated history, score parts, who of ours knows them and how strongly, the best
    path to them, what we lose if they leave and the gaps they are part of."""
    stored = _person_of(store, scope, account, person)
    view = analysis.account_view(store, account, cache=cache)
    if person not in view.index or view.index[person] >= view.P:
        raise NotFoundError("person", person)  # not at the company today
    row = view.attrs[view.index[person]]
    names = {r["id"]: str(r.get("name") or r["id"]) for r in view.attrs}
    companies = {str(c["id"]): str(c.get("name") or c["id"]) for c in view.projection.companies}
    ranking = key_people(view, top=None)
    ranked = next((p for p in ranking.people if p.id == person), None)
    cov = coverage_alg(view)
    covered = next((c for c in cov.people if c.id == person), None)
    ours = [
        OurTieCard(
            member=t.member,
            member_name=names.get(t.member, t.member),
            strength=round(t.core.effective, 3),
            stated=t.stated,
            interactions=t.interactions,
            last_contact=t.core.last_contact.date() if t.core.last_contact else None,
            stale=t.core.stale,
        )
        for t in view.ties_of_person.get(person, [])
    ]
    paths = best_paths(view, person, k=1)
    hops = [h.explanation for h in paths.paths[0].hops] if paths.reachable and paths.paths else []
    leave = what_if(view, person)
    return PersonCard(
        account=account,
        id=person,
        name=names[person],
        title=row.get("title"),
        company=str(row.get("company")),
        company_name=companies.get(str(row.get("company")), str(row.get("company"))),
        department=row.get("department"),
        roles=[str(r) for r in row.get("roles") or []],
        stance=str(row.get("stance") or "unknown"),
        history=[
            StanceChange(since=s.since, stance=s.stance.value, roles=[r.value for r in s.roles]) for s in stored.history
        ],
        rank=None if ranked is None else ranked.rank,
        ranked=len(ranking.people),
        score=None if ranked is None else round(ranked.score, 3),
        score_parts={}
        if ranked is None
        else {
            "authority": round(ranked.authority.value, 3),
            "influence": round(ranked.influence.value, 3),
            "brokerage": round(ranked.brokerage.value, 3),
        },
        layer=None if covered is None else covered.layer,
        covered=None if covered is None else covered.covered,
        ours=ours,
        path=paths.reason,
        path_hops=hops,
        leave_delta=round(leave.delta, 1),
        leave_lost=[p.name for p in leave.lost_people],
        leave_uncovered=[p.name for p in leave.newly_uncovered],
        leave_explanation=leave.explanation,
        gaps=[f"{g.kind.replace('_', ' ')}: {g.detail}" for g in cov.gaps if g.subject == person],
        team=[{"id": t, "name": names.get(t, t)} for t in sorted(view.team, key=lambda t: names.get(t, t))],
    )


# ---- edits ----------------------------------------------------------------------------------------
def set_stance(store: GraphStore, scope: Scope, account: str, person: str, stance: Stance, on: date) -> Person:
    """Set a person's stance from `on` (kept in their history), through `records.put_record`.

    Raises:
        Forbidden: the scope is not a planner's (or higher).
        NotFoundError: the account or the person is not there for this scope.
        BundleRejected: the change breaks a rule of the record (e.g. the history's order), naming the field.
    """
    scope.require_role(ApiRole.PLANNER)
    stored = _person_of(store, scope, account, person)
    changed = stored.model_copy(update={"stance": stance, "changed_on": on})
    result: Person = records.put_record(store, scope, changed, id=person)
    return result


def log_interaction(
    store: GraphStore,
    scope: Scope,
    account: str,
    person: str,
    member: str,
    kind: InteractionKind,
    on: date,
    *,
    sentiment: int = 0,
    note: str | None = None,
) -> Interaction:
    """Log an interaction of one of ours with a person of the account on a day, through `records.put_record`
    (the tie's strength follows from it).

    Raises:
        Forbidden: the scope is not a planner's (or higher).
        NotFoundError: the account or the person is not there for this scope.
        BundleRejected: an unknown team member or another rule of the record, naming the field.
    """
    scope.require_role(ApiRole.PLANNER)
    _person_of(store, scope, account, person)
    raw = {
        "id": f"web-{on.isoformat()}-{secrets.token_hex(6)}",
        "member": member,
        "person": person,
        "kind": kind.value,
        "at": datetime.combine(on, time(), tzinfo=UTC).isoformat(),
        "sentiment": sentiment,
        "note": note,
    }
    interaction = records.record_of("interaction", raw)
    result: Interaction = records.put_record(store, scope, interaction)
    return result


def vis_network_script() -> str:
    """The vis-network library the maps are drawn with (shipped in the package, served by the workspace)."""
    from accountgraph.viz import vis_network_js

    return vis_network_js()
