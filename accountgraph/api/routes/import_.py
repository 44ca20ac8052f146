"""Bulk import: one bundle, in one transaction."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from accountgraph.api.deps import IsoDate, WriteAccess
from accountgraph.api.models import ImportResult
from accountgraph.schema.models import Bundle
from accountgraph.services import records

router = APIRouter(tags=["import"])


@router.post(
    "/import",
    summary="Import a bundle: all of it lands, or none of it",
    description="Upserts by id (ties by type and ends). On refusal nothing is written and every problem is "
    "listed (422; 409 when every problem is a conflict such as a cycle).",
)
def import_bundle(
    access: WriteAccess,
    bundle: Bundle,
    on: Annotated[
        IsoDate | None, Query(description="the date role and stance changes took effect (default today)")
    ] = None,
) -> ImportResult:
    return ImportResult(imported=records.import_bundle(access.store, access.scope, bundle, on=on))
