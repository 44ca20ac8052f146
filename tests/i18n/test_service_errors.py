"""The services' refusals that were English in Chinese (issue 19): the ledger's value checks, an alert
subscription's and a webhook's checks, a bundle's file-format reasons and the API's unknown query parameter. Each
is said in Chinese by the CLI (`--lang zh-CN`, on stderr) and the API (`Accept-Language: zh-CN`, the JSON
`message`), with none of the English words of its message left; in English it reads as before, byte for byte."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from accountgraph import i18n
from accountgraph.errors import InvalidArgument
from accountgraph.graph.store import GraphStore
from accountgraph.graph.validation import parse_bundle
from accountgraph.i18n.phrase import Phrase, say
from accountgraph.ledger import service
from accountgraph.services import webhook_targets
from tests.api.support import client, planner, store_env
from tests.ledger.support import accounts, contract

FIXTURES = (client, planner)  # used as test arguments
HAN = re.compile(r"[\u4e00-\u9fff]")
ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
H = dict[str, str]


def english_left(text: str, english: str) -> set[str]:
    """The English words (3 letters or more) of `english` still in `text`, leaving out ids and codes the two
    share on purpose (quoted values, fields and codes as they are typed, ISO, ASCII, URL schemes)."""
    kept = {
        "EUR",
        "ISO",
        "ASCII",
        "JSON",
        "http",
        "https",
        "URL",
        "webhook",
        "email",
        "format",
        "secret",
        "env",
        "language",
    }
    kept |= {"generic", "slack", "teams", "wecom", "dingtalk", "feishu", "unit"}  # codes, the product id
    words = set(re.findall(r"[A-Za-z]{3,}", re.sub(r"'[^']*'", "", text)))  # quoted: a value, an id, a field
    return {w for w in re.findall(r"[A-Za-z]{3,}", english) if w in words and w not in kept}


def test_the_ledger_refuses_in_chinese_on_the_cli_and_the_api_and_in_english_as_before(
    client: TestClient, planner: H, store: GraphStore, request: pytest.FixtureRequest
) -> None:
    from accountgraph.cli import app

    accounts(store, "a")
    c = contract(store, "a", "100")
    order = service.create_order(store, c.id, "60", order_id="O", on=c.start)
    [inv] = service.invoice_order(store, order.id, on=c.start)
    env = {**store_env(store, request), "COLUMNS": "400"}
    runner = CliRunner()
    line = {"product": "unit", "quantity": "1"}
    cases = [
        (
            ["quote", "create", "a", "-l", "unit=1.5"],
            ("POST", "/v1/quotes", {"account": "a", "lines": [{**line, "quantity": "1.5"}]}, {}),
            "line 1 (unit) quantity: 1.5 is not a whole number: 'unit' is sold by the piece, in whole numbers",
        ),
        (
            ["quote", "create", "a", "-l", "unit=1", "--discount", "100.5"],
            ("POST", "/v1/quotes", {"account": "a", "lines": [line], "manual_discount": "100.5"}, {}),
            "manual discount must be between 0 and 100, not 100.5",
        ),
        (
            ["quote", "create", "a", "-l", "unit=1", "--currency", "eur"],
            ("POST", "/v1/quotes", {"account": "a", "lines": [line], "currency": "eur"}, {}),
            "currency: an ISO 4217 code such as EUR, not 'eur'",
        ),
        (
            ["quote", "create", "a", "-l", "unit=1", "--valid-days", "3651"],
            ("POST", "/v1/quotes", {"account": "a", "lines": [line], "valid_days": 3651}, {}),
            "validity in days must be a whole number from 1 to 3650, not 3651",
        ),
        (
            ["order", "create", c.id, "0"],
            ("POST", "/v1/orders", {"contract": c.id, "amount": "0"}, {}),
            "order amount must be greater than 0, not 0",
        ),
        (
            ["pay", inv.id, "1.0000001", "--key", "k1"],
            ("POST", "/v1/payments", {"invoice": inv.id, "amount": "1.0000001"}, {"Idempotency-Key": "k1"}),
            "payment amount: not an amount: '1.0000001' has too many digits (a decimal such as '1250.00', at most "
            "15 digits before the point and 6 after)",
        ),
        (
            ["pay", inv.id, "1.00", "--key", "a key"],
            ("POST", "/v1/payments", {"invoice": inv.id, "amount": "1.00"}, {"Idempotency-Key": "a key"}),
            "idempotency key: 1 to 200 visible ASCII characters without spaces, not 'a key'",
        ),
    ]
    for args, (method, path, body, headers), english in cases:
        plain = runner.invoke(app, args, env=env)
        assert plain.exit_code == 1 and english in " ".join(plain.output.split()), (args, plain.output)
        chinese = runner.invoke(app, ["--lang", "zh-CN", *args], env=env)
        said = " ".join(chinese.stderr.split())
        assert chinese.exit_code == 1 and HAN.search(said), (args, chinese.output)
        assert not english_left(said, english), (args, said)
        answer = client.request(method, path, json=body, headers={**planner, **headers})
        assert answer.status_code == 422 and english in answer.json()["error"]["message"], answer.text
        answer = client.request(method, path, json=body, headers={**planner, **headers, **ZH})
        message = answer.json()["error"]["message"]
        assert answer.status_code == 422 and HAN.search(message), answer.text
        assert not english_left(message, english), message


def test_a_subscription_and_a_webhook_are_refused_in_chinese(
    client: TestClient, planner: H, store: GraphStore, request: pytest.FixtureRequest
) -> None:
    from accountgraph.cli import app

    for body, english in (
        ({}, "give either a webhook URL or an e-mail address"),
        ({"webhook": "https://10.0.0.1/hook"}, "webhook: 10.0.0.1 is not a public address (loopback, private"),
        ({"webhook": "http://93.184.216.34/hook"}, "webhook: https:// is required (the operator may allow"),
    ):
        plain = client.post("/v1/alerts/subscriptions", json=body, headers=planner)
        assert plain.status_code == 422 and english in plain.json()["error"]["message"], plain.text
        chinese = client.post("/v1/alerts/subscriptions", json=body, headers={**planner, **ZH})
        message = chinese.json()["error"]["message"]
        assert chinese.status_code == 422 and HAN.search(message), chinese.text
        assert not english_left(message, english), message
    env = {**store_env(store, request), "COLUMNS": "400"}
    email = ["alerts", "subscribe", "--email", "x@y.example"]
    for args, english in (
        ([*email, "--format", "fax"], "format: one of generic, slack, teams, wecom, dingtalk, feishu, not 'fax'"),
        ([*email, "--secret-env", "a secret"], "secret_env: the NAME of an environment variable"),
        ([*email, "--language", "fr"], "language: en or zh_CN"),
        ([*email, "--rule", "nope"], "unknown rule 'nope'; one of"),
        (["alerts", "subscribe", "--email", "not-an-address"], "email: not an e-mail address: 'not-an-address'"),
    ):
        plain = CliRunner().invoke(app, args, env=env)
        assert plain.exit_code == 1 and english in " ".join(plain.output.split()), (args, plain.output)
        chinese = CliRunner().invoke(app, ["--lang", "zh-CN", *args], env=env)
        said = " ".join(chinese.stderr.split())
        assert chinese.exit_code == 1 and HAN.search(said) and not english_left(said, english), (args, said)
    assert not store.documents.list("alert_subscription")  # nothing stored
    with pytest.raises(InvalidArgument) as refused:
        webhook_targets.check("https://localhost/x")  # a name: the address it resolves to is named
    assert re.match(r"webhook: localhost is resolved to \S+, not a public address \(loopback", str(refused.value))
    with i18n.use("zh_CN"):
        assert re.match(r"webhook：localhost 解析为 \S+，不是公网地址（回环", refused.value.said())


def test_a_bundles_file_format_reasons_are_said_in_chinese(tmp_path: Path) -> None:
    from accountgraph.cli import app
    from accountgraph.errors import BundleRejected

    for raw, english in (
        ([], "a bundle must be a JSON object"),
        ({"companies": [], "peoples": []}, "unknown list; expected"),
        ({"companies": {}}, "must be a list"),
        ({"version": 2}, "only version 1 is known"),
    ):
        with pytest.raises(BundleRejected) as refused:
            parse_bundle(raw)
        reason = refused.value.issues[0].reason
        assert isinstance(reason, Phrase) and str(reason).startswith(english)
        with i18n.use("zh_CN"):
            chinese_reason = say(reason)
        assert HAN.search(chinese_reason) and not english_left(chinese_reason, english), chinese_reason
        bundle = tmp_path / "bundle.json"
        bundle.write_text(json.dumps(raw))
        env = {"ACCOUNTGRAPH_STORE": f"sqlite:///{tmp_path / 'x.db'}", "COLUMNS": "400"}
        plain = CliRunner().invoke(app, ["import", str(bundle)], env=env)
        assert plain.exit_code != 0 and english in " ".join(plain.output.split()), plain.output
        chinese = CliRunner().invoke(app, ["--lang", "zh-CN", "import", str(bundle)], env=env)
        said = " ".join(chinese.stderr.split())
        assert chinese.exit_code != 0 and chinese_reason in said and english not in said, chinese.output


def test_an_unknown_query_parameter_is_refused_in_chinese(client: TestClient, planner: H) -> None:
    plain = client.get("/v1/alerts?limt=5", headers=planner)
    error = plain.json()["error"]
    assert plain.status_code == 422 and error["message"] == "invalid request: query parameter(s) limt", plain.text
    assert error["details"][0]["reason"] == "unknown parameter; this operation takes: account, status"
    chinese = client.get("/v1/alerts?limt=5", headers={**planner, **ZH})
    error = chinese.json()["error"]
    assert chinese.status_code == 422 and error["message"] == "请求无效：查询参数 limt", chinese.text
    assert error["details"][0]["reason"] == "未知参数；此操作接受：account, status", error


def test_the_stores_document_checks_are_said_in_chinese(store: GraphStore) -> None:
    from accountgraph.graph.store import document_json

    with pytest.raises(InvalidArgument) as unknown:
        store.documents.list("nope")
    assert str(unknown.value).startswith("unknown document kind 'nope'; one of ")
    with pytest.raises(InvalidArgument) as floating:
        document_json({"amount": 1.5})
    assert str(floating.value) == "document data holds no float or Decimal: store amounts as decimal strings"
    with i18n.use("zh_CN"):
        assert unknown.value.said().startswith("未知的文档类型 'nope'；应为 ")
        assert floating.value.said() == "文档数据不能含浮点数或 Decimal：金额请存为十进制字符串"
