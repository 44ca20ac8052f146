"""Relationship plans on both backends: goals measured from the graph, overdue and stalled actions, plans
drafted from the next best actions, the records and their errors, the API and the CLI."""

from __future__ import annotations

import json
import threading
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from typer.testing import CliRunner

from accountgraph.cli import app as cli_app
from accountgraph.errors import NotFoundError, RuleViolation
from accountgraph.graph.store import GraphStore
from accountgraph.graph.validation import parse_bundle
from accountgraph.plans import (
    ActionStatus,
    Goal,
    GoalKind,
    add_action,
    add_goal,
    create_plan,
    create_plan_from_actions,
    get_plan,
    list_plans,
    plan_progress,
    remove_goal,
    update_action,
)
from accountgraph.schema.models import ApiRole, Bundle, Interaction, Person, Tie, TieType
from accountgraph.services import analysis
from accountgraph.services.scope import Scope
from accountgraph.viz.plan_view import render_progress
from tests.api.support import client, error_of, new_key, planner, viewer

OPERATOR = Scope.operator()

FIXTURES = (client, planner, viewer)  # used as test arguments
H = dict[str, str]
LOADED = date(2025, 1, 1)
D = date(2026, 3, 1)


def plan_account() -> Bundle:
    """A group with two subsidiaries; our two members know the CEO and the German GM (no contact dates:
    strengths do not decay, so the numbers are stable)."""
    return parse_bundle(
        {
            "companies": [
                {"id": "acc", "name": "Acc Group"},
                {"id": "acc-de", "name": "Acc Deutschland", "parent": "acc"},
                {"id": "acc-fr", "name": "Acc France", "parent": "acc"},
            ],
            "people": [
                {"id": "ceo", "name": "Clara Chef", "company": "acc", "level": 1,
                 "roles": ["decision_maker", "economic_buyer"], "stance": "neutral"},
                {"id": "cfo", "name": "Frank Finanz", "company": "acc", "level": 2, "reports_to": "ceo",
                 "roles": ["economic_buyer"], "stance": "neutral"},
                {"id": "gm", "name": "Günter Groß", "company": "acc-de", "level": 2, "reports_to": "ceo",
                 "roles": ["decision_maker"], "stance": "supporter"},
                {"id": "eng", "name": "Élodie Ingénieur", "company": "acc-fr", "level": 3, "reports_to": "gm",
                 "roles": ["technical_buyer"], "stance": "unknown"},
            ],
            "team": [
                {"id": "am", "name": "Alex Account", "function": "account_manager"},
                {"id": "se", "name": "Sam Solution", "function": "solution_expert"},
            ],
            "ties": [
                {"from": "am", "to": "ceo", "type": "knows", "strength": 0.8, "since": "2025-01-01"},
                {"from": "se", "to": "gm", "type": "knows", "strength": 0.7, "since": "2025-01-01"},
                {"from": "ceo", "to": "cfo", "type": "knows", "strength": 0.7},
                {"from": "gm", "to": "ceo", "type": "influences", "strength": 0.6},
                {"from": "gm", "to": "eng", "type": "knows", "strength": 0.5},
            ],
        }
    )  # fmt: skip


def other_account() -> Bundle:
    return parse_bundle(
        {
            "companies": [{"id": "oth", "name": "Other Corp"}],
            "people": [{"id": "x1", "name": "Xavier", "company": "oth", "roles": ["decision_maker"]}],
            "ties": [{"from": "am", "to": "x1", "type": "knows", "strength": 0.5}],
        }
    )


@pytest.fixture
def loaded(store: GraphStore) -> GraphStore:
    store.load_bundle(plan_account(), on=LOADED)
    store.load_bundle(other_account(), on=LOADED)
    return store


def knows(store: GraphStore, a: str, b: str, strength: float, since: date = D) -> None:
    store.upsert_tie(Tie.model_validate({"from": a, "to": b, "type": "knows", "strength": strength, "since": since}))


