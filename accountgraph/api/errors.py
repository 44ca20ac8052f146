"""Errors of the HTTP API and the one place where exceptions become HTTP statuses.

Every error response is `{"error": {"code", "message", "details"}}`. The package's own exceptions
(`accountgraph.errors`) are mapped here; the API adds a few of its own, all under `AccountGraphError`. The
`code` is stable English; the `message` of the common errors (not found, forbidden, invalid request, a refused
write, no such endpoint, method not allowed, the store's state) follows the request's `Accept-Language`
(`accountgraph.i18n`), English by default and byte for byte what it was.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from accountgraph import i18n
from accountgraph.api.routing import allowed_methods
from accountgraph.errors import (
    AccountGraphError,
    BadCursor,
    BundleRejected,
    ConflictError,
    Forbidden,
    InvalidArgument,
    NotFoundError,
    StoreDamaged,
    StoreError,
    StoreResourceError,
    said_issue,
)
from accountgraph.graph.validation import record_id
from accountgraph.i18n import _, ngettext
from accountgraph.i18n.phrase import say
from accountgraph.i18n.reasons import reason as reason_of
from accountgraph.schema.models import BUNDLE_LISTS, BundleIssue

MAX_DETAILS = 1000
"""At most this many issues are listed in one response (the message gives the total)."""

_RECORD_PATHS = {"companies", "people", "team", "ties", "interactions", "risks"}


class ApiError(AccountGraphError):
    """An error the API raises itself; `status` and `code` say how it is answered."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, details: Any = None, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
        self.headers = dict(headers or {})


class BadRequest(ApiError):
    status = 400
    code = "bad_request"


class Unauthorized(ApiError):
    status = 401
    code = "unauthorized"

    def __init__(self, message: str) -> None:
        super().__init__(message, headers={"WWW-Authenticate": "Bearer"})


class Invalid(ApiError):
    """A request the API cannot act on (422); `details` lists the issues. Given as `issues` (with `message` a
    `Phrase`), they and the message are answered in the request's language (their reasons said)."""

    status = 422
    code = "validation_error"

    def __init__(
        self,
        message: str,
        details: Any = None,
        headers: Mapping[str, str] | None = None,
        *,
        issues: Sequence[BundleIssue] = (),
    ) -> None:
        super().__init__(message, [i.model_dump(mode="json") for i in issues] if issues else details, headers)
        self.issues = list(issues)


class ErrorBody(BaseModel):
    code: str = Field(description="a stable, machine-readable code such as not_found or validation_error")
    message: str = Field(description="what went wrong, for people")
    details: list[BundleIssue] | dict[str, Any] | None = Field(
        default=None, description="for 422 and 409 the list of issues (record, index, id, field, reason, code)"
    )


class ErrorResponse(BaseModel):
    """The body of every error response."""

    error: ErrorBody


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse, "description": text}
    for status, text in (
        (400, "Bad request: malformed JSON, a bad cursor or filter"),
        (401, "No key, an unknown key or a revoked key"),
        (403, "The key's role may not do this"),
        (404, "Not found (or outside the key's accounts)"),
        (409, "Conflict: a cycle, an id used by another kind, a company that still has dependants"),
        (413, "The request body is larger than the configured limit"),
        (422, "Validation failed: every issue is listed with its field"),
        (503, "The store cannot be reached (or is damaged)"),
        (507, "The store ran out of memory or space for this request; nothing was written"),
    )
}
"""Documented on every operation, so the OpenAPI schema describes each answer the API can give."""


def error_content(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details}}


