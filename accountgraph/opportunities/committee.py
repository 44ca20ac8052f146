"""One opportunity's buying committee drawn as a power map: the committee, our people tied to it and the best
path to its most important uncovered member, with the deal's roles and stances (`features.committee_view`).

The map is drawn from the committee's view of the account (`analysis.account_map` kept to `committee_nodes`)
and the results run on it; the HTML is `accountgraph.viz.render_power_map`'s.
"""

from __future__ import annotations

from datetime import date, datetime

from accountgraph.algorithms import best_paths, key_people
from accountgraph.algorithms import coverage as coverage_alg
from accountgraph.algorithms.prepared import AccountView
from accountgraph.algorithms.results import PathResult
from accountgraph.graph.store import GraphStore
from accountgraph.i18n import _
from accountgraph.opportunities.features import committee_coverage, committee_view
from accountgraph.opportunities.models import Opportunity
from accountgraph.opportunities.service import get_opportunity
from accountgraph.services import analysis
from accountgraph.services.analysis import ViewCache

__all__ = ["committee_nodes", "committee_power_map", "opportunity_power_map"]


def committee_nodes(view: AccountView, opp: Opportunity, path: PathResult | None = None) -> set[str]:
    """What the committee's map draws of the account: the committee, our members tied to it, the hops of
    `path` and the companies of the people among them."""
    people = [m.person for m in opp.committee if view.node(m.person)]
    nodes: set[str] = set(people)
    for p in people:
        nodes.update(t.member for t in view.ties_of_person.get(p, []))
    if path is not None and path.paths:
        nodes.update(h.source for h in path.paths[0].hops)
        nodes.update(h.target for h in path.paths[0].hops)
    nodes.update(str(view.node(n).get("company")) for n in list(nodes) if view.node(n).get("kind") == "person")
    return nodes


def committee_power_map(view: AccountView, opp: Opportunity) -> str:
    """The power map of one opportunity's committee as one self-contained HTML page."""
    from accountgraph.viz import render_power_map

    cview = committee_view(view, opp.committee)
    ranking = key_people(cview, top=None)
    score, covered = committee_coverage(view, opp)
    members = {m.person for m in opp.committee}
    account_coverage = coverage_alg(cview)
    coverage = account_coverage.model_copy(  # the committee's: the page's headline and cards
        update={
            "score": score,
            "chain_size": sum(1 for p in members if cview.is_person(p)),
            "covered_count": len(covered),
            "people": [p for p in account_coverage.people if p.id in members],
            "gaps": [],
            "gap_count": 0,
        }
    )
    position = {p.id: p.rank for p in ranking.people}
    uncovered = sorted(
        (m.person for m in opp.committee if m.person in cview.index and m.person not in covered),
        key=lambda p: (position.get(p, 10**9), p),
    )
    path = best_paths(cview, uncovered[0], k=1) if uncovered and cview.is_person(uncovered[0]) else None
    if path is not None and not path.paths:
        path = None
    return render_power_map(
        analysis.account_map(cview, committee_nodes(cview, opp, path)),
        ranking,
        coverage,
        highlight_path=path,
        show_gaps=False,
        title=_("Power map — {deal} (buying committee, {account})").format(
            deal=opp.name, account=view.name(view.account)
        ),
    )


def opportunity_power_map(
    store: GraphStore,
    id: str,
    *,
    reference: date | datetime | None = None,
    cache: ViewCache | None = None,
) -> str:
    """The power map of an opportunity's committee (NotFoundError for an unknown opportunity)."""
    opp = get_opportunity(store, id)
    view = analysis.account_view(store, opp.account, reference=reference, cache=cache)
    return committee_power_map(view, opp)