def set_stance(store: GraphStore, person: str, stance: str, on: date = D, roles: list[str] | None = None) -> None:
    p = store.get_person(person)
    update: dict[str, Any] = {"stance": stance, "changed_on": on}
    if roles is not None:
        update["roles"] = roles
    store.upsert_person(Person.model_validate({**p.model_dump(), **update}))


def goals(**kinds: dict[str, Any]) -> list[Goal]:
    return [Goal.model_validate({"id": gid, **fields}) for gid, fields in kinds.items()]


# ---- progress follows the graph ---------------------------------------------------------------------
def test_goal_progress_follows_the_graph(loaded: GraphStore) -> None:
    s = loaded
    plan = create_plan(
        s,
        "acc",
        "win the CFO",
        goals=goals(
            stance={"kind": "stance", "person": "cfo"},
            champion={"kind": "stance", "person": "eng", "stance": "supporter", "role": "champion"},
            tie={"kind": "relationship", "person": "cfo", "strength": 0.5},
            am_eng={"kind": "relationship", "person": "eng", "member": "am"},
            threads={"kind": "multi_thread", "person": "ceo", "members": 2},
            subs={"kind": "subsidiary_contact"},
            fr={"kind": "subsidiary_contact", "company": "acc-fr"},
            cov={"kind": "coverage", "score": 90, "due": "2026-06-30"},
            cov_de={"kind": "coverage", "score": 100, "company": "acc-de"},
        ),
        on=D,
    )
    before = plan_progress(s, plan.id, on=D, cache=None)
    by_id = {g.id: g for g in before.goals}
    assert [g.id for g in before.goals if g.met] == ["cov_de"]  # only the German coverage
    assert by_id["cov_de"].met and by_id["cov_de"].current == 100.0
    assert by_id["stance"].current == "neutral" and by_id["stance"].target == "supporter"
    assert by_id["tie"].current == 0.0 and by_id["tie"].target == 0.5
    assert by_id["threads"].current == 1.0 and by_id["threads"].target == 2.0
    assert by_id["subs"].missing == ["acc-fr"] and by_id["subs"].current == 2.0 and by_id["subs"].target == 3.0
    assert by_id["fr"].missing == ["acc-fr"]
    assert isinstance(by_id["cov"].current, float) and by_id["cov"].current < 90 and by_id["cov"].state == "open"
    assert before.status == "on_track" and before.goals_met == 1

    # the planner's work lands in the graph, dated D
    set_stance(s, "cfo", "supporter")
    set_stance(s, "eng", "supporter", roles=["technical_buyer", "champion"])
    knows(s, "am", "cfo", 0.6)
    knows(s, "am", "eng", 0.5)
    knows(s, "se", "ceo", 0.5)
    after = plan_progress(s, plan.id, on=D, cache=None)
    assert all(g.met for g in after.goals), [(g.id, g.detail) for g in after.goals if not g.met]
    assert after.status == "done" and after.goals_met == len(plan.goals) and after.coverage == 100.0
    by_id = {g.id: g for g in after.goals}
    assert by_id["tie"].current == pytest.approx(0.6) and by_id["threads"].current == 2.0
    assert by_id["stance"].current == "supporter" and by_id["subs"].missing == []

    # read as of the day before, the graph (and so the progress) is as it was
    earlier = plan_progress(s, plan.id, on=date(2026, 2, 28), cache=None)
    assert [g.met for g in earlier.goals] == [g.met for g in before.goals]

    # a missed date: the coverage goal is due 2026-06-30; a tie lost after it leaves the goal missed
    s.end_tie(TieType.KNOWS, "am", "cfo", until=date(2026, 6, 1))
    s.end_tie(TieType.KNOWS, "am", "eng", until=date(2026, 6, 1))
    late = plan_progress(s, plan.id, on=date(2026, 7, 1), cache=None)
    assert {g.id: g.state for g in late.goals}["cov"] == "missed"
    assert late.status == "off_track"


