"""The structure edits and the deals, plans and compare pages in Chromium (the real server and blocked network of
`tests/web/test_browser.py`, whose helpers this uses): each edit from the card or the map changes the map and the
card without a reload, a refused edit shows the reason at its field and writes nothing; the pages show their data;
a viewer finds no edit control and a forged edit is refused; a limited key cannot open another account's pages."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from accountgraph.services import opportunities, plans
from accountgraph.services.scope import Scope
from tests.api.support import REPO, server
from tests.web.support import ACCOUNT, HOSTILE, HOSTILE_PERSON, OTHER, make_store, new_key
from tests.web.test_browser import App, Watched, _clean, _click_node, _open_account, _page, _renders, _sign_in

DEAL = "browser-deal"
PLAN = "browser-plan"
MEMBER = "medtech-t02"  # knows nobody of the chief executive's circle directly: no tie to HOSTILE_PERSON yet


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    path = tmp_path_factory.mktemp("web-edits-browser") / "web.db"
    store = make_store(path)
    try:
        operator = Scope.operator()
        committee = [{"person": HOSTILE_PERSON}, {"person": "medtech-p00003"}, {"person": "medtech-p00006"}]
        opportunities.create_opportunity(store, operator, ACCOUNT, "Imaging renewal", id=DEAL, committee=committee)
        plan = plans.create_plan(store, operator, ACCOUNT, "Win the board", id=PLAN)
        plans.add_goal(store, operator, plan.id, {"kind": "coverage", "score": 99, "title": "Reach the whole board"})
        keys = (new_key(store, "planner"), new_key(store, "viewer"), new_key(store, "viewer", (OTHER,)))
    finally:
        store.close()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ACCOUNTGRAPH_", "NEO4J_"))}
    env.update(ACCOUNTGRAPH_STORE=f"sqlite:///{path}", ACCOUNTGRAPH_LOG_LEVEL="WARNING", PYTHONPATH=str(REPO))
    with server(env) as running:
        yield App(running, *keys)


def _submit(page: Any, form: str) -> None:
    """Submit a card's form and wait until the map was drawn again (a saved edit) or the form says why not."""
    before = _renders(page)
    page.click(f"#{form} button[type=submit]")
    page.wait_for_function(
        """([form, n]) => Number(document.body.dataset.renders) > n
            && document.getElementById(form)?.querySelector('.ag-form-status').textContent === 'Saved.'""",
        arg=[form, before],
    )


def _refused(page: Any, form: str, field: str) -> str:
    """Submit a form the server refuses; the reason stands at `field` (returned), the status says not saved."""
    page.click(f"#{form} button[type=submit]")
    page.wait_for_function(
        "form => document.querySelector(`#${form} .ag-form-status`).textContent.startsWith('Not saved')", arg=form
    )
    reason = page.locator(f'#{form} [data-error-for="{field}"]').text_content() or ""
    assert reason, f"no reason at {field} in {form}"
    return reason


def _card(page: Any, person: str) -> dict[str, Any]:
    """The person's card as the server gives it now (what is stored)."""
    card: dict[str, Any] = page.evaluate(
        """async ([account, person]) => (await fetch(`/web/person?account=${account}&person=${person}`)).json()""",
        [ACCOUNT, person],
    )
    return card


def _without_refusals(watched: Watched) -> None:
    watched.errors = [e for e in watched.errors if "422" not in e]  # the refused requests are logged
    _clean(watched)


