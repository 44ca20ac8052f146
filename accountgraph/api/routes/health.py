"""Liveness (the only route that needs no key) and readiness (a key of any role)."""

from __future__ import annotations

from fastapi import APIRouter

from accountgraph.api.deps import ScopeDep, StoreDep
from accountgraph.api.models import Status

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="The process is up")
def healthz() -> Status:
    return Status(status="ok")


@router.get("/readyz", summary="The store is reachable (503 otherwise)")
def readyz(store: StoreDep, _caller: ScopeDep) -> Status:
    """Needs a key like every route but liveness (the middleware checks it; declared here for the schema)."""
    store.ping()  # StoreError -> 503
    return Status(status="ready")
