"""`POST /v1/import/mail` and `/v1/import/calendar`: the file as the body, the same use case as `accountgraph
capture` (the plan, nothing written by a dry run, 422 naming the file and where, planners only)."""

from __future__ import annotations

from pathlib import Path

from accountgraph.graph.sqlite import SqliteStore
from accountgraph.schema.models import ApiRole
from tests.api.support import api, new_key
from tests.services import capture_case as case


def test_capture_over_the_api(tmp_path: Path) -> None:
    with SqliteStore(f"sqlite:///{tmp_path / 'api.db'}") as store, api(store) as client:
        store.load_bundle(case.ACCOUNT)
        mbox = {**new_key(store, ApiRole.PLANNER), "content-type": "application/mbox"}
        ics = {**mbox, "content-type": "text/calendar"}
        path = "/v1/import/mail?account=acme&as_of=2026-06-29&filename=team.mbox"
        r = client.post(path + "&dry_run=true", content=case.mbox_bytes(), headers=mbox)
        assert r.status_code == 200, r.text
        plan = r.json()
        assert plan["imported"] is None and plan["messages"] == 300
        assert plan["interactions"] == {"new": 220, "already stored": 0}
        assert plan["people_to_add"][0] == {
            "address": "buyer@acme.example", "domain": "acme.example", "company": "acme", "count": 10
        }  # fmt: skip
        assert store.counts()["interactions"] == 0
        r = client.post(path, content=case.mbox_bytes(), headers=mbox)
        assert r.status_code == 200 and r.json()["imported"]["interactions"] == 220
        r = client.post(
            "/v1/import/calendar?account=acme&as_of=2026-06-29", content=case.ics_text().encode(), headers=ics
        )
        assert r.status_code == 200 and r.json()["imported"]["interactions"] == 20
        tie = store.get_tie("knows", "t-ann", "p-cto")
        assert abs(tie.strength - case.ANN_CTO) < 1e-4
        version = store.data_version()
        r = client.post(path, content=case.mbox_bytes(), headers=mbox)
        assert r.status_code == 200 and r.json()["interactions"] == {"new": 0, "already stored": 220}
        assert store.data_version() == version
        viewer = {**new_key(store, ApiRole.VIEWER), "content-type": "application/mbox"}
        assert client.post(path, content=case.mbox_bytes(), headers=viewer).status_code == 403


def test_a_malformed_file_is_a_422_naming_the_file_and_where(tmp_path: Path) -> None:
    with SqliteStore(f"sqlite:///{tmp_path / 'api.db'}") as store, api(store) as client:
        store.load_bundle(case.ACCOUNT)
        headers = {**new_key(store, ApiRole.PLANNER), "content-type": "application/mbox"}
        data = case.mbox_bytes()
        r = client.post(
            "/v1/import/mail?account=acme&filename=team.mbox",
            content=data[: data.index(b"Message-ID: <cto-3@")],
            headers=headers,
        )
        assert r.status_code == 422, r.text
        body = r.json()
        (issue,) = body["error"]["details"]
        assert issue["record"] == "team.mbox" and issue["field"].startswith("message 104 (line")
        assert "truncated" in issue["reason"]
        bad = case.ics_text().replace("END:VCALENDAR\r\n", "")
        r = client.post(
            "/v1/import/calendar?account=acme",
            content=bad.encode(),
            headers={**headers, "content-type": "text/calendar"},
        )
        assert r.status_code == 422 and "never closed" in r.text and "calendar.ics" in r.text
        r = client.post("/v1/import/mail?account=nope", content=data, headers=headers)
        assert r.status_code == 404
        assert store.counts()["interactions"] == 0


def test_post_capture_takes_one_file_or_several_told_apart_by_content(tmp_path: Path) -> None:
    import base64

    with SqliteStore(f"sqlite:///{tmp_path / 'api.db'}") as store, api(store) as client:
        store.load_bundle(case.ACCOUNT)
        key = new_key(store, ApiRole.PLANNER)
        path = "/v1/capture?account=acme&as_of=2026-06-29"
        r = client.post(path + "&dry_run=true", content=case.ics_text().encode(),
                        headers={**key, "content-type": "application/octet-stream"})  # fmt: skip
        assert r.status_code == 200, r.text
        assert r.json()["meetings"] == 23 and r.json()["messages"] == 0 and r.json()["imported"] is None
        bad = {"files": [{"filename": "team.mbox", "base64": base64.b64encode(case.mbox_bytes()).decode()},
                         {"filename": "notes.txt", "text": "hello world"}]}  # fmt: skip
        r = client.post(path, json=bad, headers=key)
        assert r.status_code == 422, r.text
        (issue,) = r.json()["error"]["details"]
        assert issue["record"] == "notes.txt" and "neither a calendar" in issue["reason"]
        assert store.counts()["interactions"] == 0
        both = {"files": [bad["files"][0], {"filename": "team.ics", "text": case.ics_text()}]}
        r = client.post(path, json=both, headers=key)
        assert r.status_code == 200, r.text
        assert r.json()["files"] == ["team.mbox", "team.ics"] and r.json()["imported"]["interactions"] == 240
        assert store.counts()["interactions"] == 240
        for wrong in ({"files": []}, {"files": [{"filename": "x"}]}, {"files": [{"filename": "x", "base64": "!!"}]}):
            assert client.post(path, json=wrong, headers=key).status_code == 422
        viewer = new_key(store, ApiRole.VIEWER)
        assert client.post(path, json=both, headers=viewer).status_code == 403
