"""Per-account analyses: key people, coverage, contact paths, what-if, next best actions, risk.

Thin wrappers of `accountgraph.services.analysis` (the same service the CLI calls). Each prepared account is
kept in the app's cache (`accountgraph.services.analysis.AnalysisCache`), keyed by the store's data version, so a write
drops it and the next call reloads it, once however many requests ask at the same time. The JSON answers (`Kept`)
are kept too, rendered, by the worker's `ResponseCache` (`accountgraph.api.middleware`): the same request at the
same data version and hour is answered from it without running the route. A parameter a service
refuses (InvalidArgument) is answered as a 422 naming it by `api/errors.py`, like every other.

The sentences of a result (a gap's detail, an action's plan and reasons, a path's explanation, the explanation of
a score) follow the request's `Accept-Language` (`accountgraph.i18n.phrase.said`); the codes, ids and numbers of
the JSON stay as they are, whatever the language.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from accountgraph import i18n
from accountgraph.algorithms.results import ActionPlan, Coverage, PathResult, Ranking, RiskReport, WhatIf
from accountgraph.api.deps import AccountId, AsOf, Kept, LanguageDep, ReadAccess, ViewsDep
from accountgraph.api.routing import IdRoute
from accountgraph.api.security import HtmlPage
from accountgraph.errors import InvalidArgument
from accountgraph.i18n.phrase import said
from accountgraph.schema.models import MAX_ID_LENGTH
from accountgraph.services import analysis

router = APIRouter(prefix="/accounts", tags=["analysis"], route_class=IdRoute)

PersonId = Annotated[str, Query(min_length=1, max_length=MAX_ID_LENGTH)]
R = TypeVar("R")


def said_in(lang: str, result: R) -> R:
    """The result with its sentences in `lang` (a copy; the cached result itself is left as it is)."""
    with i18n.use(lang):
        return said(result)


_in = said_in


@router.get(
    "/{id:path}/key-people",
    dependencies=[Kept],
    summary="Key people, best first, with the parts of each score",
)
def key_people(
    access: ReadAccess,
    views: ViewsDep,
    lang: LanguageDep,
    id: AccountId,
    top: Annotated[int | None, Query(ge=1, le=100_000, description="only the best `top` (default all)")] = None,
    as_of: AsOf = None,
) -> Ranking:
    return _in(lang, analysis.rank(access.store, access.scope, id, top=top, as_of=as_of, cache=views))


@router.get(
    "/{id:path}/coverage",
    dependencies=[Kept],
    summary="Relationship coverage of the decision chain, its breakdown and gaps",
)
def coverage(access: ReadAccess, views: ViewsDep, lang: LanguageDep, id: AccountId, as_of: AsOf = None) -> Coverage:
    return _in(lang, analysis.coverage(access.store, access.scope, id, as_of=as_of, cache=views))


@router.get(
    "/{id:path}/paths",
    dependencies=[Kept],
    summary="The strongest warm contact paths from our team to a person",
)
def paths(
    access: ReadAccess,
    views: ViewsDep,
    lang: LanguageDep,
    id: AccountId,
    target: Annotated[str, Query(min_length=1, max_length=MAX_ID_LENGTH, description="the person to reach")],
    source: Annotated[
        str | None,
        Query(alias="from", min_length=1, max_length=MAX_ID_LENGTH, description="start from this team member"),
    ] = None,
    k: Annotated[
        int, Query(ge=1, le=50, description="how many alternatives (distinct routes through the account), best first")
    ] = 3,
    avoid_opponents: Annotated[bool, Query(description="keep opponents and blockers off the paths")] = False,
    max_hops: Annotated[int | None, Query(ge=1, le=50, description="the most hops a path may have")] = None,
    disjoint: Annotated[
        bool, Query(description="routes that share no person of the account, so no one intermediary is in all")
    ] = False,
    as_of: AsOf = None,
) -> PathResult:
    try:
        found = analysis.path(
            access.store,
            access.scope,
            id,
            target,
            source=source,
            k=k,
            avoid_opponents=avoid_opponents,
            max_hops=max_hops,
            disjoint=disjoint,
            as_of=as_of,
            cache=views,
        )
    except InvalidArgument as err:  # the service's `source` is this route's `from`
        raise InvalidArgument(err.message, field="from" if err.field == "source" else err.field) from err
    return _in(lang, found)


@router.get(
    "/{id:path}/what-if",
    dependencies=[Kept],
    summary="Coverage before and after someone leaves, and who is irreplaceable",
)
def what_if(
    access: ReadAccess,
    views: ViewsDep,
    lang: LanguageDep,
    id: AccountId,
    remove: Annotated[
        str, Query(min_length=1, max_length=MAX_ID_LENGTH, description="the person or member who leaves")
    ],
    as_of: AsOf = None,
) -> WhatIf:
    return _in(lang, analysis.whatif(access.store, access.scope, id, remove, as_of=as_of, cache=views))


@router.get(
    "/{id:path}/actions",
    dependencies=[Kept],
    summary="Next best actions, by expected coverage gain",
)
def actions(
    access: ReadAccess,
    views: ViewsDep,
    lang: LanguageDep,
    id: AccountId,
    capacity: Annotated[
        int | None,
        Query(ge=1, le=1000, description="the most actions one of ours is given while a colleague can act (default 3)"),
    ] = None,
    as_of: AsOf = None,
) -> ActionPlan:
    return _in(lang, analysis.actions(access.store, access.scope, id, capacity=capacity, as_of=as_of, cache=views))


@router.get(
    "/{id:path}/risk",
    dependencies=[Kept],
    summary="Risk score and alerts, rolled up the company tree",
)
def risk(access: ReadAccess, views: ViewsDep, lang: LanguageDep, id: AccountId, as_of: AsOf = None) -> RiskReport:
    return _in(lang, analysis.risk(access.store, access.scope, id, as_of=as_of, cache=views))


# The views answer text/html; their errors stay JSON like every other (so no response_class=HTMLResponse,
# which would document the error responses as text/html too).
HTML_PAGE: dict[int | str, dict[str, Any]] = {
    200: {"description": "one self-contained HTML page", "content": {"text/html": {"schema": {"type": "string"}}}}
}


@router.get(
    "/{id:path}/tree/view",
    response_model=None,
    responses=HTML_PAGE,
    summary="The customer tree as one self-contained HTML page (coverage and risk per company)",
)
def tree_view(
    access: ReadAccess, views: ViewsDep, language: LanguageDep, id: AccountId, as_of: AsOf = None
) -> HTMLResponse:
    with i18n.use(language):
        html = analysis.tree_html(access.store, access.scope, id, as_of=as_of, cache=views)
    return HtmlPage(html, language=language)


@router.get(
    "/{id:path}/view",
    response_model=None,
    responses=HTML_PAGE,
    summary="The power map as one self-contained HTML page, optionally with the best path to a person",
)
def power_map_view(
    access: ReadAccess,
    views: ViewsDep,
    language: LanguageDep,
    id: AccountId,
    highlight: Annotated[PersonId | None, Query(description="draw the best path from our team to this person")] = None,
    as_of: AsOf = None,
) -> HTMLResponse:
    with i18n.use(language):
        html = analysis.power_map_html(access.store, access.scope, id, highlight_to=highlight, as_of=as_of, cache=views)
    return HtmlPage(html, language=language)
