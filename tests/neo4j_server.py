"""A real Neo4j server for the tests, found in this order:

1. ``NEO4J_URI`` (with ``NEO4J_USER`` / ``NEO4J_PASSWORD``) if set: an existing server;
2. the launcher in ``tools/neo4j`` (Neo4j Community embedded with a Bolt port) if ``java`` and ``mvn`` exist;
3. testcontainers' Neo4j module if a Docker engine answers;
4. otherwise the Neo4j tests skip with the reason, unless ``ACCOUNTGRAPH_REQUIRE_NEO4J=1``, when they fail.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LAUNCHER = REPO / "tools" / "neo4j" / "run.sh"
READY = "NEO4J_READY "
START_TIMEOUT = 600.0  # the first start may build the launcher (Maven downloads)


@dataclass
class Neo4jServer:
    uri: str
    auth: tuple[str, str] | None
    how: str


class Neo4jUnavailable(RuntimeError):
    pass


def required() -> bool:
    return os.environ.get("ACCOUNTGRAPH_REQUIRE_NEO4J") == "1"


def launcher_available() -> bool:
    """Whether `launched` can start a server (java, mvn and the launcher are here)."""
    return bool(shutil.which("java") and shutil.which("mvn") and LAUNCHER.exists())


@contextmanager
def launched(port: int = 0, data: Path | None = None, java_opts: str | None = None) -> Iterator[Neo4jServer]:
    """A private server of the launcher, on `port` (0: a free one) with its files in `data` (kept; None: a
    temporary folder, deleted), stopped when the block ends: for tests that stop and restart a server."""
    with _launcher(port, data, java_opts) as server:
        yield server


class PrivateNeo4j:
    """A launcher server of its own on a fixed port and folder, that a test may stop and start again (same port,
    same files)."""

    def __init__(self, data: Path, java_opts: str | None = None) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = int(s.getsockname()[1])
        self.data = data
        self.java_opts = java_opts
        self.uri = f"bolt://127.0.0.1:{self.port}"
        self._running: ExitStack | None = None

    @property
    def running(self) -> bool:
        return self._running is not None

    def start(self) -> None:
        stack = ExitStack()
        found = stack.enter_context(launched(self.port, self.data, self.java_opts))
        assert found.uri == self.uri
        self._running = stack

    def stop(self) -> None:
        assert self._running is not None
        self._running.close()
        self._running = None


@contextmanager
def _launcher(port: int = 0, data_dir: Path | None = None, java_opts: str | None = None) -> Iterator[Neo4jServer]:
    data = str(data_dir) if data_dir is not None else tempfile.mkdtemp(prefix="accountgraph-neo4j-")
    env = dict(os.environ) if java_opts is None else {**os.environ, "NEO4J_JAVA_OPTS": java_opts}
    proc = subprocess.Popen(
        ["bash", str(LAUNCHER), str(port), data],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    found: list[str] = []
    ready = threading.Event()

    def read_stdout() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line.rstrip())
            if line.startswith(READY) and not found:
                found.append(line[len(READY) :].strip())
                ready.set()
        ready.set()

    errors: list[str] = []

    def read_stderr() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            errors.append(line.rstrip())
            del errors[:-50]

    threading.Thread(target=read_stdout, daemon=True).start()
    threading.Thread(target=read_stderr, daemon=True).start()
    try:
        if not ready.wait(START_TIMEOUT) or not found:
            tail = "\n".join((lines + errors)[-30:])
            raise Neo4jUnavailable(f"the Neo4j launcher did not start (exit {proc.poll()}):\n{tail}")
        yield Neo4jServer(found[0], None, "launcher (tools/neo4j, embedded Neo4j Community)")
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
        if data_dir is None:
            shutil.rmtree(data, ignore_errors=True)


def _docker_answers() -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@contextmanager
def neo4j_server() -> Iterator[Neo4jServer]:
    """Yield a reachable Neo4j server, or raise Neo4jUnavailable with the reason."""
    uri = os.environ.get("NEO4J_URI")
    if uri:
        password = os.environ.get("NEO4J_PASSWORD")
        auth = (os.environ.get("NEO4J_USER", "neo4j"), password) if password else None
        yield Neo4jServer(uri, auth, "NEO4J_URI")
        return
    if launcher_available():
        with _launcher() as server:
            yield server
        return
    if _docker_answers():
        try:
            from testcontainers.neo4j import Neo4jContainer  # type: ignore[import-not-found]
        except ImportError as err:
            raise Neo4jUnavailable("Docker answers but testcontainers[neo4j] is not installed") from err
        with Neo4jContainer("neo4j:5.26") as container:
            yield Neo4jServer(container.get_connection_url(), ("neo4j", container.password), "testcontainers (Docker)")
        return
    raise Neo4jUnavailable("no Neo4j: set NEO4J_URI, or install java and mvn for tools/neo4j, or run a Docker engine")
