"""The projection of an account into networkx: what every algorithm reads, whatever the backend.

Nodes are keyed by id (companies, people and team members share one id space) and carry `kind`
(``company``, ``person``, ``team``) and their fields. Edges of a `MultiDiGraph`, keyed by type:

* ``PARENT_OF`` company → subsidiary
* ``WORKS_AT`` person → company
* ``REPORTS_TO`` person → manager
* ``INFLUENCES`` a → b (a sways b), with ``strength``, ``since``, ``until``, ``last_contact``
* ``KNOWS`` in both directions (the tie is symmetric), same attributes, ``team`` True when one end is
  one of ours

Only the people at the company on `as_of` are projected (``since <= as_of < until``, a missing date
open), with the roles and stance true on that date; only ties active on `as_of` between projected nodes,
and the reporting lines between projected people. ``G.graph`` holds ``account``, ``as_of`` and the
``interactions`` (with projected people) and ``risks`` up to that date (rows).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import networkx as nx

from accountgraph.graph.store import AccountRows, Row
from accountgraph.schema.graph import RelType
from accountgraph.schema.models import Person


def _state_on(row: Row, on: date) -> tuple[list[str], str]:
    history = row.get("history") or []
    if not history:
        return list(row.get("roles") or []), row.get("stance") or "unknown"
    state = Person.model_validate(row).state_on(on)
    return [r.value for r in state.roles], state.stance.value


def _add_edges(g: nx.MultiDiGraph, edges: list[tuple[str, str, str, dict[str, Any]]]) -> None:
    """`g.add_edges_from(edges)` for edges between existing nodes, with distinct (u, v, key) triples.

    Writes the adjacency the way `MultiDiGraph.add_edge` does (one key dict shared by `_succ[u][v]`
    and `_pred[v][u]`), without its per-edge overhead: about ten times faster on 100k ties. A test
    checks the result equals `add_edges_from`.
    """
    succ, pred = g._succ, g._pred
    for u, v, key, data in edges:
        keydict = succ[u].get(v)
        if keydict is None:
            keydict = succ[u][v] = pred[v][u] = {}
        keydict[key] = data
    nx._clear_cache(g)


def project(account_id: str, rows: AccountRows, as_of: date) -> nx.MultiDiGraph:
    """Build the networkx view of one account from the rows a backend read."""
    on = as_of.isoformat()
    g = nx.MultiDiGraph(account=account_id, as_of=as_of)
    company_ids = set()
    for c in rows.companies:
        g.add_node(c["id"], kind="company", **{k: v for k, v in c.items() if k != "id"})
        company_ids.add(c["id"])
    for c in rows.companies:
        if c.get("parent") in company_ids and c["id"] != account_id:
            g.add_edge(c["parent"], c["id"], key=RelType.PARENT_OF.value, type=RelType.PARENT_OF.value)
    # the people at the company on that day: since <= on < until (ISO dates compare as text)
    present = [
        p
        for p in rows.people
        if ((since := p.get("since")) is None or since <= on) and ((until := p.get("until")) is None or on < until)
    ]
    people = set()
    for p in present:
        roles, stance = _state_on(p, as_of)
        attrs = {k: v for k, v in p.items() if k not in ("id", "history", "roles", "stance")}
        g.add_node(p["id"], kind="person", roles=roles, stance=stance, **attrs)
        people.add(p["id"])
    works = RelType.WORKS_AT.value
    reports = RelType.REPORTS_TO.value
    g.add_edges_from((p["id"], p["company"], works, {"type": works}) for p in present)
    g.add_edges_from(
        (p["id"], p["reports_to"], reports, {"type": reports}) for p in present if p.get("reports_to") in people
    )
    team = {t["id"]: t for t in rows.team}
    active = [
        t for t in rows.ties if (t[4] is None or t[4] <= on) and (t[5] is None or t[5] > on)
    ]  # since <= on < until
    # our people appear when they hold an active relationship with someone of the account
    known_team = {t[2] for t in active if t[2] in team and t[1] in people}
    known_team |= {t[1] for t in active if t[1] in team and t[2] in people}
    for tid in sorted(known_team):
        g.add_node(tid, kind="team", **{k: v for k, v in team[tid].items() if k != "id"})
    inside = people | known_team
    knows = RelType.KNOWS.value
    influences = RelType.INFLUENCES.value
    edges: list[tuple[str, str, str, dict[str, Any]]] = []
    append = edges.append
    for kind, a, b, strength, since, until, last_contact, note in active:
        if a not in inside or b not in inside:
            continue
        if kind == "influences":
            append((a, b, influences, {"type": influences, "strength": strength, "since": since, "until": until,
                                       "last_contact": last_contact, "note": note}))  # fmt: skip
        else:
            ours = a in known_team or b in known_team
            attrs = {"type": knows, "team": ours, "strength": strength, "since": since, "until": until,
                     "last_contact": last_contact, "note": note}  # fmt: skip
            append((a, b, knows, attrs))
            append((b, a, knows, attrs.copy()))
    _add_edges(g, edges)
    end_of_day = on + "T24"  # after every ISO time of that day
    g.graph["interactions"] = [i for i in rows.interactions if i["at"] <= end_of_day and i["person"] in people]
    g.graph["risks"] = [r for r in rows.risks if r["at"] <= on]
    return g
