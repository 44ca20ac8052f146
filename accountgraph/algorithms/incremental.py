"""Bringing a prepared view up to date by the records writes changed, instead of preparing it again.

`update_view(view, changed)` takes the current rows of the records that changed since `view` was prepared
(`Changed`: people, interactions, ties; None for a deleted one) and returns a view equal to preparing the
account's projection afresh (`prepare`), `view` itself when none of them concerns it, or None when the change
is not one it can apply (the caller prepares afresh):

* a person's **stance or roles** (the only fields that changed on their projected row): a copy of the view
  sharing every array, with their row replaced; what reads stances and roles (authority, coverage, gaps,
  actions, the opponents kept off paths) is worked out again on use, the ranking is kept when no role changed
  and the betweenness always (the networks did not move);
* an **interaction** or a **tie** (`KNOWS`, `INFLUENCES`, added, changed, ended or deleted): the projection's
  interactions and tie columns patched, and the view's with them (`AccountView.with_ties`): only the changed
  ties' strengths and the team ties of the changed ties and interactions are worked out again, the tie arrays
  and the contact graph rebuilt from them; the betweenness is kept when the informal network among the
  customer's people is the same, the ranking when that network and their `INFLUENCES` ties are (else PageRank
  starts from the previous solution), the coverage when also our team's ties are;
* anything else that concerns the view (a person joining, leaving or changing another field, a tie that
  brings one of our members in or leaves one without a tie, a view without some of its people): None.
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from accountgraph.algorithms.coverage import COLUMNS_KEY, Columns, columns_with
from accountgraph.algorithms.prepared import AUTHORITY, AccountView
from accountgraph.algorithms.ranking import authority_with_roles
from accountgraph.projection import Row, TieColumns, TieRow
from accountgraph.projection.selection import project_person

__all__ = ["Changed", "update_view"]

PATCHABLE = frozenset({"roles", "stance"})
"""The fields of a person's projected row a change of which `update_view` applies in place."""


@dataclass
class Changed:
    """The current rows of records changed since a view was prepared (None: deleted).

    `ties` are keyed by ``(kind, a, b)`` (``knows`` ends in order), their rows `TieRow` tuples.
    """

    people: dict[str, Row | None] = field(default_factory=dict)
    interactions: dict[str, Row | None] = field(default_factory=dict)
    ties: dict[tuple[str, str, str], TieRow | None] = field(default_factory=dict)


def _without(row: Row, keys: frozenset[str]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k not in keys}


def _active(row: TieRow, on: str) -> bool:
    since, until = row[4], row[5]
    return (since is None or since <= on) and (until is None or on < until)


def _edit_ties(ties: TieColumns, drop: list[int], add: list[TieRow]) -> TieColumns:
    """`ties` without the rows at `drop`, with `add` appended (on a node table extended as needed)."""
    keep = np.ones(len(ties), dtype=bool)
    keep[drop] = False
    kept = ties.take(np.flatnonzero(keep)) if drop else ties
    if not add:
        return kept
    extra = TieColumns.of(add)
    nodes, index = kept.nodes, kept.node_index()
    if any(v not in index for v in extra.nodes):
        nodes, index = list(nodes), dict(index)
        for v in extra.nodes:
            if v not in index:
                index[v] = len(nodes)
                nodes.append(v)
    remap = np.array([index[v] for v in extra.nodes], dtype=kept.a.dtype)
    texts = [
        np.concatenate([getattr(kept, name), getattr(extra, name)])
        for name in ("since", "until", "last_contact", "note")
    ]
    out = TieColumns(
        nodes,
        np.concatenate([kept.kind, extra.kind.astype(kept.kind.dtype)]),
        np.concatenate([kept.a, remap[extra.a]]),
        np.concatenate([kept.b, remap[extra.b]]),
        np.concatenate([kept.strength, extra.strength]),
        texts,
        (
            np.concatenate([kept.since_day, extra.since_day.astype(kept.since_day.dtype)]),
            np.concatenate([kept.until_day, extra.until_day.astype(kept.until_day.dtype)]),
        ),
    )
    if nodes is kept.nodes:
        out._index = kept._index  # the same node table
    return out


