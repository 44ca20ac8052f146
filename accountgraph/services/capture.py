"""Relationship capture from mail and calendars: mailboxes (mbox, `.eml` files or directories of them) and
calendars (`.ics`) become interactions between our team members and an account's people, and the ties between
them are created or strengthened.

**Headers only.** A message is read up to the blank line that ends its headers; its body is skipped unread. What
is kept: the sender, the recipients (To, Cc, Bcc), the date, the Message-ID and the thread (In-Reply-To /
References). Of an event: the UID, the recurrence id, the start, the status, the organiser and the attendees
with their answers. Subjects and event titles are read only when asked (`with_subjects`: they become the
interactions' notes); bodies and descriptions never.

**Identities** are e-mail addresses, compared case-insensitively: our team members by their `email` and `emails`,
the account's people by their `email`. An unknown address on one of the account's domains (the domains of its
people's addresses, our own excepted) is listed as a person to add, with how many messages and meetings it
appears in (with one of our members).

**Interactions.** A message from a member to a person (or from a person to a member) is one e-mail interaction
per (member, person) pair, with its direction (`out` or `in`); a meeting is one meeting interaction per
(member, person) pair among the organiser and the attendees who did not decline. Their ids are digests of the
message's Message-ID (or, without one, of its sender, date and recipients) or of the event's UID and occurrence,
with the pair: ingesting the same file again adds nothing. Ignored: mailing-list and automatic mail (`List-Id`,
`Auto-Submitted` other than `no`, `Precedence: bulk|list|junk`), cancelled events and occurrences, declined
invitations, and anything after the reference time (a meeting counts once it took place).

**Ties.** Every (member, person) pair with captured activity gets a `knows` tie whose strength is
`algorithms.strength.captured_score` of all the pair's captured interactions in the store and in the files
(DotAlign's published scoring, see `CaptureParams`). A tie is created, or strengthened when the score is above its
stated strength (its last contact moved forward); capture never weakens a tie. Captured activity counts once: in
that stated strength; the analyses' interaction boost leaves captured interactions out (`is_captured`), and
interactions logged by hand count there, not in the score.

**Bad input** (a file that is not a mailbox or a calendar, a truncated one, a message without sender or date, an
event without UID or start) refuses the whole capture with every problem naming the file and where (message number
and line, or line); nothing is written. Files are read as streams, one message or event at a time; everything is
written at the end, in one transaction (`records.import_document`), so an interrupted capture writes nothing.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from email.header import decode_header, make_header
from email.utils import getaddresses, parsedate_to_datetime
from functools import cache
from typing import IO, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rruleset, rrulestr
from pydantic import BaseModel, Field

from accountgraph.algorithms.params import CaptureParams
from accountgraph.algorithms.strength import CAPTURED_PREFIXES, captured_score, is_captured
from accountgraph.errors import BundleRejected
from accountgraph.graph.store import GraphStore, ListFilter
from accountgraph.schema.models import ApiRole, BundleIssue, Tie, TieType
from accountgraph.services import records
from accountgraph.services.scope import Scope

__all__ = [
    "CapturePlan",
    "PersonToAdd",
    "Source",
    "TieChange",
    "capture",
    "kind_of",
    "read_calendar",
    "read_mail",
]

MAIL_PREFIX, MEET_PREFIX = CAPTURED_PREFIXES
"""The ids of captured interactions: these prefixes and a 32-digit digest (`algorithms.strength.is_captured`
recognises them: captured interactions count in their tie's stated strength, not in the interaction boost)."""
Kind = Literal["mbox", "eml", "ics"]
Progress = Callable[[int], None]
"""Called with the bytes read since the last call."""


@dataclass(frozen=True)
class Source:
    """One input file: its name (named in problems) and how to open it as a binary stream."""

    name: str
    open: Callable[[], IO[bytes]]
    kind: Kind | None = None  # None: told apart by the content (`kind_of`)


class CaptureError(Exception):
    """A malformed input: the file, where in it, and what is wrong."""

    def __init__(self, file: str, where: str | None, reason: str) -> None:
        self.issue = BundleIssue(record=file, field=where, reason=reason)
        super().__init__(str(self.issue))


# ---------------------------------------------------------------------------------------------------- mail


@dataclass
class Message:
    """The header facts of one message."""

    where: str
    message_id: str
    sender: str
    recipients: list[str]
    at: datetime
    thread: str | None
    subject: str | None
    skip: str | None  # why it is ignored (mailing list, automatic), or None


_HEADER_LINE = re.compile(rb"^[!-9;-~]+:")
_BULK = frozenset({"bulk", "list", "junk"})
_KEPT = frozenset(
    {b"from", b"to", b"cc", b"bcc", b"date", b"message-id", b"references", b"in-reply-to", b"list-id",
     b"auto-submitted", b"precedence", b"subject"}
)  # fmt: skip
"""The headers read; the others are only checked to be header lines."""
_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+")

Fields = dict[bytes, list[str]]


def _address_list(values: list[str]) -> list[str]:
    """The addresses of address headers, case-folded: a quick scan, the standard library's parser for values
    with quoted names or comments (where an `@` may not be an address)."""
    out: list[str] = []
    for value in values:
        if '"' in value or "(" in value:
            out += [a.strip().casefold() for _, a in getaddresses([value]) if "@" in a]
        else:
            out += [a.casefold() for a in _ADDRESS.findall(value)]
    return out


def _one(fields: Fields, name: bytes) -> str | None:
    values = fields.get(name)
    return values[0].strip() if values else None


def _message(file: str, where: str, fields: Fields, with_subjects: bool) -> Message:
    senders = _address_list(fields.get(b"from", []))
    if not senders:
        raise CaptureError(file, where, "no sender: the message has no From header with an address")
    date_text = _one(fields, b"date")
    if date_text is None:
        raise CaptureError(file, where, "no Date header")
    try:
        at = parsedate_to_datetime(date_text)
        at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    except (TypeError, ValueError, IndexError, OverflowError):
        raise CaptureError(file, where, f"the Date header is not a date: {date_text[:80]!r}") from None
    recipients = _address_list([*fields.get(b"to", []), *fields.get(b"cc", []), *fields.get(b"bcc", [])])
    message_id = _one(fields, b"message-id") or ""
    if not message_id:  # the same message gives the same id again
        message_id = "sha256:" + _digest(senders[0], at.isoformat(), *sorted(recipients))
    references = (_one(fields, b"references") or "").split()
    thread = references[0] if references else (_one(fields, b"in-reply-to") or None)
    skip = None
    auto = (_one(fields, b"auto-submitted") or "").casefold()
    if b"list-id" in fields:
        skip = "mailing list"
    elif auto and auto != "no":
        skip = "automatic"
    elif (_one(fields, b"precedence") or "").casefold() in _BULK:
        skip = "bulk"
    subject = None
    if with_subjects and (raw := _one(fields, b"subject")) is not None:
        try:
            subject = str(make_header(decode_header(raw)))
        except (ValueError, LookupError, UnicodeError):
            subject = raw
    return Message(where, message_id, senders[0], recipients, at, thread, subject, skip)


def _headers(lines: Iterator[tuple[int, bytes]], file: str, where: Callable[[], str]) -> tuple[Fields, bool, bool]:
    """The kept header fields read from `lines` up to the blank line (unfolded, decoded), whether the blank line
    was found, and whether there was any header line."""
    fields: Fields = {}
    current: list[str] | None = None  # the value list of the field being read, when it is kept
    seen = False
    for number, line in lines:
        if line in (b"\n", b"\r\n", b""):
            return fields, True, seen
        if line[:1] in (b" ", b"\t") and seen:
            if current is not None:
                current[-1] += " " + line.strip().decode("utf-8", "replace")
            continue
        if not _HEADER_LINE.match(line):
            raise CaptureError(file, f"{where()}, line {number}", "not a header line (a damaged or truncated message)")
        seen = True
        name, _, value = line.partition(b":")
        key = name.strip().lower()
        if key in _KEPT:
            current = fields.setdefault(key, [])
            current.append(value.strip().decode("utf-8", "replace"))
        else:
            current = None
    return fields, False, seen


def _lines(stream: IO[bytes], progress: Progress | None) -> Iterator[tuple[int, bytes]]:
    number = 0
    pending = 0
    for line in stream:
        number += 1
        pending += len(line)
        if progress is not None and pending >= 1 << 20:
            progress(pending)
            pending = 0
        yield number, line
    if progress is not None and pending:
        progress(pending)


def _mbox(source: Source, stream: IO[bytes], with_subjects: bool, progress: Progress | None) -> Iterator[Message]:
    """The messages of an mbox file, one at a time: headers parsed, bodies skipped."""
    lines = _lines(stream, progress)
    first = next(lines, None)
    if first is None:
        return
    if not first[1].startswith(b"From "):
        raise CaptureError(source.name, "line 1", "not an mbox file: it does not start with a 'From ' line")
    count = 0
    start: int | None = first[0]
    while start is not None:
        count += 1
        where = f"message {count} (line {start})"
        fields, ended, _ = _headers(lines, source.name, lambda: f"message {count}")  # noqa: B023
        if not ended:
            raise CaptureError(source.name, where, "truncated: the file ends inside the message's headers")
        yield _message(source.name, where, fields, with_subjects)
        start = None
        for number, line in lines:  # the body, unread
            if line.startswith(b"From "):
                start = number
                break


def _eml(source: Source, stream: IO[bytes], with_subjects: bool, progress: Progress | None) -> Iterator[Message]:
    lines = _lines(stream, progress)
    fields, _, seen = _headers(lines, source.name, lambda: "message 1")
    if not seen:
        raise CaptureError(source.name, "line 1", "not a message: no headers")
    yield _message(source.name, "message 1 (line 1)", fields, with_subjects)
    for _ in lines:  # the body, unread (read through for the progress)
        pass


_SNIFFED = 8192
"""The bytes of a file's start read to tell what it is."""
_MESSAGE_FIELDS = frozenset(
    {b"from", b"to", b"cc", b"date", b"message-id", b"received", b"return-path", b"mime-version", b"subject",
     b"delivered-to", b"reply-to", b"sender", b"in-reply-to", b"references"}
)  # fmt: skip
UNKNOWN_CONTENT = (
    "neither a calendar (BEGIN:VCALENDAR), a mailbox (an mbox 'From ' line) nor a message (.eml: RFC 822 headers)"
)


def sniff(head: bytes) -> Kind | None:
    """What a file is by its first bytes: a calendar (`BEGIN:VCALENDAR`), an mbox (a `From ` line) or one
    message (RFC 822 header lines, one of them a message's field); None: none of them. An empty file is an
    empty mbox."""
    text = head.removeprefix(b"\xef\xbb\xbf")
    if text.lstrip(b" \t\r\n")[:15].upper() == b"BEGIN:VCALENDAR":
        return "ics"
    if text.startswith(b"From ") or not text:
        return "mbox"
    names: list[bytes] = []
    for line in text.splitlines():
        if not line.strip():
            break
        if line[:1] in (b" ", b"\t") and names:
            continue
        if not _HEADER_LINE.match(line):
            return None
        names.append(line.partition(b":")[0].strip().lower())
    return "eml" if any(n in _MESSAGE_FIELDS for n in names) else None


def kind_of(source: Source) -> Kind:
    """The source's kind, told apart by its content unless it names one. Raises CaptureError when it is none."""
    if source.kind is not None:
        return source.kind
    with source.open() as stream:
        head = stream.read(_SNIFFED)
    kind = sniff(head)
    if kind is None:
        raise CaptureError(source.name, "line 1", UNKNOWN_CONTENT)
    return kind


def read_mail(source: Source, *, with_subjects: bool = False, progress: Progress | None = None) -> Iterator[Message]:
    """The messages of a mailbox file (mbox) or of one message file (`.eml`), told apart by the content
    (`kind_of`). Raises CaptureError for malformed input."""
    kind = kind_of(source)
    if kind == "ics":
        raise CaptureError(source.name, "line 1", "a calendar, not a mailbox")
    reader = _mbox if kind == "mbox" else _eml
    with source.open() as stream:
        yield from reader(source, stream, with_subjects, progress)


# ---------------------------------------------------------------------------------------------------- calendars


@dataclass
class Occurrence:
    """One meeting as it took place (or will): its key, start, status and who took part."""

    where: str
    uid: str
    recurrence: str
    at: datetime
    organiser: str | None
    attendees: list[str]
    declined: list[str]
    cancelled: bool
    subject: str | None


@dataclass
class _Event:
    where: str
    props: list[tuple[str, dict[str, str], str]] = field(default_factory=list)

    def first(self, name: str) -> tuple[dict[str, str], str] | None:
        for n, params, value in self.props:
            if n == name:
                return params, value
        return None

    def all(self, name: str) -> list[tuple[dict[str, str], str]]:
        return [(p, v) for n, p, v in self.props if n == name]


_PROP = re.compile(r'^([A-Za-z0-9-]+)((?:;[A-Za-z0-9-]+=(?:"[^"]*"|[^";:,]*)(?:,(?:"[^"]*"|[^";:,]*))*)*):(.*)$')
_PARAM = re.compile(r';([A-Za-z0-9-]+)=("[^"]*"|[^";:]*(?:,(?:"[^"]*"|[^";:,]*))*)')


def _ics_lines(stream: IO[bytes], file: str, progress: Progress | None) -> Iterator[tuple[int, str]]:
    """Unfolded content lines with the number of the line each starts on."""
    held: list[str] = []
    start = 0
    for number, raw in _lines(stream, progress):
        try:
            line = raw.decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError:
            raise CaptureError(file, f"line {number}", "not UTF-8 text") from None
        if number == 1:
            line = line.lstrip("\ufeff")
        if line[:1] in (" ", "\t") and held:
            held.append(line[1:])
            continue
        if held:
            yield start, "".join(held)
        held, start = ([line], number) if line else ([], number)
    if held:
        yield start, "".join(held)


def _parse_prop(file: str, number: int, line: str) -> tuple[str, dict[str, str], str]:
    match = _PROP.match(line)
    if match is None:
        raise CaptureError(file, f"line {number}", f"not a calendar content line: {line[:80]!r}")
    params = {k.upper(): v.strip('"') for k, v in _PARAM.findall(match.group(2))}
    return match.group(1).upper(), params, match.group(3)


MAX_OCCURRENCES = 50_000
"""The most occurrences of one recurring event read (a rule every second since 1900 is a mistake, not a meeting)."""
_NOT_CALENDAR = "not a calendar: it does not start with BEGIN:VCALENDAR"


def _events(source: Source, stream: IO[bytes], progress: Progress | None) -> Iterator[_Event]:
    """The VEVENTs of a calendar stream (their own properties; alarms and other parts skipped)."""
    stack: list[tuple[str, int]] = []
    event: _Event | None = None
    seen_calendar = False
    for number, line in _ics_lines(stream, source.name, progress):
        name, params, value = _parse_prop(source.name, number, line)
        if name == "BEGIN":
            part = value.strip().upper()
            if not stack and part != "VCALENDAR":
                raise CaptureError(
                    source.name, f"line {number}", "not a calendar: it does not start with BEGIN:VCALENDAR"
                )
            if part == "VCALENDAR":
                seen_calendar = True
            stack.append((part, number))
            if part == "VEVENT" and len(stack) == 2:
                event = _Event(f"event at line {number}")
            continue
        if not stack:
            raise CaptureError(source.name, f"line {number}", _NOT_CALENDAR)
        if name == "END":
            part = value.strip().upper()
            if stack[-1][0] != part:
                raise CaptureError(
                    source.name, f"line {number}", f"END:{part} closes BEGIN:{stack[-1][0]} of line {stack[-1][1]}"
                )
            stack.pop()
            if part == "VEVENT" and event is not None and len(stack) == 1:
                yield event
                event = None
            continue
        if event is not None and len(stack) == 2:
            event.props.append((name, params, value))
    if not seen_calendar:
        raise CaptureError(source.name, "line 1", "not a calendar: no BEGIN:VCALENDAR")
    if stack:
        raise CaptureError(
            source.name, f"line {stack[-1][1]}", f"truncated: BEGIN:{stack[-1][0]} is never closed (END:{stack[-1][0]})"
        )


@cache
def _windows_zones() -> dict[str, str]:
    """Windows time-zone names (as Outlook and Exchange write them in TZID) to IANA zones: CLDR's windowsZones
    table (its "001" territory), as Babel ships it."""
    from babel.core import get_global

    return {k.casefold(): v for k, v in get_global("windows_zone_mapping").items()}


@cache
def _zone(name: str | None) -> Any:
    """The zone of a TZID: an IANA name, or a Windows one (mapped by CLDR); a zone neither knows: UTC."""
    if not name:
        return UTC
    text = name.strip().strip('"')
    for candidate in (text, text.removeprefix("/"), _windows_zones().get(text.casefold())):
        if candidate:
            try:
                return ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return UTC


def _instant(file: str, where: str, params: dict[str, str], value: str) -> datetime:
    text = value.strip()
    try:
        if params.get("VALUE", "").upper() == "DATE" or len(text) == 8:
            return datetime.combine(datetime.strptime(text, "%Y%m%d").date(), time(), tzinfo=UTC)
        if text.endswith("Z"):
            return datetime.strptime(text[:-1], "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
        return datetime.strptime(text, "%Y%m%dT%H%M%S").replace(tzinfo=_zone(params.get("TZID")))
    except ValueError:
        raise CaptureError(file, where, f"not a date or date-time: {text[:40]!r}") from None


def _mailto(value: str) -> str | None:
    text = value.strip()
    if text[:7].casefold() == "mailto:":
        text = text[7:]
    text = text.strip().casefold()
    return text if "@" in text else None


def _utc_key(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _until_utc(rule: str, tz: Any) -> str:
    """An RRULE with its UNTIL in UTC (dateutil wants that for a zoned start)."""

    def fix(match: re.Match[str]) -> str:
        text = match.group(1)
        if text.endswith("Z"):
            return match.group(0)
        at = datetime.strptime(text, "%Y%m%d") if len(text) == 8 else datetime.strptime(text, "%Y%m%dT%H%M%S")
        if len(text) == 8:
            at = at.replace(hour=23, minute=59, second=59)
        return "UNTIL=" + _utc_key(at.replace(tzinfo=tz))

    return re.sub(r"UNTIL=([0-9TZ]+)", fix, rule, flags=re.IGNORECASE)


def _occurrence(file: str, event: _Event, start: datetime, with_subjects: bool) -> Occurrence:
    status = (event.first("STATUS") or ({}, ""))[1].strip().upper()
    organiser_prop = event.first("ORGANIZER")
    organiser = _mailto(organiser_prop[1]) if organiser_prop else None
    attendees: list[str] = []
    declined: list[str] = []
    for params, value in event.all("ATTENDEE"):
        address = _mailto(value)
        if address is None:
            continue
        (declined if params.get("PARTSTAT", "").upper() == "DECLINED" else attendees).append(address)
    uid = (event.first("UID") or ({}, ""))[1].strip()
    summary = event.first("SUMMARY")
    return Occurrence(
        where=f"{event.where}",
        uid=uid,
        recurrence=_utc_key(start),
        at=start.astimezone(UTC),
        organiser=organiser,
        attendees=attendees,
        declined=declined,
        cancelled=status == "CANCELLED",
        subject=summary[1] if with_subjects and summary else None,
    )


def read_calendar(
    source: Source, reference: datetime, *, with_subjects: bool = False, progress: Progress | None = None
) -> Iterator[Occurrence]:
    """The meetings of a calendar file up to `reference`, recurring events expanded (RRULE, RDATE, EXDATE; an
    occurrence changed by a RECURRENCE-ID event is that event). Raises CaptureError for malformed input.

    The events are held (their properties, not the file) until the end, since a changed occurrence may come
    anywhere in the file; occurrences are then made one at a time.
    """
    masters: dict[str, _Event] = {}
    changed: dict[str, dict[str, _Event]] = defaultdict(dict)
    order: list[str] = []
    with source.open() as stream:
        for event in _events(source, stream, progress):
            uid_prop = event.first("UID")
            if uid_prop is None or not uid_prop[1].strip():
                raise CaptureError(source.name, event.where, "an event without UID")
            dtstart = event.first("DTSTART")
            if dtstart is None:
                raise CaptureError(source.name, event.where, "an event without DTSTART")
            _instant(source.name, event.where, *dtstart)  # checked now, with its place
            uid = uid_prop[1].strip()
            recurrence = event.first("RECURRENCE-ID")
            if recurrence is not None:
                key = _utc_key(_instant(source.name, event.where, *recurrence))
                changed[uid][key] = event
            else:
                if uid not in masters:
                    order.append(uid)
                masters[uid] = event
    for uid in [*order, *(u for u in changed if u not in masters)]:
        overrides = changed.get(uid, {})
        master = masters.get(uid)
        done: set[str] = set()
        if master is not None:
            for start in _starts(source.name, master, reference):
                key = _utc_key(start)
                event = overrides.get(key, master)
                if event is not master:
                    start_prop = event.first("DTSTART")
                    assert start_prop is not None
                    start = _instant(source.name, event.where, *start_prop)
                done.add(key)
                occurrence = _occurrence(source.name, event, start, with_subjects)
                recurs = master.first("RRULE") or master.first("RDATE")
                occurrence.recurrence = key if event is not master or recurs else ""
                yield occurrence
        for key, event in overrides.items():  # changed occurrences the rule does not make (moved ones)
            if key in done:
                continue
            start_prop = event.first("DTSTART")
            assert start_prop is not None
            occurrence = _occurrence(source.name, event, _instant(source.name, event.where, *start_prop), with_subjects)
            occurrence.recurrence = key
            yield occurrence


def _starts(file: str, event: _Event, reference: datetime) -> Iterator[datetime]:
    """The starts of an event's occurrences up to `reference` (the event's own start if it does not recur)."""
    start_prop = event.first("DTSTART")
    assert start_prop is not None
    start = _instant(file, event.where, *start_prop)
    rules = event.all("RRULE")
    rdates = event.all("RDATE")
    if not rules and not rdates:
        yield start
        return
    dates = rruleset()
    try:
        for _, rule in rules:
            dates.rrule(rrulestr(_until_utc(rule, start.tzinfo), dtstart=start))
    except (ValueError, TypeError) as err:
        raise CaptureError(file, event.where, f"RRULE: {err}") from None
    if not rules:
        dates.rdate(start)
    for params, value in rdates:
        for part in value.split(","):
            dates.rdate(_instant(file, event.where, params, part))
    for params, value in event.all("EXDATE"):
        for part in value.split(","):
            dates.exdate(_instant(file, event.where, params, part))
    limit = reference.astimezone(start.tzinfo) if start.tzinfo is not None else reference
    try:
        for n, at in enumerate(dates.xafter(start - timedelta(seconds=1), inc=True)):
            if at > limit:
                return
            if n >= MAX_OCCURRENCES:
                raise CaptureError(
                    file, event.where, f"more than {MAX_OCCURRENCES:,} occurrences up to the reference time"
                )
            yield at
    except (ValueError, TypeError, OverflowError) as err:
        raise CaptureError(file, event.where, f"RRULE: {err}") from None


# ---------------------------------------------------------------------------------------------------- the use case


class PersonToAdd(BaseModel):
    """An unknown address on one of the account's domains, seen with one of our members."""

    address: str
    domain: str
    company: str = Field(description="the company most of the account's people on that domain work at")
    count: int = Field(description="the messages and meetings it appears in")


class TieChange(BaseModel):
    """A member–person tie the capture creates or changes."""

    member: str
    person: str
    action: Literal["create", "strengthen", "update"] = Field(
        description="create: a new tie; strengthen: a higher strength; update: only the last contact moved"
    )
    before: float | None = Field(description="the stated strength before (None: no tie)")
    after: float
    emails_out: int
    emails_in: int
    meetings: int
    score: float = Field(description="the captured score, 1–100")
    last_contact: date | None


class CapturePlan(BaseModel):
    """What a capture reads and does (with `dry_run`, would do)."""

    account: str
    files: list[str]
    reference: datetime
    messages: int = Field(description="messages read")
    meetings: int = Field(description="meeting occurrences read (recurring events expanded up to the reference)")
    ignored: dict[str, int] = Field(description="why messages, meetings or attendees were not counted, and how many")
    interactions: dict[str, int] = Field(description="interactions new and already stored")
    people_to_add: list[PersonToAdd]
    ties: list[TieChange] = Field(description="the ties created or strengthened (unchanged ones are only counted)")
    ties_unchanged: int
    notes: list[str]
    imported: dict[str, int] | None = Field(default=None, description="what was written (None: a dry run)")


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:32]


class _Capture:
    def __init__(self, store: GraphStore, account: str, reference: datetime) -> None:
        self.reference = reference
        bundle = store.export_bundle(account)
        self.account = account
        self.members: dict[str, str] = {}
        self.notes: list[str] = []
        after: tuple[str, ...] | None = None
        while True:
            page = store.list_records("team", ListFilter(), limit=1000, after=after)
            for member in page:
                for address in member.addresses():
                    other = self.members.setdefault(address, member.id)
                    if other != member.id:
                        self.notes.append(f"{address} is an address of {other} and of {member.id}: read as {other}")
            if len(page) < 1000:
                break
            after = (page[-1].id,)
        own_domains = {a.rsplit("@", 1)[1] for a in self.members}
        self.people: dict[str, str] = {}
        by_domain: dict[str, Counter[str]] = defaultdict(Counter)
        for person in bundle.people:
            if person.email and "@" in person.email:
                address = person.email.strip().casefold()
                self.people.setdefault(address, person.id)
                by_domain[address.rsplit("@", 1)[1]][person.company] += 1
        self.domains = {d: c.most_common(1)[0][0] for d, c in by_domain.items() if d not in own_domains}
        self.stored: dict[str, tuple[str, str]] = {i.id: (i.member, i.person) for i in bundle.interactions}
        self.touches: dict[tuple[str, str], dict[str, tuple[datetime, str, str | None]]] = defaultdict(dict)
        for i in bundle.interactions:  # the captured ones: those logged by hand count in the boost instead
            if is_captured(i.id):
                direction = None if i.direction is None else i.direction.value
                self.touches[(i.member, i.person)][i.id] = (i.at, i.kind.value, direction)
        self.ties = {(t.from_, t.to): t for t in bundle.ties if t.type is TieType.KNOWS}
        self.new: dict[str, dict[str, Any]] = {}
        self.known = 0
        self.ignored: Counter[str] = Counter()
        self.unknown: Counter[str] = Counter()
        self.messages = 0
        self.meetings = 0
        self.pairs: set[tuple[str, str]] = set()  # the pairs the files hold (new or already stored)

    def _unknown(self, addresses: Iterable[str]) -> None:
        for address in set(addresses):
            if address not in self.people and address not in self.members:
                if address.rsplit("@", 1)[1] in self.domains:
                    self.unknown[address] += 1

    def _add(
        self, id: str, member: str, person: str, kind: str, at: datetime, direction: str | None, note: str | None
    ) -> None:
        self.pairs.add((member, person))
        if id in self.stored or id in self.new:
            self.known += id in self.stored
            return
        row: dict[str, Any] = {"id": id, "member": member, "person": person, "kind": kind, "at": at.isoformat()}
        if direction is not None:
            row["direction"] = direction
        if note:
            row["note"] = note[:1000]
        self.new[id] = row
        self.touches[(member, person)][id] = (at, kind, direction)

    def message(self, m: Message) -> None:
        self.messages += 1
        if m.skip is not None:
            self.ignored[m.skip] += 1
            return
        if m.at > self.reference:
            self.ignored["after the reference time"] += 1
            return
        everyone = [m.sender, *m.recipients]
        if not any(a in self.members for a in everyone):
            self.ignored["messages without one of our members"] += 1
            return
        self._unknown(everyone)
        sender_member = self.members.get(m.sender)
        sender_person = self.people.get(m.sender)
        pairs: list[tuple[str, str, str]] = []
        if sender_member is not None:
            pairs = [(sender_member, p, "out") for a in m.recipients if (p := self.people.get(a)) is not None]
        elif sender_person is not None:
            pairs = [(mm, sender_person, "in") for a in m.recipients if (mm := self.members.get(a)) is not None]
        if not pairs:
            self.ignored["messages between our members only, or with no known person"] += 1
        for member, person, direction in dict.fromkeys(pairs):
            self._add(
                MAIL_PREFIX + _digest(m.message_id, member, person), member, person, "email", m.at, direction, m.subject
            )

    def meeting(self, o: Occurrence) -> None:
        self.meetings += 1
        if o.cancelled:
            self.ignored["cancelled meetings"] += 1
            return
        if o.at > self.reference:
            self.ignored["after the reference time"] += 1
            return
        present = list(dict.fromkeys([*([o.organiser] if o.organiser else []), *o.attendees]))
        present = [a for a in present if a not in o.declined or a == o.organiser]
        if o.declined:
            self.ignored["declined invitations"] += len(o.declined)
        members = [mm for a in present if (mm := self.members.get(a)) is not None]
        if not members:
            self.ignored["meetings without one of our members"] += 1
            return
        self._unknown(present)
        people = [p for a in present if (p := self.people.get(a)) is not None]
        for member in dict.fromkeys(members):
            for person in dict.fromkeys(people):
                self._add(
                    MEET_PREFIX + _digest(o.uid, o.recurrence, member, person),
                    member,
                    person,
                    "meeting",
                    o.at,
                    None,
                    o.subject,
                )

    def changes(self, params: CaptureParams) -> tuple[list[TieChange], int, list[dict[str, Any]]]:
        changes: list[TieChange] = []
        unchanged = 0
        rows: list[dict[str, Any]] = []
        pairs = sorted(self.pairs)
        for member, person in pairs:
            touches = list(self.touches[(member, person)].values())
            score = captured_score(touches, self.reference, params)
            key = (min(member, person), max(member, person))
            tie = self.ties.get(key)
            strength = round(score.strength, 4)
            last = score.last.date() if score.last is not None else None
            before = None if tie is None else tie.strength
            moved = last is not None and (tie is None or tie.last_contact is None or tie.last_contact < last)
            if tie is not None and strength <= tie.strength and not moved:
                unchanged += 1
                continue
            first = min(t[0] for t in touches if t[0] <= self.reference).date()
            if tie is None:
                new = Tie.model_validate({"from": member, "to": person, "type": "knows", "strength": strength,
                                          "since": first, "last_contact": last})  # fmt: skip
                action: Literal["create", "strengthen", "update"] = "create"
            else:
                contact = max((d for d in (tie.last_contact, last) if d is not None), default=None)
                new = tie.model_copy(update={"strength": max(tie.strength, strength), "last_contact": contact})
                action = "strengthen" if new.strength > tie.strength else "update"
            rows.append(new.model_dump(mode="json", by_alias=True, exclude_none=True))
            changes.append(
                TieChange(
                    member=member,
                    person=person,
                    action=action,
                    before=before,
                    after=new.strength,
                    emails_out=score.emails_out,
                    emails_in=score.emails_in,
                    meetings=score.meetings,
                    score=round(score.score, 2),
                    last_contact=new.last_contact,
                )
            )
        return changes, unchanged, rows


def capture(
    store: GraphStore,
    scope: Scope,
    account: str,
    files: Iterable[Source],
    *,
    reference: datetime | None = None,
    dry_run: bool = False,
    with_subjects: bool = False,
    progress: Progress | None = None,
    params: CaptureParams | None = None,
) -> CapturePlan:
    """Capture the interactions of mail and calendar files for an account (see the module's docstring): each of
    `files` is a calendar, an mbox or one message, told apart by its content (`kind_of`), in one transaction.

    `reference`: the time the capture is for (default now): later messages and meetings are not counted, recurring
    events are expanded up to it, and the scores decay to it. With `dry_run`, everything is read and checked and
    the plan answered; nothing is written.

    Raises:
        BundleRejected: a malformed file (the issue names the file and where); nothing was written.
        NotFoundError: an account that does not exist or is outside the scope.
    """
    scope.require_role(ApiRole.PLANNER)
    scope.require_account(account)
    store.get_company(account)
    ref = (reference or datetime.now(UTC)).astimezone(UTC)
    run = _Capture(store, account, ref)
    names: list[str] = []
    try:
        for source in files:
            names.append(source.name)
            if kind_of(source) == "ics":
                for o in read_calendar(source, ref, with_subjects=with_subjects, progress=progress):
                    run.meeting(o)
            else:
                for m in read_mail(source, with_subjects=with_subjects, progress=progress):
                    run.message(m)
    except CaptureError as err:
        raise BundleRejected([err.issue]) from None
    changes, unchanged, tie_rows = run.changes(params or CaptureParams())
    plan = CapturePlan(
        account=account,
        files=names,
        reference=ref,
        messages=run.messages,
        meetings=run.meetings,
        ignored=dict(sorted(run.ignored.items())),
        interactions={"new": len(run.new), "already stored": run.known},
        people_to_add=[
            PersonToAdd(address=a, domain=a.rsplit("@", 1)[1], company=run.domains[a.rsplit("@", 1)[1]], count=n)
            for a, n in sorted(run.unknown.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
        ties=changes,
        ties_unchanged=unchanged,
        notes=run.notes,
    )
    raw = {"interactions": list(run.new.values()), "ties": tie_rows}
    if dry_run or not any(raw.values()):
        return plan if dry_run else plan.model_copy(update={"imported": {}})
    written = records.import_document(store, scope, raw)
    return plan.model_copy(update={"imported": {k: v for k, v in written.items() if v}})
