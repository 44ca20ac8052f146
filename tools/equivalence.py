"""Hash the results of every analysis on generated accounts of several sizes and dates.

Run it on two commits and compare the output: identical hashes mean a refactor changed no result.

    python tools/equivalence.py > after.txt
    git worktree add /tmp/before <commit>
    (cd /tmp/before && PYTHONPATH=. python /path/to/tools/equivalence.py) > before.txt
    diff before.txt after.txt

Each line is `case sha256`; the last line hashes them all. It imports the package by its old or new module paths,
so the same script serves both sides of a move.
"""

from __future__ import annotations

import argparse
import hashlib
import inspect
import json
import sys
import tempfile
from datetime import UTC, date, datetime
from importlib import import_module
from pathlib import Path
from types import SimpleNamespace
from typing import Any

REFERENCE = date(2026, 1, 1)
DATES = (date(2026, 1, 1), date(2025, 10, 1), date(2025, 1, 1))


def _first(*names: str) -> Any:
    for name in names:
        module, _, attr = name.rpartition(".")
        try:
            return getattr(import_module(module), attr)
        except (ImportError, AttributeError):
            continue
    raise ImportError(f"none of {names}")


def _as_operator(fn: Any) -> Any:
    """`fn(store, account, ...)`: a use case that takes the caller's scope after the store is called with the
    operator's (every account), one that takes none as it is."""
    if "scope" not in inspect.signature(fn).parameters:
        return fn
    operator = _first("accountgraph.services.scope.Scope").operator()
    return lambda store, *args, **kwargs: fn(store, operator, *args, **kwargs)


def _digest(value: Any) -> str:
    if hasattr(value, "model_dump"):
        value = value.model_dump(mode="json")
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="150,1000,3000", help="people per generated account")
    parser.add_argument("--seeds", default="1,2")
    parser.add_argument("--html", action="store_true", help="also hash the HTML views")
    args = parser.parse_args()

    generate = _first("accountgraph.samples.generator.generate_account", "accountgraph.generate.generate_account")
    module = import_module(next(m for m in ("accountgraph.services.analysis", "accountgraph.analysis") if _exists(m)))
    uses = ("rank", "coverage", "actions", "risk", "analyse", "path", "whatif", "power_map_html", "tree_html")
    analysis = SimpleNamespace(**{name: _as_operator(getattr(module, name)) for name in uses})
    compare = _as_operator(_first("accountgraph.services.compare.compare", "accountgraph.compare.compare"))
    SqliteStore = _first("accountgraph.graph.sqlite.SqliteStore")
    reference = datetime.combine(REFERENCE, datetime.min.time(), tzinfo=UTC)

    lines: list[str] = []

    def emit(case: str, value: Any) -> None:
        lines.append(f"{case} {_digest(value)}")
        print(lines[-1], flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            for seed in (int(s) for s in args.seeds.split(",")):
                account = f"eq{size}s{seed}"
                store = SqliteStore(f"sqlite:///{Path(tmp) / (account + '.db')}")
                store.load_bundle(generate(size, seed, account_id=account, reference=REFERENCE))
                for on in DATES:
                    load = {
                        "as_of": on,
                        "reference": min(reference, datetime.combine(on, datetime.min.time(), tzinfo=UTC)),
                        "cache": None,
                    }
                    case = f"{account}@{on}"
                    ranking = analysis.rank(store, account, **load)
                    emit(f"{case}:rank", ranking)
                    cov = analysis.coverage(store, account, **load)
                    emit(f"{case}:coverage", cov)
                    emit(f"{case}:actions", analysis.actions(store, account, **load))
                    emit(f"{case}:risk", analysis.risk(store, account, **load))
                    emit(f"{case}:analyse", analysis.analyse(store, account, **load))
                    targets = [p.id for p in cov.people if not p.covered][:3] + [p.id for p in ranking.people[:2]]
                    for target in targets:
                        for avoid in (False, True):
                            emit(
                                f"{case}:path:{target}:{avoid}",
                                analysis.path(store, account, target, k=3, avoid_opponents=avoid, **load),
                            )
                    for who in [p.id for p in ranking.people[:2]]:
                        emit(f"{case}:whatif:{who}", analysis.whatif(store, account, who, **load))
                    if args.html:
                        emit(f"{case}:power_map", analysis.power_map_html(store, account, **load))
                        emit(f"{case}:tree", analysis.tree_html(store, account, **load))
                emit(f"{account}:compare", compare(store, account, DATES[2], DATES[0], reference=reference, cache=None))
                store.close()
    print("all " + hashlib.sha256("\n".join(lines).encode()).hexdigest())


def _exists(module: str) -> bool:
    try:
        import_module(module)
    except ImportError:
        return False
    return True


if __name__ == "__main__":
    sys.exit(main())
