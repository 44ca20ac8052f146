"""The workspace's search: a box in every page's header, `/search?q=` listing people of the accounts the key sees
with company and title, each linking to the account page with their card opened (`#person=ID`)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from accountgraph.graph.store import GraphStore
from accountgraph.web.app import PAGE_CSP
from tests.web.support import ACCOUNT, HOSTILE, OTHER, make_store, new_key, sign_in, workspace

JENSENS = {"medtech-p00080", "medtech-p00140"}  # the sample's two people named Nils Jensen


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GraphStore]:
    s = make_store(tmp_path_factory.mktemp("web-search") / "web.db")
    try:
        yield s
    finally:
        s.close()


@pytest.fixture(scope="module")
def viewer(store: GraphStore) -> Iterator[TestClient]:
    with workspace(store) as client:
        sign_in(client, new_key(store, "viewer"))
        yield client


def test_every_page_has_the_search_box(viewer: TestClient) -> None:
    for path in ("/", f"/accounts/{ACCOUNT}"):
        page = viewer.get(path).text
        assert 'action="/search"' in page and 'name="q"' in page


def test_a_shared_name_lists_both_people_with_company_title_and_a_link_to_their_card(viewer: TestClient) -> None:
    page = viewer.get("/search", params={"q": "nils jensen"})
    assert page.status_code == 200 and page.headers["Content-Security-Policy"] == PAGE_CSP
    assert set(re.findall(r'<tr data-person="([^"]+)">', page.text)) == JENSENS
    for person in JENSENS:
        assert f'href="/accounts/{ACCOUNT}#person={person}"' in page.text
    assert "Helix Medical A/S" in page.text and "Helix Surgical København A/S" in page.text
    assert "Clinical Operations Manager" in page.text and "Operations Manager" in page.text
    assert 'value="nils jensen"' in page.text  # the box keeps the query


def test_user_text_is_escaped(viewer: TestClient) -> None:
    page = viewer.get("/search", params={"q": HOSTILE})
    assert page.status_code == 200
    assert HOSTILE not in page.text and "&lt;img src=x onerror=alert(1)&gt;" in page.text
    assert "medtech-p00001" in page.text  # the person named as an attack, found, shown as text


def test_a_limited_key_finds_only_its_accounts_people(store: GraphStore) -> None:
    with workspace(store) as client:
        sign_in(client, new_key(store, "viewer", (ACCOUNT,)))
        assert "other-p1" not in client.get("/search", params={"q": "olga other"}).text
        assert "No one matches" in client.get("/search", params={"q": "olga other"}).text
    with workspace(store) as client:
        sign_in(client, new_key(store, "viewer", (OTHER,)))
        page = client.get("/search", params={"q": "olga"}).text
        assert re.findall(r'<tr data-person="([^"]+)">', page) == ["other-p1"]


def test_a_bad_query_paging_and_no_session(store: GraphStore, viewer: TestClient) -> None:
    refused = viewer.get("/search", params={"q": "   "})
    assert refused.status_code == 422 and "the query is empty" in refused.text
    assert viewer.get("/search", params={"q": "x" * 201}).status_code == 422
    first = viewer.get("/search", params={"q": "a"}).text
    more = re.search(r'id="ag-search-more" href="([^"]+)"', first)
    assert more is not None
    second = viewer.get(more.group(1).replace("&amp;", "&"))
    assert second.status_code == 200
    one = set(re.findall(r'<tr data-person="([^"]+)">', first))
    two = set(re.findall(r'<tr data-person="([^"]+)">', second.text))
    assert len(one) == 50 and two and not one & two
    with workspace(store) as anonymous:
        answer = anonymous.get("/search", params={"q": "nils"})
        assert answer.status_code == 303 and answer.headers["location"] == "/signin"
