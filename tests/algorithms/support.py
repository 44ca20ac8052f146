"""Builders shared by the algorithm tests: small account projections and hypothesis strategies for them.

`projection(...)` builds a graph in the exact shape `GraphStore.account_subgraph` documents (see
`accountgraph.projection`), so the algorithms can be tested on many small graphs without a store.
The test below checks that shape against the real projection of the same bundle.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import networkx as nx
from hypothesis import strategies as st

from accountgraph.schema.models import Bundle, Company, Person, TeamMember, Tie, TieType

AS_OF = date(2026, 1, 1)
REFERENCE = date(2026, 1, 1)
ROLES = ("decision_maker", "economic_buyer", "technical_buyer", "user_buyer", "influencer", "champion", "blocker")
STANCES = ("supporter", "neutral", "opponent", "unknown")


@dataclass
class Spec:
    """A small account: people (id → fields), our members, ties and reporting lines."""

    people: dict[str, dict[str, Any]] = field(default_factory=dict)
    team: list[str] = field(default_factory=list)
    knows: list[tuple[str, str, float]] = field(default_factory=list)
    influences: list[tuple[str, str, float]] = field(default_factory=list)
    reports: dict[str, str] = field(default_factory=dict)
    last_contact: dict[tuple[str, str], str] = field(default_factory=dict)
    interactions: list[dict[str, Any]] = field(default_factory=list)
    risks: list[dict[str, Any]] = field(default_factory=list)
    companies: dict[str, str | None] = field(default_factory=lambda: {"acc": None})

    def bundle(self) -> Bundle:
        """The same account as a bundle (for the store-backed tests)."""
        companies = [Company(id=c, name=c.upper(), parent=p) for c, p in self.companies.items()]
        people = [
            Person.model_validate(
                {
                    "id": pid,
                    "name": f.get("name", pid),
                    "company": f.get("company", "acc"),
                    "level": f.get("level"),
                    "department": f.get("department"),
                    "title": f.get("title"),
                    "roles": f.get("roles", []),
                    "stance": f.get("stance", "unknown"),
                    "reports_to": self.reports.get(pid),
                }
            )
            for pid, f in self.people.items()
        ]
        team = [TeamMember(id=t, name=t.upper()) for t in self.team]
        ties = [
            Tie.model_validate(
                {
                    "from": a,
                    "to": b,
                    "type": TieType.KNOWS,
                    "strength": s,
                    "last_contact": self.last_contact.get((a, b)) or self.last_contact.get((b, a)),
                }
            )
            for a, b, s in self.knows
        ]
        ties += [
            Tie.model_validate({"from": a, "to": b, "type": TieType.INFLUENCES, "strength": s})
            for a, b, s in self.influences
        ]
        return Bundle.model_validate(
            {
                "companies": companies,
                "people": people,
                "team": team,
                "ties": ties,
                "interactions": self.interactions,
                "risks": self.risks,
            }
        )


def projection(spec: Spec, *, shuffle: int | None = None, as_of: date = AS_OF) -> nx.MultiDiGraph:
    """The projection of `spec` as `account_subgraph` builds it; `shuffle` inserts everything in a random order."""
    rng = random.Random(shuffle)

    def order(items: Iterable[Any]) -> list[Any]:
        out = list(items)
        if shuffle is not None:
            rng.shuffle(out)
        return out

    g = nx.MultiDiGraph(account="acc", as_of=as_of)
    for c, parent in order(spec.companies.items()):
        g.add_node(c, kind="company", name=c.upper(), parent=parent)
    team_used = {x for a, b, _ in spec.knows for x in (a, b) if x in spec.team}
    nodes: list[tuple[str, dict[str, Any]]] = []
    for pid, f in spec.people.items():
        attrs = {
            "kind": "person",
            "name": f.get("name", pid),
            "company": f.get("company", "acc"),
            "title": f.get("title"),
            "department": f.get("department"),
            "level": f.get("level"),
            "reports_to": spec.reports.get(pid),
            "roles": sorted(f.get("roles", [])),
            "stance": f.get("stance", "unknown"),
        }
        nodes.append((pid, attrs))
    nodes += [(t, {"kind": "team", "name": t.upper(), "function": "other"}) for t in sorted(team_used)]
    for node, attrs in order(nodes):
        g.add_node(node, **attrs)
    edges: list[tuple[str, str, str, dict[str, Any]]] = []
    for c, parent in spec.companies.items():
        if parent is not None:
            edges.append((parent, c, "PARENT_OF", {"type": "PARENT_OF"}))
    for pid, f in spec.people.items():
        edges.append((pid, f.get("company", "acc"), "WORKS_AT", {"type": "WORKS_AT"}))
    for pid, boss in spec.reports.items():
        edges.append((pid, boss, "REPORTS_TO", {"type": "REPORTS_TO"}))
    for a, b, s in spec.knows:
        last = spec.last_contact.get((a, b)) or spec.last_contact.get((b, a))
        attrs = {
            "type": "KNOWS",
            "team": a in spec.team or b in spec.team,
            "strength": s,
            "since": None,
            "until": None,
            "last_contact": last,
            "note": None,
        }
        edges.append((a, b, "KNOWS", attrs))
        edges.append((b, a, "KNOWS", dict(attrs)))
    for a, b, s in spec.influences:
        edges.append(
            (
                a,
                b,
                "INFLUENCES",
                {"type": "INFLUENCES", "strength": s, "since": None, "until": None, "last_contact": None, "note": None},
            )
        )
    for u, v, k, d in order(edges):
        g.add_edge(u, v, key=k, **d)
    g.graph["interactions"] = list(spec.interactions)
    g.graph["risks"] = list(spec.risks)
    return g


def person(**fields: Any) -> dict[str, Any]:
    return dict(fields)


STRENGTHS = st.sampled_from([0.1, 0.2, 0.3, 0.45, 0.5, 0.6, 0.75, 0.9, 1.0])


@st.composite
def specs(draw: st.DrawFn, min_people: int = 3, max_people: int = 8, max_team: int = 3) -> Spec:
    """Random small accounts: people with levels, roles and stances, a reporting forest, ties of every kind."""
    n = draw(st.integers(min_people, max_people))
    t = draw(st.integers(1, max_team))
    people = [f"p{i}" for i in range(n)]
    team = [f"t{i}" for i in range(t)]
    spec = Spec(team=team)
    for i, pid in enumerate(people):
        spec.people[pid] = person(
            level=draw(st.integers(1, 4)),
            roles=draw(st.lists(st.sampled_from(ROLES), max_size=2, unique=True)),
            stance=draw(st.sampled_from(STANCES)),
            department=draw(st.sampled_from(["Finance", "IT", "Operations"])),
        )
        if i and draw(st.booleans()):
            spec.reports[pid] = people[draw(st.integers(0, i - 1))]
    everyone = people + team
    pairs = [(a, b) for i, a in enumerate(everyone) for b in everyone[i + 1 :]]
    chosen = draw(st.lists(st.sampled_from(pairs), max_size=min(len(pairs), 3 * n), unique=True))
    for a, b in chosen:
        if a in spec.team and b in spec.team and draw(st.booleans()):
            continue
        spec.knows.append((a, b, draw(STRENGTHS)))
    arcs = [(a, b) for a in people for b in people if a != b]
    for a, b in draw(st.lists(st.sampled_from(arcs), max_size=2 * n, unique=True)):
        spec.influences.append((a, b, draw(STRENGTHS)))
    return spec


def product(values: Sequence[float]) -> float:
    out = 1.0
    for v in values:
        out *= v
    return out


def test_projection_has_the_shape_of_the_store_projection(tmp_path: Path) -> None:
    from accountgraph.graph.sqlite import SqliteStore

    spec = Spec(team=["t0"])
    spec.people = {"p0": person(level=1, roles=["decision_maker"]), "p1": person(level=2, stance="opponent")}
    spec.reports = {"p1": "p0"}
    spec.knows = [("p0", "t0", 0.5), ("p0", "p1", 0.7)]
    spec.influences = [("p0", "p1", 0.9)]
    spec.last_contact = {("p0", "t0"): "2025-12-01"}
    with SqliteStore(f"sqlite:///{tmp_path / 's.db'}") as store:
        store.load_bundle(spec.bundle())
        real = store.account_subgraph("acc", as_of=AS_OF)
    mine = projection(spec)
    assert sorted(real.nodes) == sorted(mine.nodes)
    assert sorted(real.edges(keys=True)) == sorted(mine.edges(keys=True))
    for u, v, k, d in real.edges(keys=True, data=True):
        for name in ("strength", "last_contact", "team"):
            assert mine.edges[u, v, k].get(name) == d.get(name), (u, v, k, name)
    for node, d in real.nodes(data=True):
        for name in ("kind", "level", "roles", "stance", "company"):
            assert mine.nodes[node].get(name) == d.get(name), (node, name)