def update_view(view: AccountView, changed: Changed) -> AccountView | None:
    """`view` brought up to date by `changed` (see the module docstring); None: prepare afresh."""
    if view.excluded:
        return None
    projection = view.projection
    on = view.as_of.isoformat()
    companies = {c["id"] for c in projection.companies}
    P = view.P
    # ---- people: only a stance or roles may change on a row of the view ----
    rows: dict[str, Row] = {}
    roles_changed = False
    for pid, stored in changed.people.items():
        i = view.index.get(pid)
        new = project_person(copy.deepcopy(stored), on) if stored is not None else None
        if new is not None and new.get("company") not in companies:
            new = None  # not of this account
        if i is None or i >= P:
            if new is None:
                continue  # not of this account, or not at the company on the view's day
            return None  # joins the account
        if new is None:
            return None  # leaves it
        old = view.attrs[i]
        if _without(old, PATCHABLE) != _without(new, PATCHABLE):
            return None
        if new != old:
            roles_changed |= new["roles"] != old.get("roles")
            rows[pid] = new
    present = set(view.people)
    # ---- interactions: those with a person of the view up to the end of its day ----
    interactions: dict[str, Row | None] = {}
    if changed.interactions:
        end_of_day = on + "T24"
        held = {r["id"]: r for r in projection.interactions}
        for iid, stored in changed.interactions.items():
            new = stored if stored is not None and stored["person"] in present and stored["at"] <= end_of_day else None
            if new != held.get(iid):
                interactions[iid] = new
    # ---- ties: active on the view's day between its people and members ----
    drop: list[int] = []
    add: list[TieRow] = []
    touched_members: set[str] = set()
    if changed.ties:
        ties = projection.ties
        inside = present | set(view.team)
        node_at = ties.node_index()
        for (kind, a, b), tie in changed.ties.items():
            at: int | None = None
            ia, ib = node_at.get(a), node_at.get(b)
            if ia is not None and ib is not None:
                hit = np.flatnonzero((ties.a == ia) & (ties.b == ib) & (ties.kind == (0 if kind == "knows" else 1)))
                at = int(hit[0]) if hit.size else None
            now = tie if tie is not None and _active(tie, on) else None
            if now is not None and not (a in inside and b in inside):
                if kind == "knows" and (a in present or b in present):
                    return None  # one of our members may join the view (or a tie outside the account)
                now = None  # not between the view's people and members
            if at is None and now is None:
                continue
            if at is not None and now is not None and ties[at] == tuple(now):
                continue
            if at is not None:
                drop.append(at)
            if now is not None:
                add.append(now)
            touched_members |= {a, b} - present
    if not rows and not interactions and not drop and not add:
        return view
    people = projection.people
    if rows:
        people = [rows.get(p["id"], p) for p in people]
    if not interactions and not drop and not add:
        return _restanced(view, dataclasses.replace(projection, people=people), rows, roles_changed)
    # ---- the structure moved: the projection's ties and interactions patched, the view's tie arrays with them ----
    new_interactions = projection.interactions
    pairs: set[tuple[str, str]] = set()
    if interactions:
        held = {r["id"]: r for r in projection.interactions}
        for iid, row in interactions.items():
            for r in (held.get(iid), row):
                if r is not None:
                    pairs.add((r["member"], r["person"]))
        new_interactions = [r for r in projection.interactions if r["id"] not in interactions]
        new_interactions += [r for r in interactions.values() if r is not None]
        new_interactions.sort(key=lambda r: r["id"])
    new_ties = _edit_ties(projection.ties, drop, add) if drop or add else projection.ties
    if touched_members and not _members_stay(new_ties, touched_members, present):
        return None  # one of our members no longer holds a tie with someone of the account
    patched = dataclasses.replace(projection, people=people, ties=new_ties, interactions=new_interactions)
    base = _restanced(view, dataclasses.replace(projection, people=people), rows, roles_changed) if rows else view
    return base.with_ties(patched, drop, pairs)


def _members_stay(ties: TieColumns, members: set[str], present: set[str]) -> bool:
    """Whether each of `members` still holds a tie with one of the `present` people."""
    at = ties.node_index()
    nodes = ties.nodes
    for m in members:
        i = at.get(m)
        if i is None:
            return False
        others = np.concatenate([ties.b[ties.a == i], ties.a[ties.b == i]])
        if not any(nodes[o] in present for o in others.tolist()):
            return False
    return True


def _restanced(view: AccountView, projection: Any, rows: dict[str, Row], roles_changed: bool) -> AccountView:
    """A copy of `view` sharing its arrays, with the people's rows of `rows` (only stances or roles changed)."""
    out = copy.copy(view)
    out.projection = projection
    attrs = list(view.attrs)
    at = {view.index[pid]: row for pid, row in rows.items()}
    for i, row in at.items():
        attrs[i] = row
    out.attrs = attrs
    out._avoid = None
    out._nodes = None if view._nodes is None else {**view._nodes, **rows}
    out._graph = None
    columns = view.cache.get(COLUMNS_KEY)
    patched = columns_with(columns, at) if isinstance(columns, Columns) else None
    if roles_changed:
        # the authority reads roles (so the ranking and the coverage move), the betweenness and who of ours
        # reaches which company do not; the people's columns and the authority are patched
        out.cache = {k: v for k, v in view.cache.items() if k.startswith("coverage.reached:")}
        held = {i: tuple(row.get("roles") or ()) for i, row in at.items()}
        for key, value in view.cache.items():
            if key.startswith(AUTHORITY) and isinstance(value, tuple):
                out.cache[key] = authority_with_roles(key, value, held)
        if patched is not None:
            out.cache[COLUMNS_KEY] = patched
        return out
    # stances only: the ranking stays, and of the coverage all but the stances it lists (its decision chain,
    # its weights and who of ours reaches whom read no stance)
    out.cache = {k: v for k, v in view.cache.items() if k.startswith(("rank:", "coverage.core:", "coverage.reached:"))}
    if patched is not None:
        out.cache[COLUMNS_KEY] = patched
    # the rankings listed: the same but for the stances they show
    stances = {pid: str(row.get("stance") or "unknown") for pid, row in rows.items()}
    for key, value in view.cache.items():
        if key.startswith("ranking.result:") and isinstance(value, tuple):
            arrays, ranking = value
            people = [p.model_copy(update={"stance": stances[p.id]}) if p.id in stances else p for p in ranking.people]
            out.cache[key] = (arrays, ranking.model_copy(update={"people": people}))
    return out
