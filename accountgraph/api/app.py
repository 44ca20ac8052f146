"""The FastAPI application, built by `create_app(settings)`: nothing happens at import time.

The store is opened once per process in the lifespan and closed on shutdown. Request ids, timing,
structured logs, security headers, authentication (with its limit on failures) and the body-size limit are
middleware (`accountgraph.api.middleware`); statuses and the error body are set in `accountgraph.api.errors`;
how a path finds its operation (sub-resources before ids, 405s with a full `Allow`) in `accountgraph.api.routing`.
"""

from __future__ import annotations

import gc
import json
import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI

from accountgraph.api.deps import check_query
from accountgraph.api.errors import ERROR_RESPONSES, install_handlers
from accountgraph.api.middleware import (
    AuthMiddleware,
    BodyLimitMiddleware,
    RequestContextMiddleware,
    ResponseCache,
    ResponseCacheMiddleware,
)
from accountgraph.api.routes import (
    accounts,
    alerts,
    analysis,
    capture,
    changes,
    docs,
    health,
    import_,
    keys,
    ledger,
    opportunities,
    plans,
    portfolio,
    records,
    report,
    search,
)
from accountgraph.api.routing import link_routes
from accountgraph.api.security import FailureLimiter
from accountgraph.api.settings import ApiSettings
from accountgraph.errors import StoreError
from accountgraph.graph.store import GraphStore
from accountgraph.web import app as web

LOGGER_NAME = "accountgraph.api"
_LOG_FIELDS = ("request_id", "method", "path", "status", "duration_ms", "key_id", "client", "bytes_in")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and the request fields it carries."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in _LOG_FIELDS:
            if hasattr(record, name):
                entry[name] = getattr(record, name)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class _TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        base = super().format(record)
        fields = " ".join(f"{n}={getattr(record, n)}" for n in _LOG_FIELDS if hasattr(record, n))
        return f"{base} {fields}".rstrip()


def configure_logging(settings: ApiSettings) -> logging.Logger:
    """Give the API's logger one stderr handler of the configured format (idempotent)."""
    logger = logging.getLogger(LOGGER_NAME)
    logger.setLevel(settings.log_level)
    for handler in list(logger.handlers):
        if getattr(handler, "_accountgraph", False):
            logger.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter() if settings.log_format == "json" else _TextFormatter("%(asctime)s %(levelname)s %(message)s")
    )
    handler._accountgraph = True  # type: ignore[attr-defined]
    logger.addHandler(handler)
    return logger


def create_app(settings: ApiSettings | None = None, *, store: GraphStore | None = None) -> FastAPI:
    """Build the app. Settings default to the environment (`ACCOUNTGRAPH_*`); the store named there is
    opened in the lifespan and closed on shutdown. Pass `store` to serve an open store instead (its
    owner closes it)."""
    settings = settings or ApiSettings()
    logger = configure_logging(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
        from accountgraph.graph.settings import open_store
        from accountgraph.services.analysis import AnalysisCache
        from accountgraph.services.exact import ExactBetweenness

        own = store is None
        opened = open_store(settings.store) if store is None else store
        logger.info("store opened: %s", type(opened).__name__)
        for notice in opened.notices:  # e.g. an empty file made a new store
            logger.warning(notice)
        try:
            opened.ping()
        except StoreError as exc:  # served anyway: /readyz answers 503 until the store answers
            logger.error("the store is not ready: %s", exc)
        exact = ExactBetweenness(Path(settings.exact_cache).expanduser() if settings.exact_cache else None)
        views = AnalysisCache(settings.cache_accounts, exact=exact)
        worker = None
        if settings.alerts_worker:  # evaluates after each write, in its own thread (services.alert_delivery)
            from accountgraph.services.alert_delivery import AlertWorker

            worker = AlertWorker(opened, interval=settings.alerts_interval_seconds, log=logger.warning, cache=views)
            worker.start()
        try:
            responses = ResponseCache(settings.cache_responses) if settings.cache_responses else None
            # What exists now (the modules, classes and functions: some 80k objects) lives as long as the app:
            # frozen, the cyclic garbage collector's full passes stop walking it. Those passes stalled a worker
            # for 100-250 ms each; p99 of GET /paths on Neo4j went from 120-414 ms to 27-29 ms (README, "Neo4j at
            # speed"). Unfrozen at shutdown, so an app made and closed in a process (the tests) leaves nothing.
            gc.freeze()
            yield {"store": opened, "views": views, "responses": responses}
        finally:
            gc.unfreeze()
            if worker is not None:
                worker.stop()
            if own:
                opened.close()
                logger.info("store closed")

    app = FastAPI(
        title="AccountGraph API",
        version="1.0.0",
        summary="Relationship intelligence for key-account management: power maps, coverage, warm paths.",
        description="Send `Authorization: Bearer <key>` on every request but `GET /healthz`. "
        "Viewers read, planners also write, admins also manage keys. Every error is "
        '`{"error": {"code", "message", "details"}}`.',
        lifespan=lifespan,
        responses=ERROR_RESPONSES,
        dependencies=[Depends(check_query)],
        docs_url=None,  # served from the package by routes.docs, not from a CDN
        redoc_url=None,
    )
    app.state.settings = settings
    install_handlers(app)
    docs.install(app)
    app.include_router(health.router)
    v1 = [
        *records.routers,
        *(module.router for module in (import_, report, accounts, analysis, keys, opportunities, portfolio, search)),
        capture.router,
        alerts.router,
        changes.router,
        *ledger.routers,
        *plans.routers,
    ]
    for router in v1:
        app.include_router(router, prefix="/v1")
    app.state.allow = link_routes(v1)  # sub-resources first; the Allow of each path's 405
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)  # innermost of the three
    limiter = (
        FailureLimiter(settings.auth_failure_limit, settings.auth_failure_refill_seconds)
        if settings.auth_failure_limit
        else None
    )
    app.state.limiter = limiter  # the workspace's sign-in spends it too
    web.install(app)
    app.add_middleware(ResponseCacheMiddleware)  # inside the key check: it needs the caller and the version
    app.add_middleware(AuthMiddleware, limiter=limiter, session_paths=web.owns)
    app.add_middleware(RequestContextMiddleware, logger=logger)  # outermost
    return app