def test_overdue_and_stalled_actions_with_a_fixed_date(loaded: GraphStore) -> None:
    s = loaded
    plan = create_plan(s, "acc", "actions", on=D, stall_days=30)
    a1 = add_action(s, plan.id, owner="am", target="cfo", due=date(2026, 3, 10), on=D)
    a2 = add_action(s, plan.id, owner="se", target="eng", due=date(2026, 4, 30), on=D)
    a3 = add_action(s, plan.id, owner="am", target="ceo", due=date(2026, 3, 5), on=D)
    update_action(s, plan.id, a3.id, status="done", on=date(2026, 3, 4))
    assert (a1.id, a2.id, a3.id) == ("a1", "a2", "a3")

    def flags(on: date, stall_days: int | None = None) -> dict[str, tuple[bool, bool]]:
        progress = plan_progress(s, plan.id, on=on, stall_days=stall_days, cache=None)
        return {a.id: (a.overdue, a.stalled) for a in progress.action_progress}

    assert flags(date(2026, 3, 20)) == {"a1": (True, False), "a2": (False, False), "a3": (False, False)}
    assert flags(date(2026, 4, 15)) == {"a1": (True, True), "a2": (False, True), "a3": (False, False)}
    assert flags(date(2026, 4, 15), stall_days=60) == {"a1": (True, False), "a2": (False, False), "a3": (False, False)}
    progress = plan_progress(s, plan.id, on=date(2026, 4, 15), cache=None)
    assert progress.status == "at_risk" and progress.overdue == 1 and progress.stalled == 2
    a1p = progress.action_progress[0]
    assert a1p.idle_days == 45 and a1p.last_activity == D and any(f.startswith("overdue") for f in a1p.flags)

    # an interaction with the target restarts the clock, from its date on only
    s.upsert_interaction(
        Interaction.model_validate(
            {"id": "i-eng", "member": "se", "person": "eng", "kind": "call", "at": "2026-04-10T10:00:00Z"}
        )
    )
    assert flags(date(2026, 4, 5))["a2"] == (False, True)
    assert flags(date(2026, 4, 15))["a2"] == (False, False)
    # an update (a new due date) does too
    update_action(s, plan.id, "a1", due=date(2026, 5, 1), on=date(2026, 4, 12))
    assert flags(date(2026, 4, 15)) == {"a1": (False, False), "a2": (False, False), "a3": (False, False)}
    assert plan_progress(s, plan.id, on=date(2026, 4, 15), cache=None).status == "on_track"


def test_the_action_flags_in_both_languages(loaded: GraphStore) -> None:
    """An action's flags: English in the result (and its JSON), said in Chinese where a person reads them."""
    from accountgraph import i18n
    from accountgraph.i18n.phrase import said

    s = loaded
    plan = create_plan(s, "acc", "flags", on=D, stall_days=30)
    add_action(s, plan.id, owner="am", target="cfo", due=date(2026, 3, 10), on=D)
    progress = plan_progress(s, plan.id, on=date(2026, 4, 15), cache=None)
    english = ["overdue: due 2026-03-10, 36 days ago", "stalled: nothing for 45 days (since 2026-03-01; limit 30)"]
    assert progress.action_progress[0].flags == english
    assert json.loads(progress.model_dump_json())["action_progress"][0]["flags"] == english
    with i18n.use("zh_CN"):
        chinese = said(progress)
        page = render_progress(progress)
    flags = ["逾期：到期日 2026-03-10，已过 36 天", "停滞：45 天无进展（自 2026-03-01 起；上限 30 天）"]
    assert chinese.action_progress[0].flags == flags
    assert all(f in page for f in flags) and "days ago" not in page
    assert progress.action_progress[0].flags == english  # the result itself is left as it was


