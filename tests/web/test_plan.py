"""The workspace's print page `/accounts/{id}/plan`: it needs a session, a limited key cannot open another
account's, the account page links to it, and the document is the account plan (escaped, no script)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from accountgraph.graph.store import GraphStore
from accountgraph.web.app import PAGE_CSP
from tests.web.support import ACCOUNT, HOSTILE, OTHER, make_store, new_key, sign_in, workspace


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GraphStore]:
    s = make_store(Path(tmp_path_factory.mktemp("web-plan")) / "web.db")
    try:
        yield s
    finally:
        s.close()


def test_the_plan_page_needs_a_session(store: GraphStore) -> None:
    with workspace(store) as client:
        answer = client.get(f"/accounts/{ACCOUNT}/plan")
        assert answer.status_code == 303 and answer.headers["location"] == "/signin"


def test_the_account_page_links_to_the_printable_plan(store: GraphStore) -> None:
    with workspace(store) as client:
        sign_in(client, new_key(store, "viewer"))
        page = client.get(f"/accounts/{ACCOUNT}")
        assert f'href="/accounts/{ACCOUNT}/plan">Print plan</a>' in page.text
        plan = client.get(f"/accounts/{ACCOUNT}/plan")
        assert plan.status_code == 200
        assert plan.headers["content-security-policy"] == PAGE_CSP
        assert "Account plan: Helix Medical Group" in plan.text and "@page" in plan.text
        assert HOSTILE not in plan.text and "<script" not in plan.text


def test_a_limited_key_cannot_print_another_account(store: GraphStore) -> None:
    with workspace(store) as client:
        sign_in(client, new_key(store, "viewer", (ACCOUNT,)))
        assert client.get(f"/accounts/{ACCOUNT}/plan").status_code == 200
        other = client.get(f"/accounts/{OTHER}/plan")
        assert other.status_code == 404
        assert HOSTILE not in other.text