def test_a_planner_edits_roles_ties_people_and_our_team_from_the_card(browser: Any, app: App) -> None:
    watched = _page(browser, app)
    page = watched.page
    try:
        _sign_in(watched, app, app.planner)
        _open_account(watched, app)
        page.evaluate("() => { window.agStillHere = true; }")
        _click_node(page, HOSTILE_PERSON)

        # roles, dated: the map's node and the card change
        page.select_option("#ag-roles-form select[name=roles]", ["decision_maker", "champion"])
        _submit(page, "ag-roles-form")
        assert page.evaluate("id => agNodes.get(id).roles", HOSTILE_PERSON) == ["champion", "decision_maker"]
        page.wait_for_function(
            "() => document.querySelector('#ag-card tr:nth-child(2) td').textContent === 'champion, decision maker'"
        )
        page.fill("#ag-roles-form input[name=on]", "not a date")
        page.select_option("#ag-roles-form select[name=roles]", ["blocker"])
        _refused(page, "ag-roles-form", "on")
        assert _card(page, HOSTILE_PERSON)["roles"] == ["champion", "decision_maker"]

        # a tie of ours: refused strength at its field, then added (card and map), then ended
        ours = "() => [...document.querySelectorAll('#ag-card li[data-member]')].map((li) => li.dataset.member)"
        assert MEMBER not in page.evaluate(ours)
        page.select_option("#ag-tie-form select[name=type]", "knows")
        page.select_option("#ag-tie-form select[name=member]", MEMBER)
        page.fill("#ag-tie-form input[name=strength]", "1.5")
        _refused(page, "ag-tie-form", "strength")
        assert MEMBER not in [t["member"] for t in _card(page, HOSTILE_PERSON)["ours"]]
        page.fill("#ag-tie-form input[name=strength]", "0.9")
        _submit(page, "ag-tie-form")
        assert MEMBER in page.evaluate(ours)
        edge = "([a, b]) => agEdges.get({filter: (e) => [e.from, e.to].sort().join() === [a, b].sort().join()}).length"
        assert page.evaluate(edge, [HOSTILE_PERSON, MEMBER]) > 0
        page.select_option("#ag-end-tie-form select[name=tie]", f"knows|{HOSTILE_PERSON}|{MEMBER}")
        page.fill("#ag-end-tie-form input[name=until]", "2001-01-01")  # before it began
        page.click("#ag-end-tie-form button[type=submit]")  # the tie's own rule: the reason in the form's status
        page.wait_for_function(
            "() => document.querySelector('#ag-end-tie-form .ag-form-status').textContent.includes('before')"
        )
        assert MEMBER in [t["member"] for t in _card(page, HOSTILE_PERSON)["ours"]]
        page.fill("#ag-end-tie-form input[name=until]", datetime.now(UTC).date().isoformat())
        page.select_option("#ag-end-tie-form select[name=tie]", f"knows|{HOSTILE_PERSON}|{MEMBER}")
        _submit(page, "ag-end-tie-form")
        assert MEMBER not in page.evaluate(ours)
        assert page.evaluate(edge, [HOSTILE_PERSON, MEMBER]) == 0

        # one of ours who knows them: refused at the field, then on the card and the map
        page.fill("#ag-member-form input[name=name]", "Nadia New")
        page.fill("#ag-member-form input[name=strength]", "2")
        _refused(page, "ag-member-form", "strength")
        assert "Nadia New" not in [t["member_name"] for t in _card(page, HOSTILE_PERSON)["ours"]]
        page.fill("#ag-member-form input[name=strength]", "0.8")
        _submit(page, "ag-member-form")
        page.wait_for_function("() => document.getElementById('ag-card').textContent.includes('Nadia New:')")
        team = page.evaluate("() => agNodes.get({filter: (n) => n.kind === 'team'}).map((n) => n.label)")
        assert any("Nadia New" in label for label in team)

        # a person added to a company of the account: refused without a name, then on the map with their card
        page.click("#ag-add-person summary")
        page.select_option("#ag-person-form select[name=roles]", ["decision_maker"])
        _refused(page, "ag-person-form", "name")
        page.fill("#ag-person-form input[name=name]", "Greta Neu")
        page.fill("#ag-person-form input[name=title]", "Chief Medical Officer")
        _submit(page, "ag-person-form")
        page.wait_for_function("() => document.querySelector('#ag-card h3').textContent === 'Greta Neu'")
        added = page.evaluate("() => document.getElementById('ag-card').dataset.person")
        assert page.evaluate("id => agNodes.get(id)?.roles", added) == ["decision_maker"]
        assert page.evaluate("() => window.agStillHere") is True  # never reloaded
        _without_refusals(watched)
    finally:
        page.context.close()


