"""Bulk import: one bundle, or another CRM's export mapped to records, in one transaction."""

from __future__ import annotations

import binascii
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from accountgraph.api.deps import IsoDate, WriteAccess
from accountgraph.api.models import ImportResult
from accountgraph.errors import BundleRejected, InvalidArgument
from accountgraph.services import crm_import, mapping, records
from accountgraph.services.crm_import import ImportPlan
from accountgraph.services.mapping import parse_mapping

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


class MappedExport(BaseModel):
    """An export sent as JSON with its own mapping (or a profile): the file as text (CSV) or base64 (XLSX)."""

    model_config = ConfigDict(extra="forbid")

    filename: str = Field(min_length=1, max_length=200, description="the file's name (.csv or .xlsx)")
    text: str | None = Field(default=None, description="the CSV file's text")
    base64: str | None = Field(default=None, description="the file's bytes in base64 (an XLSX workbook)")
    mapping: dict[str, Any] | None = Field(
        default=None, description="a mapping, as its YAML or JSON file holds it (see the README)"
    )
    profile: str | None = Field(default=None, min_length=1, max_length=100, description="or a built-in profile")


_EXPORT_BODY = {
    "requestBody": {
        "required": True,
        "description": "the export file itself (CSV text or an XLSX workbook) with `?profile=`, or JSON with the "
        "file and a mapping of its own",
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            _XLSX: {"schema": {"type": "string", "format": "binary"}},
            "application/json": {"schema": MappedExport.model_json_schema()},
        },
    }
}


def _export_of(body: Any, profile: str | None, filename: str) -> tuple[str, bytes, list[mapping.Mapping]]:
    """The file's name, its bytes and the mappings to read it with, from a raw file body or a JSON one."""
    if isinstance(body, bytes):
        if profile is None:
            raise InvalidArgument("name the export's profile (?profile=), or send JSON with a mapping", field="profile")
        return filename, body, mapping.profile(profile)
    try:
        sent = MappedExport.model_validate(body)
    except ValidationError as err:
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in err.errors()]) from None
    if (sent.text is None) == (sent.base64 is None):
        raise InvalidArgument("give the file as 'text' (CSV) or as 'base64', one of them", field="text")
    name = profile if sent.profile is None else sent.profile
    if (name is None) == (sent.mapping is None):
        raise InvalidArgument("give a 'mapping' or a profile, one of them", field="mapping")
    if sent.text is not None:
        data = sent.text.encode("utf-8")
    else:
        try:
            data = binascii.a2b_base64(sent.base64 or "", strict_mode=True)
        except binascii.Error as err:
            raise InvalidArgument(f"'base64' is not base64: {err}", field="base64") from None
    mappings = [parse_mapping(sent.mapping, "mapping")] if sent.mapping is not None else mapping.profile(str(name))
    return sent.filename, data, mappings


@router.post(
    "/import/mapped",
    summary="Import another CRM's export (CSV or XLSX) through a profile or a mapping",
    description="The file's rows are mapped to records by the profile (salesforce, hubspot, dynamics, zh-crm, or "
    "one of their mappings such as salesforce-accounts) or by a mapping sent with the file (JSON body), and "
    "imported as a bundle is: all of them, or none. Records are matched by the export's key, then e-mail, then "
    "name and company; companies the export names that do not exist are created. With `dry_run`, the answer is "
    "the plan and nothing is written. Every problem names the file, the row and the column (422).",
    openapi_extra=_EXPORT_BODY,
)
def import_mapped(
    access: WriteAccess,
    body: Annotated[Any, Body(description="the export file, or JSON with the file and its mapping")],
    profile: Annotated[
        str | None, Query(min_length=1, max_length=100, description="the profile, e.g. salesforce")
    ] = None,
    filename: Annotated[
        str, Query(min_length=1, max_length=200, description="the file's name (.csv or .xlsx), named in problems")
    ] = "export.csv",
    dry_run: Annotated[bool, Query(description="check and answer the plan; write nothing")] = False,
    on: Annotated[
        IsoDate | None, Query(description="the date role and stance changes took effect (default today)")
    ] = None,
) -> ImportPlan:
    name, data, mappings = _export_of(body, profile, filename)
    plan = crm_import.import_file(access.store, access.scope, name, data, mappings, dry_run=dry_run, on=on)
    if plan.problems:
        raise BundleRejected(plan.problems)
    return plan
