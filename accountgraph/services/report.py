"""The account plan on paper: the use case that gathers an account's key people, coverage and gaps, next best
actions, open deals' health and power map, and has `accountgraph.viz.report` render them as one printable HTML
document or its PDF. Used by `accountgraph report`, `GET /v1/accounts/{id}/report.pdf` and the workspace's
`/accounts/{id}/plan` page.
"""

from __future__ import annotations

from accountgraph import i18n
from accountgraph.algorithms import AccountView, key_people, next_best_actions
from accountgraph.algorithms import coverage as coverage_alg
from accountgraph.algorithms.results import Coverage, Ranking
from accountgraph.errors import NotFoundError
from accountgraph.graph.store import GraphStore
from accountgraph.services import analysis, opportunities
from accountgraph.services.analysis import AnalysisCache
from accountgraph.services.scope import Scope
from accountgraph.viz.inputs import AccountMap
from accountgraph.viz.report import MapLayout, layered_layout, render_map_svg, render_pdf, render_report

__all__ = ["KEY_PEOPLE", "MAP_PEOPLE", "map_png", "map_svg", "plan_html", "plan_pdf"]

KEY_PEOPLE = 10
"""The key people the plan lists."""
MAP_PEOPLE = 30
"""The best-ranked people of the decision chain the plan's map draws (with our team members tied to them)."""
ACTIONS = 6
GAPS = 8


def _layout(view: AccountView, ranking: Ranking, cov: Coverage) -> MapLayout:
    """The plan's map: the best-ranked `MAP_PEOPLE` of the decision chain and our members tied to them, in rows by
    decision layer, best first in each row."""
    layers = {p.id: p.layer for p in cov.people}
    chain = [p.id for p in ranking.people if p.id in layers][:MAP_PEOPLE]
    wanted = set(chain)
    ours = {t.member for pair, t in view.team_ties.items() if pair[1] in wanted}
    drawn = analysis.account_map(view, [*chain, *ours])
    order = {pid: i for i, pid in enumerate(chain)}
    people = sorted(drawn.people, key=lambda p: order.get(str(p["id"]), len(order)))
    drawn = AccountMap(drawn.account, drawn.companies, people, drawn.team, drawn.ties, drawn.strengths)
    return layered_layout(drawn, layers, {p.id for p in cov.people if p.covered})


def _view(store: GraphStore, scope: Scope, account: str, cache: AnalysisCache | None) -> AccountView:
    scope.require_account(account)
    if store.account_of(account) != account:
        raise NotFoundError("account", account)
    return analysis.account_view(store, account, cache=cache)


def plan_html(
    store: GraphStore, scope: Scope, account: str, *, cache: AnalysisCache | None, lang: str | None = None
) -> str:
    """The account plan as one printable HTML document, in `lang` (a tag `i18n.language` reads; by default the
    language of the moment).

    Raises
    ------
    NotFoundError
        If `account` is not an account, or lies outside the scope.
    """
    with i18n.use(i18n.language(lang) if lang else i18n.current()):
        return _plan_html(store, scope, account, cache)


def _plan_html(store: GraphStore, scope: Scope, account: str, cache: AnalysisCache | None) -> str:
    view = _view(store, scope, account, cache)
    ranking = key_people(view, top=None)
    cov = coverage_alg(view)
    plan = next_best_actions(view)
    layout = _layout(view, ranking, cov)
    deals = [
        opportunities.health(store, scope, o.id, cache=cache)
        for o in opportunities.list_opportunities(store, scope, account, open_only=True, limit=None).data
    ]
    names = {str(c["id"]): str(c.get("name") or c["id"]) for c in view.projection.companies}
    top = ranking.model_copy(update={"people": ranking.people[:KEY_PEOPLE]})
    gaps = cov.model_copy(update={"gaps": cov.gaps[:GAPS]})
    return render_report(
        account=account,
        name=names.get(account, account),
        as_of=cov.as_of,
        ranking=top,
        coverage=gaps,
        actions=plan.actions[:ACTIONS],
        deals=deals,
        layout=layout,
        gap_count=cov.gap_count,
    )


def plan_pdf(
    store: GraphStore, scope: Scope, account: str, *, cache: AnalysisCache | None, lang: str | None = None
) -> bytes:
    """The account plan as PDF (the document of `plan_html`)."""
    return render_pdf(plan_html(store, scope, account, cache=cache, lang=lang))


def _map(store: GraphStore, scope: Scope, account: str, cache: AnalysisCache | None) -> tuple[MapLayout, str]:
    view = _view(store, scope, account, cache)
    ranking, cov = key_people(view, top=None), coverage_alg(view)
    names = {str(c["id"]): str(c.get("name") or c["id"]) for c in view.projection.companies}
    return _layout(view, ranking, cov), names.get(account, account)


def map_svg(store: GraphStore, scope: Scope, account: str, *, cache: AnalysisCache | None) -> str:
    """The plan's power map alone, as a standalone SVG document."""
    layout, name = _map(store, scope, account, cache)
    return render_map_svg(layout, name=name)


def map_png(store: GraphStore, scope: Scope, account: str, *, cache: AnalysisCache | None) -> bytes:
    """The plan's power map alone as PNG: the SVG of `map_svg` drawn at twice its size by a headless Chromium
    (`accountgraph.viz.raster`; InvalidArgument naming what to install when there is none)."""
    from accountgraph.viz.raster import svg_to_png

    layout, name = _map(store, scope, account, cache)
    return svg_to_png(render_map_svg(layout, name=name), int(layout.width), int(layout.height))
