"""The import page in Chromium (the real server and blocked network of `tests/web/test_browser.py`, whose fixtures
and helpers this uses): a planner uploads the Salesforce example export, sees the preview, confirms, and finds the
new people on the account's map; a bad file shows its problems and imports nothing; a viewer has no such page."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from tests.browser import wait_ready
from tests.web.test_browser import App, _clean, _page, _sign_in, app

FIXTURES = (app,)  # used as a test argument (browser comes from conftest.py)
SAMPLE = Path(str(resources.files("accountgraph.samples") / "imports" / "salesforce-contacts.csv"))
SF_ROOT = "sf-0015g00000AbCdE1"  # Northwind Holdings: the account the contacts land in
GRETA = "sf-0035g00000XyZa01"  # its chief executive, a decision maker


def test_a_planner_previews_and_imports_the_salesforce_export(browser: Any, app: App, tmp_path: Path) -> None:
    watched = _page(browser, app)
    page = watched.page
    try:
        _sign_in(watched, app, app.planner)
        accounts = page.locator("#ag-portfolio tbody tr").count()

        # a bad file: its problems, no confirm button, nothing imported
        bad = tmp_path / "contacts.csv"
        bad.write_bytes(SAMPLE.read_bytes() + b'"0035g00000XyZa99","Ann","Other","","","","","Brand New GmbH"\r\n')
        page.click("#ag-import-link")
        page.wait_for_url(app.server.url + "/import")
        page.select_option("#ag-import-profile", "salesforce")
        page.set_input_files("#ag-import-files", str(bad))
        page.click("#ag-import-form button[type=submit]")
        page.wait_for_selector("#ag-import-problems")
        problems = page.locator("#ag-import-problems").inner_text()
        assert "contacts.csv row 7" in problems and "wrong number of cells" in problems
        assert page.locator("#ag-import-confirm").count() == 0
        watched.errors = [e for e in watched.errors if "422" not in e]  # the refused page (422) is logged
        page.goto(app.server.url + "/")
        assert page.locator("#ag-portfolio tbody tr").count() == accounts

        # the example export: the preview, then the import
        page.click("#ag-import-link")
        page.select_option("#ag-import-profile", "salesforce")
        page.set_input_files("#ag-import-files", str(SAMPLE))
        page.click("#ag-import-form button[type=submit]")
        page.wait_for_selector("#ag-import-preview")
        assert "salesforce-contacts reads salesforce-contacts.csv" in page.locator("#ag-import-mapping").inner_text()
        assert page.locator("#ag-import-rows tbody tr").count() == 5
        added = page.locator("#ag-import-people li")
        assert added.count() == 5 and "Greta Hoffmann" in added.first.inner_text()
        assert page.locator("#ag-import-problems").count() == 0
        page.screenshot(path=str(tmp_path / "preview.png"), full_page=True)
        page.goto(app.server.url + "/")
        assert page.locator("#ag-portfolio tbody tr").count() == accounts  # the preview wrote nothing
        page.go_back()
        page.wait_for_selector("#ag-import-confirm")
        page.click("#ag-import-confirm button[type=submit]")
        page.wait_for_selector("#ag-import-done")
        page.click(f'#ag-import-done a[data-account="{SF_ROOT}"]')
        page.wait_for_url(f"{app.server.url}/accounts/{SF_ROOT}")
        wait_ready(page)
        assert page.evaluate("id => agNodes.get(id).label", GRETA).endswith("Greta Hoffmann")
        page.goto(app.server.url + "/")
        # the export names three companies, none stored before: each is the root of a new account
        assert page.locator("#ag-portfolio tbody tr").count() == accounts + 3
        _clean(watched)
    finally:
        page.context.close()


def test_a_viewer_has_no_import_link_or_page(browser: Any, app: App) -> None:
    watched = _page(browser, app)
    page = watched.page
    try:
        _sign_in(watched, app, app.viewer)
        assert page.locator("#ag-import-link").count() == 0
        answer = page.goto(app.server.url + "/import")
        assert answer is not None and answer.status == 403
        assert "Only planners may import" in page.inner_text("main")
        watched.errors = [e for e in watched.errors if "403" not in e]  # the refused page is logged
        _clean(watched)
    finally:
        page.context.close()