def test_a_plan_from_the_next_best_actions(loaded: GraphStore) -> None:
    s = loaded
    drafted = analysis.actions(s, OPERATOR, "acc", as_of=D, cache=None)
    assert {a.kind for a in drafted.actions} == {"reach", "second_thread"}
    plan = create_plan_from_actions(s, "acc", on=D, due_days=14)
    assert plan.account == "acc" and plan.created == D
    # one action per next best action, in their order, with its owner, target, path and goal
    assert [(a.owner, a.target) for a in plan.actions] == [(a.member, a.target) for a in drafted.actions]
    assert all(a.due == date(2026, 3, 15) and a.status is ActionStatus.OPEN for a in plan.actions)
    assert [a.path for a in plan.actions] == [a.path for a in drafted.actions]
    expected = {("multi_thread" if a.kind == "second_thread" else "relationship", a.target) for a in drafted.actions}
    kinds = {(g.kind.value, g.person) for g in plan.goals if g.kind is not GoalKind.COVERAGE}
    assert (
        kinds
        == expected
        == {
            ("relationship", "cfo"),
            ("relationship", "eng"),
            ("multi_thread", "gm"),
            ("multi_thread", "ceo"),
        }
    )
    for action in plan.actions:
        goal = plan.goal(action.goal or "")
        assert goal is not None and goal.person == action.target
    [cov] = [g for g in plan.goals if g.kind is GoalKind.COVERAGE]
    assert cov.score is not None and drafted.coverage < cov.score <= 100
    assert cov.score == pytest.approx(100.0, abs=0.11)  # reaching both uncovered people covers the whole chain
    # stored as it was made
    assert get_plan(s, plan.id) == plan
    progress = plan_progress(s, plan.id, on=D, cache=None)
    assert progress.goals_met == 0 and progress.overdue == progress.stalled == 0
    for a, p in zip(plan.actions, progress.action_progress, strict=True):
        assert a.path is not None and p.path_strength == pytest.approx(a.path.strength)
    # the first action works: its goal is met
    first = plan.actions[0]
    knows(s, first.owner, first.target, 0.9)
    progress = plan_progress(s, plan.id, on=D, cache=None)
    assert {g.id: g.met for g in progress.goals}[first.goal or ""] is True
    # limits and the plan-level owner
    small = create_plan_from_actions(s, "acc", on=D, limit=1, coverage_goal=False, owner="am", name="just one")
    assert len(small.actions) == 1 and len(small.goals) == 1 and small.owner == "am" and small.name == "just one"
    with pytest.raises(NotFoundError):
        create_plan_from_actions(s, "nope", on=D)


def test_plan_records_and_their_errors(loaded: GraphStore) -> None:
    s = loaded
    create_plan(s, "acc", "p", id="p1", owner="am", on=D)
    create_plan(s, "oth", "elsewhere", id="p2", on=D)
    assert [p.id for p in list_plans(s, "acc")] == ["p1"] and [p.id for p in list_plans(s)] == ["p1", "p2"]
    record = s.documents.get("plan", "p1")
    assert record is not None and record.version == 1 and record.account == "acc"
    goal = add_goal(s, "p1", {"kind": "stance", "person": "cfo"}, on=D)
    assert goal.id == "g1"
    action = add_action(s, "p1", owner="am", target="cfo", goal="g1", on=D)
    # the best path from the owner to the target is linked
    assert action.path is not None and [h.target for h in action.path.hops] == ["ceo", "cfo"]
    assert add_action(s, "p1", owner="am", target="cfo", link_path=False, on=D).path is None
    record = s.documents.get("plan", "p1")
    assert record is not None and record.version == 4
    assert get_plan(s, "p1").actions[0] == action
    # floats are stored as decimal text (documents refuse floats) and read back exactly
    assert isinstance(record.data["actions"][0]["path"]["strength"], str)

    with pytest.raises(NotFoundError):
        create_plan(s, "acc-de", "not a root", on=D)
    with pytest.raises(NotFoundError):
        create_plan(s, "nope", "unknown", on=D)
    with pytest.raises(RuleViolation):
        create_plan(s, "acc", "again", id="p1", on=D)
    with pytest.raises(NotFoundError):  # a person of another account
        add_goal(s, "p1", {"kind": "stance", "person": "x1"})
    with pytest.raises(NotFoundError):
        add_action(s, "p1", owner="nobody", target="cfo")
    with pytest.raises(NotFoundError):
        add_action(s, "p1", owner="am", target="cfo", goal="g9")
    with pytest.raises(NotFoundError):
        update_action(s, "p1", "a9", status="done")
    with pytest.raises(NotFoundError):
        get_plan(s, "p9")
    with pytest.raises(RuleViolation):
        add_goal(s, "p1", {"id": "g1", "kind": "subsidiary_contact"})
    with pytest.raises(ValidationError, match="needs person"):
        add_goal(s, "p1", {"kind": "relationship"})
    with pytest.raises(ValidationError, match="takes no score"):
        Goal.model_validate({"id": "g", "kind": "stance", "person": "cfo", "score": 50})
    with pytest.raises(RuleViolation, match="goal"):
        create_plan(s, "acc", "bad", actions=[get_plan(s, "p1").actions[0]], on=D)  # serves a goal it lacks
    # removing a goal unlinks its actions
    after = remove_goal(s, "p1", "g1", on=D)
    assert after.goals == [] and after.actions[0].goal is None
    done = update_action(s, "p1", "a1", status="done", note="met at the fair", on=date(2026, 3, 2))
    assert done.status is ActionStatus.DONE and done.updated == date(2026, 3, 2) and done.note == "met at the fair"


