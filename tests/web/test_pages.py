"""The workspace's pages and JSON over a real SQLite file: what each key sees, the edits and who may make them,
CSRF on every write, escaping and the security headers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from accountgraph.graph.store import GraphStore, ListFilter
from accountgraph.services.portfolio import account_facts, set_strategic
from accountgraph.services.scope import Scope
from accountgraph.web.app import PAGE_CSP
from tests.web.support import ACCOUNT, HOSTILE, HOSTILE_PERSON, OTHER, make_store, new_key, sign_in, workspace


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GraphStore]:
    s = make_store(tmp_path_factory.mktemp("web") / "web.db")
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


WRITES: list[tuple[str, dict[str, Any]]] = [
    ("/web/stance", {"account": ACCOUNT, "person": "medtech-p00002", "stance": "opponent"}),
    (
        "/web/interactions",
        {"account": ACCOUNT, "person": "medtech-p00002", "member": "medtech-t01", "kind": "call"},
    ),
]


def _interactions(store: GraphStore, person: str) -> int:
    return len(store.list_records("interaction", ListFilter(person=person), limit=1000))


def test_the_portfolio_lists_every_account_with_its_figures(planner: tuple[TestClient, str]) -> None:
    client, _ = planner
    page = client.get("/")
    assert page.status_code == 200
    accounts = re.findall(r'<tr data-account="([^"]+)">', page.text)
    assert sorted(accounts) == sorted([ACCOUNT, OTHER])
    assert f'href="/accounts/{ACCOUNT}"' in page.text
    for heading in ("Coverage", "Key-people coverage", "Risk", "Open pipeline", "win probability", "Overdue", "Grade"):
        assert heading in page.text


def _row(page: str, account: str) -> str:
    found = re.search(rf'<tr data-account="{re.escape(account)}">(.*?)</tr>', page, re.S)
    assert found is not None
    return found.group(1)


def test_the_portfolio_shows_status_with_reasons_revenue_at_risk_and_coverage_change(
    store: GraphStore, planner: tuple[TestClient, str]
) -> None:
    client, _ = planner
    set_strategic(store, Scope.operator(), ACCOUNT, reason="flagship <b>reference</b>")
    page = client.get("/").text
    for heading in ("Status", "Coverage change (90 days)", "Revenue at risk"):
        assert f">{heading}</button>" in page
    row = _row(page, ACCOUNT)
    status = re.search(r'<td class="ag-status" data-value="3" title="([^"]+)"><span class="ag-status-key">key<', row)
    assert status is not None and "strategic" in status.group(1)
    assert "flagship &lt;b&gt;reference&lt;/b&gt;" in status.group(1)  # the free text is escaped
    change = re.search(r'<td class="ag-change" data-value="([^"]+)">([^<]+)</td>', row)
    facts = {f.account: f for f in account_facts(store, Scope.operator())}
    expected = round(facts[ACCOUNT].coverage - facts[ACCOUNT].coverage_before, 1)
    assert change is not None and float(change.group(1)) == expected and change.group(2) == f"{expected:+.1f}"
    risk = re.search(r'<td class="ag-at-risk" data-value="([^"]+)" title="([^"]+)">([^<]+)</td>', row)
    assert risk is not None and risk.group(3).endswith(risk.group(1)) and risk.group(2)
    other = _row(page, OTHER)
    assert '<span class="ag-status-other">other<' in other and 'class="ag-status" data-value="1">' in other


def test_a_limited_key_sees_only_its_account(store: GraphStore) -> None:
    with workspace(store) as client:
        sign_in(client, new_key(store, "planner", (ACCOUNT,)))
        page = client.get("/")
        assert re.findall(r'<tr data-account="([^"]+)">', page.text) == [ACCOUNT]
        assert "Other &lt;img" not in page.text  # nor a word of the other one
        assert client.get(f"/accounts/{ACCOUNT}").status_code == 200
        assert client.get(f"/accounts/{OTHER}").status_code == 404
        assert client.get("/web/map", params={"account": OTHER}).status_code == 404
        assert client.get("/web/person", params={"account": OTHER, "person": "other-p1"}).status_code == 404
        # a person of another account, asked through one's own account, does not exist either
        assert client.get("/web/person", params={"account": ACCOUNT, "person": "other-p1"}).status_code == 404
        csrf = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/").text)
        assert csrf is not None
        edit = {"account": OTHER, "person": "other-p1", "stance": "supporter"}
        assert client.post("/web/stance", json=edit, headers={"X-CSRF-Token": csrf.group(1)}).status_code == 404
    assert store.get_person("other-p1").stance.value == "unknown"


def test_an_unknown_account_or_person_is_a_404(planner: tuple[TestClient, str]) -> None:
    client, _ = planner
    assert client.get("/accounts/nope").status_code == 404
    assert client.get("/web/map", params={"account": "nope"}).status_code == 404
    assert client.get("/web/person", params={"account": ACCOUNT, "person": "nope"}).status_code == 404


def test_the_map_shows_the_decision_chain_by_default_and_everyone_on_request(planner: tuple[TestClient, str]) -> None:
    client, _ = planner
    chain = client.get("/web/map", params={"account": ACCOUNT}).json()
    everyone = client.get("/web/map", params={"account": ACCOUNT, "everyone": "true"}).json()
    assert 0 < chain["shown"] < chain["people"] == everyone["people"] == everyone["shown"]
    people = [n for n in chain["map"]["nodes"] if n["kind"] == "person"]
    assert {n["stance"] for n in people} <= {"supporter", "neutral", "opponent", "unknown"}
    assert any(n["id"] == HOSTILE_PERSON for n in people)
    assert any(n["kind"] == "team" for n in chain["map"]["nodes"])
    assert set(chain["coverage"]) == {"score", "covered", "chain", "key", "gaps"}
    assert chain["betweenness"] == {"method": "exact", "sources": chain["people"]}  # small: exact at once


def test_map_nodes_carry_what_the_filters_and_the_layered_layout_need(planner: tuple[TestClient, str]) -> None:
    client, _ = planner
    data = client.get("/web/map", params={"account": ACCOUNT}).json()
    people = [n for n in data["map"]["nodes"] if n["kind"] == "person"]
    assert data["path"] is None
    assert {n["layer"] for n in people} <= {"key", "organisational", "broad", None}
    assert {"key", "organisational", "broad"} <= {n["layer"] for n in people}
    assert {n["company"] for n in people} <= set(data["companies"]) and data["companies"][ACCOUNT]
    assert all(n["department"] for n in people)
    ceo = next(n for n in people if n["id"] == HOSTILE_PERSON)
    assert ceo["layer"] == "key" and ceo["roles"] == ["decision_maker"] and ceo["company"] == ACCOUNT
    assert {e["kind"] for e in data["map"]["edges"]} == {"OURS", "KNOWS", "INFLUENCES", "REPORTS_TO", "COLLEAGUES"}
    assert any(e["stale"] for e in data["map"]["edges"])


def test_the_best_path_to_a_person_is_drawn_on_request(planner: tuple[TestClient, str]) -> None:
    client, _ = planner
    far = "medtech-p00013"  # outside the decision chain: not on the default map
    plain = client.get("/web/map", params={"account": ACCOUNT}).json()
    assert far not in {n["id"] for n in plain["map"]["nodes"]}
    data = client.get("/web/map", params={"account": ACCOUNT, "path_to": far}).json()
    path = data["path"]
    assert path["to"] == far and path["reachable"] and path["nodes"][-1] == far and path["nodes"][0].endswith("-t01")
    assert len(path["hops"]) == len(path["nodes"]) - 1 and all(path["hops"])
    nodes = {n["id"]: n for n in data["map"]["nodes"]}
    assert all(nodes[n].get("path") for n in path["nodes"])  # drawn, and marked
    assert sum(bool(e.get("path")) for e in data["map"]["edges"]) == len(path["hops"])
    for person in ("nope", "other-p1", "medtech-t01"):  # unknown, of another account, one of ours
        answer = client.get("/web/map", params={"account": ACCOUNT, "path_to": person})
        assert answer.status_code == 404, person


def test_a_person_card(planner: tuple[TestClient, str]) -> None:
    client, _ = planner
    card = client.get("/web/person", params={"account": ACCOUNT, "person": HOSTILE_PERSON}).json()
    assert card["name"] == HOSTILE and "decision_maker" in card["roles"]
    assert card["ours"] and all(0 <= t["strength"] <= 1 for t in card["ours"])
    assert card["path"] and card["leave_explanation"] and card["team"]


def test_a_planner_sets_a_stance_dated_and_logs_an_interaction(
    store: GraphStore, planner: tuple[TestClient, str]
) -> None:
    client, csrf = planner
    person = "medtech-p00003"
    headers = {"X-CSRF-Token": csrf}
    answer = client.post(
        "/web/stance", json={"account": ACCOUNT, "person": person, "stance": "opponent"}, headers=headers
    )
    assert answer.status_code == 200, answer.text
    stored = store.get_person(person)
    assert stored.stance.value == "opponent"
    assert stored.history[-1].since == datetime.now(UTC).date() and stored.history[-1].stance.value == "opponent"
    card = client.get("/web/person", params={"account": ACCOUNT, "person": person}).json()
    assert card["stance"] == "opponent"

    card = client.get("/web/person", params={"account": ACCOUNT, "person": HOSTILE_PERSON}).json()
    tie = min(card["ours"], key=lambda t: t["strength"])  # the chief executive has a tie of ours
    count = _interactions(store, HOSTILE_PERSON)
    edit = {"account": ACCOUNT, "person": HOSTILE_PERSON, "member": tie["member"], "kind": "meeting", "sentiment": 1}
    answer = client.post("/web/interactions", json=edit, headers=headers)
    assert answer.status_code == 200, answer.text
    assert _interactions(store, HOSTILE_PERSON) == count + 1
    after = client.get("/web/person", params={"account": ACCOUNT, "person": HOSTILE_PERSON}).json()
    raised = next(t for t in after["ours"] if t["member"] == tie["member"])
    assert raised["strength"] > tie["strength"] and raised["interactions"] == tie["interactions"] + 1


def test_validation_errors_name_the_field(planner: tuple[TestClient, str]) -> None:
    client, csrf = planner
    headers = {"X-CSRF-Token": csrf}
    bad = client.post(
        "/web/stance", json={"account": ACCOUNT, "person": "medtech-p00004", "stance": "x"}, headers=headers
    )
    assert bad.status_code == 422 and bad.json()["error"]["details"][0]["field"] == "stance"
    edit = {"account": ACCOUNT, "person": "medtech-p00004", "member": "nobody", "kind": "call"}
    bad = client.post("/web/interactions", json=edit, headers=headers)
    assert bad.status_code == 422 and bad.json()["error"]["details"][0]["field"] == "member"


@pytest.mark.parametrize(("path", "body"), WRITES)
def test_every_write_needs_the_csrf_token(
    store: GraphStore, planner: tuple[TestClient, str], path: str, body: dict[str, Any]
) -> None:
    client, csrf = planner
    before = (store.get_person("medtech-p00002"), _interactions(store, "medtech-p00002"))
    for headers in ({}, {"X-CSRF-Token": ""}, {"X-CSRF-Token": csrf[:-1] + ("A" if csrf[-1] != "A" else "B")}):
        answer = client.post(path, json=body, headers=headers)
        assert answer.status_code == 403, answer.text
        assert "CSRF" in answer.json()["error"]["message"]
    assert (store.get_person("medtech-p00002"), _interactions(store, "medtech-p00002")) == before


@pytest.mark.parametrize(("path", "body"), WRITES)
def test_a_viewer_has_no_edit_control_and_a_forged_edit_is_refused(
    store: GraphStore, viewer: tuple[TestClient, str], path: str, body: dict[str, Any]
) -> None:
    client, csrf = viewer
    page = client.get(f"/accounts/{ACCOUNT}")
    assert 'data-can-edit="0"' in page.text
    before = (store.get_person("medtech-p00002"), _interactions(store, "medtech-p00002"))
    answer = client.post(path, json=body, headers={"X-CSRF-Token": csrf})
    assert answer.status_code == 403 and answer.json()["error"]["code"] == "forbidden"
    assert (store.get_person("medtech-p00002"), _interactions(store, "medtech-p00002")) == before


def test_user_text_is_escaped(planner: tuple[TestClient, str]) -> None:
    client, _ = planner
    escaped = "&lt;img src=x onerror=alert(1)&gt;"
    for page in (client.get("/"), client.get(f"/accounts/{OTHER}")):  # the other account's name is an attack
        assert page.status_code == 200 and escaped in page.text and "<img" not in page.text
    missing = client.get("/accounts/%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E")
    assert missing.status_code == 404 and escaped in missing.text and "<img" not in missing.text


def test_pages_carry_a_strict_policy(planner: tuple[TestClient, str]) -> None:
    client, _ = planner
    for path in ("/", f"/accounts/{ACCOUNT}", "/signin"):
        page = client.get(path)
        policy = page.headers["content-security-policy"]
        assert policy == PAGE_CSP
        script = next(p for p in policy.split(";") if p.strip().startswith("script-src"))
        assert "unsafe-inline" not in script and "unsafe-eval" not in script
        assert "frame-ancestors 'none'" in policy
        assert page.headers["x-frame-options"] == "DENY"
        assert page.headers["x-content-type-options"] == "nosniff"
        assert "<script>" not in page.text  # no inline script at all
        assert not re.search(r"<script[^>]*\bsrc=\"(?!/web/static/)", page.text)  # only the package's own


def test_static_files_are_the_packages_only(planner: tuple[TestClient, str]) -> None:
    client, _ = planner
    for name in ("account.js", "home.js", "workspace.css", "vis-network.min.js"):
        assert client.get(f"/web/static/{name}").status_code == 200
    for name in ("nope.js", "..%2Fapp.py", "app.py", "%2E%2E%2Ftemplates%2Fbase.html"):
        assert client.get(f"/web/static/{name}").status_code == 404
