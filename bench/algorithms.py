"""Algorithm benchmark: each algorithm and the whole analysis on generated accounts, next to plain networkx.

    python bench/algorithms.py [--sizes 1000,10000,100000] [--baseline-max 10000] [--repeat 3]

For each size an account is generated (`generate_account`, seed 1) and imported into a temporary SQLite store
(not timed). Then, timed: the load (`store.account_projection`), the preparation of the view, the ranking
(PageRank and betweenness: exact up to 1,000 people, else 256 sampled sources), coverage, three best-path
queries (k = 3, to the three best-ranked people), next best actions, what-if (the lead member leaves), risk,
and the **whole analysis** (load + prepare + rank + coverage + 3 paths + actions, from a cold cache; the
median of ``--repeat`` runs). A best
path (k = 1) on the cached view is timed as the median over 20 targets. The compiled kernels (betweenness,
articulation) are loaded before anything is timed (a process's first use costs about 0.8 s; its first compile
a few seconds).

The plain-networkx baseline loads the account's networkx view (`store.account_subgraph`) and runs the same
steps the textbook way on it (PageRank with
networkx's default tol = 1e-6, which it multiplies by N; betweenness with the same sample size; multi-source
Dijkstra; articulation points), for sizes up to ``--baseline-max`` people. It also reports whether that
PageRank's top 10 matches a strictly converged reference, and, on the 1k account, the error of the sampled
betweenness against exact values. Prints a Markdown table with the machine and the data sizes.
"""

from __future__ import annotations

import argparse
import gc
import math
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import networkx as nx  # noqa: E402
import numpy as np  # noqa: E402
from scipy.stats import spearmanr  # noqa: E402

from accountgraph.algorithms import (  # noqa: E402
    Options,
    RankParams,
    account_risk,
    best_paths,
    coverage,
    fast,
    key_people,
    next_best_actions,
    prepare,
    what_if,
)
from accountgraph.algorithms.ranking import rank_arrays  # noqa: E402
from accountgraph.graph.sqlite import SqliteStore  # noqa: E402
from accountgraph.samples.generator import DEFAULT_REFERENCE, generate_account  # noqa: E402
from bench.machine import machine as base_machine  # noqa: E402

T = TypeVar("T")


def machine() -> str:
    return f"{base_machine()}, networkx {nx.__version__}, numpy {np.__version__}"


def timed(fn: Callable[[], T]) -> tuple[T, float]:
    started = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - started


def ms(seconds: float | None) -> str:
    if seconds is None:
        return "n/a"
    return f"{seconds * 1000:,.0f}" if seconds >= 0.01 else f"{seconds * 1000:.1f}"


# ---- the plain-networkx baseline --------------------------------------------------------------------------


def baseline(g: nx.MultiDiGraph, samples: int, exact_max: int) -> dict[str, Any]:
    people = [v for v, k in g.nodes(data="kind") if k == "person"]
    team = [v for v, k in g.nodes(data="kind") if k == "team"]
    pset = set(people)
    out: dict[str, Any] = {}
    influence = nx.DiGraph()
    influence.add_nodes_from(people)
    informal = nx.Graph()
    informal.add_nodes_from(people)
    contact = nx.DiGraph()
    for u, v, k, d in g.edges(keys=True, data=True):
        if k == "INFLUENCES" and u in pset and v in pset:
            influence.add_edge(v, u, weight=d["strength"])
            informal.add_edge(u, v)
        elif k == "KNOWS" and u in pset and v in pset:
            informal.add_edge(u, v)
        if k in ("KNOWS", "INFLUENCES", "REPORTS_TO"):
            s = d.get("strength", 0.6)
            w = -math.log(max(s, 1e-6))
            if not contact.has_edge(u, v) or contact.edges[u, v]["weight"] > w:
                contact.add_edge(u, v, weight=w)
    out["pagerank"], out["t_pagerank"] = timed(lambda: nx.pagerank(influence, tol=1e-6))
    strict = nx.pagerank(influence, tol=1e-12 / max(len(people), 1), max_iter=10_000)
    top = sorted(strict, key=lambda p: (-strict[p], p))[:10]
    loose = sorted(out["pagerank"], key=lambda p: (-out["pagerank"][p], p))[:10]
    out["pagerank_top10_ok"] = top == loose
    k = None if len(people) <= exact_max else samples
    out["betweenness"], out["t_betweenness"] = timed(lambda: nx.betweenness_centrality(informal, k=k, seed=0))
    targets = sorted(out["betweenness"], key=lambda p: -out["betweenness"][p])[:3]
    _, out["t_paths"] = timed(lambda: [nx.multi_source_dijkstra(contact, set(team), t) for t in targets if team])
    _, out["t_articulation"] = timed(lambda: list(nx.articulation_points(contact.to_undirected())))
    return out