def test_concurrent_changes_are_all_kept(loaded: GraphStore) -> None:
    s = loaded
    create_plan(s, "acc", "busy", id="busy", on=D)
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            add_action(s, "busy", owner="am" if n % 2 else "se", target="cfo", title=f"t{n}", link_path=False, on=D)
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    plan = get_plan(s, "busy")
    assert sorted(a.title for a in plan.actions) == [f"t{n}" for n in range(6)]
    assert len({a.id for a in plan.actions}) == 6


def test_progress_view_is_self_contained_and_escaped(loaded: GraphStore) -> None:
    s = loaded
    plan = create_plan(
        s, "acc", "<script>alert(1)</script> & co", on=D, goals=goals(g1={"kind": "coverage", "score": 50})
    )
    add_action(s, plan.id, owner="am", target="cfo", due=date(2026, 3, 2), on=D)
    html = render_progress(plan_progress(s, plan.id, on=date(2026, 3, 20), cache=None))
    assert html.startswith("<!DOCTYPE html>") and "default-src 'none'" in html
    assert "<script" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in html
    assert "http://" not in html and "https://" not in html
    assert 'data-goal="g1"' in html and 'data-action="a1"' in html and "overdue" in html


# ---- the HTTP API -----------------------------------------------------------------------------------
def test_api_round_trip(client: TestClient, planner: H, viewer: H, loaded: GraphStore) -> None:
    r = client.post(
        "/v1/plans",
        json={
            "account": "acc",
            "name": "API plan",
            "id": "ap",
            "on": "2026-03-01",
            "goals": [{"id": "g1", "kind": "stance", "person": "cfo"}],
        },
        headers=planner,
    )
    assert r.status_code == 201, r.text
    assert r.json()["goals"][0]["kind"] == "stance" and r.json()["created"] == "2026-03-01"
    r = client.post(
        "/v1/plans/ap/goals", json={"kind": "relationship", "person": "cfo", "strength": 0.5}, headers=planner
    )
    assert r.status_code == 201 and r.json()["id"] == "g2"
    r = client.put(
        "/v1/plans/ap/goals/g3", json={"kind": "coverage", "score": 80, "due": "2026-06-30"}, headers=planner
    )
    assert r.status_code == 200 and r.json()["id"] == "g3"
    r = client.post(
        "/v1/plans/ap/actions",
        json={"owner": "am", "target": "cfo", "goal": "g2", "due": "2026-03-10", "on": "2026-03-01"},
        headers=planner,
    )
    assert r.status_code == 201, r.text
    action = r.json()
    assert action["id"] == "a1" and action["path"]["hops"][-1]["target"] == "cfo"
    plan = client.get("/v1/plans/ap", headers=viewer).json()
    assert [g["id"] for g in plan["goals"]] == ["g1", "g2", "g3"] and plan["actions"][0] == action
    listed = client.get("/v1/plans", params={"account": "acc"}, headers=viewer).json()
    assert listed["count"] == 1 and listed["data"][0]["id"] == "ap" and listed["next_cursor"] is None

    progress = client.get("/v1/plans/ap/progress", params={"on": "2026-03-20"}, headers=viewer)
    assert progress.status_code == 200, progress.text
    body = progress.json()
    assert body["on"] == "2026-03-20" and body["status"] == "at_risk" and body["overdue"] == 1
    assert body == plan_progress(loaded, "ap", on=date(2026, 3, 20), cache=None).model_dump(mode="json")
    view = client.get("/v1/plans/ap/view", params={"on": "2026-03-20"}, headers=viewer)
    assert view.status_code == 200 and view.headers["content-type"].startswith("text/html")
    assert "API plan" in view.text and "overdue" in view.text

    r = client.patch("/v1/plans/ap/actions/a1", json={"status": "done", "on": "2026-03-05"}, headers=planner)
    assert r.status_code == 200 and r.json()["status"] == "done" and r.json()["updated"] == "2026-03-05"
    r = client.patch("/v1/plans/ap/actions/a1", json={"note": "signed"}, headers=planner)
    assert r.json()["status"] == "done" and r.json()["note"] == "signed"
    r = client.patch("/v1/plans/ap", json={"name": "renamed", "stall_days": 10}, headers=planner)
    assert r.status_code == 200 and r.json()["name"] == "renamed" and r.json()["stall_days"] == 10
    r = client.delete("/v1/plans/ap/goals/g2", headers=planner)
    assert r.status_code == 200 and r.json()["actions"][0]["goal"] is None

    r = client.post("/v1/plans/from-actions", json={"account": "acc", "on": "2026-03-01", "id": "nba"}, headers=planner)
    assert r.status_code == 201, r.text
    assert r.json()["id"] == "nba" and len(r.json()["actions"]) == len(
        analysis.actions(loaded, OPERATOR, "acc", as_of=D).actions
    )


