"""`GET /v1/accounts/{id}/report.pdf`: the account plan as PDF (with the open deal's health), 404 JSON for an
account that does not exist or that a limited key may not see."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from accountgraph import i18n
from accountgraph.graph.store import GraphStore
from accountgraph.samples.deals import seed_demo_opportunities
from accountgraph.schema.models import ApiRole
from tests.api.support import api, error_of, new_key
from tests.web.support import ACCOUNT, OTHER, make_store


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GraphStore]:
    s = make_store(Path(tmp_path_factory.mktemp("api-report")) / "api.db")
    seed_demo_opportunities(s, ACCOUNT, deals=40)
    try:
        yield s
    finally:
        s.close()


@pytest.fixture(scope="module")
def client(store: GraphStore) -> Iterator[TestClient]:
    with api(store) as c:
        yield c


def test_the_plan_as_pdf(store: GraphStore, client: TestClient) -> None:
    answer = client.get(f"/v1/accounts/{ACCOUNT}/report.pdf", headers=new_key(store, ApiRole.VIEWER))
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(answer.content)).pages)
    assert "Helix Medical Group" in text and "Deal health" in text
    assert "No open deal" not in text  # the demo's open opportunity is listed with its win probability


def test_another_account_is_not_found_for_a_limited_key(store: GraphStore, client: TestClient) -> None:
    limited = new_key(store, ApiRole.VIEWER, accounts=(ACCOUNT,))
    answer = client.get(f"/v1/accounts/{OTHER}/report.pdf", headers=limited)
    assert answer.status_code == 404
    assert error_of(answer)["code"] == "not_found"


def test_an_unknown_account_is_not_found(store: GraphStore, client: TestClient) -> None:
    answer = client.get("/v1/accounts/no-such-account/report.pdf", headers=new_key(store, ApiRole.VIEWER))
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("application/json")


def test_the_plan_follows_accept_language(store: GraphStore, client: TestClient) -> None:
    headers = {**new_key(store, ApiRole.VIEWER), "Accept-Language": "zh-CN,zh;q=0.9"}
    answer = client.get(f"/v1/accounts/{ACCOUNT}/report.pdf", headers=headers)
    assert answer.status_code == 200 and answer.headers["content-language"] == "zh-CN"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(answer.content)).pages)
    zh = i18n.translations("zh_CN")
    assert zh.gettext("Deal health") in text and zh.gettext("Next best actions") in text
    assert "Deal health" not in text and "Helix Medical Group" in text
