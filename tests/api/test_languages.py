"""The API's error messages follow `Accept-Language` (English by default and unchanged); the `code` stays English."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from accountgraph.graph.store import GraphStore
from accountgraph.schema.models import ApiRole
from tests.api.support import api, error_of, new_key
from tests.conftest import sqlite_store

ZH = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[GraphStore]:
    s = sqlite_store(tmp_path)
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def client(store: GraphStore) -> Iterator[TestClient]:
    with api(store) as c:
        yield c


def test_not_found_in_chinese_and_in_english(client: TestClient, store: GraphStore) -> None:
    viewer = new_key(store, ApiRole.VIEWER)
    english = client.get("/v1/people/nobody", headers=viewer)
    assert english.status_code == 404
    assert error_of(english) == {
        "code": "not_found",
        "message": "person 'nobody' not found",
        "details": {"kind": "person", "id": "nobody"},
    }
    assert "content-language" not in english.headers
    chinese = client.get("/v1/people/nobody", headers={**viewer, **ZH})
    assert chinese.status_code == 404 and chinese.headers["content-language"] == "zh-CN"
    assert error_of(chinese) == {**error_of(english), "message": "未找到人员 'nobody'"}
    company = client.get("/v1/companies/nowhere", headers={**viewer, "Accept-Language": "zh-Hans"})
    assert error_of(company)["message"] == "未找到公司 'nowhere'"


def test_forbidden_in_chinese_keeps_the_reason(client: TestClient, store: GraphStore) -> None:
    viewer = new_key(store, ApiRole.VIEWER)
    company = {"id": "n", "name": "N"}
    english = client.put("/v1/companies/n", json=company, headers=viewer)
    assert english.status_code == 403 and error_of(english)["code"] == "forbidden"
    reason = error_of(english)["message"]
    assert reason.startswith("this needs a planner key")
    chinese = client.put("/v1/companies/n", json=company, headers={**viewer, "Accept-Language": "zh"})
    assert chinese.status_code == 403 and error_of(chinese)["code"] == "forbidden"
    assert error_of(chinese)["message"] == f"无权执行此操作：{reason}"


def test_invalid_argument_in_chinese(client: TestClient, store: GraphStore) -> None:
    viewer = new_key(store, ApiRole.VIEWER)
    english = client.get("/v1/search/people", params={"q": " "}, headers=viewer)
    assert english.status_code == 422 and error_of(english)["code"] == "validation_error"
    assert error_of(english)["message"].startswith("invalid request: ")
    chinese = client.get("/v1/search/people", params={"q": " "}, headers={**viewer, **ZH})
    assert error_of(chinese)["code"] == "validation_error"
    assert error_of(chinese)["message"] == "请求无效：" + error_of(english)["message"].removeprefix("invalid request: ")
    assert error_of(chinese)["details"] == error_of(english)["details"]


def test_no_such_endpoint_and_method_in_chinese(client: TestClient, store: GraphStore) -> None:
    viewer = new_key(store, ApiRole.VIEWER)
    assert (
        error_of(client.get("/v1/nothing-here", headers=viewer))["message"] == "no such endpoint: GET /v1/nothing-here"
    )
    missing = client.get("/v1/nothing-here", headers={**viewer, **ZH})
    assert error_of(missing) == {"code": "not_found", "message": "没有这个接口：GET /v1/nothing-here", "details": None}
    wrong = client.delete("/v1/search/people", headers={**viewer, **ZH})
    assert wrong.status_code == 405 and error_of(wrong)["code"] == "method_not_allowed"
    assert error_of(wrong)["message"].startswith("此路径不接受 DELETE；可用方法：")


@pytest.mark.parametrize("header", ["en-US,en;q=0.9", "de-DE", "zh-CN;q=0.3, en;q=0.8", "*"])
def test_english_when_the_header_prefers_no_chinese(client: TestClient, store: GraphStore, header: str) -> None:
    viewer = new_key(store, ApiRole.VIEWER)
    r = client.get("/v1/people/nobody", headers={**viewer, "Accept-Language": header})
    assert error_of(r)["message"] == "person 'nobody' not found"


def test_a_body_that_does_not_validate_in_chinese(client: TestClient, store: GraphStore) -> None:
    planner = new_key(store, ApiRole.PLANNER)
    body = {"id": "c1", "name": ""}
    english = client.put("/v1/companies/c1", json=body, headers=planner)
    assert english.status_code == 422 and error_of(english)["message"].startswith("invalid request: 1 problem(s): ")
    chinese = client.put("/v1/companies/c1", json=body, headers={**planner, **ZH})
    assert chinese.status_code == 422 and error_of(chinese)["code"] == "validation_error"
    rest = error_of(english)["message"].removeprefix("invalid request: 1 problem(s): ")
    assert error_of(chinese)["message"] == f"请求无效：1 个问题：{rest}"
    assert error_of(chinese)["details"] == error_of(english)["details"]


def test_what_the_middleware_answers_in_chinese_too(store: GraphStore) -> None:
    """401 (no key, an unknown key), 429 (too many failures) and 413 (a body over the limit) come from the
    middleware, before any route: they follow Accept-Language as well, the code and the headers unchanged."""
    with api(store, max_body_bytes=100, auth_failure_limit=2) as c:
        big = c.post("/v1/import", content=b"x" * 500, headers={**new_key(store, ApiRole.PLANNER), **ZH})
        assert big.status_code == 413
        assert error_of(big) == {"code": "payload_too_large", "message": "请求体超过 100 字节的上限", "details": None}
        none = c.get("/v1/accounts", headers=ZH)
        assert none.status_code == 401 and none.headers["www-authenticate"] == "Bearer"
        assert none.headers["content-language"] == "zh-CN"
        assert error_of(none) == {
            "code": "unauthorized",
            "message": "需要 API 密钥：请发送请求头 `Authorization: Bearer <key>`",
            "details": None,
        }
        english = c.get("/v1/accounts")
        assert error_of(english)["message"] == "an API key is required: send the header `Authorization: Bearer <key>`"
        assert "content-language" not in english.headers
        wrong = {"Authorization": "Bearer agk_nope_nothing", **ZH}
        answers = [c.get("/v1/accounts", headers=wrong) for _ in range(3)]
        assert [r.status_code for r in answers] == [401, 401, 429]
        assert error_of(answers[0])["message"] == "API 密钥未知或已吊销"
        limited = error_of(answers[2])["message"]
        assert limited.startswith("认证失败次数过多；请在 ") and limited.endswith(" 秒后重试")
        assert answers[2].headers["retry-after"] in limited
