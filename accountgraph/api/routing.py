"""How a request path finds its operation when ids may hold any character, `/` included.

Records are named by `{id:path}` path segments, so `/v1/plans/q/actions` could be plan `q`'s actions or the
plan `q/actions`. The rule, the same for every resource:

* **Known sub-resources first.** A path that ends in the name of one of the resource's sub-resources
  (`/actions`, `/view`, `/tree/view`, ...) is that sub-resource, with the longest such ending winning; the
  resource's own operations (`GET /v1/plans/{id}`, ...) never match it. Likewise a fixed path of a
  collection (`/v1/plans/from-actions`, `/v1/alerts/rules/{rule}`) is never read as an id. So a wrong method
  on a sub-resource is a 405 naming the methods it takes, not an operation on a record whose id ends in
  `/actions`.
* **An encoded slash is part of the id.** A sub-resource's name must follow a literal `/`: a `/` sent as `%2F`
  belongs to the id. `GET /v1/plans/q%2Fview` reads the plan `q/view`; `GET /v1/plans/q/view` is the view of
  plan `q`. Clients that encode ids as single path segments (`%2F` for `/`, as the docs say) are never
  ambiguous; a client that sends an id's slashes unencoded reaches a record whose id ends in a sub-resource's
  name only through that sub-resource. (This needs the server's `raw_path`, which uvicorn and the test client
  give; without it every `/` counts as literal.)

Every 405 carries the full `Allow` list of the path's operations (`allowed_methods`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import unquote

from fastapi import APIRouter
from fastapi.routing import APIRoute
from starlette.routing import Match
from starlette.types import Scope

__all__ = ["IdRoute", "allowed_methods", "link_routes"]

_ID = "{id:path}"
_ENCODED_SLASH = re.compile("%2F", re.IGNORECASE)


class IdRoute(APIRoute):
    """A route whose path names a record by `{id:path}`: it yields to the resource's sub-resources (see the
    module's rule). `link_routes` tells each route the longer sub-resource paths of its resource."""

    longer: tuple[re.Pattern[str], ...] = ()

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child = super().matches(scope)
        if match is Match.NONE or _ID not in self.path:
            return match, child
        local = self.path_format.format_map({k: str(v) for k, v in child.get("path_params", {}).items()})
        routing = _routing_path(scope, local)
        if routing is not None and not self.path_regex.match(routing):
            return Match.NONE, {}  # a sub-resource's name after an encoded slash: part of the id
        if any(pattern.match(routing if routing is not None else local) for pattern in self.longer):
            return Match.NONE, {}  # a longer known sub-resource takes this path
        return match, child


def _routing_path(scope: Scope, local: str) -> str | None:
    """The route-local part of the request path with encoded slashes kept encoded (None when the server did not
    pass the raw path)."""
    raw = scope.get("raw_path")
    path: str = scope.get("path", "")
    if not raw or not path.endswith(local):
        return None
    text = bytes(raw).decode("latin-1")
    if unquote(text) != path:
        return None
    prefix = path[: len(path) - len(local)]
    kept = unquote(_ENCODED_SLASH.sub("%252F", text))  # every escape decoded but `%2F`
    return kept[len(prefix) :] if kept.startswith(prefix) else None


def _tail(path: str) -> int:
    """How many segments follow the id."""
    return path.split(_ID, 1)[1].count("/")


def _takes(other: APIRoute, head: str, route: APIRoute) -> bool:
    """True when `other` takes a path before `route` (whose path starts with `head`, then the id): a longer
    sub-resource of the same resource, or a fixed path of its collection (`/plans/from-actions`)."""
    # a fixed path of the collection (`/plans/from-actions`), or one that starts with a fixed name and names its
    # own records (`/alerts/rules/{rule}`, `/alerts/subscriptions/{id}`): a literal segment right after the
    # collection is never an id
    nested = other.path.startswith(head) and not other.path[len(head) :].startswith("{")
    if _ID in other.path and other.path.split(_ID, 1)[0] == head:
        return _tail(other.path) > _tail(route.path)
    return nested


def link_routes(routers: Iterable[APIRouter]) -> dict[str, frozenset[str]]:
    """Give every `IdRoute` of these routers (served under one prefix) the longer sub-resource paths of its
    resource; returns each route path's methods (the `Allow` of its 405s)."""
    routes = [r for router in routers for r in router.routes if isinstance(r, APIRoute)]
    methods: dict[str, set[str]] = {}
    for route in routes:
        methods.setdefault(route.path, set()).update(route.methods or ())
    for route in routes:
        if isinstance(route, IdRoute) and _ID in route.path:
            head = route.path.split(_ID, 1)[0]
            route.longer = tuple(
                {other.path: other.path_regex for other in routes if _takes(other, head, route)}.values()
            )
    return {path: frozenset(found) for path, found in methods.items()}


def allowed_methods(scope: Scope, table: dict[str, frozenset[str]]) -> str | None:
    """The `Allow` header of a 405 for the route the request's path matched (None when it is not in `table`)."""
    route = scope.get("route")
    methods = table.get(getattr(route, "path", ""))
    return ", ".join(sorted(methods)) if methods else None