def error_json(
    status: int, code: str, message: str, details: Any = None, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    headers = dict(headers or {})
    if i18n.current() != i18n.DEFAULT:
        headers.setdefault("Content-Language", i18n.current().replace("_", "-"))
    return JSONResponse(error_content(code, message, details), status_code=status, headers=headers)


Handler = Callable[[Request, Exception], Awaitable[JSONResponse]]


def localized(handler: Handler) -> Handler:
    """An exception handler that answers in the language the request's `Accept-Language` prefers."""

    @functools.wraps(handler)
    async def answer(request: Request, exc: Exception) -> JSONResponse:
        with i18n.use(i18n.negotiate(request.headers.get("accept-language"))):
            return await handler(request, exc)

    return answer


def _issues(issues: Sequence[BundleIssue]) -> list[dict[str, Any]]:
    return [said_issue(i).model_dump(mode="json") for i in issues[:MAX_DETAILS]]


def _issue_summary(issues: Sequence[BundleIssue], *, written: bool = True) -> str:
    """The first issues in a sentence: a write refused (`written`), or a request that could not be read."""
    shown = "; ".join(str(said_issue(i)) for i in issues[:3])
    more = _(" (and {n} more)").format(n=len(issues) - 3) if len(issues) > 3 else ""
    n = len(issues)
    if written:
        summary = ngettext(
            "refused, nothing was written: {n} problem: {shown}{more}",
            "refused, nothing was written: {n} problems: {shown}{more}",
            n,
        )
    else:
        summary = ngettext(
            "invalid request: {n} problem: {shown}{more}", "invalid request: {n} problems: {shown}{more}", n
        )
    return summary.format(n=n, shown=shown, more=more)


def _record_of(path: str) -> str | None:
    """The bundle list a single-record route writes (`/v1/people/x` -> people), `bundle` for the import."""
    parts = path.split("/")
    if len(parts) > 2 and parts[1] == "v1":
        if parts[2] == "import":
            return "bundle"
        if parts[2] in _RECORD_PATHS:
            return parts[2]
    return None


def issues_of(exc: RequestValidationError, path: str) -> list[BundleIssue]:
    """FastAPI's validation errors as bundle issues: list, index and id of the record, and the field."""
    record = _record_of(path)
    body = exc.body
    issues = []
    for error in exc.errors():
        loc = [p for p in error.get("loc", ())]
        where, rest = (str(loc[0]), loc[1:]) if loc else ("body", [])
        reason = reason_of(error)  # pydantic's English, said in the request's language where shown
        issue = BundleIssue(record=where, field=".".join(str(p) for p in rest) or None, reason=reason)
        if where == "body" and record == "bundle" and len(rest) >= 2 and rest[0] in BUNDLE_LISTS:
            if isinstance(rest[1], int):
                items = body.get(rest[0]) if isinstance(body, Mapping) else None
                raw = items[rest[1]] if isinstance(items, list) and rest[1] < len(items) else None
                issue = BundleIssue(
                    record=str(rest[0]),
                    index=rest[1],
                    id=record_id(raw, str(rest[0])),
                    field=".".join(str(p) for p in rest[2:]) or None,
                    reason=reason,
                )
        elif where == "body" and record is not None and record != "bundle":
            issue = BundleIssue(
                record=record, id=record_id(body, record), field=".".join(str(p) for p in rest) or None, reason=reason
            )
        issues.append(issue)
    return issues


def _json_error(exc: RequestValidationError) -> str | None:
    for error in exc.errors():
        if error.get("type") == "json_invalid":
            ctx = error.get("ctx") or {}
            loc = list(error.get("loc") or ())
            where = f" at position {loc[1]}" if len(loc) > 1 else ""
            return f"the body is not valid JSON: {ctx.get('error', 'decode error')}{where}"
    return None


def status_of(exc: AccountGraphError) -> tuple[int, str]:
    """The HTTP status and error code of one of the package's exceptions."""
    if isinstance(exc, ApiError):
        return exc.status, exc.code
    if isinstance(exc, NotFoundError):
        return 404, "not_found"
    if isinstance(exc, BundleRejected):
        return (409, "conflict") if exc.is_conflict else (422, "validation_error")
    if isinstance(exc, ConflictError):
        return 409, "conflict"
    if isinstance(exc, StoreResourceError):
        return 507, "insufficient_storage"
    if isinstance(exc, StoreError):
        return 503, "store_unavailable"
    if isinstance(exc, Forbidden):
        return 403, "forbidden"
    if isinstance(exc, BadCursor):
        return 400, "bad_request"
    if isinstance(exc, InvalidArgument):
        return 422, "validation_error"
    return 400, "bad_request"


async def _package_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AccountGraphError)
    status, code = status_of(exc)
    details: Any = None
    message = exc.said()  # the English text, or in the request's language when the service made it a `Phrase`
    headers: dict[str, str] = {}
    if isinstance(exc, ApiError):
        message, details, headers = exc.said(), exc.details, exc.headers
        if isinstance(exc, Invalid) and exc.issues:
            details = _issues(exc.issues)
    elif isinstance(exc, NotFoundError):
        details = {"kind": exc.kind, "id": exc.id}
    elif isinstance(exc, Forbidden) and i18n.current() != i18n.DEFAULT and message == str(exc):  # still English
        message = _("not allowed: {reason}").format(reason=message)
    elif isinstance(exc, BundleRejected):
        message, details = _issue_summary(exc.issues), _issues(exc.issues)
    elif isinstance(exc, BadCursor):
        message = say(exc.message)
    elif isinstance(exc, InvalidArgument):
        issue = BundleIssue(record="query", field=exc.field, reason=say(exc.message))
        message, details = _("invalid request: {issue}").format(issue=issue), [issue.model_dump(mode="json")]
    elif isinstance(exc, StoreError):  # the operator reads what is wrong in the log, the client a safe text
        logging.getLogger("accountgraph.api").warning("store error: %s", exc)
        message = store_message(exc) or message
    return error_json(status, code, message, details, headers)


