"""The workspace's structure edits as use cases, on each backend (SQLite and Neo4j): set roles from a date, add and
end a tie, add a person, add one of ours with their tie; each refusal names the field and writes nothing; a viewer
may not edit and a key of another account sees nothing to edit; a deal's committee map."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from accountgraph.errors import BundleRejected, Forbidden, NotFoundError
from accountgraph.graph.store import GraphStore, ListFilter
from accountgraph.samples.sample import SAMPLE_ACCOUNT_ID, sample_bundle
from accountgraph.schema.models import ApiRole, Bundle, Company, Person, TieType
from accountgraph.services import opportunities, workspace
from accountgraph.services.scope import Scope

ACCOUNT = SAMPLE_ACCOUNT_ID
PERSON = "medtech-p00002"
OTHER_PERSON = "medtech-p00003"
MEMBER = "medtech-t02"
OTHER = "other-co"


@pytest.fixture
def loaded(store: GraphStore) -> GraphStore:
    store.load_bundle(sample_bundle(datetime.now(UTC).date()))
    store.load_bundle(
        Bundle(companies=[Company(id=OTHER, name="Other")], people=[Person(id="o-1", name="Olga", company=OTHER)])
    )
    return store


def _planner(accounts: frozenset[str] = frozenset()) -> Scope:
    return Scope("test", ApiRole.PLANNER, accounts)


def _snapshot(store: GraphStore) -> Any:
    return store.export_bundle(ACCOUNT).model_dump(mode="json"), store.list_records("team", ListFilter(), limit=1000)


def _refused(call: Any, field: str) -> None:
    with pytest.raises(BundleRejected) as refused:
        call()
    assert field in {str(i.field).split(".")[0] for i in refused.value.issues}, refused.value.issues


def test_roles_are_set_from_a_date_and_kept_in_the_history(loaded: GraphStore) -> None:
    on = datetime.now(UTC).date() - timedelta(days=2)
    person = workspace.set_roles(loaded, _planner(), ACCOUNT, PERSON, ["champion", "coach"], on.isoformat())
    assert [r.value for r in person.roles] == ["champion", "coach"]
    stored = loaded.get_person(PERSON)
    assert stored.history[-1].since == on and [r.value for r in stored.history[-1].roles] == ["champion", "coach"]
    before = _snapshot(loaded)
    _refused(lambda: workspace.set_roles(loaded, _planner(), ACCOUNT, PERSON, ["king"], on.isoformat()), "roles")
    _refused(lambda: workspace.set_roles(loaded, _planner(), ACCOUNT, PERSON, [], "soon"), "changed_on")
    assert _snapshot(loaded) == before


def test_a_tie_is_added_and_ended(loaded: GraphStore) -> None:
    scope = _planner()
    tie = {"type": "influences", "from": PERSON, "to": OTHER_PERSON, "strength": 0.7, "since": "2024-01-01"}
    workspace.add_tie(loaded, scope, ACCOUNT, PERSON, tie)
    assert loaded.get_tie(TieType.INFLUENCES, PERSON, OTHER_PERSON).strength == 0.7
    workspace.add_tie(loaded, scope, ACCOUNT, PERSON, {"type": "knows", "from": MEMBER, "to": PERSON, "strength": 0.6})
    assert loaded.get_tie(TieType.KNOWS, MEMBER, PERSON).strength == 0.6
    before = _snapshot(loaded)
    _refused(lambda: workspace.add_tie(loaded, scope, ACCOUNT, PERSON, {**tie, "strength": 1.5}), "strength")
    _refused(lambda: workspace.add_tie(loaded, scope, ACCOUNT, PERSON, {**tie, "to": "nobody"}), "to")
    _refused(lambda: workspace.add_tie(loaded, scope, ACCOUNT, PERSON, {**tie, "from": "medtech-p00009"}), "from")
    ends = (TieType.INFLUENCES, PERSON, OTHER_PERSON)
    _refused(lambda: workspace.end_tie(loaded, scope, ACCOUNT, PERSON, *ends, "x"), "until")
    with pytest.raises(BundleRejected):  # not before it began
        workspace.end_tie(loaded, scope, ACCOUNT, PERSON, TieType.INFLUENCES, PERSON, OTHER_PERSON, "2023-01-01")
    assert _snapshot(loaded) == before
    today = datetime.now(UTC).date()
    ended = workspace.end_tie(loaded, scope, ACCOUNT, PERSON, TieType.INFLUENCES, PERSON, OTHER_PERSON, today)
    assert ended.until == today and loaded.get_tie(TieType.INFLUENCES, PERSON, OTHER_PERSON).until == today
    card = workspace.person_card(loaded, scope, ACCOUNT, PERSON, cache=None)
    assert (OTHER_PERSON, "influences") not in [(t["to"], t["type"]) for t in card.ties]
    assert MEMBER in [t.member for t in card.ours]


def test_a_person_is_added_to_a_company_of_the_account(loaded: GraphStore) -> None:
    scope = _planner()
    raw = {"name": "Greta Neu", "company": ACCOUNT, "roles": ["decision_maker"], "stance": "neutral", "id": PERSON}
    made = workspace.add_person(loaded, scope, ACCOUNT, raw)
    assert made.id != PERSON and loaded.get_person(made.id).name == "Greta Neu"
    assert loaded.get_person(PERSON).name != "Greta Neu"  # an add never replaces anyone
    shown = workspace.account_map(loaded, scope, ACCOUNT, cache=None)
    assert made.id in {n["id"] for n in shown["map"]["nodes"]}
    before = _snapshot(loaded)
    _refused(lambda: workspace.add_person(loaded, scope, ACCOUNT, {**raw, "company": OTHER}), "company")
    _refused(lambda: workspace.add_person(loaded, scope, ACCOUNT, {**raw, "name": " "}), "name")
    assert _snapshot(loaded) == before


def _drawn_over(nodes: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """The pairs of people drawn over each other (their centres nearer than the sum of their radii)."""
    people = [n for n in nodes if n.get("kind") == "person"]
    return [
        (a["id"], b["id"])
        for i, a in enumerate(people)
        for b in people[i + 1 :]
        if math.hypot(a["x"] - b["x"], a["y"] - b["y"]) < a["size"] + b["size"]
    ]


def test_a_person_added_with_no_ties_is_drawn_over_nobody(loaded: GraphStore) -> None:
    """A decision maker added with no ties is on the map in a place of their own, and nobody else is drawn over
    anyone (a layout that pushed them away squeezed their company's others together: a click opened the wrong
    card)."""
    scope = _planner()
    for everyone in (False, True):
        assert (
            _drawn_over(workspace.account_map(loaded, scope, ACCOUNT, everyone=everyone, cache=None)["map"]["nodes"])
            == []
        )
    made = workspace.add_person(
        loaded, scope, ACCOUNT, {"name": "Ida Alone", "company": ACCOUNT, "roles": ["decision_maker"]}
    )
    for everyone in (False, True):
        nodes = workspace.account_map(loaded, scope, ACCOUNT, everyone=everyone, cache=None)["map"]["nodes"]
        assert made.id in {n["id"] for n in nodes}
        assert _drawn_over(nodes) == []


def test_one_of_ours_is_added_with_their_tie_or_not_at_all(loaded: GraphStore) -> None:
    scope = _planner()
    member = workspace.add_team_member(loaded, scope, ACCOUNT, PERSON, {"name": "Nadia New"}, {"strength": 0.8})
    assert loaded.get_tie(TieType.KNOWS, member.id, PERSON).strength == 0.8
    before = _snapshot(loaded)
    bad_tie = {"strength": 2}
    _refused(lambda: workspace.add_team_member(loaded, scope, ACCOUNT, PERSON, {"name": "X"}, bad_tie), "strength")
    assert _snapshot(loaded) == before  # the member of a refused tie is not written either


def test_who_may_edit(loaded: GraphStore) -> None:
    before = _snapshot(loaded)
    viewer = Scope("v", ApiRole.VIEWER)
    with pytest.raises(Forbidden):
        workspace.set_roles(loaded, viewer, ACCOUNT, PERSON, ["coach"], date.today().isoformat())
    with pytest.raises(Forbidden):
        workspace.add_person(loaded, viewer, ACCOUNT, {"name": "V", "company": ACCOUNT})
    elsewhere = _planner(frozenset({OTHER}))
    with pytest.raises(NotFoundError):
        workspace.add_tie(loaded, elsewhere, ACCOUNT, PERSON, {"type": "knows", "from": MEMBER, "to": PERSON})
    with pytest.raises(NotFoundError):
        workspace.add_team_member(loaded, elsewhere, ACCOUNT, PERSON, {"name": "E"}, {"strength": 0.5})
    with pytest.raises(NotFoundError):
        workspace.add_person(loaded, elsewhere, ACCOUNT, {"name": "E", "company": ACCOUNT})
    assert _snapshot(loaded) == before


def test_a_deals_committee_map(loaded: GraphStore) -> None:
    scope = _planner()
    committee = [{"person": PERSON, "stance": "opponent"}, {"person": OTHER_PERSON}]
    deal = opportunities.create_opportunity(loaded, scope, ACCOUNT, "Deal", committee=committee)
    shown = workspace.account_map(loaded, scope, ACCOUNT, deal=deal.id, cache=None)
    people = {n["id"]: n for n in shown["map"]["nodes"] if n.get("kind") == "person"}
    assert set(people) == {PERSON, OTHER_PERSON} and people[PERSON]["stance"] == "opponent"
    assert any(n.get("kind") == "team" for n in shown["map"]["nodes"])
    with pytest.raises(NotFoundError):
        workspace.account_map(loaded, scope, OTHER, deal=deal.id, cache=None)
