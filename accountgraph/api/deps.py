"""Every dependency of the routes, as `Annotated` aliases: the store, the caller's access, paging, filters.

The dependencies do no I/O of their own (the key was checked by `AuthMiddleware`), so they are `async`
and cost no thread hop; the endpoints, which call the store, are plain functions run in the threadpool.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine
from datetime import date
from typing import Annotated, Any, cast

import anyio.to_thread
from fastapi import Depends, Path, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import AfterValidator, BeforeValidator, WithJsonSchema

from accountgraph import i18n
from accountgraph.api.errors import Invalid, Unauthorized
from accountgraph.api.settings import ApiSettings
from accountgraph.graph.store import GraphStore
from accountgraph.i18n import N_
from accountgraph.i18n.phrase import Phrase
from accountgraph.ledger import rules
from accountgraph.schema.models import ID_PATTERN, ID_RULES, MAX_ID_LENGTH, ApiRole, BundleIssue, Role, Stance, TieType
from accountgraph.services.analysis import AnalysisCache
from accountgraph.services.keys import authenticate
from accountgraph.services.paging import CURSOR_PATTERN
from accountgraph.services.records import Access
from accountgraph.services.scope import Scope

_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    description="an AccountGraph API key (`ag_<id>_<secret>`), from `accountgraph keys create` or POST /v1/keys",
)


async def get_store(request: Request) -> GraphStore:
    """The store opened by the app's lifespan (one per process)."""
    return cast(GraphStore, request.state.store)


async def get_views(request: Request) -> AnalysisCache:
    """The app's cache of prepared accounts and fitted models (`accountgraph.services.analysis.AnalysisCache`)."""
    return cast(AnalysisCache, request.state.views)


async def get_settings(request: Request) -> ApiSettings:
    return cast(ApiSettings, request.app.state.settings)


def _query_names(dependant: Any) -> set[str]:
    names = {param.alias for param in getattr(dependant, "query_params", [])}
    for sub in getattr(dependant, "dependencies", []):
        names |= _query_names(sub)
    return names


_ALLOWED_QUERY: dict[int, frozenset[str]] = {}


async def check_query(request: Request) -> None:
    """422 for a query parameter the operation does not take (a mistyped filter must not list everything),
    or one given more than once (every parameter takes one value)."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None or not request.query_params:
        return
    allowed = _ALLOWED_QUERY.get(id(route))
    if allowed is None:
        allowed = _ALLOWED_QUERY[id(route)] = frozenset(_query_names(dependant))
    expected = ", ".join(sorted(allowed)) or Phrase(N_("none"))
    issues = [
        BundleIssue(
            record="query",
            field=name,
            reason=Phrase(N_("unknown parameter; this operation takes: {expected}"), expected=expected),
        )
        for name in sorted(set(request.query_params) - allowed)
    ]
    issues += [
        BundleIssue(record="query", field=name, reason=Phrase(N_("given more than once; it takes one value")))
        for name in sorted(allowed)
        if len(request.query_params.getlist(name)) > 1
    ]
    if issues:
        names = ", ".join(i.field or "" for i in issues)
        raise Invalid(Phrase(N_("invalid request: query parameter(s) {names}"), names=names), issues=issues)


async def get_language(request: Request) -> str:
    """The language the request's `Accept-Language` prefers among ours (`i18n.negotiate`; English by default):
    the views, the plan and the analyses' sentences (`i18n.phrase.said`) are given in it; codes and fields stay
    English."""
    return i18n.negotiate(request.headers.get("accept-language"))


async def keep_response(request: Request) -> None:
    """Marks a GET whose answer the app may keep for its generation (`api.middleware.ResponseCacheMiddleware`):
    only for a route whose answer is a function of the data version, the caller's key, the path and query, the
    `Accept-Language` and the hour, as the analyses' are."""
    request.state.keep_response = True


Kept = Depends(keep_response)
StoreDep = Annotated[GraphStore, Depends(get_store)]
LanguageDep = Annotated[str, Depends(get_language)]
SettingsDep = Annotated[ApiSettings, Depends(get_settings)]
ViewsDep = Annotated[AnalysisCache, Depends(get_views)]


