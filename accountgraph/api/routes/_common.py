"""Helpers shared by the record routes."""

from __future__ import annotations

from accountgraph.errors import BundleRejected
from accountgraph.schema.models import BundleIssue


def check_path_id(record: str, path_id: str, body_id: str) -> None:
    """A PUT's body must name the record of its path (422 naming the field otherwise)."""
    if path_id != body_id:
        reason = f"must equal the id in the path ({path_id!r})"
        raise BundleRejected([BundleIssue(record=record, id=body_id, field="id", reason=reason)])
