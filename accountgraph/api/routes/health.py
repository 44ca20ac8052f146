"""Liveness (the only route that needs no key) and readiness (a key of any role)."""

from __future__ import annotations

from fastapi import APIRouter

from accountgraph.api.deps import ScopeDep, StoreDep
from accountgraph.api.models import Status

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="The process is up")
async def healthz() -> Status:
    """Answered on the event loop, touching nothing: it stays fast while every worker thread waits on the
    store (readiness says whether the store answers)."""
    return Status(status="ok")


@router.get("/readyz", summary="The store is reachable and not damaged (503 otherwise)")
def readyz(store: StoreDep, _caller: ScopeDep) -> Status:
    """Needs a key like every route but liveness (the middleware checks it; declared here for the schema)."""
    store.ping()  # StoreError -> 503
    return Status(status="ready")