# ---- one size ----------------------------------------------------------------------------------------------


def run_size(n: int, baseline_max: int, repeat: int) -> dict[str, Any]:
    row: dict[str, Any] = {"people": n}
    bundle, row["t_generate"] = timed(
        lambda: generate_account(n, seed=1, account_id="bench", reference=DEFAULT_REFERENCE)
    )
    row["ties"] = len(bundle.ties)
    with tempfile.TemporaryDirectory() as tmp:
        store = SqliteStore(f"sqlite:///{tmp}/bench.db")
        try:
            started = time.perf_counter()
            store.load_bundle(bundle)
            row["t_import"] = time.perf_counter() - started
            del bundle  # a million objects at 100k that no analysis holds: the collector should not walk them
            gc.collect()

            def after_write(step: Callable[[], object]) -> float:
                """The time of `step` right after a write (which drops the account's snapshot)."""
                store.upsert_company(store.get_company("bench"))
                return timed(step)[1]

            # the first read after a write: from the tables (then kept as a snapshot, if the account is large)
            load = lambda: store.account_projection("bench", as_of=DEFAULT_REFERENCE)  # noqa: E731
            row["t_load_tables"] = statistics.median(after_write(load) for _ in range(repeat))
            loads = []
            for _ in range(repeat):
                projection, t = timed(lambda: store.account_projection("bench", as_of=DEFAULT_REFERENCE))
                loads.append(t)
            row["t_load"] = statistics.median(loads)
            view, row["t_prepare"] = timed(lambda: prepare(projection, reference=DEFAULT_REFERENCE))
            arrays, row["t_rank"] = timed(lambda: rank_arrays(view))
            row["betweenness"] = arrays.method.betweenness
            _, row["t_rank_models"] = timed(lambda: key_people(view, top=50))
            cov, row["t_coverage"] = timed(lambda: coverage(view))
            row["coverage"] = cov.score
            targets = [view.people[i] for i in arrays.order[:3].tolist()]
            _, row["t_paths3"] = timed(lambda: [best_paths(view, t, k=3) for t in targets])
            _, row["t_actions"] = timed(lambda: next_best_actions(view))
            member = view.team[0] if view.team else None
            _, row["t_whatif"] = timed(lambda: what_if(view, member) if member else None)
            _, row["t_risk"] = timed(lambda: account_risk(view))
            single = []
            for t in [view.people[i] for i in arrays.order[:20].tolist()]:
                single.append(timed(lambda t=t: best_paths(view, t, k=1))[1])  # type: ignore[misc]
            row["t_path_cached"] = statistics.median(single)
            if n <= 1000:
                exact = arrays.betweenness
                sampled = rank_arrays(view, RankParams(betweenness_exact_max=0)).betweenness
                top = set(np.argsort(-exact)[:10].tolist())
                row["sampling_error"] = (
                    float(np.abs(sampled - exact).max() / exact.max()),
                    float(spearmanr(sampled, exact).statistic),
                    len(top & set(np.argsort(-sampled)[:10].tolist())),
                )
            # the whole analysis runs in a process that holds nothing else (as a CLI command does)
            view = arrays = cov = projection = None  # type: ignore[assignment]
            gc.collect()

            def whole() -> None:
                p2 = store.account_projection("bench", as_of=DEFAULT_REFERENCE)
                v2 = prepare(p2, reference=DEFAULT_REFERENCE)
                key_people(v2, top=50)
                coverage(v2)
                for t in targets:
                    best_paths(v2, t, k=3)
                next_best_actions(v2)

            row["t_whole"] = statistics.median(timed(whole)[1] for _ in range(repeat))
            row["t_whole_tables"] = statistics.median(after_write(whole) for _ in range(repeat))
            row["t_whole_noload"] = row["t_whole"] - row["t_load"]
            g, row["t_load_nx"] = timed(lambda: store.account_subgraph("bench", as_of=DEFAULT_REFERENCE))
            row["nodes"], row["edges"] = g.number_of_nodes(), g.number_of_edges()
            if n <= baseline_max:
                base = baseline(g, 256, 1000)
                row["base"] = base
                row["t_base_whole"] = row["t_load_nx"] + sum(
                    base[k] for k in ("t_pagerank", "t_betweenness", "t_paths", "t_articulation")
                )
        finally:
            store.close()
    return row