def store_message(exc: Exception) -> str | None:
    """What a client is told of a store error (its own text may name hosts or files: that goes to the log)."""
    if isinstance(exc, StoreResourceError):
        return _("the store ran out of memory or space for this request; nothing was written (see the server log)")
    if isinstance(exc, StoreDamaged):
        return _("the store is damaged and cannot answer; the operator must restore a backup (see the server log)")
    if isinstance(exc, StoreError):
        return _("the store cannot be reached; try again later")
    return None


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    bad_json = _json_error(exc)
    if bad_json is not None:
        return error_json(400, "bad_request", bad_json)
    issues = issues_of(exc, request.url.path)
    message = _issue_summary(issues, written=False)
    if any(tuple(e.get("loc", ())) == ("body",) for e in exc.errors()):
        content_type = request.headers.get("content-type", "")
        if "json" not in content_type:
            message += _(" (send the body as JSON with Content-Type: application/json)")
    return error_json(422, "validation_error", message, _issues(issues))


_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "too_many_requests",
    503: "store_unavailable",
    507: "insufficient_storage",
}


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, "error")
    message = exc.detail if isinstance(exc.detail, str) else json.dumps(exc.detail, default=str)
    headers = dict(exc.headers or {})
    if exc.status_code == 404 and message == "Not Found":
        message = _("no such endpoint: {method} {path}").format(method=request.method, path=request.url.path)
    elif exc.status_code == 405:
        allow = allowed_methods(request.scope, getattr(request.app.state, "allow", {}))
        headers["Allow"] = allow or headers.get("Allow", "")
        message = _("{method} is not allowed here; this path takes: {allow}").format(
            method=request.method, allow=headers["Allow"]
        )
    elif exc.status_code == 400 and message == "There was an error parsing the body":
        message = "the body could not be parsed as JSON (malformed, or nested too deeply)"
    return error_json(exc.status_code, code, message, None, headers)


def out_of_range(err: ArithmeticError, otherwise: str = "a number") -> BundleIssue:
    """The issue of a value that date or number arithmetic could not take: a date is called a date."""
    text = str(err)
    what = "a date" if isinstance(err, OverflowError) and ("date" in text or "year" in text) else otherwise
    return BundleIssue(record="body", reason=f"{what} is out of range ({text or type(err).__name__})")


async def _overflow(request: Request, exc: Exception) -> JSONResponse:
    # Raised by some date arithmetic in model validators on dates at the very ends of the calendar
    # (e.g. year 1 with a positive UTC offset): bad input, not a server error.
    assert isinstance(exc, OverflowError)
    issue = out_of_range(exc)
    return error_json(422, "validation_error", f"invalid request: {issue.reason}", [issue.model_dump(mode="json")])


def install_handlers(app: FastAPI) -> None:
    """Map every expected exception to its status and the error body."""
    app.add_exception_handler(AccountGraphError, localized(_package_error))
    app.add_exception_handler(RequestValidationError, localized(_validation_error))
    app.add_exception_handler(StarletteHTTPException, localized(_http_error))
    app.add_exception_handler(OverflowError, _overflow)