def test_api_errors(client: TestClient, planner: H, viewer: H, loaded: GraphStore) -> None:
    create_plan(loaded, "acc", "p", id="p1", on=D)
    create_plan(loaded, "oth", "o", id="p2", on=D)

    def err(r: Any, status: int) -> dict[str, Any]:
        assert r.status_code == status, r.text
        return error_of(r)

    assert err(client.get("/v1/plans/nope", headers=viewer), 404)["details"] == {"kind": "plan", "id": "nope"}
    err(client.get("/v1/plans/nope/progress", headers=viewer), 404)
    err(client.post("/v1/plans", json={"account": "nope"}, headers=planner), 404)
    err(client.post("/v1/plans", json={"account": "acc", "id": "p1"}, headers=planner), 409)
    err(client.post("/v1/plans", json={"account": "acc"}, headers=viewer), 403)
    err(client.get("/v1/plans"), 401)
    err(client.post("/v1/plans/p1/goals", json={"kind": "stance", "person": "x1"}, headers=planner), 404)
    issues = err(client.post("/v1/plans/p1/goals", json={"kind": "stance"}, headers=planner), 422)["details"]
    assert any("needs person" in i["reason"] for i in issues)
    err(client.post("/v1/plans/p1/goals", json={"kind": "fly"}, headers=planner), 422)
    err(client.post("/v1/plans/p1/actions", json={"owner": "ghost", "target": "cfo"}, headers=planner), 404)
    err(client.post("/v1/plans/p1/actions", json={"owner": "am", "target": "cfo", "goal": "g9"}, headers=planner), 404)
    err(
        client.post(
            "/v1/plans/p1/actions", json={"owner": "am", "target": "cfo", "due": "2026-02-30"}, headers=planner
        ),
        422,
    )
    err(client.put("/v1/plans/p1/goals/%20g", json={"kind": "subsidiary_contact"}, headers=planner), 422)
    err(client.patch("/v1/plans/p1/actions/a9", json={"status": "done"}, headers=planner), 404)
    err(client.patch("/v1/plans/p1/actions/a9", json={"status": "finished"}, headers=planner), 422)
    err(client.get("/v1/plans/p1/progress", params={"on": "2026-13-01"}, headers=viewer), 422)
    err(client.get("/v1/plans/p1/progress", params={"on": "yesterday"}, headers=viewer), 422)
    err(client.get("/v1/plans/p1/view", params={"on": "1700000000"}, headers=viewer), 422)
    err(client.post("/v1/plans/from-actions", json={"account": "nope"}, headers=planner), 404)
    # a key limited to one account sees neither the other account's plans nor can it make one there
    scoped = new_key(loaded, ApiRole.PLANNER, accounts=("acc",))
    assert [p["id"] for p in client.get("/v1/plans", headers=scoped).json()["data"]] == ["p1"]
    err(client.get("/v1/plans/p2", headers=scoped), 404)
    err(client.get("/v1/plans/p2/view", headers=scoped), 404)
    err(client.post("/v1/plans", json={"account": "oth"}, headers=scoped), 404)
    err(client.post("/v1/plans/p1/actions", json={"owner": "am", "target": "x1"}, headers=scoped), 404)


