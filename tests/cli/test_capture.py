"""`accountgraph capture FILE... --account ID [--dry-run]` against a real SQLite store: the plan on
screen, nothing written by a dry run, bad input named with exit 1, progress on stderr, Ctrl-C writes nothing."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from accountgraph.graph.sqlite import SqliteStore
from accountgraph.samples.capture import message, write_mbox
from tests.cli.support import REPO, counts, env_of, invoke
from tests.services import capture_case as case


def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


def loaded(tmp_path: Path) -> str:
    bundle = tmp_path / "acme.json"
    bundle.write_text(case.ACCOUNT.model_dump_json(by_alias=True))
    assert invoke(url(tmp_path), "import", str(bundle)).exit_code == 0
    return url(tmp_path)


def test_a_dry_run_shows_the_plan_and_writes_nothing(tmp_path: Path) -> None:
    store = loaded(tmp_path)
    mbox, ics = case.write_files(tmp_path)
    before = counts(tmp_path)
    done = invoke(store, "capture", str(mbox), "--account", "acme", "--dry-run", "--as-of", "2026-06-29")
    assert done.exit_code == 0, done.output
    assert "1 file: 300 messages, 0 meetings up to 2026-06-30T00:00:00+00:00" in done.stdout
    assert "220 new, 0 already stored" in done.stdout
    assert "buyer@acme.example" in done.stdout and "new.person@acme.example" in done.stdout
    assert "mailing list" in done.stdout and "dry run, nothing was written" in done.stdout
    assert "ties that change" in done.stdout and "t-ann" in done.stdout
    assert counts(tmp_path) == before
    done = invoke(store, "capture", str(ics), "--account", "acme", "--dry-run", "--as-of", "2026-06-29")
    assert done.exit_code == 0, done.output
    assert "23 meetings" in done.stdout and "20 new" in done.stdout and "newbie@acme.example" in done.stdout
    assert counts(tmp_path) == before


def test_capture_then_recapture_adds_nothing(tmp_path: Path) -> None:
    store = loaded(tmp_path)
    mbox, ics = case.write_files(tmp_path)
    args = ("--account", "acme", "--as-of", "2026-06-30T00:00:00Z")
    done = invoke(store, "capture", str(mbox), *args)
    assert done.exit_code == 0, done.output
    assert "captured into" in done.stdout and "220 interactions" in done.stdout
    assert invoke(store, "capture", str(ics), *args).exit_code == 0
    assert counts(tmp_path)["interactions"] == 240
    with SqliteStore(store) as s:
        version = s.data_version()
        strength = s.get_tie("knows", "t-ann", "p-cto").strength
    again = invoke(store, "capture", str(mbox), *args)
    assert again.exit_code == 0 and "0 new, 220 already stored" in again.stdout and "nothing new" in again.stdout
    with SqliteStore(store) as s:
        assert s.data_version() == version
    assert abs(strength - case.ANN_CTO) < 1e-4


def test_a_directory_of_eml_files(tmp_path: Path) -> None:
    store = loaded(tmp_path)
    folder = tmp_path / "mails"
    folder.mkdir()
    for n, data in enumerate(case.messages()[:100]):
        (folder / f"{n:03}.eml").write_bytes(data)
    (folder / "notes.txt").write_text("not a message")
    done = invoke(store, "capture", str(folder), "--account", "acme", "--as-of", "2026-06-29")
    assert done.exit_code == 0, done.output
    assert "100 files: 100 messages" in done.stdout and "120 new" in done.stdout  # 20 Cc the engineer


def test_bad_input_names_the_file_and_where_and_writes_nothing(tmp_path: Path) -> None:
    store = loaded(tmp_path)
    mbox, ics = case.write_files(tmp_path)
    data = mbox.read_bytes()
    mbox.write_bytes(data[: data.index(b"Message-ID: <cto-3@")])
    before = counts(tmp_path)
    done = invoke(store, "capture", str(mbox), "--account", "acme")
    assert done.exit_code == 1
    assert "refused, nothing was written" in done.stderr
    assert f"{mbox} field 'message 104 (line" in done.stderr and "truncated" in done.stderr
    assert "Traceback" not in done.output
    ics.write_text(case.ics_text().replace("END:VCALENDAR\r\n", ""), newline="")
    done = invoke(store, "capture", str(ics), "--account", "acme")
    assert done.exit_code == 1 and "BEGIN:VCALENDAR is never closed" in done.stderr and str(ics) in done.stderr
    assert invoke(store, "capture", str(tmp_path / "missing.mbox"), "--account", "acme").exit_code == 1
    assert invoke(store, "capture", str(mbox), "--account", "nope").exit_code == 1
    assert counts(tmp_path) == before


def _big_mbox(path: Path, n: int) -> None:
    start = datetime(2025, 1, 1, tzinfo=UTC)
    with path.open("wb") as fh:
        write_mbox(
            fh,
            (
                message(case.ANN[0], [case.CTO], start + timedelta(minutes=i), f"big-{i}@vendor.example")
                for i in range(n)
            ),
        )


def test_progress_on_stderr_and_ctrl_c_writes_nothing(tmp_path: Path) -> None:
    store = loaded(tmp_path)
    mbox = tmp_path / "big.mbox"
    _big_mbox(mbox, 30_000)
    env = {**env_of(store), "PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)}
    args = ["capture", str(mbox), "--account", "acme", "--progress"]
    # as from a terminal: a suite started in the background of a shell without job control (`pytest &`) ignores
    # SIGINT, which its processes inherit, and Python then leaves Ctrl-C ignored
    ctrl_c = "import runpy, signal; signal.signal(signal.SIGINT, signal.default_int_handler); "
    ctrl_c += "runpy.run_module('accountgraph', run_name='__main__')"
    process = subprocess.Popen(
        [sys.executable, "-c", ctrl_c, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    assert process.stderr is not None
    first = process.stderr.readline()  # the first progress line: it is reading
    assert first.startswith("capture: read "), first
    process.send_signal(signal.SIGINT)
    _, rest = process.communicate(timeout=120)
    assert process.returncode == 130, rest
    assert "interrupted: nothing was written" in rest and "Traceback" not in rest
    assert counts(tmp_path)["interactions"] == 0
    # uninterrupted, the progress lines end at 100%
    command = [sys.executable, "-m", "accountgraph", *args, "--dry-run"]
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().splitlines()[-1].endswith("(100%)")
    assert "30000 new" in done.stdout
    assert json.loads(json.dumps(counts(tmp_path)))["interactions"] == 0


def test_mail_and_calendars_mixed_in_one_call_told_apart_by_content(tmp_path: Path) -> None:
    store = loaded(tmp_path)
    mbox, ics = case.write_files(tmp_path)
    renamed = tmp_path / "meetings.export"  # the name says nothing: the content tells
    renamed.write_bytes(ics.read_bytes())
    notes = tmp_path / "notes.mbox"
    notes.write_text("Name,Email\nAnn,ann@vendor.example\n")
    before = counts(tmp_path)
    done = invoke(store, "capture", str(mbox), str(notes), str(renamed), "--account", "acme", "--as-of", "2026-06-29")
    assert done.exit_code == 1 and "Traceback" not in done.output
    assert f"{notes} field 'line 1'" in done.stderr and "neither a calendar" in done.stderr
    assert counts(tmp_path) == before  # the good files before it are not written either
    done = invoke(store, "capture", str(mbox), str(renamed), "--account", "acme", "--as-of", "2026-06-29")
    assert done.exit_code == 0, done.output
    assert "2 files: 300 messages, 23 meetings" in done.stdout and "240 interactions" in done.stdout
    assert counts(tmp_path)["interactions"] == 240