# ---- exact rankings: from a write to the exact values ------------------------------------------------------


def _ranking_until_exact(rank: Callable[[], Any], limit: float) -> tuple[Any, float, int]:
    """Rank (the server's way: cached view, exact values attached when ready) until it says exact; the time it
    took from the call and how many sampled rankings were served meanwhile."""
    started = time.perf_counter()
    sampled = 0
    while True:
        ranking = rank()
        if ranking.method.betweenness == "exact" or time.perf_counter() - started > limit:
            return ranking, time.perf_counter() - started, sampled
        sampled += 1
        time.sleep(0.05)


def run_exact(n: int, full_max: int) -> dict[str, Any]:
    """Write → exact ranking on a generated account of `n` people, the server's way (`AnalysisCache` with an
    `ExactBetweenness`): after a tie edit (new structure: computed again in the background) and after a stance
    edit (same structure: reused). Above `full_max` people the exact computation is not run; its time is
    extrapolated from a sample of sources (marked)."""
    from accountgraph.schema.models import Stance, Tie, TieType
    from accountgraph.services import analysis
    from accountgraph.services.analysis import AnalysisCache
    from accountgraph.services.exact import ExactBetweenness
    from accountgraph.services.scope import Scope

    row: dict[str, Any] = {"people": n}
    bundle = generate_account(n, seed=1, account_id="bench", reference=DEFAULT_REFERENCE)
    with tempfile.TemporaryDirectory() as tmp:
        store = SqliteStore(f"sqlite:///{tmp}/bench.db")
        try:
            store.load_bundle(bundle)
            del bundle
            gc.collect()
            scope = Scope.operator()
            if n > full_max:
                view = analysis.account_view(store, "bench", reference=DEFAULT_REFERENCE)
                k = 1000
                sources = fast.sample_sources(view.P, k, 0)
                _, t = timed(lambda: fast.betweenness(view.P, *view.informal, sources=sources))
                row["t_exact_estimated"] = t * view.P / k
                row["informal_edges"] = int(view.informal[0].size)
                return row
            exact = ExactBetweenness(Path(tmp) / "exact")
            cache = AnalysisCache(exact=exact)

            def rank() -> Any:
                return analysis.rank(store, scope, "bench", top=20, reference=DEFAULT_REFERENCE, cache=cache)

            first, row["t_first_exact"], _ = _ranking_until_exact(rank, 3600)
            view = analysis.account_view(store, "bench", reference=DEFAULT_REFERENCE, cache=cache)
            row["informal_edges"] = int(view.informal[0].size)
            # a tie between two people of the informal network who had none: a new structure
            pu, pv = view.informal
            tied = set(zip(pu.tolist(), pv.tolist(), strict=True))
            a, b = next((0, j) for j in range(1, view.P) if (0, j) not in tied)
            started = time.perf_counter()
            store.upsert_tie(Tie.model_validate({"from": view.people[a], "to": view.people[b], "type": TieType.KNOWS}))
            after_tie, _, row["sampled_served"] = _ranking_until_exact(rank, 3600)
            row["t_tie_to_exact"] = time.perf_counter() - started
            # a stance edit: same structure, the exact values serve the first ranking after it
            person = store.get_person(after_tie.people[0].id)
            started = time.perf_counter()
            store.upsert_person(person.model_copy(update={"stance": Stance.OPPONENT}))
            after_stance = rank()
            row["t_stance_to_exact"] = time.perf_counter() - started
            row["stance_exact"] = after_stance.method.betweenness == "exact"
            row["computations"] = exact.computations
            # the reference: the same account ranked with every person a source, without the cache
            reference = analysis.rank(
                store,
                scope,
                "bench",
                top=20,
                reference=DEFAULT_REFERENCE,
                options=Options(rank=RankParams(betweenness_exact_max=n + 1)),
            )
            row["top20_equal"] = [p.id for p in after_stance.people] == [p.id for p in reference.people]
            sampled = analysis.rank(store, scope, "bench", top=20, reference=DEFAULT_REFERENCE)
            ids = [p.id for p in reference.people]
            row["sampled_top20"] = (
                len(set(ids) & {p.id for p in sampled.people}),
                sum(x == y for x, y in zip(ids, [p.id for p in sampled.people], strict=True)),
            )
            _, row["t_exact_alone"] = timed(lambda: fast.betweenness(view.P, *view.informal))
            del first
        finally:
            store.close()
    return row