async def get_scope(
    request: Request,
    store: StoreDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Scope:
    """The caller, as `AuthMiddleware` found it from `Authorization: Bearer <key>` (401 without a valid key)."""
    known = getattr(request.state, "principal", None)
    if isinstance(known, Scope):
        return known
    if credentials is None:  # a route outside the protected prefix that still asks for a key
        raise Unauthorized("an API key is required: send the header `Authorization: Bearer <key>`")
    scope = await anyio.to_thread.run_sync(authenticate, store, credentials.credentials)
    if scope is None:
        raise Unauthorized("unknown or revoked API key")
    request.state.principal = scope
    return scope


ScopeDep = Annotated[Scope, Depends(get_scope)]


def _access(role: ApiRole) -> Callable[[Scope, GraphStore], Coroutine[Any, Any, Access]]:
    """An early HTTP gate: 403 before the body is read and validated, decided by the one role rule
    (`Scope.require_role`). The service each route calls checks the role again and is the authority; this
    only spares a refused caller a 422 about a body they may not send."""

    async def dependency(scope: ScopeDep, store: StoreDep) -> Access:
        scope.require_role(role)
        return Access(store, scope)

    dependency.__name__ = f"{role.value}_access"
    return dependency


ReadAccess = Annotated[Access, Depends(_access(ApiRole.VIEWER))]
"""Any valid key: viewers, planners and admins read."""
WriteAccess = Annotated[Access, Depends(_access(ApiRole.PLANNER))]
"""Planners and admins write."""
AdminAccess = Annotated[Access, Depends(_access(ApiRole.ADMIN))]
"""Admins manage keys."""


# ---- path and query parameters ----------------------------------------------------------------
# The dates the API takes are the ledger's (`rules.plausible`, 1900 to 2200): anything outside is a typing
# mistake, refused before any date arithmetic, with the ledger's message.


def _iso_date(value: object) -> object:
    """Only `YYYY-MM-DD` (pydantic alone would also take a number as a Unix time)."""
    if isinstance(value, str) and not _ISO_DATE.fullmatch(value):
        raise ValueError(f"must be {rules.DATE_RANGE}")
    return value


def _plausible(value: date) -> date:
    return rules.plausible(value)


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
IsoDate = Annotated[
    date,
    BeforeValidator(_iso_date),
    AfterValidator(_plausible),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date",
            "pattern": r"^(19\d\d|2[01]\d\d|2200)-\d\d-\d\d$",
            "description": f"{rules.DATE_RANGE} (ISO 8601)",
        }
    ),
]
"""A calendar date in a query parameter or a request body, ISO 8601 (`2026-09-30`), from 1900 to 2200."""
AsOf = Annotated[IsoDate | None, Query(description="the account as it stood on this date (default today)")]

_ID_PATH = (
    f"{ID_RULES}; send it as one path segment, percent-encoded (`/` as `%2F`). A path ending in the name of a "
    "sub-resource (`/view`, `/actions`, ...) after an unencoded `/` is that sub-resource"
)
RecordId = Annotated[
    str,
    Path(
        min_length=1,
        max_length=MAX_ID_LENGTH,
        description=f"the record's id: {_ID_PATH}",
        json_schema_extra={"pattern": ID_PATTERN},
    ),
]
AccountId = Annotated[
    str,
    Path(
        min_length=1,
        max_length=MAX_ID_LENGTH,
        description=f"the account, the id of its root company: {_ID_PATH}",
        json_schema_extra={"pattern": ID_PATTERN},
    ),
]
Limit = Annotated[int, Query(ge=1, le=1000, description="records per page")]
Cursor = Annotated[
    str | None,
    Query(
        max_length=2000,
        description="the `next_cursor` of the previous page, as it is (URL-safe base64 without padding); none for "
        "the first page. Any other value is a 400",
        json_schema_extra={"pattern": CURSOR_PATTERN},
    ),
]
AccountFilter = Annotated[
    str | None, Query(max_length=MAX_ID_LENGTH, description="only records of this account (root company id)")
]
CompanyFilter = Annotated[
    str | None, Query(max_length=MAX_ID_LENGTH, description="only records of this company (not its subsidiaries)")
]
PersonFilter = Annotated[str | None, Query(max_length=MAX_ID_LENGTH, description="only records of this person")]
MemberFilter = Annotated[str | None, Query(max_length=MAX_ID_LENGTH, description="only records of this team member")]
RoleFilter = Annotated[Role | None, Query(description="only people holding this role now")]
StanceFilter = Annotated[Stance | None, Query(description="only people with this stance now")]
TypeFilter = Annotated[TieType | None, Query(description="only ties of this type")]