def test_the_deals_plans_and_compare_pages(browser: Any, app: App) -> None:
    watched = _page(browser, app)
    page = watched.page
    try:
        _sign_in(watched, app, app.viewer)
        _open_account(watched, app)
        page.click("#ag-deals-link")
        page.wait_for_url(f"{app.server.url}/accounts/{ACCOUNT}/deals")
        deal = page.locator(f'article[data-deal="{DEAL}"]')
        assert "Imaging renewal" in (deal.text_content() or "")
        assert 0 < float(deal.locator(".ag-win").get_attribute("data-probability") or "nan") < 1
        assert deal.locator(".ag-committee tbody tr").count() == 3
        deal.locator(".ag-committee-map").click()
        page.wait_for_function(f"() => document.getElementById('ag-deals').dataset.shown === '{DEAL}'")
        people = page.evaluate("() => agNodes.get({filter: (n) => n.kind === 'person'}).map((n) => n.id).sort()")
        assert people == sorted([HOSTILE_PERSON, "medtech-p00003", "medtech-p00006"])
        assert page.locator("#ag-deal-map canvas").count() == 1

        page.goto(f"{app.server.url}/accounts/{ACCOUNT}")
        page.click("#ag-plans-link")
        page.wait_for_url(f"{app.server.url}/accounts/{ACCOUNT}/plans")
        plan = page.locator(f'article[data-plan="{PLAN}"]')
        assert "Win the board" in (plan.text_content() or "") and "0 of 1 goals met" in plan.inner_text()
        assert plan.locator('tr[data-state="open"]').count() == 1

        page.goto(f"{app.server.url}/accounts/{ACCOUNT}")
        page.click("#ag-compare-link")
        page.wait_for_url(f"{app.server.url}/accounts/{ACCOUNT}/compare")
        assert page.locator("#ag-compare-coverage").inner_text().startswith("Coverage ")
        page.fill("#ag-compare-form input[name=before]", "2099-01-01")
        page.click("#ag-compare-form button[type=submit]")
        page.wait_for_selector("#ag-compare-error")
        assert "is after" in page.locator("#ag-compare-error").inner_text()
        watched.errors = [e for e in watched.errors if "422" not in e]
        _clean(watched)
    finally:
        page.context.close()


def test_a_viewer_finds_no_structure_edit_and_a_forged_one_is_refused(browser: Any, app: App) -> None:
    watched = _page(browser, app)
    page = watched.page
    try:
        _sign_in(watched, app, app.viewer)
        _open_account(watched, app)
        assert page.locator("#ag-add-person").count() == 0
        _click_node(page, HOSTILE_PERSON)
        assert page.locator("#ag-card form, #ag-card select, #ag-card input").count() == 0
        before = _card(page, HOSTILE_PERSON)["ours"]
        status = page.evaluate(
            """async ([account, person, member]) => {
                const csrf = document.querySelector('meta[name="csrf-token"]').content;
                const r = await fetch('/web/ties', {method: 'POST', headers: {'Content-Type': 'application/json',
                    'X-CSRF-Token': csrf}, body: JSON.stringify({account, person,
                    tie: {type: 'knows', from: member, to: person, strength: 0.9}})});
                return r.status;
            }""",
            [ACCOUNT, HOSTILE_PERSON, MEMBER],
        )
        assert status == 403
        assert _card(page, HOSTILE_PERSON)["ours"] == before
        watched.errors = [e for e in watched.errors if "403" not in e]
        _clean(watched)
    finally:
        page.context.close()


def test_a_limited_key_cannot_open_another_accounts_pages(browser: Any, app: App) -> None:
    watched = _page(browser, app)
    page = watched.page
    try:
        _sign_in(watched, app, app.limited)
        for name in ("deals", "plans", "compare"):
            answer = page.goto(f"{app.server.url}/accounts/{ACCOUNT}/{name}")
            assert answer is not None and answer.status == 404, name
            answer = page.goto(f"{app.server.url}/accounts/{OTHER}/{name}")
            assert answer is not None and answer.status == 200, name
        watched.errors = [e for e in watched.errors if "404" not in e]
        _clean(watched)
    finally:
        page.context.close()


def test_a_person_added_from_the_map_opens_their_card_when_clicked_on_the_map(browser: Any, app: App) -> None:
    """A person added from the map (a decision maker with no ties: on the map) is clicked where the browser draws
    them and their card opens; so does an existing person's, and every node drawn after the map's refresh is the
    one a click at its centre finds (none drawn over another)."""
    watched = _page(browser, app)
    page = watched.page
    try:
        _sign_in(watched, app, app.planner)
        _open_account(watched, app)
        page.click("#ag-add-person summary")
        page.select_option("#ag-person-form select[name=roles]", ["decision_maker"])
        page.fill("#ag-person-form input[name=name]", "Clara Klick")
        _submit(page, "ag-person-form")
        page.wait_for_function("() => document.querySelector('#ag-card h3').textContent === 'Clara Klick'")
        added = page.evaluate("() => document.getElementById('ag-card').dataset.person")
        assert page.evaluate("id => agNodes.get(id)?.hidden", added) is False
        missed = page.evaluate(
            """() => agNodes.getIds({filter: (n) => !n.hidden}).filter((id) =>
                agNetwork.getNodeAt(agNetwork.canvasToDOM(agNetwork.getPositions([id])[id])) !== id)"""
        )
        assert missed == [], f"a click at these nodes finds another: {missed}"
        _click_node(page, HOSTILE_PERSON)
        assert page.locator("#ag-card h3").text_content() == HOSTILE
        _click_node(page, added)
        assert page.locator("#ag-card h3").text_content() == "Clara Klick"
        _clean(watched)
    finally:
        page.context.close()
