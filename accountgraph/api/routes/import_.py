"""Bulk import: one bundle, in one transaction."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query

from accountgraph.api.deps import IsoDate, WriteAccess
from accountgraph.api.models import ImportResult
from accountgraph.services import records

router = APIRouter(tags=["import"])

# The body is read as raw JSON and checked by the import use case (the same full check as the CLI's); the
# OpenAPI document still describes it as a Bundle.
_BUNDLE_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Bundle"}}},
    }
}


@router.post(
    "/import",
    summary="Import a bundle: all of it lands, or none of it",
    description="Upserts by id (ties by type and ends). On refusal nothing is written and every problem is "
    "listed (422; 409 when every problem is a conflict such as a cycle).",
    openapi_extra=_BUNDLE_BODY,
)
def import_bundle(
    access: WriteAccess,
    bundle: Annotated[Any, Body(description="a bundle (see the Bundle schema)")],
    on: Annotated[
        IsoDate | None, Query(description="the date role and stance changes took effect (default today)")
    ] = None,
) -> ImportResult:
    return ImportResult(imported=records.import_document(access.store, access.scope, bundle, on=on))
