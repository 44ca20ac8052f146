"""Shared helpers of the workspace tests (no tests here): a real SQLite store holding the sample account (one
of its decision makers named as an attack) and a second account, the app in-process, and signing in."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from accountgraph.api.app import create_app
from accountgraph.api.settings import ApiSettings
from accountgraph.graph import open_store
from accountgraph.graph.store import GraphStore
from accountgraph.samples.sample import SAMPLE_ACCOUNT_ID, sample_bundle
from accountgraph.schema.models import Bundle, Company, Person, Role
from accountgraph.services.keys import mint_key
from accountgraph.web.app import SESSION_COOKIE

ACCOUNT = SAMPLE_ACCOUNT_ID
OTHER = "other-corp"
HOSTILE = "<img src=x onerror=alert(1)>"
HOSTILE_PERSON = "medtech-p00001"  # the sample's chief executive, a decision maker: on the map by default


def workspace_bundles() -> list[Bundle]:
    """The sample account (dated to today) with a person named as an attack, and a second, small account whose
    name is one too."""
    sample = sample_bundle(datetime.now(UTC).date())
    at = next(i for i, p in enumerate(sample.people) if p.id == HOSTILE_PERSON)
    sample.people[at] = sample.people[at].model_copy(update={"name": HOSTILE})
    other = Bundle(
        companies=[Company(id=OTHER, name=f"Other {HOSTILE} Corp")],
        people=[Person(id="other-p1", name="Olga Other", company=OTHER, roles=[Role.DECISION_MAKER])],
    )
    return [sample, other]


def make_store(path: Path) -> GraphStore:
    store = open_store(f"sqlite:///{path}")
    for bundle in workspace_bundles():
        store.load_bundle(bundle)
    return store


def new_key(store: GraphStore, role: str, accounts: tuple[str, ...] = ()) -> str:
    _, key = mint_key(store, role, name=f"web {role}", accounts=accounts)
    return key


@contextmanager
def workspace(store: GraphStore, *, https: bool = False, **settings: Any) -> Iterator[TestClient]:
    """The app in-process over `store` (the caller closes the store), its lifespan run."""
    app = create_app(ApiSettings(store=store.url, log_level="WARNING", **settings), store=store)
    base = "https://testserver" if https else "http://testserver"
    with TestClient(app, base_url=base, raise_server_exceptions=True, follow_redirects=False) as client:
        yield client


def form_token(client: TestClient) -> str:
    page = client.get("/signin")
    assert page.status_code == 200, page.text
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found is not None
    return found.group(1)


def sign_in(client: TestClient, key: str) -> str:
    """Sign in with `key`; returns the page's CSRF token (the session cookie stays in the client)."""
    answer = client.post("/signin", data={"csrf": form_token(client), "key": key})
    assert answer.status_code == 303 and answer.headers["location"] == "/", answer.text
    assert held(client)
    return csrf_of(client)


def csrf_of(client: TestClient) -> str:
    page = client.get("/")
    assert page.status_code == 200, page.text
    found = re.search(r'<meta name="csrf-token" content="([^"]+)">', page.text)
    assert found is not None
    return found.group(1)


def plant(client: TestClient, secret: str) -> None:
    """Make the browser hold `secret` as its session cookie (as an attacker or a replay would)."""
    for cookie in list(client.cookies.jar):
        if cookie.name == SESSION_COOKIE:
            client.cookies.jar.clear(cookie.domain, cookie.path, cookie.name)
    client.cookies.set(SESSION_COOKIE, secret, domain="testserver.local", path="/")


def held(client: TestClient) -> str | None:
    """The session cookie the browser holds."""
    found = [c.value for c in client.cookies.jar if c.name == SESSION_COOKIE]
    assert len(found) <= 1, found
    return found[0] if found else None
