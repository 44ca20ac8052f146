"""The workspace's import page (`/import`) over a real SQLite file, in-process: the preview of an export and of
mail and calendars, the confirmed import, bad files, viewers, CSRF, escaping and the page in Chinese. (The same
page in Chromium: tests/web/test_upload_browser.py.)"""

from __future__ import annotations

import re
from collections.abc import Iterator
from importlib import resources
from typing import Any

import pytest
from fastapi.testclient import TestClient

from accountgraph.graph.store import GraphStore
from tests.services import capture_case as case
from tests.web.support import HOSTILE, make_store, new_key, sign_in, workspace

SAMPLES = resources.files("accountgraph.samples") / "imports"
SF_CONTACTS = (SAMPLES / "salesforce-contacts.csv").read_bytes()
SF_ROOT = "sf-0015g00000AbCdE1"  # Northwind Holdings, the contacts' account


@pytest.fixture
def store(tmp_path: Any) -> Iterator[GraphStore]:
    s = make_store(tmp_path / "web.db")
    try:
        yield s
    finally:
        s.close()


def _client(store: GraphStore, role: str) -> Iterator[tuple[TestClient, str]]:
    with workspace(store) as client:
        yield client, sign_in(client, new_key(store, role))


@pytest.fixture
def planner(store: GraphStore) -> Iterator[tuple[TestClient, str]]:
    yield from _client(store, "planner")


def post(client: TestClient, csrf: str | None, files: list[tuple[str, bytes]], **fields: str) -> Any:
    data = {"mode": "profile", "profile": "salesforce", **fields}
    if csrf is not None:
        data["csrf"] = csrf
    return client.post("/import", data=data, files=[("files", f) for f in files])


def confirm_fields(page: str) -> dict[str, str]:
    form = re.search(r'<form id="ag-import-confirm".*?</form>', page, re.S)
    assert form is not None, page
    fields = dict(re.findall(r'name="([a-z_]+)" value="([^"]*)"', form.group(0)))
    return {k: v.replace("&#34;", '"').replace("&quot;", '"') for k, v in fields.items()}


def test_a_planner_previews_an_export_then_imports_it(store: GraphStore, planner: tuple[TestClient, str]) -> None:
    client, csrf = planner
    assert 'href="/import"' in client.get("/").text
    assert client.get("/import").status_code == 200
    before = store.counts()
    page = post(client, csrf, [("contacts.csv", SF_CONTACTS)])
    assert page.status_code == 200, page.text
    text = page.text
    assert "salesforce-contacts reads contacts.csv as one person per row" in text
    assert "Buyer Attributes" in text and "contacts.csv row 2" in text  # the mapping and the rows as they land
    assert '<th scope="col">Values</th>' in text and "built-in method" not in text
    people = re.findall(r'<li data-id="(sf-[^"]+)">', text.split('id="ag-import-people"')[1].split("</ul>")[0])
    assert len(people) == 5 and "Greta Hoffmann, Chief Executive Officer" in text
    assert "Northwind Holdings" in text.split('id="ag-import-companies"')[1]  # created with its account
    assert store.counts() == before  # a preview writes nothing
    fields = confirm_fields(text)
    done = client.post("/import", data=fields, files={"ignored": ("", b"")})
    assert done.status_code == 200, done.text
    assert 'id="ag-import-done"' in done.text and f'data-account="{SF_ROOT}"' in done.text
    assert store.counts()["people"] == before["people"] + 5
    assert {p.name for p in store.export_bundle(SF_ROOT).people} >= {"Greta Hoffmann", "Lukas Becker"}
    again = client.post("/import", data=fields, files={"ignored": ("", b"")})  # the same again changes nothing
    assert again.status_code == 200 and "Nothing new" in again.text


