"""Bulk import: one bundle, or another CRM's export mapped to records, in one transaction."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query

from accountgraph.api.deps import IsoDate, WriteAccess
from accountgraph.api.models import ImportResult
from accountgraph.errors import BundleRejected
from accountgraph.services import crm_import, mapping, records
from accountgraph.services.crm_import import ImportPlan

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


_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_EXPORT_BODY = {
    "requestBody": {
        "required": True,
        "description": "the export file itself: CSV text (any of the profile's encodings) or an XLSX workbook",
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            _XLSX: {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


@router.post(
    "/import/mapped",
    summary="Import another CRM's export (CSV or XLSX) through a built-in profile",
    description="The file's rows are mapped to records by the profile (salesforce, hubspot, dynamics, zh-crm, or "
    "one of their mappings such as salesforce-accounts) and imported as a bundle is: all of them, or none. "
    "Records are matched by the export's key, then e-mail, then name and company; companies the export names "
    "that do not exist are created. With `dry_run`, the answer is the plan and nothing is written. Every "
    "problem names the file, the row and the column (422).",
    openapi_extra=_EXPORT_BODY,
)
def import_mapped(
    access: WriteAccess,
    body: Annotated[bytes, Body(media_type="text/csv")],
    profile: Annotated[str, Query(min_length=1, max_length=100, description="the profile, e.g. salesforce")],
    filename: Annotated[
        str, Query(min_length=1, max_length=200, description="the file's name (.csv or .xlsx), named in problems")
    ] = "export.csv",
    dry_run: Annotated[bool, Query(description="check and answer the plan; write nothing")] = False,
    on: Annotated[
        IsoDate | None, Query(description="the date role and stance changes took effect (default today)")
    ] = None,
) -> ImportPlan:
    plan = crm_import.import_file(
        access.store, access.scope, filename, body, mapping.profile(profile), dry_run=dry_run, on=on
    )
    if plan.problems:
        raise BundleRejected(plan.problems)
    return plan
