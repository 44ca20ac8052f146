"""Pure ASGI middleware, outermost first: request context, authentication, body-size limit.

* `RequestContextMiddleware` gives every request an id (`X-Request-ID`: the caller's when it is sane,
  else a new one), times it (`Server-Timing`), logs one structured line per request and turns any
  unexpected exception into a JSON 500 that names the request id (the traceback goes to the log only).
  It also adds the security headers of every answer (`accountgraph.api.security`).
* `AuthMiddleware` checks the API key of every `/v1` request before its body is read, so a caller without
  a valid key gets 401 and costs no parsing; roles (403) are checked by the routes' dependencies. Failed
  authentications are limited per client address and per key id (`FailureLimiter`): past the limit, 429 with
  `Retry-After`, before the key is even looked at. Every request runs in a `request_scope`: a store that reads
  its data version with the key (Neo4j) does not read it again for the request's caches.
* `ResponseCacheMiddleware` answers a GET that an analysis route answered before, for the same key, path,
  query, `Accept-Language`, data version and hour, from the worker's `ResponseCache`, without routing it.
* `BodyLimitMiddleware` refuses a body over the configured size with 413, by its declared length or
  while it streams in, before the app sees any of it.
"""

from __future__ import annotations

import json
import logging
import math
import re
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Hashable, MutableMapping
from dataclasses import dataclass
from typing import Any

import anyio.to_thread
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from accountgraph import i18n
from accountgraph.api.errors import error_content, status_of, store_message
from accountgraph.api.security import API_CSP, SECURITY_HEADERS, FailureLimiter
from accountgraph.errors import StoreError
from accountgraph.graph.store import GraphStore, request_scope
from accountgraph.i18n import _
from accountgraph.services.analysis import watching_views
from accountgraph.services.keys import authenticate, key_id_of

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
OPEN_PATHS = frozenset({"/healthz", "/docs", "/openapi.json"})
"""The paths served without a key: liveness and the API docs (and their assets, `OPEN_PREFIX`), which hold no
data; readiness needs a key."""
OPEN_PREFIX = "/docs/assets/"
LOGGER = "accountgraph.api"


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


def _language(scope: Scope) -> str:
    """The language the request's `Accept-Language` prefers (of `i18n.LANGUAGES`)."""
    return i18n.negotiate(_header(scope, b"accept-language"))


def _state(scope: Scope) -> MutableMapping[str, Any]:
    state: MutableMapping[str, Any] = scope.setdefault("state", {})
    return state


