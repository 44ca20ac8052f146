"""Exact betweenness of large accounts (`accountgraph.services.exact`): computed once per structure in the
background, shared through files by the processes, kept across edits that cannot change it."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import networkx as nx
import pytest

from accountgraph.algorithms import Options, RankParams
from accountgraph.algorithms.results import Ranking
from accountgraph.graph.store import GraphStore
from accountgraph.samples.generator import DEFAULT_REFERENCE, generate_account
from accountgraph.schema.models import Stance, Tie, TieType
from accountgraph.services import analysis
from accountgraph.services.analysis import AnalysisCache
from accountgraph.services.exact import ExactBetweenness
from accountgraph.services.scope import Scope
from tests.cli.support import invoke

REPO = Path(__file__).resolve().parents[2]
ACCOUNT = "acme"
SMALL = Options(rank=RankParams(betweenness_exact_max=100))  # 300 people: sampled unless exact is given
POLL_SECONDS = 120.0


def _load(store: GraphStore, people: int = 300) -> None:
    store.load_bundle(generate_account(people, seed=4, account_id=ACCOUNT, reference=DEFAULT_REFERENCE))


def _rank(store: GraphStore, cache: AnalysisCache, top: int | None = 20) -> Ranking:
    return analysis.rank(
        store, Scope.operator(), ACCOUNT, top=top, options=SMALL, reference=DEFAULT_REFERENCE, cache=cache
    )


def _until_exact(store: GraphStore, cache: AnalysisCache) -> Ranking:
    """Rank again until the ranking says exact (polled; fails after a generous timeout, never on timing)."""
    deadline = time.monotonic() + POLL_SECONDS
    while True:
        ranking = _rank(store, cache)
        if ranking.method.betweenness == "exact" or time.monotonic() > deadline:
            return ranking
        time.sleep(0.05)


def _informal(store: GraphStore) -> nx.Graph:
    """The informal network the brokerage reads, built independently from the networkx projection."""
    G = store.account_subgraph(ACCOUNT)
    people = [n for n, d in G.nodes(data=True) if d.get("kind") == "person"]
    informal = nx.Graph()
    informal.add_nodes_from(people)
    for a, b, key in G.edges(keys=True):
        if key in ("KNOWS", "INFLUENCES") and a != b and a in informal and b in informal:
            informal.add_edge(a, b)
    return informal


def test_exact_values_equal_networkx_and_the_ranking_is_the_exact_one(store: GraphStore, tmp_path: Path) -> None:
    _load(store)
    exact = ExactBetweenness(tmp_path / "exact")
    ranking = analysis.rank(
        store,
        Scope.operator(),
        ACCOUNT,
        options=SMALL,
        reference=DEFAULT_REFERENCE,
        exact=exact,
        wait_exact=True,
    )
    assert ranking.method.betweenness == "exact" and ranking.method.betweenness_sources == 300
    expected = nx.betweenness_centrality(_informal(store))
    assert {p.id: p.brokerage.betweenness for p in ranking.people} == pytest.approx(expected, abs=1e-12)
    # the same ranking as the one computed exact from the start (every person a source)
    native = analysis.rank(
        store,
        Scope.operator(),
        ACCOUNT,
        options=Options(rank=RankParams(betweenness_exact_max=1000)),
        reference=DEFAULT_REFERENCE,
    )
    assert [p.id for p in ranking.people] == [p.id for p in native.people]
    # without it: an estimate that says so, and here a different order
    sampled = analysis.rank(store, Scope.operator(), ACCOUNT, options=SMALL, reference=DEFAULT_REFERENCE)
    assert sampled.method.betweenness == "sampled" and sampled.method.betweenness_sources < 300
    assert [p.id for p in sampled.people] != [p.id for p in native.people]


def test_background_result_is_kept_across_a_stance_edit_and_dropped_by_a_tie_edit(
    store: GraphStore, tmp_path: Path
) -> None:
    _load(store)
    exact = ExactBetweenness(tmp_path / "exact")
    cache = AnalysisCache(exact=exact)
    first = _rank(store, cache)
    assert first.method.betweenness == "sampled"  # the exact values are being computed meanwhile
    ranked = _until_exact(store, cache)
    assert ranked.method.betweenness == "exact" and exact.computations == 1
    version = store.data_version()

    # a stance edit moves the data version, not the structure: the exact values serve at once
    person = store.get_person(ranked.people[0].id)
    store.upsert_person(person.model_copy(update={"stance": Stance.OPPONENT}))
    assert store.data_version() != version
    after = _rank(store, cache)
    assert after.method.betweenness == "exact" and exact.computations == 1
    assert {p.id: p.brokerage.betweenness for p in after.people} == {
        p.id: p.brokerage.betweenness for p in ranked.people
    }
    # a new process (a new manager on the same directory) reads the file, computes nothing
    other = ExactBetweenness(tmp_path / "exact")
    assert _rank(store, AnalysisCache(exact=other)).method.betweenness == "exact" and other.computations == 0

    # a tie between two people who had none changes the structure: sampled until computed again
    informal = _informal(store)
    a, b = next((a, b) for a in sorted(informal) for b in sorted(informal) if a < b and not informal.has_edge(a, b))
    store.upsert_tie(Tie.model_validate({"from": a, "to": b, "type": TieType.KNOWS, "strength": 0.6}))
    assert _rank(store, cache).method.betweenness == "sampled"
    again = _until_exact(store, cache)
    assert again.method.betweenness == "exact" and exact.computations == 2
    expected = nx.betweenness_centrality(_informal(store))
    everyone = _rank(store, cache, top=None)
    assert {p.id: p.brokerage.betweenness for p in everyone.people} == pytest.approx(expected, abs=1e-12)


SCRIPT = """
import json, sys
from pathlib import Path
from accountgraph.algorithms import Options, RankParams
from accountgraph.graph.sqlite import SqliteStore
from accountgraph.samples.generator import DEFAULT_REFERENCE
from accountgraph.services import analysis
from accountgraph.services.exact import ExactBetweenness
from accountgraph.services.scope import Scope

