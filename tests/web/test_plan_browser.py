"""The account plan printed by Chromium: the account page's **Print plan** opens the printable document, which
`page.pdf()` prints (A4, as the browser's print dialog would) to a PDF whose text is the plan."""

from __future__ import annotations

import io
from typing import Any

from pypdf import PdfReader

from tests.web.support import HOSTILE
from tests.web.test_browser import App, _clean, _open_account, _page, _sign_in, app

__all__ = ["app"]  # the running server of the workspace's browser tests, a fixture of this module too


def test_the_plan_prints_to_pdf_from_the_account_page(browser: Any, app: App) -> None:
    watched = _page(browser, app)
    page = watched.page
    try:
        _sign_in(watched, app, app.viewer)
        _open_account(watched, app)
        page.click("#ag-plan-link")
        page.wait_for_selector("#power-map svg")
        assert page.locator("#key-people td", has_text=HOSTILE).count() == 1  # shown as text
        page.emulate_media(media="print")
        pdf = page.pdf(format="A4", prefer_css_page_size=True)
        reader = PdfReader(io.BytesIO(pdf))
        assert 1 <= len(reader.pages) <= 2
        text = "\n".join(p.extract_text() for p in reader.pages)
        for words in ("Account plan: Helix Medical Group", "Key people", "Gaps", "Next best actions", "Power map"):
            assert words in text, words
        _clean(watched)
    finally:
        page.context.close()
