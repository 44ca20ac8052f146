"""The workspace switched to Chinese in a real headless Chromium (an English browser) against a real `accountgraph
serve` process: the header's switch, `<html lang="zh-CN">`, the account page, the person card, its forms and their
inline validation, and the customer tree in Chinese (the words checked against the catalog), the choice kept
across pages and reloads, and English back on request."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from accountgraph import i18n
from tests.api.support import REPO, server
from tests.browser import VIEWPORT, wait_ready
from tests.viz.test_language import left_in
from tests.web.support import ACCOUNT, make_store, new_key
from tests.web.test_browser import App, Watched, _clean, _click_node, _open_account, _page, _sign_in

ZH = i18n.translations("zh_CN")
PERSON = "medtech-p00002"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    path = tmp_path_factory.mktemp("web-language-browser") / "web.db"
    store = make_store(path)
    try:
        keys = (new_key(store, "planner"), new_key(store, "viewer"), new_key(store, "viewer", (ACCOUNT,)))
    finally:
        store.close()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ACCOUNTGRAPH_", "NEO4J_"))}
    env.update(ACCOUNTGRAPH_STORE=f"sqlite:///{path}", ACCOUNTGRAPH_LOG_LEVEL="WARNING", PYTHONPATH=str(REPO))
    with server(env) as running:
        yield App(running, *keys)


def _english_page(browser: Any, app: App) -> Watched:
    """A page of a browser whose language is English (its Accept-Language says so)."""
    watched = _page(browser, app)
    watched.page.context.set_extra_http_headers({"Accept-Language": "en-US,en;q=0.9"})
    return watched


def _lines(page: Any, selector: str) -> list[str]:
    return [line.strip() for line in page.locator(selector).inner_text().split("\n") if line.strip()]


def test_the_workspace_switched_to_chinese(browser: Any, app: App, tmp_path: Path) -> None:
    watched = _english_page(browser, app)
    page = watched.page
    try:
        _sign_in(watched, app, app.planner)
        assert page.evaluate("() => document.documentElement.lang") == "en"
        assert page.locator(".ag-nav a[href='/']").inner_text() == "Portfolio"

        # the switch in the header: Chinese, on the page it was made on
        page.click("#ag-language button[value='zh-CN']")
        page.wait_for_function("() => document.documentElement.lang === 'zh-CN'")
        assert page.url == app.server.url + "/"
        assert page.locator(".ag-nav a[href='/']").inner_text() == ZH.gettext("Portfolio")
        assert page.locator("#ag-search-q").get_attribute("placeholder") == ZH.gettext(
            "Find a person: name, title, e-mail, company, pinyin"
        )
        assert page.locator(".ag-signout button").inner_text() == ZH.gettext("Sign out")
        heads = page.locator("#ag-portfolio thead th").all_inner_texts()
        assert ZH.gettext("Coverage change (90 days)") in heads and ZH.gettext("Revenue at risk") in heads

        # the account page: figures, controls, filters and legend (the scripts' words too)
        _open_account(watched, app)
        assert page.evaluate("() => document.documentElement.lang") == "zh-CN"
        coverage = page.locator("#ag-coverage").inner_text()
        assert coverage.startswith(
            ZH.gettext("Coverage {score}/100 ({covered} of {chain} reached){key} · {gaps} gaps")[:3]
        )
        assert ZH.gettext(" · key people {key}").split("{")[0].strip() in coverage
        assert page.locator("#ag-layout").inner_text() == ZH.gettext("Layered layout")
        assert page.locator("#ag-everyone").inner_text() == ZH.gettext("Show everyone")
        legend = page.locator("#ag-legend-stance").inner_text()
        for stance in ("supporter", "neutral", "opponent", "unknown"):
            assert ZH.gettext(stance) in legend, stance
        stance_options = page.locator("#ag-filters select[name=stance] option").all_inner_texts()
        assert stance_options[0] == ZH.gettext("all") and any(ZH.gettext("opponent") in o for o in stance_options)
        page.click("#ag-layout")
        assert page.locator("#ag-layout").inner_text() == ZH.gettext("Network layout")

        # the person card and its forms
        _click_node(page, PERSON)
        card = page.locator("#ag-card")
        rows = card.locator("table th").all_inner_texts()
        assert rows == [ZH.gettext(w) for w in ("Department", "Roles", "Stance", "Rank", "Score", "Coverage")]
        headings = card.locator("h2").all_inner_texts()
        for heading in ("Who of ours knows them", "Best path from our team", "If they leave", "Gaps", "Stance history"):
            assert ZH.gettext(heading) in headings, heading
        forms = card.locator("h4").all_inner_texts()
        assert forms[:4] == [ZH.gettext(w) for w in ("Set stance", "Log an interaction", "Set roles", "Add a tie")]
        assert card.locator("#ag-draw-path").inner_text() == ZH.gettext("Draw the best path on the map")
        kinds = card.locator("#ag-interaction-form select[name=kind] option").all_inner_texts()
        assert kinds == [ZH.gettext(k) for k in ("meeting", "call", "email", "visit", "event")]
        # no marked English word left in the page's text, but for the algorithms' explanations the card shows as
        # the server gives them (a path, what losing them does, their gaps: translated where they are made)
        given = page.evaluate(
            """async ([account, person]) => {
                const p = await (await fetch(`/web/person?account=${account}&person=${person}`)).json();
                return [p.path, p.leave_explanation, ...p.path_hops, ...p.gaps];
            }""",
            [ACCOUNT, PERSON],
        )
        shown = _lines(page, "header") + _lines(page, ".ag-account-head") + _lines(page, ".ag-side")
        assert left_in([line for line in shown if line not in given]) == []
        page.screenshot(path=str(tmp_path / "account-zh.png"))

        # an inline validation message: the form's line in Chinese, the refused field marked
        page.fill("#ag-tie-form input[name=strength]", "1.5")
        page.click("#ag-tie-form button[type=submit]")
        page.wait_for_function(
            "t => document.querySelector('#ag-tie-form .ag-form-status').textContent === t",
            arg=ZH.gettext("Not saved: see the fields above."),
        )
        assert page.locator('#ag-tie-form [data-error-for="strength"]').inner_text()
        watched.errors = [e for e in watched.errors if "422" not in e]  # the refused request is logged

        # kept across a reload and on the customer tree
        page.reload()
        wait_ready(page)
        assert page.evaluate("() => document.documentElement.lang") == "zh-CN"
        page.click("#ag-tree-link")
        wait_ready(page)
        assert page.evaluate("() => document.documentElement.lang") == "zh-CN"
        figures = page.locator("#ag-tree-figures").inner_text()
        assert ZH.gettext("{n} companies · coverage {coverage}/100 · risk {risk}/100").split("{n}")[1][:4] in figures
        assert page.locator("#ag-tree-expand").inner_text() == ZH.gettext("Expand all")
        assert left_in(_lines(page, "main")) == []

        # and back to English
        page.click("#ag-language button[value='en']")
        page.wait_for_function("() => document.documentElement.lang === 'en'")
        assert page.locator("#ag-tree-expand").inner_text() == "Expand all"
        _clean(watched)
    finally:
        page.context.close()


def test_a_chinese_browser_gets_chinese_without_the_switch(browser: Any, app: App) -> None:
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(app.server.url + "/signin")
        assert page.evaluate("() => document.documentElement.lang") == "zh-CN"
        assert page.locator("h1").inner_text() == ZH.gettext("Sign in")
        assert page.locator("label[for=ag-key]").inner_text() == ZH.gettext("API key")
    finally:
        context.close()
