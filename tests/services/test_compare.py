"""The power map as of a date and the comparison of two dates, on both backends; the API and the CLI."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from accountgraph.cli import app as cli_app
from accountgraph.errors import InvalidArgument, NotFoundError
from accountgraph.graph.store import GraphStore
from accountgraph.schema.models import ApiRole, Interaction, Person, Tie, TieType
from accountgraph.services import analysis
from accountgraph.services.compare import compare
from accountgraph.services.scope import Scope
from tests.api.support import client, error_of, new_key, viewer
from tests.plans.test_plans import LOADED, other_account, plan_account

OPERATOR = Scope.operator()

FIXTURES = (client, viewer)  # used as test arguments
H = dict[str, str]
D1 = date(2026, 3, 1)  # step 1: the state the data was in
D2 = date(2026, 6, 1)  # step 2: the changes, dated later


def tie(a: str, b: str, strength: float, since: date = D2, type: str = "knows") -> Tie:
    return Tie.model_validate({"from": a, "to": b, "type": type, "strength": strength, "since": since})


def change(store: GraphStore, person: str, **fields: Any) -> None:
    p = store.get_person(person)
    store.upsert_person(Person.model_validate({**p.model_dump(), **fields, "changed_on": D2}))


def snapshot(store: GraphStore, on: date) -> dict[str, Any]:
    """Everything the power map shows, as of `on` (ranking of everyone, coverage, actions, risk, the page)."""
    result = analysis.analyse(store, OPERATOR, "acc", top=None, as_of=on, cache=None).model_dump(mode="json")
    result["paths"] = analysis.path(store, OPERATOR, "acc", "cfo", k=3, as_of=on, cache=None).model_dump(mode="json")
    result["html"] = analysis.power_map_html(store, OPERATOR, "acc", highlight_to="eng", as_of=on, cache=None)
    return result


def step_two(store: GraphStore) -> None:
    """Changes dated D2: stances and roles, ties gained and ended, contacts logged."""
    change(store, "cfo", stance="supporter")
    change(store, "eng", roles=["technical_buyer", "champion"], stance="supporter")
    change(store, "ceo", stance="opponent")
    store.upsert_tie(tie("am", "cfo", 0.6))
    store.upsert_tie(tie("se", "eng", 0.5))
    store.upsert_tie(tie("eng", "cfo", 0.8, type="influences"))
    store.end_tie(TieType.KNOWS, "se", "gm", until=D2)
    store.upsert_interaction(
        Interaction.model_validate(
            {"id": "i-d2", "member": "am", "person": "ceo", "kind": "meeting", "at": "2026-06-01T09:00:00Z"}
        )
    )


def newcomer(store: GraphStore) -> None:
    """Someone who joined acc-de on D2, reporting to the GM and tied in from D2 on."""
    store.upsert_person(Person(id="new", name="Nina Neu", company="acc-de", reports_to="gm", since=D2))
    store.upsert_tie(tie("new", "gm", 0.4))
    store.upsert_tie(tie("new", "ceo", 0.5, type="influences"))


@pytest.fixture
def loaded(store: GraphStore) -> GraphStore:
    store.load_bundle(plan_account(), on=LOADED)
    store.load_bundle(other_account(), on=LOADED)
    return store


def test_the_power_map_as_of_a_past_date_equals_the_one_computed_then(loaded: GraphStore) -> None:
    then = snapshot(loaded, D1)
    step_two(loaded)
    assert snapshot(loaded, D1) == then
    # ...while the later date sees the changes (so the equality above is not vacuous)
    later = snapshot(loaded, D2)
    assert later["coverage"]["score"] != then["coverage"]["score"]
    assert later["ranking"] != then["ranking"] and later["html"] != then["html"]


def test_a_person_who_joined_later_is_not_on_the_power_map_of_an_earlier_date(loaded: GraphStore) -> None:
    then = snapshot(loaded, D1)
    newcomer(loaded)  # joined on D2, after D1: the power map as of D1 is the one computed then
    assert snapshot(loaded, D1) == then
    later = snapshot(loaded, D2)  # ...and she is on the map from D2 on
    assert "new" in [p["id"] for p in later["ranking"]["people"]]
    assert "new" not in [p["id"] for p in then["ranking"]["people"]]
    c = compare(loaded, OPERATOR, "acc", D1, D2, cache=None)
    assert [(p.id, p.kind, p.company) for p in c.joined] == [("new", "person", "acc-de")] and c.left == []


def test_compare_reports_who_moved_and_what_coverage_changed(loaded: GraphStore) -> None:
    s = loaded
    step_two(s)
    newcomer(s)  # someone new, at the company from D2 on
    # someone without dates of his own: on the map from his first active tie on (D2)
    s.upsert_person(Person(id="undated", name="Udo Undatiert", company="acc-de", reports_to="gm"))
    s.upsert_tie(tie("undated", "gm", 0.4))
    c = compare(s, OPERATOR, "acc", D1, D2, cache=None)
    assert (c.account, c.before, c.after) == ("acc", D1, D2)
    assert [p.id for p in c.joined] == ["new", "undated"] and c.left == []
    stances = {x.id: (x.before, x.after, x.direction) for x in c.stance_changes}
    assert stances == {
        "cfo": ("neutral", "supporter", "better"),
        "eng": ("unknown", "supporter", "better"),
        "ceo": ("neutral", "opponent", "worse"),
    }
    assert [(r.id, r.added, r.removed) for r in c.role_changes] == [("eng", ["champion"], [])]
    assert [(t.member, t.person, t.before, t.after) for t in c.ties_lost] == [("se", "gm", 0.7, None)]
    assert [(t.member, t.person) for t in c.ties_gained] == [("am", "cfo"), ("se", "eng")]
    assert all(t.delta > 0 for t in c.ties_gained) and c.ties_lost[0].delta == pytest.approx(-0.7)
    # coverage: the service's numbers on each date, and what moved
    cov1 = analysis.coverage(s, OPERATOR, "acc", as_of=D1, cache=None)
    cov2 = analysis.coverage(s, OPERATOR, "acc", as_of=D2, cache=None)
    assert (c.coverage_before, c.coverage_after) == (cov1.score, cov2.score)
    assert c.coverage_delta == pytest.approx(cov2.score - cov1.score)
    assert {p.id for p in c.newly_covered} == {"cfo", "eng"}
    assert {p.id for p in c.no_longer_covered} == {"gm"}
    by_company = {x.key: (x.before, x.after) for x in c.by_company}
    assert by_company == {
        b.key: (b.score, next(a.score for a in cov2.by_company if a.key == b.key)) for b in cov1.by_company
    }
    assert by_company["acc-fr"] == (0.0, 100.0) and by_company["acc-de"][1] == 0.0
    assert {x.key for x in c.by_role} >= {"decision_maker", "economic_buyer", "technical_buyer", "champion"}
    champion = next(x for x in c.by_role if x.key == "champion")
    assert champion.before is None and champion.after == 100.0
    # rank movers agree with the rankings of each date
    r1 = {p.id: p.rank for p in analysis.rank(s, OPERATOR, "acc", as_of=D1, cache=None).people}
    r2 = {p.id: p.rank for p in analysis.rank(s, OPERATOR, "acc", as_of=D2, cache=None).people}
    assert c.rank_movers, "eng became a champion: the ranking moved"
    for m in c.rank_movers:
        assert (m.rank_before, m.rank_after) == (r1.get(m.id), r2.get(m.id))
    assert {m.id for m in c.rank_movers} == {p for p in r1.keys() | r2.keys() if r1.get(p) != r2.get(p)}
    assert "new" not in r1 and "undated" in r1  # on D1 she was not at the company; he was, without ties
    assert "coverage" in c.explanation
    # one date against itself: nothing moved
    same = compare(s, OPERATOR, "acc", D2, D2, cache=None)
    assert same.joined == same.left == same.stance_changes == same.ties_lost == same.rank_movers == []
    assert same.coverage_delta == 0
    with pytest.raises(InvalidArgument, match="after"):
        compare(s, OPERATOR, "acc", D2, D1)
    with pytest.raises(NotFoundError):
        compare(s, OPERATOR, "nope", D1, D2)


def test_people_whose_ties_all_ended_left_the_map(loaded: GraphStore) -> None:
    s = loaded
    s.end_tie(TieType.KNOWS, "gm", "eng", until=D2)
    s.end_tie(TieType.KNOWS, "am", "ceo", until=D2)  # am holds no other tie in this account: our member left too
    c = compare(s, OPERATOR, "acc", D1, D2, cache=None)
    assert [(p.id, p.kind) for p in c.left] == [("am", "team"), ("eng", "person")]
    assert c.joined == []


def test_compare_reads_joined_and_left_from_the_people_s_own_dates(loaded: GraphStore) -> None:
    s = loaded
    cfo = s.get_person("cfo")
    s.upsert_person(cfo.model_copy(update={"until": D2}))  # left on D2, though her tie to the CEO never ended
    s.upsert_person(Person(id="lone", name="Lena Allein", company="acc-fr", since=D2))  # joined, tied to no one
    s.upsert_person(Person(id="gone", name="Gustav Weg", company="acc-fr", since=D1, until=D2))
    c = compare(s, OPERATOR, "acc", D1, D2, cache=None)
    assert [(p.id, p.kind) for p in c.joined] == [("lone", "person")]
    assert [(p.id, p.kind) for p in c.left] == [("cfo", "person"), ("gone", "person")]
    g1 = s.account_subgraph("acc", as_of=D1)
    g2 = s.account_subgraph("acc", as_of=D2)
    assert "cfo" in g1 and "cfo" not in g2 and not g2.has_edge("cfo", "ceo", "REPORTS_TO")
    assert "lone" not in g1 and "lone" in g2 and "gone" in g1 and "gone" not in g2
    # on either side of the dates nothing moves
    assert compare(s, OPERATOR, "acc", D2, date(2026, 9, 1), cache=None).joined == []
    assert compare(s, OPERATOR, "acc", date(2025, 6, 1), D1, cache=None).left == []


# ---- the HTTP API -----------------------------------------------------------------------------------
def test_api_compare(client: TestClient, viewer: H, loaded: GraphStore) -> None:
    step_two(loaded)
    r = client.get("/v1/accounts/acc/compare", params={"before": "2026-03-01", "after": "2026-06-01"}, headers=viewer)
    assert r.status_code == 200, r.text
    assert r.json() == compare(loaded, OPERATOR, "acc", D1, D2, cache=None).model_dump(mode="json")
    assert {x["id"] for x in r.json()["stance_changes"]} == {"cfo", "eng", "ceo"}
    r = client.get(
        "/v1/accounts/acc/compare",
        params={"before": "2026-03-01", "after": "2026-06-01", "top": 2, "strength_delta": 0.5},
        headers=viewer,
    )
    assert r.status_code == 200 and r.json()["top"] == 2 and r.json()["strength_delta"] == 0.5

    def err(params: dict[str, Any], status: int, account: str = "acc", headers: H | None = None) -> dict[str, Any]:
        r = client.get(f"/v1/accounts/{account}/compare", params=params, headers=viewer if headers is None else headers)
        assert r.status_code == status, r.text
        return error_of(r)

    assert err({"before": "2026-02-30"}, 422)["details"][0]["field"] == "before"
    err({"before": "03/01/2026"}, 422)
    err({"before": "2026-03-01", "after": "someday"}, 422)
    err({}, 422)
    assert "after" in err({"before": "2026-06-01", "after": "2026-03-01"}, 422)["message"]
    err({"before": "2026-03-01", "top": 0}, 422)
    err({"before": "2026-03-01", "strength_delta": 2}, 422)
    err({"before": "2026-03-01", "since": "x"}, 422)  # an unknown parameter
    err({"before": "2026-03-01"}, 404, account="nope")
    err({"before": "2026-03-01"}, 404, account="acc-de")  # a subsidiary is not an account
    scoped = new_key(loaded, ApiRole.VIEWER, accounts=("oth",))
    err({"before": "2026-03-01"}, 404, headers=scoped)
    err({"before": "2026-03-01"}, 401, headers={})


# ---- the CLI ----------------------------------------------------------------------------------------
def test_cli_compare(loaded: GraphStore) -> None:
    step_two(loaded)
    runner = CliRunner()
    args = ["compare", "acc", "--before", "2026-03-01", "--after", "2026-06-01", "--store", loaded.url]
    result = runner.invoke(cli_app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == compare(loaded, OPERATOR, "acc", D1, D2, cache=None).model_dump(mode="json")
    table = runner.invoke(cli_app, args)
    assert table.exit_code == 0 and "who moved" in table.stdout and "Frank Finanz" in table.stdout
    assert "gained" in table.stdout and "lost" in table.stdout
    for bad, message in [
        (["--before", "2026-02-30"], "not a date"),
        (["--before", "2026-06-01", "--after", "2026-03-01"], "after"),
    ]:
        result = runner.invoke(cli_app, ["compare", "acc", *bad, "--store", loaded.url])
        assert result.exit_code == 1 and message in result.output and "Traceback" not in result.output
    result = runner.invoke(cli_app, ["compare", "nope", "--before", "2026-03-01", "--store", loaded.url])
    assert result.exit_code == 1 and "not found" in result.output
