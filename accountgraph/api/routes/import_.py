"""Bulk import: one bundle, in one transaction."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from accountgraph.api.deps import IsoDate, WriteAccess
from accountgraph.api.models import ImportResult
from accountgraph.errors import BundleRejected
from accountgraph.schema.models import BUNDLE_FORMAT, BUNDLE_VERSION, Bundle, BundleIssue

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
    issues = []
    if bundle.format != BUNDLE_FORMAT:
        issues.append(BundleIssue(record="bundle", field="format", reason=f"expected {BUNDLE_FORMAT!r}"))
    if bundle.version != BUNDLE_VERSION:
        issues.append(BundleIssue(record="bundle", field="version", reason=f"only version {BUNDLE_VERSION} is known"))
    if issues:
        raise BundleRejected(issues)
    access.check_write(bundle)
    return ImportResult(imported=access.store.load_bundle(bundle, on=on))
