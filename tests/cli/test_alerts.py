"""`accountgraph alerts ...`: run as of a reference date, list, ack, mute, subscribe, deliver, test, rules; bad
input ends with exit 1 and a message, never a traceback, and changes nothing (both backends through `--store`)."""

from __future__ import annotations

import json

import pytest

from accountgraph.graph.store import GraphStore
from accountgraph.services.webhook_targets import ALLOW_ENV
from tests.cli.support import invoke
from tests.services.alert_support import REF, SECRET, SECRET_ENV, http_receiver, load_account


@pytest.fixture(autouse=True)
def secret_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SECRET_ENV, SECRET)
    monkeypatch.setenv(ALLOW_ENV, "127.0.0.1")  # the receivers listen on loopback, which the default refuses


def test_the_alerts_commands(store: GraphStore) -> None:
    load_account(store)
    url = store.url
    with http_receiver() as hook:
        made = invoke(
            url, "alerts", "subscribe", "--webhook", hook.url, "--secret-env", SECRET_ENV, "--account", "acme"
        )
        assert made.exit_code == 0, made.output
        listed = invoke(url, "alerts", "subscriptions", "--json")
        subs = json.loads(listed.stdout)
        assert len(subs) == 1 and subs[0]["secret_env"] == SECRET_ENV and SECRET not in listed.stdout
        sub = subs[0]["id"]
        ran = invoke(url, "alerts", "run", "--reference", REF.isoformat())
        assert ran.exit_code == 0 and "1 raised" in ran.stdout and "Eve Buyer" in ran.stdout
        again = invoke(url, "alerts", "run", "--reference", REF.isoformat())
        assert "0 raised" in again.stdout
        alerts = json.loads(invoke(url, "alerts", "list", "--json").stdout)
        assert [a["subject"] for a in alerts] == ["eve"]
        assert invoke(url, "alerts", "ack", alerts[0]["id"]).exit_code == 0
        muted = invoke(url, "alerts", "mute", alerts[0]["id"])
        assert muted.exit_code == 0 and "muted" in muted.stdout
        sent = invoke(url, "alerts", "deliver")
        assert sent.exit_code == 0 and "1 delivered" in sent.stdout
        tested = invoke(url, "alerts", "test", "--channel", sub)
        assert tested.exit_code == 0, tested.output
    assert [d.body["rule"] for d in hook.deliveries] == ["thin_coverage", "key_person_left"]
    assert hook.deliveries[1].body["id"] == "al-test" and all(d.verified for d in hook.deliveries)
    rules = invoke(url, "alerts", "rule", "coverage_drop", "--points", "25", "--account", "acme", "--json")
    assert json.loads(rules.stdout)["coverage_drop"]["points"] == 25


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("alerts", "run", "--reference", "2026-13-01"), "not a date"),
        (("alerts", "run", "--account", "nope"), "not found"),
        (("alerts", "subscribe", "--webhook", "ftp://x"), "http:// or https://"),
        (("alerts", "subscribe", "--webhook", "http://x", "--format", "fax"), "format"),
        (("alerts", "subscribe", "--email", "x@y", "--secret-env", "a b"), "secret_env"),
        (("alerts", "subscribe", "--webhook", "http://x", "--rule", "nope"), "unknown rule"),
        (("alerts", "subscribe", "--webhook", "https://169.254.169.254/latest/meta-data/"), "webhook: 169.254.169.254"),
        (("alerts", "subscribe", "--webhook", "http://93.184.216.34/hook"), "webhook: https:// is required"),
        (("alerts", "ack", "al-nope"), "not found"),
        (("alerts", "test", "--channel", "sub-nope"), "not found"),
        (("alerts", "rule", "nope", "--days", "3"), "unknown rule"),
    ],
)
def test_bad_input_exits_1_and_changes_nothing(store: GraphStore, args: tuple[str, ...], message: str) -> None:
    load_account(store)
    result = invoke(store.url, *args)
    assert result.exit_code == 1, result.output
    assert message in result.output and "Traceback" not in result.output
    assert store.documents.list("alert_subscription") == [] and store.documents.list("alert") == []
