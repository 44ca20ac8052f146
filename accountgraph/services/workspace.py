"""The use cases of the planner's workspace (`accountgraph.web`): the portfolio, an account's map (or a deal's
committee map), a person's card, and the edits made from them (stance, roles, an interaction, a tie added or
ended, a person or one of ours added).

Each takes the store, the caller's `Scope` and the app's `AnalysisCache`, checks what the scope may see (an
account outside it answers as if it did not exist) and may do (an edit needs a planner's key), and reads or
writes through the same use cases as the API and the CLI: `records.record_of` checks a record by its own
rules (as an API body is checked), `records.put_record`, `put_tie` and `import_document` write it, the analysis
service gives the numbers. Nothing here knows HTTP.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field

from accountgraph import i18n
from accountgraph.algorithms import best_paths, key_people, what_if
from accountgraph.algorithms import coverage as coverage_alg
from accountgraph.algorithms.ranking import person_rank, rank_arrays
from accountgraph.algorithms.results import Text
from accountgraph.errors import AccountGraphError, BundleRejected, NotFoundError
from accountgraph.graph.store import GraphStore, ListFilter
from accountgraph.i18n.glossary import term
from accountgraph.schema.models import (
    ApiRole,
    BundleIssue,
    Interaction,
    InteractionKind,
    Person,
    Stance,
    TeamMember,
    Tie,
    TieType,
)
from accountgraph.services import analysis, changes, records
from accountgraph.services.analysis import AnalysisCache
from accountgraph.services.changes import ChangeLines
from accountgraph.services.records import Access
from accountgraph.services.scope import Scope, writes

__all__ = [
    "DECISION_ROLES",
    "PersonCard",
    "PortfolioRow",
    "account_map",
    "account_tree",
    "add_person",
    "add_team_member",
    "add_tie",
    "end_tie",
    "log_interaction",
    "person_card",
    "portfolio",
    "set_roles",
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
    status_reasons: list[Text] = Field(description="why: one sentence per criterion met")
    revenue_at_risk: str | None = Field(description="expected revenue × the chance of losing it, `CUR amount`")
    at_risk: Decimal | None = Field(description="the amount of `revenue_at_risk` (for sorting)")
    risk_explanation: Text | None = Field(description="the sentence that explains the revenue at risk")


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
_require_account = records.require_account


def account_map(
    store: GraphStore,
    scope: Scope,
    account: str,
    *,
    everyone: bool = False,
    path_to: str | None = None,
    deal: str | None = None,
    cache: AnalysisCache | None,
) -> dict[str, Any]:
    """The account's power map as the workspace draws it: the decision chain (people with a decision role,
    and the best ranked; at most `CHAIN_SHOWN`, the best ranked of them) and our ties to them, or `everyone`;
    each person node carries its stance, roles, company, department and relationship `layer` (key,
    organisational, broad; None: outside the decision chain), for the page's filters and layered layout.
    `path_to`: a person of the account whose best path from our team is drawn (its people added to the map).
    `deal`: an opportunity of the account whose buying committee (of the account's people) and our ties to it
    are the map instead of the decision chain (its committee power map, with the deal's own stances and roles).
    With it: the account's name, its companies, the coverage figures, how many people are shown of how many,
    and the path (`path`: None when none was asked for)."""
    from accountgraph.viz import power_map_data

    _require_account(store, scope, account)
    view = analysis.account_view(store, account, cache=cache)
    if path_to is not None and not view.is_person(path_to):
        raise NotFoundError("person", path_to)
    # the same view gives the same map (but a deal's, which reads the store), in the same language, exact or not
    exact = view.exact_betweenness is not None
    memo = f"workspace.map:{everyone}:{path_to}:{exact}:{i18n.current()}" if deal is None else None
    if memo is not None:
        known = view.cache.get(memo)
        if isinstance(known, dict):
            return known  # the same view: the same map (shared, not to be changed)
    ranking = key_people(view, top=None)
    cov = coverage_alg(view)
    people = view.attrs[: view.P]
    paths = None if path_to is None else best_paths(view, path_to, k=1)
    route = paths.paths[0] if paths is not None and paths.reachable and paths.paths else None
    overrides: dict[str, Any] = {}
    if deal is not None:
        from accountgraph.services import opportunities

        opp = opportunities.get_opportunity(store, scope, deal)
        if opp.account != account:
            raise NotFoundError("opportunity", deal)
        committee = {m.person for m in opp.committee if view.is_person(m.person)}
        overrides = {m.person: m for m in opp.committee}
        nodes: set[str] | None = committee | {t.member for pair, t in view.team_ties.items() if pair[1] in committee}
    elif everyone:
        nodes = None
    else:
        deciders = {p["id"] for p in people if DECISION_ROLES & set(p.get("roles") or [])}
        ranked = [p.id for p in ranking.people if p.rank <= TOP_RANKED or p.id in deciders]  # best first
        chain = set(ranked[:CHAIN_SHOWN])
        ours = {t.member for pair, t in view.team_ties.items() if pair[1] in chain}
        nodes = chain | ours
    if nodes is not None and route is not None:
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
            member = overrides.get(node["id"])  # a committee member's stance and roles in this deal
            if member is not None and member.stance is not None:
                node["stance"] = member.stance.value
            if member is not None and member.roles is not None:
                node["roles"] = [r.value for r in member.roles]
    key = next((b for b in cov.by_layer if b.key == "key"), None)
    companies = {str(c["id"]): str(c.get("name") or c["id"]) for c in view.projection.companies}
    name = companies.get(account, account)
    result = {
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
        "betweenness": {"method": ranking.method.betweenness, "sources": ranking.method.betweenness_sources},
        "everyone": deal is None and (everyone or len(drawn.people) == view.P),
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
    if memo is not None:
        view.cache[memo] = result
    return result


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
    changes: ChangeLines | None = Field(
        default=None, description="who changed this person's record, ties and interactions, and when (newest first)"
    )
    ties: list[dict[str, str]] = Field(
        description="their ties active today (type, from, to, the other end's name), for ending one"
    )


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
    arrays = rank_arrays(view)  # this person's entry only, not a ranking of everyone
    ranked = person_rank(view, arrays, view.index[person])
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
    today = view.as_of
    stored_ties = records.list_records(store, scope, "tie", ListFilter(person=person), limit=500).data
    ties = [
        {
            "type": t.type.value,
            "from": t.from_,
            "to": t.to,
            "other": names.get(other, other),
        }
        for t in stored_ties
        for other in [t.to if t.from_ == person else t.from_]
        if t.active_on(today)
    ]
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
        ranked=view.P,
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
        gaps=[f"{term(g.kind, g.kind.replace('_', ' '))}: {g.detail}" for g in cov.gaps if g.subject == person],
        team=[{"id": t, "name": names.get(t, t)} for t in sorted(view.team, key=lambda t: names.get(t, t))],
        changes=changes.person_changes(store, scope, account, person),
        ties=ties,
    )


# ---- edits ----------------------------------------------------------------------------------------
@writes
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


@writes
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


@writes
def set_roles(store: GraphStore, scope: Scope, account: str, person: str, roles: Any, on: Any) -> Person:
    """Set a person's decision roles from `on` (kept in their history, as a stance is), through
    `records.put_record`; `roles` and `on` as a request gives them, checked by the person record's own rules.

    Raises:
        Forbidden, NotFoundError: as `set_stance`.
        BundleRejected: an unknown role, a date that is not one or breaks the history's order, naming the field.
    """
    scope.require_role(ApiRole.PLANNER)
    stored = _person_of(store, scope, account, person)
    raw = {**stored.model_dump(mode="json", by_alias=True), "roles": roles, "changed_on": on}
    changed = records.record_of("person", raw)
    result: Person = records.put_record(store, scope, changed, id=person)
    return result


@writes
def add_tie(store: GraphStore, scope: Scope, account: str, person: str, raw: dict[str, Any]) -> Tie:
    """Add (or restate) a tie touching a person of the account: one of ours `knows` them, or an `influences`
    tie between them and another contact; `raw` is the tie as the API's `PUT /v1/ties` takes it, checked by
    the tie record's rules and written through `records.put_tie` (an unknown end, or a team member as an end of
    an `influences` tie, is refused by the store's check).

    Raises:
        Forbidden, NotFoundError: as `set_stance`.
        BundleRejected: a field at fault, or a tie that does not touch `person` (field `from`).
    """
    scope.require_role(ApiRole.PLANNER)
    _person_of(store, scope, account, person)
    tie: Tie = records.record_of("tie", raw)
    if person not in (tie.from_, tie.to):
        reason = f"the tie must have {person!r} at one end"
        raise BundleRejected([BundleIssue(record="ties", id=":".join(tie.key), field="from", reason=reason)])
    return records.put_tie(store, scope, tie)


@writes
def end_tie(
    store: GraphStore, scope: Scope, account: str, person: str, type: TieType, a: str, b: str, until: Any
) -> Tie:
    """End a tie of a person of the account on `until` (it stays as history, as the API's `until` does),
    checked by the tie record's rules (e.g. not before it began) and written through `records.put_tie`.

    Raises:
        Forbidden, NotFoundError: as `set_stance`; NotFoundError too for a tie not there or not of `person`.
        BundleRejected: `until` is not a date or is before the tie's `since`.
    """
    scope.require_role(ApiRole.PLANNER)
    _person_of(store, scope, account, person)
    tie = records.get_tie(store, scope, type, a, b)
    if person not in (tie.from_, tie.to):
        raise NotFoundError("tie", f"{type.value}:{a}->{b}")
    ended: Tie = records.record_of("tie", {**tie.model_dump(mode="json", by_alias=True), "until": until})
    return records.put_tie(store, scope, ended)


def _new_id(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(5)}"


@writes
def add_person(store: GraphStore, scope: Scope, account: str, raw: dict[str, Any]) -> Person:
    """Add a person to a company of the account (a new id is made: an add never replaces anyone), checked by
    the person record's rules and written through `records.put_record`.

    Raises:
        Forbidden, NotFoundError: as `set_stance`.
        BundleRejected: every field at fault; a company outside the account (field `company`).
    """
    scope.require_role(ApiRole.PLANNER)
    _require_account(store, scope, account)
    raw = {**raw, "id": _new_id(f"{account}-web")}
    company = raw.get("company")
    if isinstance(company, str) and company and records.Access(store, scope).company_account(company) != account:
        reason = f"no company with id {company!r} in this account"
        raise BundleRejected(
            [BundleIssue(record="people", id=raw["id"], field="company", reason=reason, code="reference")]
        )
    person: Person = records.record_of("person", raw)
    result: Person = records.put_record(store, scope, person)
    return result


@writes
def add_team_member(
    store: GraphStore, scope: Scope, account: str, person: str, member: dict[str, Any], tie: dict[str, Any]
) -> TeamMember:
    """Add one of ours (a new id) who knows a person of the account: the team member and their `knows` tie
    (`tie`: its strength, since, note) written together in one transaction through `records.import_document`,
    with its checks (so a refused tie leaves no member behind).

    Raises:
        Forbidden, NotFoundError: as `set_stance`.
        BundleRejected: every field at fault (records `team` and `ties`); nothing written.
    """
    scope.require_role(ApiRole.PLANNER)
    _person_of(store, scope, account, person)
    id = _new_id("team-web")
    records.import_document(
        store, scope, {"team": [{**member, "id": id}], "ties": [{**tie, "type": "knows", "from": id, "to": person}]}
    )
    found: TeamMember = records.get_record(store, scope, "team", id)
    return found


def vis_network_script() -> str:
    """The vis-network library the maps are drawn with (shipped in the package, served by the workspace)."""
    from accountgraph.viz import vis_network_js

    return vis_network_js()