exact = ExactBetweenness(Path(sys.argv[2]))
with SqliteStore(sys.argv[1]) as store:
    r = analysis.rank(store, Scope.operator(), "acme", top=20, reference=DEFAULT_REFERENCE,
                      options=Options(rank=RankParams(betweenness_exact_max=100)), exact=exact, wait_exact=True)
print(json.dumps({"computations": exact.computations, "method": r.method.betweenness,
                  "top": [p.id for p in r.people]}))
"""


def test_two_processes_share_one_computation(tmp_path: Path) -> None:
    from accountgraph.graph.sqlite import SqliteStore

    url = f"sqlite:///{tmp_path / 'shared.db'}"
    with SqliteStore(url) as store:
        _load(store, 1500)  # long enough a computation that the two overlap
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)}
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", SCRIPT, url, str(tmp_path / "exact")],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(2)
    ]
    outs = []
    for run in runs:
        out, err = run.communicate(timeout=300)
        assert run.returncode == 0, err
        outs.append(json.loads(out))
    assert [o["method"] for o in outs] == ["exact", "exact"]
    assert sorted(o["computations"] for o in outs) == [0, 1]
    assert outs[0]["top"] == outs[1]["top"]
    assert len(list((tmp_path / "exact").rglob("*.npy"))) == 1


def test_the_cli_ranks_exact_by_default_and_estimates_when_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from accountgraph.graph.sqlite import SqliteStore

    monkeypatch.setenv("ACCOUNTGRAPH_EXACT_CACHE", str(tmp_path / "exact"))
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    with SqliteStore(url) as store:
        _load(store, 1100)  # above the default 1,000 people
    estimated = invoke(url, "rank", ACCOUNT, "--estimate", "--json")
    assert estimated.exit_code == 0, estimated.output
    assert json.loads(estimated.output)["method"]["betweenness"] == "sampled"
    assert not (tmp_path / "exact").exists()  # --estimate computes nothing
    done = invoke(url, "rank", ACCOUNT, "--json")
    assert done.exit_code == 0, done.output
    method = json.loads(done.output)["method"]
    assert method["betweenness"] == "exact" and method["betweenness_sources"] == 1100
    # once computed, --estimate finds them ready
    assert json.loads(invoke(url, "rank", ACCOUNT, "--estimate", "--json").output)["method"]["betweenness"] == "exact"
    shown = invoke(url, "rank", ACCOUNT)
    assert "betweenness exact" in shown.output
    # the power map is sized by the same exact ranking, and says so
    drawn = invoke(url, "view", ACCOUNT, "--out", str(tmp_path / "map.html"))
    assert drawn.exit_code == 0, drawn.output
    assert "brokerage exact" in (tmp_path / "map.html").read_text(encoding="utf-8")


def test_the_api_serves_the_estimate_until_the_exact_ranking_is_ready(tmp_path: Path) -> None:
    from accountgraph.graph.sqlite import SqliteStore
    from accountgraph.schema.models import ApiRole
    from tests.api.support import api, new_key

    with SqliteStore(f"sqlite:///{tmp_path / 'api.db'}") as store:
        _load(store, 1100)  # above the default 1,000 people
        headers = new_key(store, ApiRole.VIEWER)
        with api(store, exact_cache=str(tmp_path / "exact")) as client:
            url = f"/v1/accounts/{ACCOUNT}/key-people"
            first = client.get(url, params={"top": 20}, headers=headers)
            assert first.status_code == 200, first.text
            assert first.json()["method"]["betweenness"] == "sampled"
            assert first.json()["method"]["betweenness_sources"] == 256
            assert len(client.app_state["responses"]) == 0  # an estimate is not kept: the exact values will come
            deadline = time.monotonic() + POLL_SECONDS
            while True:
                body = client.get(url, params={"top": 20}, headers=headers).json()
                if body["method"]["betweenness"] == "exact" or time.monotonic() > deadline:
                    break
                time.sleep(0.05)
            hits = client.app_state["responses"].hits
            assert client.get(url, params={"top": 20}, headers=headers).json() == body  # exact: kept
            assert client.app_state["responses"].hits == hits + 1
        assert body["method"] == {**body["method"], "betweenness": "exact", "betweenness_sources": 1100}
        reference = analysis.rank(
            store, Scope.operator(), ACCOUNT, top=20, options=Options(rank=RankParams(betweenness_exact_max=2000))
        )
        assert [p["id"] for p in body["people"]] == [p.id for p in reference.people]
        assert len(list((tmp_path / "exact").rglob("*.npy"))) == 1
