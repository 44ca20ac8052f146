"""`/v1/portfolio/...` over HTTP on the hand-computed portfolio of `tests/services/test_portfolio.py` (SQLite: the
service is checked on both backends there): every section, the chart, the scope of a key, the strategic flag."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from accountgraph.graph.store import GraphStore
from accountgraph.schema.models import ApiRole
from accountgraph.services import portfolio
from accountgraph.services.scope import Scope
from tests.api.support import api, error_of, new_key
from tests.conftest import sqlite_store
from tests.services.test_portfolio import KPI_DAY, REF, build, kpi_book

ON = {"on": REF.isoformat()}


@pytest.fixture
def book(tmp_path: Path) -> Iterator[GraphStore]:
    with sqlite_store(tmp_path) as store:
        yield build(store)


@pytest.fixture
def http(book: GraphStore) -> Iterator[TestClient]:
    with api(book) as client:
        yield client


def test_every_section_is_the_services(http: TestClient, book: GraphStore) -> None:
    viewer = new_key(book, ApiRole.VIEWER)
    whole = http.get("/v1/portfolio", params=ON, headers=viewer)
    assert whole.status_code == 200, whole.text
    expected = portfolio.overview(book, Scope.operator(), on=REF).model_dump(mode="json")
    assert whole.json() == expected
    assert whole.json()["risk"]["total"] == {"amount": "3400.00", "currency": "EUR"}
    keys = http.get("/v1/portfolio/keys", params={**ON, "contribution": "50"}, headers=viewer).json()
    assert [k["account"] for k in keys if "contribution" in k["criteria"]] == ["alpha", "beta"]
    assert http.get("/v1/portfolio/value", params=ON, headers=viewer).json() == expected["value"]
    assert http.get("/v1/portfolio/risk", params=ON, headers=viewer).json() == expected["risk"]
    assert http.get("/v1/portfolio/attention", params=ON, headers=viewer).json() == expected["attention"]
    chart = http.get("/v1/portfolio/value/chart", params=ON, headers=viewer)
    assert chart.status_code == 200 and chart.headers["content-type"].startswith("image/svg+xml")
    ET.fromstring(chart.text)


def test_a_key_limited_to_one_account_sees_a_portfolio_of_that_account(http: TestClient, book: GraphStore) -> None:
    gamma = new_key(book, ApiRole.VIEWER, accounts=("gamma",))
    keys = http.get("/v1/portfolio/keys", params=ON, headers=gamma).json()
    assert [(k["account"], k["status"], k["revenue_share"]) for k in keys] == [("gamma", "key", 1.0)]
    risk = http.get("/v1/portfolio/risk", params=ON, headers=gamma).json()
    assert [r["account"] for r in risk["accounts"]] == ["gamma"] and risk["total"]["amount"] == "600.00"
    planner = new_key(book, ApiRole.PLANNER, accounts=("gamma",))
    outside = http.put("/v1/portfolio/strategic/beta", json={"reason": "x"}, headers=planner)
    assert outside.status_code == 404, outside.text


def test_the_strategic_flag_is_a_planners_write(http: TestClient, book: GraphStore) -> None:
    body = {"strategic": True, "reason": "industry leader in imaging"}
    denied = http.put("/v1/portfolio/strategic/beta", json=body, headers=new_key(book, ApiRole.VIEWER))
    assert denied.status_code == 403 and error_of(denied)["code"] == "forbidden"
    planner = new_key(book, ApiRole.PLANNER)
    done = http.put("/v1/portfolio/strategic/beta", json=body, headers=planner)
    assert done.status_code == 200, done.text
    assert (done.json()["strategic"], done.json()["reason"]) == (True, "industry leader in imaging")
    keys = http.get("/v1/portfolio/keys", params=ON, headers=planner).json()
    assert next(k for k in keys if k["account"] == "beta")["status"] == "key"
    assert http.put("/v1/portfolio/strategic/nobody", json=body, headers=planner).status_code == 404


def test_bad_parameters_are_422(http: TestClient, book: GraphStore) -> None:
    viewer = new_key(book, ApiRole.VIEWER)
    for params in ({"contribution": "0"}, {"contribution": "101"}, {"on": "yesterday"}, {"currency": "euro"}):
        response = http.get("/v1/portfolio/keys", params=params, headers=viewer)
        assert response.status_code == 422, (params, response.text)
    assert http.get("/v1/portfolio/keys", params={"limit": "3"}, headers=viewer).status_code == 422


def test_the_kpis(tmp_path: Path) -> None:
    with sqlite_store(tmp_path) as store, api(store) as client:
        kpi_book(store)
        viewer = new_key(store, ApiRole.VIEWER)
        got = client.get("/v1/portfolio/kpis", params={"on": KPI_DAY.isoformat()}, headers=viewer)
        assert got.status_code == 200, got.text
        expected = portfolio.operating_kpis(store, Scope.operator(), on=KPI_DAY).model_dump(mode="json")
        assert got.json() == expected
        assert client.get("/v1/portfolio/kpis", params={"period": "decade"}, headers=viewer).status_code == 422
        scoped = new_key(store, ApiRole.VIEWER, accounts=("small",))
        mine = client.get("/v1/portfolio/kpis", params={"on": KPI_DAY.isoformat()}, headers=scoped).json()
        assert mine["key_accounts"] == ["small"]  # the only account it sees makes all of its revenue