# ---- the CLI ----------------------------------------------------------------------------------------
def cli(store: GraphStore, *args: str) -> Any:
    result = CliRunner().invoke(cli_app, [*args, "--store", store.url], env={"COLUMNS": "200"})
    return result


def test_cli_round_trip(loaded: GraphStore, tmp_path: Path) -> None:
    s = loaded

    def ok(*args: str) -> Any:
        result = cli(s, *args)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout) if "--json" in args else result.stdout

    plan = ok("plan", "create", "acc", "--name", "CLI plan", "--id", "c1", "--on", "2026-03-01", "--json")
    assert plan["id"] == "c1" and plan["created"] == "2026-03-01"
    goal = ok("plan", "goal", "add", "c1", "--kind", "relationship", "--person", "cfo", "--strength", "0.5", "--json")
    assert goal["id"] == "g1" and goal["strength"] == 0.5
    action = ok(
        "plan",
        "action",
        "add",
        "c1",
        "--owner",
        "am",
        "--target",
        "cfo",
        "--goal",
        "g1",
        "--due",
        "2026-03-10",
        "--on",
        "2026-03-01",
        "--json",
    )
    assert action["id"] == "a1" and action["path"]["target"] == "cfo"
    progress = ok("plan", "progress", "c1", "--on", "2026-03-20", "--json")
    assert progress["overdue"] == 1 and progress["goals"][0]["met"] is False
    assert "overdue" in ok("plan", "progress", "c1", "--on", "2026-03-20")
    ok("plan", "view", "c1", "--on", "2026-03-20", "--out", str(tmp_path / "plan.html"))
    page = (tmp_path / "plan.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "CLI plan" in page and "overdue" in page
    done = ok("plan", "action", "done", "c1", "a1", "--on", "2026-03-21", "--json")
    assert done["status"] == "done"
    assert ok("plan", "show", "c1", "--json")["actions"][0]["status"] == "done"
    assert "CLI plan" in ok("plan", "list", "--account", "acc")
    drafted = ok("plan", "from-actions", "acc", "--on", "2026-03-01", "--limit", "2", "--json")
    assert len(drafted["actions"]) == 2
    assert {p["id"] for p in ok("plan", "list", "--json")} == {"c1", drafted["id"]}

    for args, message in [
        (("plan", "show", "nope"), "not found"),
        (("plan", "create", "nope"), "not found"),
        (("plan", "progress", "c1", "--on", "2026-02-30"), "not a date"),
        (("plan", "goal", "add", "c1", "--kind", "stance"), "needs person"),
        (("plan", "action", "add", "c1", "--owner", "am", "--target", "x1"), "not found"),
        (("plan", "action", "done", "c1", "a7"), "not found"),
    ]:
        result = cli(s, *args)
        assert result.exit_code == 1, (args, result.output)
        assert message in result.output and "Traceback" not in result.output
