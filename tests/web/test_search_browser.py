"""Searching a duplicated name in Chromium: the header's search box lists both people with company and title, and
each result opens the account page with that person's card (the same real server and blocked network as
`tests/web/test_browser.py`, whose fixtures and helpers this uses)."""

from __future__ import annotations

from typing import Any

from tests.browser import wait_ready
from tests.web.test_browser import App, _clean, _page, _sign_in, app
from tests.web.test_search import JENSENS

FIXTURES = (app,)  # used as a test argument (browser comes from conftest.py)


def test_a_duplicated_name_reaches_both_people(browser: Any, app: App) -> None:
    watched = _page(browser, app)
    page = watched.page
    try:
        _sign_in(watched, app, app.viewer)
        page.fill("#ag-search-q", "Nils Jensen")
        page.press("#ag-search-q", "Enter")
        page.wait_for_url("**/search?q=Nils+Jensen")
        rows = page.locator("#ag-search-results tbody tr")
        assert rows.count() == 2
        found = {}
        for i in range(2):
            row = rows.nth(i)
            found[row.get_attribute("data-person")] = row.inner_text()
        assert set(found) == JENSENS
        assert "Clinical Operations Manager" in found["medtech-p00080"]
        assert "Helix Surgical København A/S" in found["medtech-p00140"]
        for person in sorted(JENSENS):
            page.click(f'#ag-search-results tr[data-person="{person}"] a')
            wait_ready(page)
            page.wait_for_function("id => document.getElementById('ag-card')?.dataset.person === id", arg=person)
            assert "Nils Jensen" in page.locator("#ag-card").inner_text()
            page.go_back()
            page.wait_for_selector("#ag-search-results")
        _clean(watched)
    finally:
        page.context.close()