def print_exact(rows: list[dict[str, Any]]) -> None:
    print()
    print(
        "| people | informal ties | exact computation alone | first exact (cold) | tie edit → exact "
        "| sampled rankings served meanwhile "
        "| stance edit → exact | exact computations | top 20 = exact ranking | sampled top 20: shared / same place |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|:---:|---:|")
    for r in rows:
        if "t_exact_estimated" in r:
            print(
                f"| {r['people']:,} | {r['informal_edges']:,} | about {r['t_exact_estimated']:,.0f} s "
                "(extrapolated from 1,000 sources) | not run | | | | | | |"
            )
            continue
        shared, placed = r["sampled_top20"]
        print(
            f"| {r['people']:,} | {r['informal_edges']:,} | {r['t_exact_alone']:.1f} s | {r['t_first_exact']:.1f} s "
            f"| {r['t_tie_to_exact']:.1f} s "
            f"| {r['sampled_served']} | {ms(r['t_stance_to_exact'])} ms "
            f"({'exact' if r['stance_exact'] else '**sampled**'}) "
            f"| {r['computations']} | {'yes' if r['top20_equal'] else '**no**'} | {shared} / {placed} |"
        )
    print()
    print("Exact rankings, the server's way (one `AnalysisCache` with an `ExactBetweenness`, SQLite): `first exact`")
    print("from the first ranking of the account to the first that says exact; `tie edit → exact` from a new KNOWS tie")
    print("between two people (a new structure: computed again in the background while the ranking is sampled) to")
    print("the first exact ranking; `stance edit → exact`: the first ranking after a stance edit (same structure:")
    print("the exact values reused, the account read and prepared again). `top 20 = exact ranking`: the same")
    print("people in the same order as the ranking computed with every person a betweenness source.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--baseline-max", type=int, default=10000, help="largest size the networkx baseline runs on")
    parser.add_argument("--repeat", type=int, default=3, help="loads timed (the median is shown)")
    parser.add_argument(
        "--exact-sizes", default="10000,100000", help="sizes of the write → exact ranking measure ('' for none)"
    )
    parser.add_argument(
        "--exact-full-max",
        type=int,
        default=20000,
        help="above this many people the exact computation is extrapolated from 1,000 sources, not run",
    )
    parser.add_argument("--only-exact", action="store_true", help="run only the write → exact ranking measure")
    args = parser.parse_args()
    fast.betweenness(3, np.array([0, 1]), np.array([1, 2]))  # load (or compile) the kernels before timing
    fast.articulation_mask(3, np.array([0, 1]), np.array([1, 2]), 0)
    exact_rows = [run_exact(int(n), args.exact_full_max) for n in args.exact_sizes.split(",") if n]
    if args.only_exact:
        print(f"Machine: {machine()}")
        print_exact(exact_rows)
        return
    rows = []
    for n in (int(s) for s in args.sizes.split(",")):
        row = run_size(n, args.baseline_max, args.repeat)
        rows.append(row)
        print(
            f"{n:,} people: whole analysis {row['t_whole']:.2f} s (load {row['t_load']:.2f} s), "
            f"from the tables {row['t_whole_tables']:.2f} s",
            file=sys.stderr,
        )

    print(f"Machine: {machine()}")
    print()
    print(
        "| people | graph nodes / edges | load (ms) | load from the tables | prepare | rank | coverage "
        "| 3 paths (k=3) | actions | what-if | risk | path k=1, cached | **whole analysis** | whole without load "
        "| whole, from the tables | networkx baseline |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        base = f"{r['t_base_whole']:,.1f} s" if "t_base_whole" in r else "not run"
        print(
            f"| {r['people']:,} | {r['nodes']:,} / {r['edges']:,} | {ms(r['t_load'])} | {ms(r['t_load_tables'])} "
            f"| {ms(r['t_prepare'])} | {ms(r['t_rank'])} ({r['betweenness']}) | {ms(r['t_coverage'])} "
            f"| {ms(r['t_paths3'])} | {ms(r['t_actions'])} | {ms(r['t_whatif'])} | {ms(r['t_risk'])} "
            f"| {ms(r['t_path_cached'])} | **{ms(r['t_whole'])}** | {ms(r['t_whole_noload'])} "
            f"| {ms(r['t_whole_tables'])} | {base} |"
        )
    print()
    print("All times in milliseconds unless marked (medians); `whole analysis` = load from SQLite + prepare + rank")
    print("+ coverage + 3 paths (k=3) + actions, cold (no view cached). `load` reads the account's snapshot, kept")
    print(f"for accounts of {SqliteStore.snapshot_min_ties:,} ties or more at their first read after a write;")
    print("`from the tables` is that first read after a write: row by row, then the snapshot written. The")
    print("networkx baseline = the load of the networkx view + PageRank + betweenness (256 sampled sources above")
    print("1,000 people) + 3 multi-source Dijkstra + articulation points.")
    print()
    print("| people | nx PageRank (tol 1e-6) | its top 10 = strict reference | nx betweenness | nx 3 paths |")
    print("|---:|---:|:---:|---:|---:|")
    for r in rows:
        if "base" in r:
            b = r["base"]
            print(
                f"| {r['people']:,} | {ms(b['t_pagerank'])} ms | {'yes' if b['pagerank_top10_ok'] else '**no**'} "
                f"| {ms(b['t_betweenness'])} ms | {ms(b['t_paths'])} ms |"
            )
    print_exact(exact_rows)
    for r in rows:
        if "sampling_error" in r:
            err, rho, overlap = r["sampling_error"]
            print()
            print(
                f"Sampled betweenness (256 sources, seed 0) against exact on the {r['people']:,}-people account: "
                f"largest error {err:.1%} of the top value, Spearman {rho:.3f}, top-10 overlap {overlap}/10."
            )


if __name__ == "__main__":
    main()
