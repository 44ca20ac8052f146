"""`accountgraph export --format neo4j-admin`: the files `neo4j-admin database import full` loads into an empty
Neo4j, run here with Neo4j's own import tool from the launcher's Maven artifacts; the store then reads back
exactly the account that was exported."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from accountgraph.graph.neo4j import Neo4jStore
from accountgraph.graph.sqlite import SqliteStore
from accountgraph.samples.generator import DEFAULT_REFERENCE, generate_account
from accountgraph.services.neo4j_admin import IMPORT_COMMAND
from tests.api.support import REPO
from tests.neo4j_server import launched, launcher_available, required

LAUNCHER = REPO / "tools" / "neo4j" / "target"


def neo4j_admin(home: Path, args: list[str]) -> subprocess.CompletedProcess[str]:
    """Neo4j's `neo4j-admin` (its `AdminTool`, from the Maven artifacts of tools/neo4j) with `home` as NEO4J_HOME."""
    classpath = f"{LAUNCHER / 'classes'}{os.pathsep}{LAUNCHER / 'lib' / '*'}"
    env = {**os.environ, "NEO4J_HOME": str(home), "NEO4J_CONF": str(home / "conf")}
    return subprocess.run(
        ["java", "-Xmx512m", "-cp", classpath, "org.neo4j.cli.AdminTool", *args],
        cwd=home,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_an_account_exported_for_neo4j_admin_imports_and_reads_back_the_same(tmp_path: Path) -> None:
    if not (launcher_available() and (LAUNCHER / "lib").is_dir()):
        if required():
            pytest.fail("ACCOUNTGRAPH_REQUIRE_NEO4J=1 but the launcher is not built (make neo4j-build)", pytrace=False)
        pytest.skip("the Neo4j launcher is not built (make neo4j-build)")
    bundle = generate_account(120, seed=4, account_id="big", reference=DEFAULT_REFERENCE)
    lite = SqliteStore(f"sqlite:///{tmp_path / 'lite.db'}")
    lite.load_bundle(bundle, on=DEFAULT_REFERENCE)
    lite.close()
    home = tmp_path / "home"
    (home / "conf").mkdir(parents=True)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    exported = subprocess.run(
        [
            sys.executable,
            "-m",
            "accountgraph",
            "export",
            "big",
            "--format",
            "neo4j-admin",
            "--out",
            str(home / "import"),
            "--store",
            f"sqlite:///{tmp_path / 'lite.db'}",
        ],
        capture_output=True,
        text=True,
        env={**env, "COLUMNS": "400"},
        timeout=300,
        check=False,
    )
    assert exported.returncode == 0, exported.stderr[-2000:]
    assert "neo4j-admin database import full" in exported.stderr
    header = (home / "import" / "people.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("id:ID(Entity),name,company,") and header.endswith(",:LABEL")

    args = shlex.split(IMPORT_COMMAND)[1:]  # the documented command, without the program's name
    done = neo4j_admin(home, args)
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    assert "IMPORT DONE" in done.stdout + done.stderr

    with launched(data=home) as server:
        store = Neo4jStore(server.uri, auth=server.auth)  # creates the constraints on the imported data
        try:
            lite = SqliteStore(f"sqlite:///{tmp_path / 'lite.db'}")
            try:
                assert store.export_bundle("big") == lite.export_bundle("big")
                got, want = (
                    store.account_projection("big", DEFAULT_REFERENCE),
                    lite.account_projection("big", DEFAULT_REFERENCE),
                )
                assert got.people == want.people and sorted(got.ties) == sorted(want.ties)
                assert store.counts() == lite.counts()
            finally:
                lite.close()
            assert not store.check().problems  # every constraint present
            person = bundle.people[3]
            store.upsert_person(person.model_copy(update={"title": "After the import"}), on=DEFAULT_REFERENCE)
            assert store.get_person(person.id).title == "After the import"  # an ordinary store from then on
        finally:
            store.close()


def test_the_neo4j_admin_export_needs_a_folder_and_names_an_unknown_account(tmp_path: Path) -> None:
    from tests.cli.support import invoke

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    lite = SqliteStore(url)
    lite.load_bundle(generate_account(30, seed=1, account_id="small", reference=DEFAULT_REFERENCE))
    lite.close()
    done = invoke(url, "export", "small", "--format", "neo4j-admin")
    assert done.exit_code != 0 and "--out DIRECTORY" in done.stderr and "Traceback" not in done.stderr
    done = invoke(url, "export", "nope", "--format", "neo4j-admin", "--out", str(tmp_path / "out"))
    assert done.exit_code != 0 and "nope" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()  # nothing written
    done = invoke(url, "export", "small", "--format", "neo4j-admin", "--out", str(tmp_path / "out"))
    assert done.exit_code == 0, done.stderr
    ties = (tmp_path / "out" / "ties.csv").read_text(encoding="utf-8").splitlines()
    assert ties[0] == ":START_ID(Entity),:END_ID(Entity),:TYPE,strength:double,since,until,last_contact,note"
    assert len(ties) > 1 and all(line.split(",")[2] in {"KNOWS", "INFLUENCES"} for line in ties[1:])
