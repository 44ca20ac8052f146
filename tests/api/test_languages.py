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


def test_forbidden_in_chinese_says_the_services_reason(client: TestClient, store: GraphStore) -> None:
    viewer = new_key(store, ApiRole.VIEWER)
    company = {"id": "n", "name": "N"}
    english = client.put("/v1/companies/n", json=company, headers=viewer)
    assert english.status_code == 403 and error_of(english)["code"] == "forbidden"
    assert error_of(english)["message"] == "this needs a planner key (or higher); the key given is a viewer key"
    chinese = client.put("/v1/companies/n", json=company, headers={**viewer, "Accept-Language": "zh"})
    assert chinese.status_code == 403 and error_of(chinese)["code"] == "forbidden"
    # the service's own reason, translated with its fields (the roles as `--role` names them)
    assert error_of(chinese)["message"] == "此操作需要角色为 planner（或更高）的密钥；所给密钥的角色为 viewer"


def test_invalid_argument_in_chinese(client: TestClient, store: GraphStore) -> None:
    viewer = new_key(store, ApiRole.VIEWER)
    english = client.get("/v1/search/people", params={"q": " "}, headers=viewer)
    assert english.status_code == 422 and error_of(english)["code"] == "validation_error"
    empty = "the query is empty: give a name, title, e-mail or company to look for"
    assert error_of(english)["message"] == f"invalid request: query field 'q': {empty}"
    chinese = client.get("/v1/search/people", params={"q": " "}, headers={**viewer, **ZH})
    assert error_of(chinese)["code"] == "validation_error"
    said = "查询为空：请输入要查找的姓名、职务、电子邮件或公司"
    assert error_of(chinese)["message"] == f"请求无效：query field 'q': {said}"
    assert error_of(english)["details"] == [
        {"record": "query", "index": None, "id": None, "field": "q", "reason": empty, "code": "invalid"}
    ]
    assert error_of(chinese)["details"] == [{**error_of(english)["details"][0], "reason": said}]


def test_a_bad_cursor_in_chinese(client: TestClient, store: GraphStore) -> None:
    viewer = new_key(store, ApiRole.VIEWER)
    english = client.get("/v1/people", params={"cursor": "bm90LWpzb24"}, headers=viewer)
    assert english.status_code == 400 and error_of(english)["code"] == "bad_request"
    assert error_of(english)["message"] == "bad cursor: pass the `next_cursor` of the previous page as it is"
    chinese = client.get("/v1/people", params={"cursor": "bm90LWpzb24"}, headers={**viewer, **ZH})
    assert chinese.status_code == 400 and error_of(chinese)["code"] == "bad_request"
    assert error_of(chinese)["message"] == "游标无效：请原样传入上一页的 `next_cursor`"


def test_a_fields_reason_in_chinese(client: TestClient, store: GraphStore) -> None:
    """Pydantic's reasons (a query's limit) and the record rules' (a write's field) in the request's language, as
    the workspace's forms show them; English as pydantic and the rules write them."""
    viewer = new_key(store, ApiRole.VIEWER)
    english = client.get("/v1/search/people", params={"q": "x" * 300}, headers=viewer)
    assert english.status_code == 422
    assert error_of(english)["details"][0]["reason"] == "String should have at most 200 characters"
    chinese = client.get("/v1/search/people", params={"q": "x" * 300}, headers={**viewer, **ZH})
    assert chinese.status_code == 422 and error_of(chinese)["code"] == "validation_error"
    assert error_of(chinese)["details"] == [{**error_of(english)["details"][0], "reason": "最多应有 200 个字符"}]
    assert error_of(chinese)["message"] == "请求无效：1 个问题：query field 'q': 最多应有 200 个字符"

    planner = new_key(store, ApiRole.PLANNER)
    company = {"id": "n", "name": "N", "parent": " p"}
    refused = client.put("/v1/companies/n", json=company, headers=planner)
    assert refused.status_code == 422
    assert [i["reason"] for i in error_of(refused)["details"]] == ["must not start or end with whitespace"]
    refused = client.put("/v1/companies/n", json=company, headers={**planner, **ZH})
    assert refused.status_code == 422 and error_of(refused)["code"] == "validation_error"
    assert [i["reason"] for i in error_of(refused)["details"]] == ["开头和结尾不能有空白"]
    assert "开头和结尾不能有空白" in error_of(refused)["message"] and "whitespace" not in error_of(refused)["message"]
    assert client.get("/v1/companies/n", headers=planner).status_code == 404  # nothing was written
    # a reference the record rules check against the graph (the person form's company)
    person = {"id": "p", "name": "P", "company": "nowhere"}
    english = client.put("/v1/people/p", json=person, headers=planner)
    assert english.status_code == 422
    assert [(i["field"], i["reason"], i["code"]) for i in error_of(english)["details"]] == [
        ("company", "no company with id 'nowhere'", "reference")
    ]
    chinese = client.put("/v1/people/p", json=person, headers={**planner, **ZH})
    assert chinese.status_code == 422
    assert [(i["field"], i["reason"], i["code"]) for i in error_of(chinese)["details"]] == [
        ("company", "没有 id 为 'nowhere' 的公司", "reference")
    ]


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
    assert english.status_code == 422 and error_of(english)["message"].startswith("invalid request: 1 problem: ")
    chinese = client.put("/v1/companies/c1", json=body, headers={**planner, **ZH})
    assert chinese.status_code == 422 and error_of(chinese)["code"] == "validation_error"
    rest = error_of(english)["message"].removeprefix("invalid request: 1 problem: ")
    assert rest == "companies id='c1' field 'name': String should have at least 1 character"
    assert error_of(chinese)["message"] == "请求无效：1 个问题：companies id='c1' field 'name': 至少应有 1 个字符"
    assert error_of(chinese)["details"] == [{**error_of(english)["details"][0], "reason": "至少应有 1 个字符"}]
    # a count in words (issue 14 item 12: plurals), in both languages
    two = client.put("/v1/companies/c1", json={"id": "c1", "name": "", "parent": ""}, headers=planner)
    assert error_of(two)["message"].startswith("invalid request: 2 problems: "), error_of(two)["message"]
    two_zh = client.put("/v1/companies/c1", json={"id": "c1", "name": "", "parent": ""}, headers={**planner, **ZH})
    assert error_of(two_zh)["message"].startswith("请求无效：2 个问题：")
    bundle = {"companies": [{"id": "c2", "name": ""}, {"id": "c3", "name": ""}]}
    refused = client.post("/v1/import", json=bundle, headers=planner)
    assert error_of(refused)["message"].startswith("refused, nothing was written: 2 problems: "), refused.text


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