def test_a_bad_file_shows_every_problem_and_imports_nothing(store: GraphStore, planner: tuple[TestClient, str]) -> None:
    client, csrf = planner
    version = store.data_version()
    broken = SF_CONTACTS.replace(b'"Greta","Hoffmann"', b'"Greta","Hoff"mann"', 1)
    page = post(client, csrf, [("broken.csv", broken)])
    assert page.status_code == 422 and 'id="ag-import-problems"' in page.text
    assert "broken.csv" in page.text and "broken CSV" in page.text and "ag-import-confirm" not in page.text
    short = SF_CONTACTS + b'"0035g00000XyZa99","Ann"\r\n'
    page = post(client, csrf, [("short.csv", short)])
    assert page.status_code == 422 and "short.csv row 7" in page.text and "wrong number of cells" in page.text
    page = post(client, csrf, [("x.csv", SF_CONTACTS)], mode="mapping")  # no mapping file
    assert page.status_code == 422 and "choose the mapping file" in page.text
    page = post(client, csrf, [("x.csv", SF_CONTACTS)], profile="nope")
    assert page.status_code == 422 and "unknown profile" in page.text
    page = post(client, csrf, [("notes.txt", b"hello")], mode="capture", account="acme-nope")
    assert page.status_code == 422
    assert store.data_version() == version


def test_user_text_is_escaped(store: GraphStore, planner: tuple[TestClient, str]) -> None:
    client, csrf = planner
    hostile = SF_CONTACTS.replace(b"Greta", HOSTILE.encode().replace(b'"', b'""'), 1)
    page = post(client, csrf, [(f"{HOSTILE}.csv", hostile)])
    assert page.status_code == 200, page.text
    assert HOSTILE not in page.text and "&lt;img src=x onerror=alert(1)&gt;" in page.text


def test_viewers_get_no_page_no_link_and_their_post_is_refused(store: GraphStore) -> None:
    with workspace(store) as client:
        csrf = sign_in(client, new_key(store, "viewer"))
        assert 'href="/import"' not in client.get("/").text
        assert client.get("/import").status_code == 403
        version = store.data_version()
        refused = post(client, csrf, [("contacts.csv", SF_CONTACTS)], confirm="1")
        assert refused.status_code == 403 and "Only planners may import" in refused.text
        assert store.data_version() == version


def test_a_post_without_the_csrf_token_is_refused(store: GraphStore, planner: tuple[TestClient, str]) -> None:
    client, _ = planner
    version = store.data_version()
    for token in (None, "forged"):
        refused = post(client, token, [("contacts.csv", SF_CONTACTS)], confirm="1")
        assert refused.status_code == 403, refused.text
    assert client.post("/import", content=b"csrf=x", headers={"content-type": "text/plain"}).status_code == 400
    assert store.data_version() == version


def test_mail_and_calendars_preview_and_capture(tmp_path: Any) -> None:
    from accountgraph.graph import open_store

    with open_store(f"sqlite:///{tmp_path / 'cap.db'}") as store, workspace(store) as client:
        store.load_bundle(case.ACCOUNT)
        csrf = sign_in(client, new_key(store, "planner"))
        files = [("team.mbox", case.mbox_bytes()), ("team.ics", case.ics_text().encode())]
        page = post(client, csrf, files, mode="capture", account="acme")
        assert page.status_code == 200, page.text
        assert "2 files: 300 messages" in page.text and "buyer@acme.example" in page.text
        assert 'id="ag-import-ties"' in page.text and store.counts()["interactions"] == 0
        done = client.post("/import", data=confirm_fields(page.text), files={"ignored": ("", b"")})
        assert done.status_code == 200 and 'data-account="acme"' in done.text
        assert store.counts()["interactions"] > 200
        bad = post(client, csrf, [("notes.txt", b"hello world")], mode="capture", account="acme")
        assert bad.status_code == 422 and "notes.txt" in bad.text and "neither a calendar" in bad.text


def test_the_page_in_chinese(store: GraphStore, planner: tuple[TestClient, str]) -> None:
    client, csrf = planner
    headers = {"accept-language": "zh-CN"}
    page = client.get("/import", headers=headers)
    assert page.status_code == 200 and page.headers["content-language"] == "zh-CN"
    assert "导入" in page.text and "预览" in page.text
    data = {"mode": "profile", "profile": "salesforce", "csrf": csrf}
    preview = client.post("/import", data=data, files=[("files", ("c.csv", SF_CONTACTS))], headers=headers)
    assert preview.status_code == 200 and "将新增的人员" in preview.text
