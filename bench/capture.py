"""Mail and calendar capture benchmark: a generated mailbox and calendar ingested into a temporary SQLite store.

    python bench/capture.py [--messages 100000] [--events 10000] [--people 300] [--members 12]

An account of `--people` contacts (each with an address on the account's domain) and `--members` of ours (two
addresses each) is loaded; then an mbox of `--messages` messages (between a random member and one or two random
contacts, both directions, 5 % mailing-list mail, 2 % from unknown colleagues on the account's domain) and a
calendar of `--events` events (90 % single meetings, 10 % weekly for 10 weeks; 5 % cancelled, a declined attendee
in 10 %) are written to temporary files (not timed). Timed, each from a fresh copy of the loaded store:
the dry run (read and plan, nothing written) and the capture itself (read, plan, one write), for the mailbox and
for the calendar. Records per second are messages (or calendar events) read per second. Peak memory: the Python
heap's peak during the capture (tracemalloc, in a separate run since tracing slows it) and the process's peak
resident size (`resource.getrusage`, which includes the interpreter and the libraries). Prints a Markdown table
with the machine and the sizes.
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from accountgraph.graph.sqlite import SqliteStore  # noqa: E402
from accountgraph.samples.capture import calendar, message, vevent, write_mbox  # noqa: E402
from accountgraph.schema.models import Bundle  # noqa: E402
from accountgraph.services import capture  # noqa: E402
from accountgraph.services.capture import Source  # noqa: E402
from accountgraph.services.scope import Scope  # noqa: E402
from bench.machine import machine  # noqa: E402

REFERENCE = datetime(2026, 7, 1, tzinfo=UTC)
START = datetime(2025, 7, 1, tzinfo=UTC)


def account(people: int, members: int) -> Bundle:
    return Bundle.model_validate(
        {
            "companies": [{"id": "big", "name": "Big Customer"}],
            "people": [
                {"id": f"p{i:05}", "name": f"Person {i}", "company": "big", "email": f"person{i}@big.example"}
                for i in range(people)
            ],
            "team": [
                {
                    "id": f"t{i:03}",
                    "name": f"Member {i}",
                    "email": f"m{i}@vendor.example",
                    "emails": [f"member.{i}@old-vendor.example"],
                }
                for i in range(members)
            ],
        }
    )


def messages(n: int, people: int, members: int, rng: random.Random) -> Iterator[bytes]:
    span = (REFERENCE - START).total_seconds()
    for i in range(n):
        at = START + timedelta(seconds=rng.random() * span)
        member = f"m{rng.randrange(members)}@vendor.example"
        contacts = [f"person{rng.randrange(people)}@big.example" for _ in range(rng.choice((1, 1, 2)))]
        headers = {"List-Id": "<news.big.example>"} if rng.random() < 0.05 else None
        if rng.random() < 0.02:
            contacts = [f"colleague{rng.randrange(500)}@big.example"]
        if rng.random() < 0.5:
            yield message(member, contacts, at, f"b{i}@vendor.example", headers=headers)
        else:
            yield message(contacts[0], [member], at, f"b{i}@big.example", headers=headers)


def events(n: int, people: int, members: int, rng: random.Random) -> Iterator[str]:
    span = (REFERENCE - START).total_seconds()
    for i in range(n):
        at = (START + timedelta(seconds=rng.random() * span)).replace(minute=0, second=0, microsecond=0)
        organiser = f"m{rng.randrange(members)}@vendor.example"
        attendees = [(f"person{rng.randrange(people)}@big.example", "ACCEPTED") for _ in range(rng.choice((1, 2, 3)))]
        if rng.random() < 0.1:
            attendees.append((f"m{rng.randrange(members)}@vendor.example", "DECLINED"))
        rrule = "FREQ=WEEKLY;COUNT=10" if rng.random() < 0.1 else None
        status = "CANCELLED" if rng.random() < 0.05 else None
        yield vevent(f"e{i}@vendor.example", at, organiser, attendees, rrule=rrule, status=status)


def run(store_file: Path, work: Path, kind: str, path: Path, dry_run: bool, traced: bool) -> tuple[float, int, int]:
    """Seconds, the heap's peak (bytes, 0 unless traced) and the interactions new, on a fresh copy of the store."""
    copy = work / f"run-{kind}-{dry_run}-{traced}.db"
    shutil.copy(store_file, copy)
    with SqliteStore(f"sqlite:///{copy}") as store:
        source = Source(str(path), lambda: path.open("rb"))
        if traced:
            tracemalloc.start()
        started = time.perf_counter()
        plan = capture.capture(
            store,
            Scope.operator(),
            "big",
            [source],
            reference=REFERENCE,
            dry_run=dry_run,
        )
        seconds = time.perf_counter() - started
        peak = 0
        if traced:
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
    copy.unlink()
    return seconds, peak, plan.interactions["new"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument("--members", type=int, default=12)
    args = parser.parse_args()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        store_file = work / "store.db"
        with SqliteStore(f"sqlite:///{store_file}") as store:
            store.load_bundle(account(args.people, args.members))
        mbox = work / "mail.mbox"
        with mbox.open("wb") as fh:
            write_mbox(fh, messages(args.messages, args.people, args.members, rng))
        ics = work / "calendar.ics"
        with ics.open("w", encoding="utf-8", newline="") as fh:
            for chunk in calendar(events(args.events, args.people, args.members, rng)):
                fh.write(chunk)
        print(f"machine: {machine()}")
        print(
            f"data: an account of {args.people} people and {args.members} members; an mbox of {args.messages:,} "
            f"messages ({mbox.stat().st_size / 2**20:.1f} MiB), a calendar of {args.events:,} events "
            f"({ics.stat().st_size / 2**20:.1f} MiB); SQLite\n"
        )
        print("| file | step | records | interactions new | seconds | records/s | heap peak (MiB) |")
        print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
        for kind, path, records in (("mail", mbox, args.messages), ("calendar", ics, args.events)):
            for dry_run in (True, False):
                seconds, _, new = run(store_file, work, kind, path, dry_run, traced=False)
                _, peak, _ = run(store_file, work, kind, path, dry_run, traced=True)
                step = "dry run (read, plan)" if dry_run else "capture (read, plan, write)"
                print(
                    f"| {path.name} | {step} | {records:,} | {new:,} | {seconds:.2f} | {records / seconds:,.0f} | "
                    f"{peak / 2**20:.0f} |"
                )
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"\nprocess peak resident size (all runs, interpreter and libraries included): {rss:.0f} MiB")
        print(f"(the mbox alone is {mbox.stat().st_size / 2**20:.0f} MiB: it is read as a stream, never whole)")


if __name__ == "__main__":
    main()
