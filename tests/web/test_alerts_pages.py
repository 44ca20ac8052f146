"""The workspace's alerts list: on the home and account pages, acknowledge and mute for planners only, each write
with the session's CSRF token (the app in-process; the clicks in Chromium are in `test_alerts_browser`)."""

from __future__ import annotations

from pathlib import Path

from accountgraph.schema.models import ApiRole
from accountgraph.services import alerts
from accountgraph.services.scope import Scope
from tests.services.alert_support import REF, load_account
from tests.web.support import new_key, sign_in, workspace


def test_the_alerts_list_with_ack_and_mute(tmp_path: Path) -> None:
    from accountgraph.graph.sqlite import SqliteStore

    store = SqliteStore(f"sqlite:///{tmp_path / 'w.db'}")
    try:
        load_account(store)
        alert = alerts.run(store, Scope.operator(), reference=REF).raised[0]
        planner, viewer = new_key(store, ApiRole.PLANNER), new_key(store, ApiRole.VIEWER)
        with workspace(store) as client:
            csrf = sign_in(client, viewer)
            home = client.get("/").text
            assert alert.reason in home and 'data-alert-do="ack"' not in home  # a viewer has no buttons
            refused = client.post("/web/alerts", json={"id": alert.id, "action": "ack"}, headers={"X-CSRF-Token": csrf})
            assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
        with workspace(store) as client:
            csrf = sign_in(client, planner)
            page = client.get("/accounts/acme").text
            assert alert.reason in page and 'data-alert-do="ack"' in page
            forged = client.post("/web/alerts", json={"id": alert.id, "action": "ack"})
            assert forged.status_code == 403
            assert alerts.get_alert(store, Scope.operator(), alert.id).acknowledged_at is None
            bad = client.post("/web/alerts", json={"id": alert.id, "action": "x"}, headers={"X-CSRF-Token": csrf})
            assert bad.status_code == 422 and "error" in bad.json()
            done = client.post("/web/alerts", json={"id": alert.id, "action": "ack"}, headers={"X-CSRF-Token": csrf})
            assert done.json() == {"alert": alert.id, "muted": False, "acknowledged": True}
            client.post("/web/alerts", json={"id": alert.id, "action": "mute"}, headers={"X-CSRF-Token": csrf})
            page = client.get("/accounts/acme").text
            assert "(muted)" in page and "(acknowledged)" in page and 'data-alert-do="unmute"' in page
            missing = client.post("/web/alerts", json={"id": "al-x", "action": "ack"}, headers={"X-CSRF-Token": csrf})
            assert missing.status_code == 404
    finally:
        store.close()
