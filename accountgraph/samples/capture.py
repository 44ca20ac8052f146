"""Writing mail and calendar files for capture's tests and benchmark: RFC 5322 messages in an mbox, RFC 5545
events in a calendar. Nothing here reads them (that is `accountgraph.services.capture`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import IO

__all__ = ["calendar", "message", "vevent", "write_mbox"]


def message(
    sender: str,
    to: Sequence[str],
    at: datetime,
    message_id: str | None,
    *,
    cc: Sequence[str] = (),
    headers: dict[str, str] | None = None,
    subject: str = "Status",
    body: str = "Hello,\n\nFrom the body: this line must never be read.\n",
) -> bytes:
    """One message (headers and body), lines ending in LF."""
    lines = [f"From: {sender}", f"To: {', '.join(to)}"]
    if cc:
        lines.append(f"Cc: {', '.join(cc)}")
    lines.append(f"Date: {format_datetime(at.astimezone(UTC))}")
    if message_id is not None:
        lines.append(f"Message-ID: <{message_id}>")
    lines.append(f"Subject: {subject}")
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    return ("\n".join(lines) + "\n\n" + body).encode("utf-8")


def write_mbox(out: IO[bytes], messages: Iterable[bytes]) -> int:
    """Write messages as an mbox (body lines starting with 'From ' escaped); returns how many."""
    n = 0
    for data in messages:
        head, _, body = data.partition(b"\n\n")
        escaped = b"\n".join(b">" + line if line.startswith(b"From ") else line for line in body.split(b"\n"))
        out.write(b"From capture@example Thu Jan  1 00:00:00 2026\n" + head + b"\n\n" + escaped)
        if not escaped.endswith(b"\n"):
            out.write(b"\n")
        out.write(b"\n")
        n += 1
    return n


def _stamp(at: datetime) -> str:
    if at.tzinfo is None or at.utcoffset() is None:
        return at.strftime("%Y%m%dT%H%M%S")
    return at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def vevent(
    uid: str,
    start: datetime,
    organiser: str,
    attendees: Sequence[tuple[str, str]] = (),
    *,
    tzid: str | None = None,
    rrule: str | None = None,
    exdates: Sequence[datetime] = (),
    recurrence_id: datetime | None = None,
    status: str | None = None,
    summary: str = "Meeting",
) -> str:
    """One VEVENT. `start` (and the exdates, recurrence id) are wall-clock times in `tzid` when it is given
    (naive datetimes), else UTC instants; attendees are (address, PARTSTAT)."""

    def when(name: str, at: datetime) -> str:
        return f"{name};TZID={tzid}:{_stamp(at)}" if tzid else f"{name}:{_stamp(at)}"

    lines = ["BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20260101T000000Z", when("DTSTART", start)]
    if recurrence_id is not None:
        lines.append(when("RECURRENCE-ID", recurrence_id))
    if rrule:
        lines.append(f"RRULE:{rrule}")
    lines += [when("EXDATE", d) for d in exdates]
    if status:
        lines.append(f"STATUS:{status}")
    lines.append(f"SUMMARY:{summary}")
    lines.append(f"ORGANIZER;CN=Organiser:mailto:{organiser}")
    lines += [f"ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT={state}:mailto:{address}" for address, state in attendees]
    lines += ["BEGIN:VALARM", "ACTION:DISPLAY", "TRIGGER:-PT15M", "END:VALARM", "END:VEVENT"]
    return "\r\n".join(lines) + "\r\n"


def calendar(events: Iterable[str]) -> Iterable[str]:
    """A VCALENDAR around the events, as chunks of text."""
    yield "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//AccountGraph//capture samples//EN\r\n"
    yield from events
    yield "END:VCALENDAR\r\n"
