"""The workspace's language over a real SQLite file: every page in Chinese when the browser asks or the switch
says so (the switch's cookie wins over `Accept-Language`), `<html lang>` saying which, no marked English word
left in a Chinese page (checked against the catalog: every text of the page that is a message of the catalog is
its translation), the scripts' words as a JSON block in the page's language, and a bad switch refused."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from accountgraph import i18n
from accountgraph.api.settings import ApiSettings
from accountgraph.graph.store import GraphStore
from accountgraph.web.app import LANG_COOKIE
from accountgraph.web.texts import page_texts, script_texts
from tests.web.support import ACCOUNT, make_store, new_key, sign_in, workspace

ZH = i18n.translations("zh_CN")
PAGES = ("/", f"/accounts/{ACCOUNT}", f"/accounts/{ACCOUNT}/tree", "/search?q=wang", f"/accounts/{ACCOUNT}/deals")
PAGES += (f"/accounts/{ACCOUNT}/plans", f"/accounts/{ACCOUNT}/compare", "/accounts/no-such-account")


class _Texts(HTMLParser):
    """The texts a reader meets in a page: text nodes and the attributes shown or read aloud."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in ("placeholder", "aria-label", "title", "alt") and value:
                self.texts.append(value.strip())

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.texts.append(data.strip())


def texts_of(html: str) -> list[str]:
    parser = _Texts()
    parser.feed(html)
    return parser.texts


def english_messages() -> dict[str, str]:
    """The workspace's marked words that read differently in Chinese: English -> Chinese."""
    with i18n.use("en"):
        words = {k: v for k, v in {**page_texts(), **script_texts()}.items() if isinstance(v, str)}
    return {english: ZH.gettext(english) for english in words.values() if ZH.gettext(english) != english}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GraphStore]:
    s = make_store(tmp_path_factory.mktemp("web-language") / "web.db")
    try:
        yield s
    finally:
        s.close()


@pytest.fixture(scope="module")
def planner(store: GraphStore) -> Iterator[TestClient]:
    with workspace(store) as client:
        sign_in(client, new_key(store, "planner"))
        yield client


def test_english_is_the_default_and_unchanged(planner: TestClient) -> None:
    page = planner.get("/")
    assert page.status_code == 200 and '<html lang="en">' in page.text
    assert page.headers["Content-Language"] == "en"
    assert ">Portfolio</a>" in page.text and "Coverage change (90 days)" in page.text


