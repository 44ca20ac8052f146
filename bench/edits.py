"""Edit benchmark: from a write to the account to its refreshed coverage and ranking, per edit kind and backend.

    python bench/edits.py [--people 10000] [--backends sqlite,neo4j] [--repeat 10] [--reference 2025-06-30]

A generated account (`generate_account`, seed 1, reference pinned: `--reference`, default the generator's
`DEFAULT_REFERENCE`) is imported into a fresh store of each backend (not timed; Neo4j: the launcher in
tools/neo4j, or `NEO4J_URI`) and prepared once through the service layer's cache (`account_view` with a
`ViewCache`, as the API and the workspace do). Then, `--repeat` times per edit kind, timed: the write (through
the store, one record) and the refresh, i.e. `account_view` (which catches the cached view up with the write
by the store's change feed) + `key_people(top=20)` + `coverage`. The kinds: a person's stance, a person's roles,
the strength of a tie among the customer's people, a new tie among them (the informal network moves: the
betweenness runs again), the strength of one of our team's ties, and a new interaction. For comparison, the
full reload: the same refresh from a cold cache after a write (load + prepare + rank + coverage), which is
what every edit cost before. Stance and role edits hold from the pinned day (before 2026-12-02 they were dated
today, after the view's day, so they changed nothing the view showed); what the edits pick from is gathered
before anything is timed. The compiled kernels are loaded before anything is timed. Prints a Markdown table
with the machine and the data size (medians and the slowest of the runs, in milliseconds).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from contextlib import ExitStack
from datetime import date, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

from accountgraph.algorithms import coverage, fast, key_people  # noqa: E402
from accountgraph.graph.store import GraphStore  # noqa: E402
from accountgraph.samples.generator import DEFAULT_REFERENCE, generate_account  # noqa: E402
from accountgraph.schema.models import (  # noqa: E402
    Bundle,
    Interaction,
    InteractionKind,
    Role,
    Stance,
    Tie,
    TieType,
)
from accountgraph.services.analysis import ViewCache, account_view  # noqa: E402
from bench.machine import machine  # noqa: E402
from bench.store import neo4j_version, open_backend  # noqa: E402

ACCOUNT = "bench"
KINDS = ("stance", "roles", "tie strength", "new tie", "our tie", "interaction")


class Pools:
    """What the edits pick from, gathered once before anything is timed (not part of a write)."""

    def __init__(self, bundle: Bundle) -> None:
        self.people = [p.id for p in bundle.people]
        inside = set(self.people)
        self.among = [t for t in bundle.ties if t.from_ in inside and t.to in inside]
        self.ours = [t for t in bundle.ties if not (t.from_ in inside and t.to in inside)]
        self.team = [m.id for m in bundle.team]


def edit(
    store: GraphStore, bundle: Bundle, kind: str, rng: random.Random, step: int, on: date, pools: Pools | None = None
) -> None:
    """One write of `kind` to the account, through the store (one record, one transaction)."""
    pools = pools or Pools(bundle)
    people = pools.people
    if kind == "stance":
        person = store.get_person(rng.choice(people))
        stance = rng.choice([s for s in Stance if s != person.stance])
        store.upsert_person(person.model_copy(update={"stance": stance}), on=on)  # on the day the view shows
    elif kind == "roles":
        person = store.get_person(rng.choice(people))
        store.upsert_person(person.model_copy(update={"roles": rng.sample(list(Role), rng.randint(1, 2))}), on=on)
    elif kind in ("tie strength", "our tie"):
        tie = rng.choice(pools.among if kind == "tie strength" else pools.ours)
        stored = store.get_tie(tie.type, tie.from_, tie.to)
        store.upsert_tie(stored.model_copy(update={"strength": round(rng.uniform(0.05, 1.0), 3)}))
    elif kind == "new tie":
        a, b = sorted(rng.sample(people, 2))
        store.upsert_tie(Tie.model_validate({"type": TieType.KNOWS, "from": a, "to": b, "strength": 0.5}))
    else:
        store.upsert_interaction(
            Interaction.model_validate(
                {
                    "id": f"{ACCOUNT}-bench-{step}",
                    "member": rng.choice(pools.team),
                    "person": rng.choice(people),
                    "kind": rng.choice(list(InteractionKind)),
                    "at": f"{(on - timedelta(days=rng.randint(0, 60))).isoformat()}T10:00:00+00:00",
                }
            )
        )


def timed(fn: Callable[[], Any]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def run(store: GraphStore, bundle: Bundle, on: date, repeat: int) -> dict[str, tuple[list[float], list[float]]]:
    """Per kind: the write times and the refresh times (seconds)."""
    load: dict[str, Any] = {"as_of": on, "reference": on}
    rng = random.Random(1)
    pools = Pools(bundle)

    def refresh(cache: ViewCache | None) -> None:
        view = account_view(store, ACCOUNT, cache=cache, **load)
        key_people(view, top=20)
        coverage(view)

    cache = ViewCache()
    refresh(cache)  # the view every edit starts from
    out: dict[str, tuple[list[float], list[float]]] = {}
    step = 0
    for kind in KINDS:
        writes, refreshes = [], []
        for _ in range(repeat):
            step += 1
            writes.append(timed(lambda: edit(store, bundle, kind, rng, step, on, pools)))  # noqa: B023
            refreshes.append(timed(lambda: refresh(cache)))
        out[kind] = (writes, refreshes)
    writes, refreshes = [], []
    for _ in range(max(3, repeat // 3)):
        step += 1
        writes.append(timed(lambda: edit(store, bundle, "stance", rng, step, on, pools)))  # noqa: B023
        refreshes.append(timed(lambda: refresh(None)))
    out["full reload (before)"] = (writes, refreshes)
    return out


def ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:,.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--backends", default="sqlite,neo4j")
    parser.add_argument("--repeat", type=int, default=10, help="edits timed per kind (medians shown)")
    parser.add_argument("--reference", type=date.fromisoformat, default=DEFAULT_REFERENCE, help="the pinned day")
    args = parser.parse_args()
    fast.betweenness(3, np.array([0, 1]), np.array([1, 2]))  # load (or compile) the kernels before timing
    fast.articulation_mask(3, np.array([0, 1]), np.array([1, 2]), 0)
    bundle = generate_account(args.people, seed=1, account_id=ACCOUNT, reference=args.reference)
    results: dict[str, dict[str, tuple[list[float], list[float]]]] = {}
    versions = set()
    for name in args.backends.split(","):
        with ExitStack() as stack, open_backend(name, stack) as store:
            versions.add(neo4j_version(store))
            store.load_bundle(bundle, on=args.reference)
            results[name] = run(store, bundle, args.reference, args.repeat)
            print(f"{name}: done", file=sys.stderr)
    backends = list(results)
    print(f"Machine: {machine()}{''.join(f', {v}' for v in sorted(versions) if v)}")
    print(
        f"Data: generated account, {args.people:,} people, {len(bundle.ties):,} ties, "
        f"{len(bundle.interactions):,} interactions (seed 1, reference {args.reference})"
    )
    print()
    head = " | ".join(f"{b}: write | {b}: refresh | **{b}: edit → refreshed** | {b}: slowest" for b in backends)
    print(f"| edit | {head} |")
    print("|---" + "|---:" * (4 * len(backends)) + "|")
    for kind in (*KINDS, "full reload (before)"):
        cells = []
        for b in backends:
            writes, refreshes = results[b][kind]
            total = [w + r for w, r in zip(writes, refreshes, strict=True)]
            cells.append(f"{ms(writes)} | {ms(refreshes)} | **{ms(total)}** | {max(total) * 1000:,.0f}")
        print(f"| {kind} | {' | '.join(cells)} |")
    print()
    print("Milliseconds, medians of the runs (slowest: the slowest edit → refreshed). `refresh` = `account_view`")
    print("on the cached view (caught up with the write by the change feed) + `key_people(top=20)` + `coverage`;")
    print("`full reload (before)`: the same refresh with no view cached (load + prepare + rank + coverage).")


if __name__ == "__main__":
    main()
