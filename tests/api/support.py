"""Shared helpers of the API tests (no tests here): the app in-process, keys, a real server process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from accountgraph.api.app import create_app
from accountgraph.api.settings import ApiSettings
from accountgraph.graph.store import GraphStore
from accountgraph.schema.models import ApiRole
from accountgraph.services.keys import mint_key

REPO = Path(__file__).resolve().parents[2]


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def new_key(store: GraphStore, role: ApiRole | str, accounts: tuple[str, ...] = ()) -> dict[str, str]:
    """Headers carrying a fresh key of `role` (limited to `accounts` if given)."""
    _, key = mint_key(store, role, name=f"test {role}", accounts=accounts)
    return bearer(key)


@contextmanager
def api(store: GraphStore, **settings: Any) -> Iterator[TestClient]:
    """The app in-process over `store` (the test owns and closes the store), its lifespan run."""
    app = create_app(ApiSettings(store=store.url, log_level="WARNING", **settings), store=store)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def client(store: GraphStore) -> Iterator[TestClient]:
    with api(store) as c:
        yield c


@pytest.fixture
def admin(store: GraphStore) -> dict[str, str]:
    return new_key(store, ApiRole.ADMIN)


@pytest.fixture
def planner(store: GraphStore) -> dict[str, str]:
    return new_key(store, ApiRole.PLANNER)


@pytest.fixture
def viewer(store: GraphStore) -> dict[str, str]:
    return new_key(store, ApiRole.VIEWER)


def error_of(response: httpx.Response) -> dict[str, Any]:
    """The `error` object of an error response, checking its shape."""
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "details"}, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    error: dict[str, Any] = body["error"]
    return error


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def store_env(store: GraphStore, request: pytest.FixtureRequest) -> dict[str, str]:
    """Environment naming the same store as the `store` fixture, for a child process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ACCOUNTGRAPH_", "NEO4J_"))}
    env["ACCOUNTGRAPH_STORE"] = store.url
    if not store.url.startswith("sqlite"):
        auth = request.getfixturevalue("neo4j_service").auth
        if auth is not None:
            env["NEO4J_USER"], env["NEO4J_PASSWORD"] = auth
    env["PYTHONPATH"] = str(REPO)
    return env


def run_cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "accountgraph", *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


class Server:
    """A real `accountgraph serve` process on a free loopback port; its stderr is collected."""

    def __init__(self, env: dict[str, str], workers: int = 1) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "accountgraph",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--workers",
                str(workers),
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.append(line.rstrip("\n"))

    def wait_ready(self, timeout: float = 180.0) -> None:
        """Poll /healthz until it answers (a start takes seconds; the limit only stops a server that never comes
        up: it once ran out at 60 s on a loaded machine running 2 pytest-xdist workers beside other suites)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("the server exited:\n" + "\n".join(self.lines[-40:]))
            try:
                if httpx.get(self.url + "/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("the server did not become ready:\n" + "\n".join(self.lines[-40:]))

    def stop(self) -> int:
        """SIGTERM, as a process manager would; the exit code."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self._reader.join(10)
        return self.proc.returncode


@contextmanager
def server(env: dict[str, str], workers: int = 1) -> Iterator[Server]:
    s = Server(env, workers)
    try:
        s.wait_ready()
        yield s
    finally:
        s.stop()
