"""What-if and single points of failure: what a departure costs us.

`what_if` compares coverage before and after removing a person of the account or one of our team members
(a departure), lists the people we would lose every path to and the decision-chain members no longer
covered. `articulation_people` finds the single points of failure of our relationship network: the people
(ours or theirs) whose loss cuts us off from part of the account, with how many people each one cuts off.
Reachability uses the contact graph of `paths.py`, whose ties all go both ways, so the two agree: removing
an articulation person loses exactly the people it cuts off.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np

from accountgraph.algorithms import fast
from accountgraph.algorithms.coverage import coverage_core
from accountgraph.algorithms.params import CoverageParams
from accountgraph.algorithms.prepared import DEPARTURE, AccountView
from accountgraph.algorithms.ranking import rank_arrays
from accountgraph.algorithms.results import ArticulationPerson, PersonRef, WhatIf
from accountgraph.errors import NotFoundError
from accountgraph.i18n import N_
from accountgraph.i18n.phrase import Phrase

__all__ = ["articulation_people", "before_after", "what_if"]


def _ref(view: AccountView, node: str) -> PersonRef:
    attrs = view.node(node)
    kind = "team" if attrs.get("kind") == "team" else "person"
    return PersonRef(id=node, name=view.name(node), kind=kind, company=attrs.get("company"))


def articulation_people(view: AccountView, *, limit: int | None = None) -> list[ArticulationPerson]:
    """The people whose loss would cut our team off from part of the account.

    Parameters
    ----------
    view : AccountView
        The prepared account (`prepare`).
    limit : int, optional
        Keep only the `limit` that cut off the most people.

    Returns
    -------
    list of ArticulationPerson
        Most people cut off first (then by id); each with up to five examples, best ranked first.
    """
    if view.T == 0:
        return []
    contact = view.contact
    memo = view.cache.get("whatif.cuts")
    if isinstance(memo, tuple) and memo[0] is contact:
        cuts = memo[1]  # the same contact graph: the same cut vertices
    else:
        cuts = fast.cut_vertices(contact.n, contact.tail, contact.head, view.root)
        view.cache["whatif.cuts"] = (contact, cuts)
    arrays = rank_arrays(view)
    out: list[ArticulationPerson] = []
    for cut in cuts:
        people = [i for i in cut.cut_off if i < view.P]
        if not people:
            continue
        node = view.ids[cut.node]
        people.sort(key=lambda i: int(arrays.position[i]))
        out.append(
            ArticulationPerson(
                id=node,
                name=view.name(node),
                kind="team" if view.is_team(node) else "person",
                cut_off=len(people),
                examples=[view.ids[i] for i in people[:5]],
            )
        )
    out.sort(key=lambda a: (-a.cut_off, a.id))
    return out if limit is None else out[:limit]


def before_after(before: float, after: float) -> str:
    """ "72.4 → 61.2 (-11.2)": both figures to one decimal and their change, the difference of the figures as
    printed (so it always adds up on the page; the exact values are the result's fields)."""
    shown_before, shown_after = f"{before:.1f}", f"{after:.1f}"
    return f"{shown_before} → {shown_after} ({Decimal(shown_after) - Decimal(shown_before):+.1f})"


DEPARTURES_KEPT = 2
"""Views of the account without one person kept on a view (`departure`), the most recent."""


def departure(view: AccountView, person: str) -> AccountView:
    """`view.without(person)`, memoised on the view (the last `DEPARTURES_KEPT`); a tie or interaction edit
    brings the memoised ones up to date with the view (`AccountView.with_ties`) instead of dropping them."""
    key = DEPARTURE + person
    known = view.cache.get(key)
    if isinstance(known, AccountView):
        return known
    out = view.without(person)
    older = [k for k in view.cache if k.startswith(DEPARTURE)]
    for k in older[: max(0, len(older) - DEPARTURES_KEPT + 1)]:
        del view.cache[k]
    view.cache[key] = out
    return out


def what_if(
    view: AccountView,
    remove: str,
    *,
    params: CoverageParams | None = None,
    articulation_limit: int | None = 20,
) -> WhatIf:
    """Coverage and reach before and after a person or one of our members leaves.

    Parameters
    ----------
    view : AccountView
        The prepared account (`prepare`).
    remove : str
        A person of the account or one of our team members holding a relationship in it.
    params : CoverageParams, optional
    articulation_limit : int, optional
        How many single points of failure to list (default 20; None: all).

    Returns
    -------
    WhatIf
        Memoised on the view per person and parameters (the same object again: not to be changed).

    Raises
    ------
    NotFoundError
        If `remove` is neither a person of the account nor one of our members with a relationship in it.
    """
    if remove not in view.index:
        raise NotFoundError("person or team member in this account", remove)
    key = f"whatif:{remove}:{articulation_limit}:{params.model_dump_json() if params else ''}"
    known = view.cache.get(key)
    if isinstance(known, WhatIf):
        return known  # memoised on the view (the result is shared: not to be changed)
    result = _what_if(view, remove, params, articulation_limit)
    view.cache[key] = result
    return result


def _what_if(view: AccountView, remove: str, params: CoverageParams | None, articulation_limit: int | None) -> WhatIf:
    before = coverage_core(view, params)
    if view.is_team(remove):  # the customer's network, so its ranking and chain, are unchanged
        after_view = view
        after = coverage_core(view, params, without_members={remove})
    else:
        after_view = departure(view, remove)
        after = coverage_core(after_view, params)
    gone = view.index[remove]
    if view.T:
        reach_before = fast.reachable(view.contact, view.root)
        reach_after = fast.reachable(view.contact, view.root, removed=[gone])
        lost_idx = np.flatnonzero(reach_before[: view.P] & ~reach_after[: view.P]).tolist()
    else:
        lost_idx = []
    arrays = rank_arrays(view)
    lost_idx = sorted((i for i in lost_idx if i != gone), key=lambda i: (int(arrays.position[i]), view.ids[i]))
    lost = [_ref(view, view.ids[i]) for i in lost_idx]
    covered_after = {after_view.ids[i] for i in after.chain if after.covered(i)}
    newly = [
        _ref(view, view.ids[i])
        for i in before.chain
        if before.covered(i) and view.ids[i] != remove and view.ids[i] not in covered_after
    ]
    removed = _ref(view, remove)
    delta = after.score - before.score
    explanation = Phrase(
        N_("without our member {name}: coverage {change}; {newly}; {lost}")
        if removed.kind == "team"
        else N_("without person {name}: coverage {change}; {newly}; {lost}"),
        name=removed.name,
        change=before_after(before.score, after.score),
        newly=Phrase.ngettext("{n} chain member no longer covered", "{n} chain members no longer covered", len(newly)),
        lost=Phrase.ngettext("every path lost to {n} person", "every path lost to {n} people", len(lost)),
    )
    return WhatIf(
        account=view.account,
        as_of=view.as_of,
        removed=removed,
        coverage_before=before.score,
        coverage_after=after.score,
        delta=delta,
        lost_people=lost,
        newly_uncovered=newly,
        articulation=articulation_people(view, limit=articulation_limit),
        explanation=explanation,
    )
