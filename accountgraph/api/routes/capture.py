"""Relationship capture from a mailbox or a calendar file sent as the request body (`services.capture`)."""

from __future__ import annotations

import io
from datetime import UTC, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query

from accountgraph.api.deps import IsoDate, WriteAccess
from accountgraph.errors import InvalidArgument
from accountgraph.services import capture
from accountgraph.services.capture import CapturePlan, Source

router = APIRouter(tags=["import"])

_MAIL_BODY = {
    "requestBody": {
        "required": True,
        "description": "the mailbox (mbox) or one message (.eml) itself",
        "content": {
            "application/mbox": {"schema": {"type": "string", "format": "binary"}},
            "message/rfc822": {"schema": {"type": "string", "format": "binary"}},
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
        },
    }
}
_CALENDAR_BODY = {
    "requestBody": {
        "required": True,
        "description": "the calendar (.ics) itself",
        "content": {
            "text/calendar": {"schema": {"type": "string"}},
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
        },
    }
}
_DESCRIPTION = (
    "Headers only: {what}; never bodies or descriptions, subjects only with `with_subjects`. Each one between our "
    "team members and the account's people becomes an interaction (idempotent: sending the same file again adds "
    "nothing), and their ties are created or strengthened (DotAlign's published score, see the README). The answer "
    "is the plan: counts, what was not counted and why, the people to add (unknown addresses on the account's "
    "domains), the ties that change. With `dry_run`, nothing is written. A malformed file is refused (422) with "
    "the file and where (message and line, or line); nothing is written."
)


def _bytes(body: Any) -> bytes:
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    raise InvalidArgument("send the file itself as the request body (not JSON)", field="body")


def _reference(on: Any) -> datetime | None:
    """The end of the day `on` (everything that day counts), or None (now)."""
    if on is None:
        return None
    return datetime.combine(on + timedelta(days=1), time(), tzinfo=UTC)


Account = Annotated[str, Query(min_length=1, max_length=200, description="the account whose people to match")]
DryRun = Annotated[bool, Query(description="read and check, answer the plan, write nothing")]
Subjects = Annotated[bool, Query(description="keep subjects and event titles as the interactions' notes")]
AsOf = Annotated[IsoDate | None, Query(description="count what happened up to the end of this day (default now)")]


def _filename(default: str) -> Any:
    return Query(min_length=1, max_length=200, description=f"the file's name, named in problems (default {default})")


@router.post(
    "/import/mail",
    summary="Capture relationships from a mailbox (mbox or .eml)",
    description=_DESCRIPTION.format(what="sender, recipients, date, message and thread ids"),
    openapi_extra=_MAIL_BODY,
)
def import_mail(
    access: WriteAccess,
    body: Annotated[Any, Body(description="the mailbox")],
    account: Account,
    dry_run: DryRun = False,
    with_subjects: Subjects = False,
    as_of: AsOf = None,
    filename: Annotated[str, _filename("mail.mbox")] = "mail.mbox",
) -> CapturePlan:
    data = _bytes(body)
    source = Source(filename, lambda: io.BytesIO(data))
    return capture.capture(
        access.store, access.scope, account, mail=[source], reference=_reference(as_of), dry_run=dry_run,
        with_subjects=with_subjects,
    )  # fmt: skip


@router.post(
    "/import/calendar",
    summary="Capture relationships from a calendar (.ics)",
    description=_DESCRIPTION.format(what="organiser, attendees and their answers, time, status, UID"),
    openapi_extra=_CALENDAR_BODY,
)
def import_calendar(
    access: WriteAccess,
    body: Annotated[Any, Body(description="the calendar")],
    account: Account,
    dry_run: DryRun = False,
    with_subjects: Subjects = False,
    as_of: AsOf = None,
    filename: Annotated[str, _filename("calendar.ics")] = "calendar.ics",
) -> CapturePlan:
    data = _bytes(body)
    source = Source(filename, lambda: io.BytesIO(data))
    return capture.capture(
        access.store, access.scope, account, calendars=[source], reference=_reference(as_of), dry_run=dry_run,
        with_subjects=with_subjects,
    )  # fmt: skip