async def send_error(
    send: Send, status: int, code: str, message: str, headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    """An error answer, in the language of the moment (`i18n.use`; Content-Language when not English)."""
    body = json.dumps(error_content(code, message), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if i18n.current() != i18n.DEFAULT:
        headers = [*(headers or []), (b"content-language", i18n.current().replace("_", "-").encode())]
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class RequestContextMiddleware:
    """Request id, timing, one log line per request and the last-resort JSON 500."""

    def __init__(self, app: ASGIApp, logger: logging.Logger) -> None:
        self.app = app
        self.logger = logger

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        given = _header(scope, REQUEST_ID_HEADER.lower().encode()) or ""
        request_id = given if _SANE_REQUEST_ID.match(given) else uuid.uuid4().hex
        state = _state(scope)
        state["request_id"] = request_id
        status: list[int] = []
        bytes_in = 0

        async def counting_receive() -> Message:
            nonlocal bytes_in
            message = await receive()
            if message["type"] == "http.request":
                bytes_in += len(message.get("body", b""))
            return message

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
                elapsed = (time.perf_counter() - started) * 1000
                extra = [
                    (REQUEST_ID_HEADER.lower().encode(), request_id.encode()),
                    (b"server-timing", f"app;dur={elapsed:.1f}".encode()),
                ]
                headers = list(message.get("headers", []))
                present = {bytes(name).lower() for name, _ in headers}
                extra += [h for h in SECURITY_HEADERS if h[0] not in present]
                if b"content-security-policy" not in present:
                    extra.append((b"content-security-policy", API_CSP.encode()))
                if b"cache-control" not in present and not scope["path"].startswith(OPEN_PREFIX):
                    extra.append((b"cache-control", b"no-store"))
                message = {**message, "headers": [*headers, *extra]}
            await send(message)

        try:
            await self.app(scope, counting_receive, send_with_id)
        except Exception:
            self.logger.exception(
                "unhandled error", extra={"request_id": request_id, "method": scope["method"], "path": scope["path"]}
            )
            if not status:
                with i18n.use(_language(scope)):
                    message = _("an unexpected error occurred; it has been logged with request id {id}").format(
                        id=request_id
                    )
                    await send_error(send_with_id, 500, "internal_error", message)
        finally:
            principal = state.get("principal")
            self.logger.info(
                "request",
                extra={
                    "request_id": request_id,
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status[0] if status else None,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    "key_id": getattr(principal, "key_id", None),
                    "client": (scope.get("client") or ("", 0))[0],
                    "bytes_in": bytes_in,
                },
            )


class AuthMiddleware:
    """401 for a request (all but `OPEN_PATHS`) without a valid, unrevoked key; the principal goes to the
    request state. With a `limiter`, a client address or key id that failed too often gets 429. The
    `session_paths` (the workspace's pages) are left to their own session check."""

    def __init__(
        self, app: ASGIApp, limiter: FailureLimiter | None = None, session_paths: Callable[[str], bool] | None = None
    ) -> None:
        self.app = app
        self.limiter = limiter
        self.session_paths = session_paths  # the workspace's paths: it checks its own sessions

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # one request: the store reads its data version with the key, and the request's reads use it
        with request_scope():
            await self._authenticated(scope, receive, send)

    async def _authenticated(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if (
            scope["type"] != "http"
            or path in OPEN_PATHS
            or path.startswith(OPEN_PREFIX)
            or (self.session_paths is not None and self.session_paths(path))
        ):
            await self.app(scope, receive, send)
            return
        challenge = [(b"www-authenticate", b"Bearer")]
        scheme, _space, token = (_header(scope, b"authorization") or "").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            with i18n.use(_language(scope)):
                message = _("an API key is required: send the header `Authorization: Bearer <key>`")
                await send_error(send, 401, "unauthorized", message, challenge)
            return
        client = (scope.get("client") or ("", 0))[0]
        key_id = key_id_of(token)
        buckets = [("client", client), *([("key", key_id)] if key_id else [])]
        if self.limiter is not None:
            wait = self.limiter.retry_after(buckets)
            if wait > 0:
                with i18n.use(_language(scope)):
                    message = _("too many failed authentications; try again in {seconds} s").format(
                        seconds=math.ceil(wait)
                    )
                    retry = [(b"retry-after", f"{math.ceil(wait)}".encode())]
                    await send_error(send, 429, "too_many_requests", message, retry)
                return
        state = _state(scope)
        store: GraphStore = state["store"]
        versioned = scope.get("method") == "GET" and state.get("responses") is not None
        try:
            principal, version = await anyio.to_thread.run_sync(_authenticate_at, store, token, versioned)
        except StoreError as exc:
            logging.getLogger(LOGGER).warning("store error: %s", exc)
            status, code = status_of(exc)
            with i18n.use(_language(scope)):
                await send_error(send, status, code, store_message(exc) or str(exc))
            return
        if principal is None:
            if self.limiter is not None:
                self.limiter.failed(buckets)
            with i18n.use(_language(scope)):
                await send_error(send, 401, "unauthorized", _("unknown or revoked API key"), challenge)
            return
        state["principal"] = principal
        if version is not None:
            state["data_version"] = version
        await self.app(scope, receive, send)


def _authenticate_at(store: GraphStore, token: str, versioned: bool) -> tuple[Any, int | None]:
    """The key's scope (None: refused) and, when `versioned`, the store's data version the request reads at:
    for Neo4j the one read with the key, no second round trip (`request_scope`)."""
    principal = authenticate(store, token)
    return principal, store.data_version() if principal is not None and versioned else None


@dataclass(frozen=True)
class KeptResponse:
    """A kept 200: its headers and body."""

    headers: list[tuple[bytes, bytes]]
    body: bytes


class ResponseCache:
    """The rendered answers of the routes that depend on `api.deps.Kept` (the analyses' JSON), kept by one
    worker for one generation: the store's data version and the hour (the analyses weigh recency from the
    hour). A new generation drops the older one's answers; an answer of an older one is not kept. At most
    `entries` answers and `max_bytes` of bodies, the least recently used going first; an answer over a
    sixteenth of `max_bytes` is not kept. The middleware runs on the event loop only, so it needs no lock."""

    def __init__(self, entries: int = 4096, max_bytes: int = 64 * 1024 * 1024, clock: Callable[[], float] = time.time):
        self.entries = entries
        self.max_bytes = max_bytes
        self.clock = clock
        self._kept: OrderedDict[Hashable, KeptResponse] = OrderedDict()
        self._generation: tuple[int, int] | None = None
        self._bytes = 0
        self.hits = 0
        self.misses = 0

    def generation(self, version: int) -> tuple[int, int]:
        return version, int(self.clock() // 3600)

    def __len__(self) -> int:
        return len(self._kept)

    def get(self, generation: tuple[int, int], key: Hashable) -> KeptResponse | None:
        found = self._kept.get(key) if generation == self._generation else None
        if found is None:
            self.misses += 1
            return None
        self._kept.move_to_end(key)
        self.hits += 1
        return found

    def put(self, generation: tuple[int, int], key: Hashable, response: KeptResponse) -> bool:
        """Keep `response`; False when it is too large or of an older generation than the kept ones."""
        if len(response.body) > self.max_bytes // 16 or self.entries < 1:
            return False
        if generation != self._generation:
            current = self._generation
            if current is not None and (generation[0] < current[0] or generation[1] < current[1]):
                return False  # made from a version or hour older than answers kept already
            self._kept.clear()
            self._bytes = 0
            self._generation = generation
        old = self._kept.pop(key, None)
        if old is not None:
            self._bytes -= len(old.body)
        self._kept[key] = response
        self._bytes += len(response.body)
        while len(self._kept) > self.entries or self._bytes > self.max_bytes:
            _, dropped = self._kept.popitem(last=False)
            self._bytes -= len(dropped.body)
        return True


class ResponseCacheMiddleware:
    """A GET of a `Kept` route answered before at the same generation (data version, hour) for the same key,
    path, query string and `Accept-Language` is answered from the app's `ResponseCache` (`state["responses"]`)
    without routing, validating or running it. A 200 of a `Kept` route is kept only when every prepared view it
    used was final for its version (`services.analysis.watching_views`: an account whose exact betweenness is
    still being computed ranks with the sampled one meanwhile, so its answers are not kept). Inside
    `AuthMiddleware`: the key is checked, and the version read, for every request, a kept answer included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = _state(scope) if scope["type"] == "http" else {}
        cache: ResponseCache | None = state.get("responses")
        version: int | None = state.get("data_version")
        principal = state.get("principal")
        if cache is None or version is None or principal is None or scope.get("method") != "GET":
            await self.app(scope, receive, send)
            return
        generation = cache.generation(version)
        key = (
            principal.key_id,
            scope["path"],
            bytes(scope.get("query_string", b"")),
            _header(scope, b"accept-language") or "",
        )
        kept = cache.get(generation, key)
        if kept is not None:
            await send({"type": "http.response.start", "status": 200, "headers": list(kept.headers)})
            await send({"type": "http.response.body", "body": kept.body})
            return
        headers: list[tuple[bytes, bytes]] | None = None  # set when the answer is one to keep: a 200 of a Kept route
        chunks: list[bytes] = []
        complete = False

        async def keeping(message: Message) -> None:
            nonlocal headers, complete
            if message["type"] == "http.response.start":
                if message["status"] == 200 and state.get("keep_response"):
                    headers = [(bytes(k), bytes(v)) for k, v in message.get("headers", [])]
            elif message["type"] == "http.response.body" and headers is not None:
                chunks.append(bytes(message.get("body", b"")))
                complete = not message.get("more_body", False)
            await send(message)

        with watching_views() as views:
            await self.app(scope, receive, keeping)
        if headers is not None and complete and views and all(views):
            cache.put(generation, key, KeptResponse(headers, b"".join(chunks)))


class BodyLimitMiddleware:
    """413 for a request body over `max_bytes`, checked before the app reads any of it."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def _too_large(self, scope: Scope, send: Send) -> None:
        with i18n.use(_language(scope)):
            message = _("the request body is larger than the limit of {limit} bytes").format(limit=self.max_bytes)
            await send_error(send, 413, "payload_too_large", message)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length") or ""
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._too_large(scope, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:  # the whole body, at most the limit, then replayed to the app
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([message], receive), send)  # the client went away
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._too_large(scope, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        await self.app(scope, _replay([body], receive), send)


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed
