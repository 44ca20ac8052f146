"""Relationship capture from calendars and mailboxes sent as the request body (`services.capture`):
`POST /v1/capture` (one file, or JSON with several), and `/v1/import/mail` and `/v1/import/calendar`, its
older names (the same use case; the files are told apart by their content in all three)."""

from __future__ import annotations

import binascii
import functools
import io
from datetime import UTC, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, ValidationError

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


class CaptureFile(BaseModel):
    """One file of a capture sent as JSON: its name and its text (a calendar, an mbox) or its bytes in base64."""

    model_config = ConfigDict(extra="forbid")

    filename: str = Field(min_length=1, max_length=200, description="the file's name, named in problems")
    text: str | None = Field(default=None, description="the file's text")
    base64: str | None = Field(default=None, description="or its bytes in base64")


class CaptureFiles(BaseModel):
    """Several files in one capture (one transaction): calendars, mailboxes and messages mixed."""

    model_config = ConfigDict(extra="forbid")

    files: list[CaptureFile] = Field(min_length=1, max_length=1000)


_CAPTURE_BODY = {
    "requestBody": {
        "required": True,
        "description": "one file itself (a calendar, an mbox or one message), or JSON with several files",
        "content": {
            **_MAIL_BODY["requestBody"]["content"],  # type: ignore[dict-item]
            "text/calendar": {"schema": {"type": "string"}},
            "application/json": {"schema": CaptureFiles.model_json_schema()},
        },
    }
}


def _sources(body: Any, filename: str) -> list[Source]:
    """The files of a request: its body itself (one file), or JSON with several."""
    if not isinstance(body, dict | list):
        data = _bytes(body)
        return [Source(filename, lambda: io.BytesIO(data))]
    try:
        sent = CaptureFiles.model_validate(body)
    except ValidationError as err:
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in err.errors()]) from None
    sources: list[Source] = []
    for n, file in enumerate(sent.files):
        if (file.text is None) == (file.base64 is None):
            raise InvalidArgument("give each file as 'text' or as 'base64', one of them", field=f"files.{n}")
        if file.text is not None:
            data = file.text.encode("utf-8")
        else:
            try:
                data = binascii.a2b_base64(file.base64 or "", strict_mode=True)
            except binascii.Error as err:
                raise InvalidArgument(f"'base64' is not base64: {err}", field=f"files.{n}.base64") from None
        sources.append(Source(file.filename, functools.partial(io.BytesIO, data)))
    return sources


def _capture(access: WriteAccess, sources: list[Source], account: str, dry_run: bool, with_subjects: bool,
             as_of: Any) -> CapturePlan:  # fmt: skip
    return capture.capture(
        access.store, access.scope, account, sources, reference=_reference(as_of), dry_run=dry_run,
        with_subjects=with_subjects,
    )  # fmt: skip


@router.post(
    "/capture",
    summary="Capture relationships from calendars and mailboxes (told apart by content)",
    description=_DESCRIPTION.format(
        what="of a message the sender, recipients, date, message and thread ids; of a meeting the organiser, "
        "attendees and their answers, time, status, UID"
    )
    + " The body is one file (a calendar, an mbox or one .eml message: told apart by the content, `filename` "
    "names it), or JSON with several files (`files`: each `filename` and `text` or `base64`), mixed, captured in "
    "one transaction. A file that is none of them is refused (422) naming it.",
    openapi_extra=_CAPTURE_BODY,
)
def capture_files(
    access: WriteAccess,
    body: Annotated[Any, Body(description="one file, or JSON with several")],
    account: Account,
    dry_run: DryRun = False,
    with_subjects: Subjects = False,
    as_of: AsOf = None,
    filename: Annotated[str, _filename("capture")] = "capture",
) -> CapturePlan:
    return _capture(access, _sources(body, filename), account, dry_run, with_subjects, as_of)


@router.post(
    "/import/mail",
    summary="Capture relationships from a mailbox (mbox or .eml): the same as /v1/capture",
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
    return _capture(access, _sources(body, filename), account, dry_run, with_subjects, as_of)


@router.post(
    "/import/calendar",
    summary="Capture relationships from a calendar (.ics): the same as /v1/capture",
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
    return _capture(access, _sources(body, filename), account, dry_run, with_subjects, as_of)
