"""The workspace's structure edits (roles, ties, a person, one of ours) and its deals, plans and compare pages,
over a real SQLite file: what each edit writes, its refusals at the field with nothing written, CSRF and roles on
every write, what a limited key and a viewer get, the pages' data, escaping and their Chinese."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from accountgraph.graph.store import GraphStore, ListFilter
from accountgraph.schema.models import TieType
from accountgraph.services import opportunities, plans
from accountgraph.services.scope import Scope
from accountgraph.web.app import PAGE_CSP
from tests.web.support import ACCOUNT, HOSTILE, HOSTILE_PERSON, OTHER, make_store, new_key, sign_in, workspace

PERSON = "medtech-p00002"
MEMBER = "medtech-t01"
DEAL = "web-deal-1"
PLAN = "web-plan-1"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GraphStore]:
    s = make_store(tmp_path_factory.mktemp("web-edits") / "web.db")
    operator = Scope.operator()
    opportunities.create_opportunity(
        s,
        operator,
        ACCOUNT,
        f"Renewal {HOSTILE}",
        id=DEAL,
        amount="120000",
        committee=[{"person": HOSTILE_PERSON}, {"person": PERSON, "stance": "supporter"}],
    )
    plan = plans.create_plan(s, operator, ACCOUNT, f"Plan {HOSTILE}", id=PLAN)
    plans.add_goal(s, operator, plan.id, {"kind": "coverage", "score": 99, "title": "Reach the board"})
    try:
        yield s
    finally:
        s.close()


@pytest.fixture(scope="module")
def planner(store: GraphStore) -> Iterator[tuple[TestClient, str]]:
    with workspace(store) as client:
        yield client, sign_in(client, new_key(store, "planner"))


@pytest.fixture(scope="module")
def viewer(store: GraphStore) -> Iterator[tuple[TestClient, str]]:
    with workspace(store) as client:
        yield client, sign_in(client, new_key(store, "viewer"))


def _post(client: TestClient, csrf: str | None, url: str, body: dict[str, Any]) -> Any:
    headers = {} if csrf is None else {"X-CSRF-Token": csrf}
    return client.post(url, json=body, headers=headers)


def _ties(store: GraphStore, person: str) -> list[Any]:
    return store.list_records("tie", ListFilter(person=person), limit=1000)


def _count(store: GraphStore) -> Any:
    """Everything of the account (people with their history, ties, ...) and our team."""
    return store.export_bundle(ACCOUNT).model_dump(mode="json"), store.list_records("team", ListFilter(), limit=1000)


def _fields(answer: Any) -> set[str]:
    """The fields refused (a list's item, `roles.0`, as its list)."""
    return {str(d.get("field")).split(".")[0] for d in answer.json()["error"]["details"]}


WRITES: list[tuple[str, dict[str, Any]]] = [
    ("/web/roles", {"account": ACCOUNT, "person": PERSON, "roles": ["champion"]}),
    ("/web/ties", {"account": ACCOUNT, "person": PERSON, "tie": {"type": "knows", "from": MEMBER, "to": PERSON}}),
    ("/web/ties/end", {"account": ACCOUNT, "person": PERSON, "type": "knows", "from": MEMBER, "to": PERSON}),
    ("/web/people", {"account": ACCOUNT, "person": {"name": "New Person", "company": ACCOUNT}}),
    ("/web/team", {"account": ACCOUNT, "person": PERSON, "member": {"name": "New One"}, "tie": {"strength": 0.6}}),
]


@pytest.mark.parametrize(("url", "body"), WRITES, ids=[w[0] for w in WRITES])
def test_every_structure_edit_needs_the_csrf_token(
    store: GraphStore, planner: tuple[TestClient, str], url: str, body: dict[str, Any]
) -> None:
    client, _ = planner
    before = _count(store)
    for token in (None, "forged"):
        answer = _post(client, token, url, body)
        assert answer.status_code == 403, answer.text
    assert _count(store) == before


@pytest.mark.parametrize(("url", "body"), WRITES, ids=[w[0] for w in WRITES])
def test_a_viewer_may_not_edit_the_structure(
    store: GraphStore, viewer: tuple[TestClient, str], url: str, body: dict[str, Any]
) -> None:
    client, csrf = viewer
    before = _count(store)
    answer = _post(client, csrf, url, body)
    assert answer.status_code == 403, answer.text
    assert _count(store) == before


def test_a_planner_sets_roles_from_a_date(store: GraphStore, planner: tuple[TestClient, str]) -> None:
    client, csrf = planner
    on = (datetime.now(UTC).date() - timedelta(days=3)).isoformat()
    answer = _post(client, csrf, "/web/roles", {"account": ACCOUNT, "person": PERSON, "roles": ["coach"], "on": on})
    assert answer.status_code == 200, answer.text
    stored = store.get_person(PERSON)
    assert [r.value for r in stored.roles] == ["coach"]
    assert stored.history and stored.history[-1].since == date.fromisoformat(on)
    card = client.get("/web/person", params={"account": ACCOUNT, "person": PERSON}).json()
    assert card["roles"] == ["coach"] and card["history"][-1]["roles"] == ["coach"]
    # refused at the field, nothing written
    bad = _post(client, csrf, "/web/roles", {"account": ACCOUNT, "person": PERSON, "roles": ["king"]})
    assert bad.status_code == 422 and "roles" in _fields(bad)
    assert [r.value for r in store.get_person(PERSON).roles] == ["coach"]


def test_a_planner_adds_and_ends_a_tie(store: GraphStore, planner: tuple[TestClient, str]) -> None:
    client, csrf = planner
    other = "medtech-p00003"
    tie = {"type": "influences", "from": PERSON, "to": other, "strength": 0.7, "since": "2024-01-01"}
    answer = _post(client, csrf, "/web/ties", {"account": ACCOUNT, "person": PERSON, "tie": tie})
    assert answer.status_code == 200, answer.text
    assert store.get_tie(TieType.INFLUENCES, PERSON, other).strength == 0.7
    card = client.get("/web/person", params={"account": ACCOUNT, "person": PERSON}).json()
    assert {"type": "influences", "from": PERSON, "to": other} in [
        {k: t[k] for k in ("type", "from", "to")} for t in card["ties"]
    ]
    # the rules of a tie and the store's references, at their fields, nothing written
    before = _count(store)
    for bad, field in (
        ({**tie, "to": "medtech-p00004", "strength": 1.5}, "strength"),
        ({**tie, "to": "nobody-here"}, "to"),
        ({**tie, "type": "influences", "to": MEMBER}, "to"),  # an influence tie joins two contacts
        ({**tie, "from": "medtech-p00005", "to": other}, "from"),  # not a tie of this person
    ):
        refused = _post(client, csrf, "/web/ties", {"account": ACCOUNT, "person": PERSON, "tie": bad})
        assert refused.status_code == 422, (bad, refused.text)
        assert field in _fields(refused), (bad, refused.json())
    assert _count(store) == before
    # ending: not before it began (nothing written), then on a date
    end = {"account": ACCOUNT, "person": PERSON, "type": "influences", "from": PERSON, "to": other}
    early = _post(client, csrf, "/web/ties/end", {**end, "until": "2023-06-01"})
    assert early.status_code == 422, early.text
    assert store.get_tie(TieType.INFLUENCES, PERSON, other).until is None
    today = datetime.now(UTC).date().isoformat()
    ended = _post(client, csrf, "/web/ties/end", {**end, "until": today})
    assert ended.status_code == 200, ended.text
    assert store.get_tie(TieType.INFLUENCES, PERSON, other).until == date.fromisoformat(today)
    card = client.get("/web/person", params={"account": ACCOUNT, "person": PERSON}).json()
    assert other not in [t["to"] for t in card["ties"] if t["type"] == "influences"]
    missing = _post(client, csrf, "/web/ties/end", {**end, "to": "medtech-p00009"})
    assert missing.status_code == 404


def test_a_planner_adds_a_person_to_a_company_of_the_account(
    store: GraphStore, planner: tuple[TestClient, str]
) -> None:
    client, csrf = planner
    person = {"name": HOSTILE, "company": ACCOUNT, "title": "CTO", "roles": ["decision_maker"], "stance": "neutral"}
    answer = _post(client, csrf, "/web/people", {"account": ACCOUNT, "person": person})
    assert answer.status_code == 200, answer.text
    made = store.get_person(answer.json()["person"])
    assert made.name == HOSTILE and made.company == ACCOUNT and made.stance.value == "neutral"
    shown = client.get("/web/map", params={"account": ACCOUNT}).json()
    assert made.id in {n["id"] for n in shown["map"]["nodes"]}  # a decision maker is on the map
    before = _count(store)
    for bad, field in (
        ({**person, "name": ""}, "name"),
        ({**person, "company": OTHER}, "company"),  # another account's company
        ({**person, "stance": "hostile"}, "stance"),
    ):
        refused = _post(client, csrf, "/web/people", {"account": ACCOUNT, "person": bad})
        assert refused.status_code == 422, (bad, refused.text)
        assert field in _fields(refused), (bad, refused.json())
    assert _count(store) == before
    # an add never replaces anyone: an id sent along is not the new person's
    kept = store.get_person(HOSTILE_PERSON)
    again = _post(client, csrf, "/web/people", {"account": ACCOUNT, "person": {**person, "id": HOSTILE_PERSON}})
    assert again.status_code == 200 and again.json()["person"] != HOSTILE_PERSON
    assert store.get_person(HOSTILE_PERSON) == kept


def test_a_planner_adds_one_of_ours_who_knows_a_person(store: GraphStore, planner: tuple[TestClient, str]) -> None:
    client, csrf = planner
    body = {
        "account": ACCOUNT,
        "person": PERSON,
        "member": {"name": "Nadia New", "function": "solution_expert"},
        "tie": {"strength": 0.8},
    }
    answer = _post(client, csrf, "/web/team", body)
    assert answer.status_code == 200, answer.text
    member = answer.json()["member"]
    assert store.get_team_member(member).name == "Nadia New"
    card = client.get("/web/person", params={"account": ACCOUNT, "person": PERSON}).json()
    assert member in [t["member"] for t in card["ours"]]
    before = _count(store)
    for bad, field in (
        ({**body, "tie": {"strength": 2}}, "strength"),
        ({**body, "member": {"name": "X", "function": "wizard"}}, "function"),
        ({**body, "member": {"name": ""}}, "name"),
    ):
        refused = _post(client, csrf, "/web/team", bad)
        assert refused.status_code == 422, (bad, refused.text)
        assert field in _fields(refused), (bad, refused.json())
    assert _count(store) == before  # a refused tie leaves no member behind


def test_a_limited_key_cannot_edit_or_open_another_account(store: GraphStore) -> None:
    with workspace(store) as client:
        csrf = sign_in(client, new_key(store, "planner", (OTHER,)))
        before = _count(store)
        for url, body in WRITES:
            answer = _post(client, csrf, url, body)
            assert answer.status_code == 404, (url, answer.text)
        assert _count(store) == before
        for page in ("deals", "plans", "compare"):
            assert client.get(f"/accounts/{ACCOUNT}/{page}").status_code == 404
            assert client.get(f"/accounts/{OTHER}/{page}").status_code == 200
        assert client.get("/web/map", params={"account": ACCOUNT, "deal": DEAL}).status_code == 404
        assert client.get("/web/map", params={"account": OTHER, "deal": DEAL}).status_code == 404


def test_the_deals_page_shows_health_and_committee(planner: tuple[TestClient, str]) -> None:
    client, _ = planner
    page = client.get(f"/accounts/{ACCOUNT}/deals")
    assert page.status_code == 200
    assert page.headers["Content-Security-Policy"] == PAGE_CSP
    assert f'data-deal="{DEAL}"' in page.text
    assert "Renewal &lt;img src=x onerror=alert(1)&gt;" in page.text and HOSTILE not in page.text
    probability = re.search(r'class="ag-win" data-probability="([0-9.e-]+)"', page.text)
    assert probability is not None and 0 < float(probability.group(1)) < 1
    assert f'<tr data-person="{PERSON}">' in page.text and f'<tr data-person="{HOSTILE_PERSON}">' in page.text
    committee = client.get("/web/map", params={"account": ACCOUNT, "deal": DEAL}).json()
    people = {n["id"]: n for n in committee["map"]["nodes"] if n.get("kind") == "person"}
    assert set(people) == {PERSON, HOSTILE_PERSON}
    assert people[PERSON]["stance"] == "supporter"  # the deal's own stance for them
    assert client.get("/web/map", params={"account": ACCOUNT, "deal": "no-such-deal"}).status_code == 404
    assert f'href="/accounts/{ACCOUNT}/deals"' in client.get(f"/accounts/{ACCOUNT}").text


def test_the_plans_page_shows_progress(planner: tuple[TestClient, str]) -> None:
    client, _ = planner
    page = client.get(f"/accounts/{ACCOUNT}/plans")
    assert page.status_code == 200
    found = re.search(rf'<article class="ag-plan" data-plan="{PLAN}" data-status="([a-z_]+)">', page.text)
    assert found is not None and found.group(1) in ("done", "on_track", "at_risk", "off_track")
    assert "Plan &lt;img" in page.text and HOSTILE not in page.text
    assert "Reach the board" in page.text and "0 of 1 goals met" in page.text
    assert f'href="/accounts/{ACCOUNT}/plans"' in client.get(f"/accounts/{ACCOUNT}").text


def test_the_compare_page_shows_what_changed(store: GraphStore, planner: tuple[TestClient, str]) -> None:
    client, csrf = planner
    today = datetime.now(UTC).date()
    on = (today - timedelta(days=1)).isoformat()
    person = "medtech-p00006"
    was = store.get_person(person).stance.value
    now = "opponent" if was != "opponent" else "supporter"
    edit = {"account": ACCOUNT, "person": person, "stance": now, "on": on}
    assert _post(client, csrf, "/web/stance", edit).is_success
    before = (today - timedelta(days=30)).isoformat()
    page = client.get(f"/accounts/{ACCOUNT}/compare", params={"before": before, "after": today.isoformat()})
    assert page.status_code == 200
    assert f'value="{before}"' in page.text
    stances = re.search(r'<ul id="ag-compare-stances">(.*?)</ul>', page.text, re.S)
    assert stances is not None and f'data-id="{person}"' in stances.group(1)
    figure = r'id="ag-compare-coverage" class="ag-figure" data-before="[0-9.]+" data-after="[0-9.]+"'
    assert re.search(figure, page.text)
    # the default dates, and a refusal that names the problem, in the page
    assert client.get(f"/accounts/{ACCOUNT}/compare").status_code == 200
    wrong = client.get(f"/accounts/{ACCOUNT}/compare", params={"before": today.isoformat(), "after": before})
    assert wrong.status_code == 422 and 'id="ag-compare-error"' in wrong.text
    bad = client.get(f"/accounts/{ACCOUNT}/compare", params={"before": "yesterday"})
    assert bad.status_code == 422 and "YYYY-MM-DD" in bad.text


def test_the_pages_speak_chinese_when_the_browser_asks(planner: tuple[TestClient, str]) -> None:
    client, _ = planner
    for page, english in (("deals", "Win probability"), ("plans", "goals met"), ("compare", "Stance changes")):
        en = client.get(f"/accounts/{ACCOUNT}/{page}")
        zh = client.get(f"/accounts/{ACCOUNT}/{page}", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
        assert english in en.text and english not in zh.text, page
        assert zh.headers["Content-Language"] == "zh-CN" and '<html lang="zh-CN">' in zh.text
        assert re.search(r"[\u4e00-\u9fff]", zh.text), page


def test_a_viewer_sees_the_pages_without_edit_controls(viewer: tuple[TestClient, str]) -> None:
    client, _ = viewer
    assert 'id="ag-add-person"' not in client.get(f"/accounts/{ACCOUNT}").text
    for page in ("deals", "plans", "compare"):
        answer = client.get(f"/accounts/{ACCOUNT}/{page}")
        assert answer.status_code == 200 and 'method="post"' not in answer.text.split("</header>")[1]
