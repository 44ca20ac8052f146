"""`/v1/alerts`: evaluate, list, acknowledge, mute, subscribe (both backends, the app in-process); errors are JSON
with the right status; the server's background worker raises and delivers after a write made through the API."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from accountgraph.graph.store import GraphStore
from accountgraph.schema.models import ApiRole, today
from accountgraph.services.webhook_targets import ALLOW_ENV
from tests.api.support import api, new_key
from tests.services.alert_support import REF, SECRET, SECRET_ENV, http_receiver, load_account


@pytest.fixture(autouse=True)
def secret_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SECRET_ENV, SECRET)
    monkeypatch.setenv(ALLOW_ENV, "127.0.0.1")  # the receivers listen on loopback, which the default refuses


def _error(response: object, status: int) -> dict[str, object]:
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert set(body) == {"error"} and body["error"]["message"]
    return dict(body["error"])


def test_alerts_through_the_api(store: GraphStore) -> None:
    load_account(store)
    planner = new_key(store, ApiRole.PLANNER)
    viewer = new_key(store, ApiRole.VIEWER)
    with api(store) as client, http_receiver() as hook:
        sub = client.post(
            "/v1/alerts/subscriptions",
            json={"webhook": f"{hook.url}/T0K3N?key=abc", "format": "slack", "secret_env": SECRET_ENV},
            headers=planner,
        )
        assert sub.status_code == 201, sub.text
        assert "T0K3N" not in sub.text and "abc" not in sub.text and SECRET not in sub.text
        assert sub.json()["secret_env"] == SECRET_ENV
        ran = client.post("/v1/alerts/run", json={"reference": REF.isoformat()}, headers=planner)
        assert ran.status_code == 200, ran.text
        assert [a["subject"] for a in ran.json()["raised"]] == ["eve"] and ran.json()["queued"] == 1
        listed = client.get("/v1/alerts", headers=viewer).json()
        assert listed["count"] == 1
        alert = listed["data"][0]
        zh = client.get(f"/v1/alerts/{alert['id']}", headers={**viewer, "Accept-Language": "zh-CN"}).json()
        assert "单线覆盖" in zh["reason"]
        _error(client.post(f"/v1/alerts/{alert['id']}/ack", headers=viewer), 403)
        acked = client.post(f"/v1/alerts/{alert['id']}/ack", headers=planner)
        assert acked.status_code == 200 and acked.json()["acknowledged_at"]
        muted = client.post(f"/v1/alerts/{alert['id']}/mute", json={"muted": True}, headers=planner)
        assert muted.json()["muted"] is True
        delivered = client.post("/v1/alerts/deliver", headers=planner)
        assert delivered.status_code == 200 and len(delivered.json()["delivered"]) == 1
        assert len(hook.deliveries) == 1 and hook.deliveries[0].verified
        assert hook.deliveries[0].path.startswith("/hook/T0K3N?key=abc")
        rules = client.put("/v1/alerts/rules/coverage_drop", json={"points": 20}, headers=planner)
        assert rules.status_code == 200 and rules.json()["coverage_drop"]["points"] == 20


def test_alert_errors_are_json_with_the_right_status(store: GraphStore) -> None:
    load_account(store)
    planner = new_key(store, ApiRole.PLANNER)
    scoped = new_key(store, ApiRole.PLANNER, accounts=("acme",))
    with api(store) as client:
        _error(client.get("/v1/alerts/al-nope", headers=planner), 404)
        _error(client.post("/v1/alerts/al-nope/ack", headers=planner), 404)
        _error(client.post("/v1/alerts/subscriptions", json={"webhook": "ftp://x"}, headers=planner), 422)
        _error(client.post("/v1/alerts/subscriptions", json={"email": "x@y", "format": "fax"}, headers=planner), 422)
        _error(
            client.post("/v1/alerts/subscriptions", json={"webhook": "http://x", "secret": "s"}, headers=planner), 422
        )
        _error(client.post("/v1/alerts/subscriptions", json={}, headers=planner), 422)
        for internal in ("https://169.254.169.254/latest/meta-data/", "https://10.0.0.1/hook", "https://[::1]/x"):
            refused = _error(client.post("/v1/alerts/subscriptions", json={"webhook": internal}, headers=planner), 422)
            assert "not a public address" in str(refused["message"])
            assert [d["field"] for d in refused["details"]] == ["webhook"]  # type: ignore[union-attr]
        _error(client.post("/v1/alerts/run", json={"reference": "2026-13-01"}, headers=planner), 422)
        _error(client.post("/v1/alerts/run", json={"account": "nope"}, headers=planner), 404)
        _error(client.put("/v1/alerts/rules/nope", json={"days": 3}, headers=planner), 422)
        _error(client.put("/v1/alerts/rules/thin_coverage", json={"days": 0}, headers=planner), 422)
        _error(client.post("/v1/alerts/deliver", headers=scoped), 403)
        _error(client.post("/v1/alerts/subscriptions/sub-nope/test", headers=planner), 404)
        assert client.get("/v1/alerts/subscriptions", headers=planner).json()["count"] == 0
        # a key limited to acme subscribes to acme only
        made = client.post("/v1/alerts/subscriptions", json={"email": "me@example.com"}, headers=scoped)
        assert made.status_code == 201 and made.json()["accounts"] == ["acme"]


def _wait(predicate: object, seconds: float = 120.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(0.1)
    return False


def test_the_worker_raises_and_delivers_after_a_write(store: GraphStore) -> None:
    """The champion leaves through the API: the server's worker evaluates after the write and delivers one
    message for it (evaluated on today's date: the ties of the account are long stale by then)."""
    load_account(store)
    planner = new_key(store, ApiRole.PLANNER)
    with http_receiver() as hook, api(store, alerts_worker=True, alerts_interval_seconds=0.2) as client:
        client.post(
            "/v1/alerts/subscriptions",
            json={"webhook": hook.url, "secret_env": SECRET_ENV, "accounts": ["acme"], "rules": ["key_person_left"]},
            headers=planner,
        ).raise_for_status()
        person = {
            "id": "cara",
            "name": "Cara Champion",
            "company": "acme",
            "roles": ["champion"],
            "stance": "supporter",
            "until": (today() - timedelta(days=1)).isoformat(),
        }
        client.put("/v1/people/cara", json=person, headers=planner).raise_for_status()
        assert _wait(lambda: len(hook.deliveries) >= 1)
        time.sleep(1.0)  # more runs of the worker send nothing more
    assert [d.body["rule"] for d in hook.deliveries] == ["key_person_left"]
    assert hook.deliveries[0].body["subject"] == "cara" and hook.deliveries[0].verified