@pytest.mark.parametrize("path", PAGES)
def test_every_page_in_chinese_keeps_no_marked_english_word(planner: TestClient, path: str) -> None:
    page = planner.get(path, headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"})
    assert page.status_code in (200, 404), page.text
    assert '<html lang="zh-CN">' in page.text and page.headers["Content-Language"] == "zh-CN"
    english = english_messages()
    left = sorted(text for text in texts_of(page.text) if text in english)
    assert left == [], f"English words left on {path}: {left}"
    # the header's words are the catalog's translations
    header = page.text.split("</header>")[0]
    for message in ("Portfolio", "Search", "Sign out"):
        assert f">{ZH.gettext(message)}<" in header, message
    # the scripts' words: a JSON block (no inline script), in Chinese
    block = re.search(r'<script type="application/json" id="ag-texts">(.*?)</script>', page.text, re.S)
    assert block is not None
    words = json.loads(block.group(1))
    assert words["best_path"] == ZH.gettext("Best path from our team") != "Best path from our team"
    assert words["terms"]["supporter"] == ZH.gettext("supporter") == "支持者"


def test_the_account_page_in_chinese(planner: TestClient) -> None:
    page = planner.get(f"/accounts/{ACCOUNT}", headers={"Accept-Language": "zh-CN"})
    shown = texts_of(page.text)
    for message in ("Customer tree", "Print plan", "Clear filters", "Stance (colour and mark)", "Show everyone"):
        assert ZH.gettext(message) in shown, message
    assert "权力地图" in page.text  # the glossary's word (aria-label of the map)


def test_the_switch_wins_over_the_browser_and_persists(store: GraphStore) -> None:
    with workspace(store) as client:
        sign_in(client, new_key(store, "viewer"))
        chosen = client.post("/language", data={"lang": "zh-CN", "next": f"/accounts/{ACCOUNT}/tree"})
        assert chosen.status_code == 303 and chosen.headers["location"] == f"/accounts/{ACCOUNT}/tree"
        cookie = chosen.headers["set-cookie"]
        assert f"{LANG_COOKIE}=zh-CN" in cookie and "HttpOnly" in cookie and "samesite=strict" in cookie.lower()
        for accept in (None, "en-GB,en;q=0.9"):
            page = client.get(f"/accounts/{ACCOUNT}/tree", headers={"Accept-Language": accept} if accept else {})
            assert '<html lang="zh-CN">' in page.text, accept
            assert ZH.gettext("Expand all") in texts_of(page.text)
        # the JSON the pages' scripts read follows the switch too
        tree = client.get("/web/tree", params={"account": ACCOUNT}).json()
        assert tree["tree"]["legend"][0]["heading"] == ZH.gettext("Key people reached (fill)")
        card = client.get("/web/person", params={"account": ACCOUNT, "person": "medtech-p00002"})
        assert card.status_code == 200
        # and back to English, whatever the browser prefers
        client.post("/language", data={"lang": "en", "next": "/"})
        page = client.get("/", headers={"Accept-Language": "zh-CN"})
        assert '<html lang="en">' in page.text and ">Portfolio</a>" in page.text


def test_the_sign_in_page_has_the_switch_and_speaks_chinese(store: GraphStore) -> None:
    with workspace(store) as client:
        page = client.get("/signin", headers={"Accept-Language": "zh"})
        assert '<html lang="zh-CN">' in page.text
        assert f"<h1>{ZH.gettext('Sign in')}</h1>" in page.text and 'action="/language"' in page.text
        # the hint's markup is ours, its words the catalog's (escaped, then the two commands inserted)
        assert "<code>accountgraph demo</code>" in page.text and "粘贴" in page.text
        wrong = client.post("/signin", data={"csrf": "x", "key": "nope"}, headers={"Accept-Language": "zh-CN"})
        assert wrong.status_code == 403 and ZH.gettext("The sign-in form had expired; please sign in again.") in (
            wrong.text
        )


@pytest.mark.parametrize(
    ("form", "why"),
    [
        ({"lang": "klingon", "next": "/"}, "language"),
        ({"lang": "zh-CN", "next": "//evil.example/"}, "next"),
        ({"lang": "zh-CN", "next": "https://evil.example/"}, "next"),
        ({"lang": "zh-CN", "next": "/\\evil.example"}, "next"),
    ],
)
def test_a_bad_switch_is_refused_and_sets_nothing(store: GraphStore, form: dict[str, str], why: str) -> None:
    with workspace(store) as client:
        answer = client.post("/language", data=form)
        assert answer.status_code == 400, answer.text
        assert answer.json()["error"]["code"] == "bad_request" and why in answer.json()["error"]["message"]
        assert "set-cookie" not in answer.headers


def test_the_servers_language_is_the_default_before_the_switch(
    store: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`ACCOUNTGRAPH_LANG=zh-CN accountgraph demo` (or `--lang zh-CN serve`): the workspace speaks Chinese to a
    browser that prefers English until its switch says otherwise; an unknown language is refused at start."""
    monkeypatch.setenv(i18n.ENV, "zh-CN")
    assert ApiSettings().lang == "zh_CN"  # read from the environment, as `serve`'s workers do
    with workspace(store, lang="zh-CN") as client:
        page = client.get("/signin", headers={"Accept-Language": "en-US,en;q=0.9"})
        assert '<html lang="zh-CN">' in page.text and f"<h1>{ZH.gettext('Sign in')}</h1>" in page.text
        sign_in(client, new_key(store, "viewer"))
        assert '<html lang="zh-CN">' in client.get("/", headers={"Accept-Language": "en"}).text
        client.post("/language", data={"lang": "en", "next": "/"})
        assert '<html lang="en">' in client.get("/", headers={"Accept-Language": "zh-CN"}).text
    monkeypatch.setenv(i18n.ENV, "klingon")
    with pytest.raises(ValidationError, match="choose one of: en, zh-CN"):
        ApiSettings()
