"""Mail and calendar capture (`services.capture`) on both backends: the counts and strengths of the files of
`capture_case` checked against the numbers worked out by hand there, re-ingestion, the dry run, bad input."""

from __future__ import annotations

import io
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from accountgraph.errors import BundleRejected
from accountgraph.graph.store import GraphStore, ListFilter
from accountgraph.schema.models import Bundle, TieType
from accountgraph.services import bundles, capture
from accountgraph.services.capture import Source
from accountgraph.services.scope import Scope
from tests.services import capture_case as case


def source(name: str, data: bytes) -> Source:
    return Source(name, lambda: io.BytesIO(data))


def run(store: GraphStore, *, dry_run: bool = False, mail: bytes | None = None, ics: str | None = None,
        with_subjects: bool = False) -> capture.CapturePlan:  # fmt: skip
    return capture.capture(
        store,
        Scope.operator(),
        "acme",
        [
            source("team.mbox", case.mbox_bytes() if mail is None else mail),
            source("team.ics", (case.ics_text() if ics is None else ics).encode()),
        ],
        reference=case.REFERENCE,
        dry_run=dry_run,
        with_subjects=with_subjects,
    )


def interactions(store: GraphStore) -> list[dict[str, object]]:
    return [i.model_dump(mode="json") for i in store.export_bundle("acme").interactions]


def test_team_members_keep_several_addresses_on_both_backends(store: GraphStore, tmp_path: Path) -> None:
    store.load_bundle(case.ACCOUNT)
    ann = store.get_team_member("t-ann")
    assert ann.email == "ann@vendor.example"
    assert ann.emails == ["ann.old@vendor.example", "A.Smith@Vendor-Legacy.example"]
    assert ann.addresses() == ["ann@vendor.example", "ann.old@vendor.example", "a.smith@vendor-legacy.example"]
    assert store.get_team_member("t-bob").emails == []
    # the CSV columns: `;`-separated, and back
    exported = store.export_bundle("acme")
    bundles.write_csv_dir(exported, tmp_path / "csv")
    header, row = (tmp_path / "csv" / "team.csv").read_text().splitlines()[:2]
    assert header.split(",")[-1] == "emails" and row.endswith("ann.old@vendor.example;A.Smith@Vendor-Legacy.example")
    again = Bundle.model_validate(bundles.read_csv_dir(tmp_path / "csv").raw)
    assert again.sorted().team == exported.sorted().team
    assert "emails" in Bundle.model_json_schema()["$defs"]["TeamMember"]["properties"]


def test_the_counts_and_strengths_are_those_worked_out_by_hand(store: GraphStore) -> None:
    store.load_bundle(case.ACCOUNT)
    plan = run(store)
    assert plan.messages == 300 and plan.meetings == 23
    assert plan.ignored == {
        "after the reference time": 1,
        "automatic": 20,
        "bulk": 15,
        "cancelled meetings": 2,
        "declined invitations": 2,
        "mailing list": 40,
        "messages between our members only, or with no known person": 25,
    }
    assert plan.interactions == {"new": 240, "already stored": 0}
    assert [(p.address, p.count, p.company) for p in plan.people_to_add] == [
        ("buyer@acme.example", 10, "acme"),
        ("new.person@acme.example", 10, "acme"),
        ("newbie@acme.example", 1, "acme"),
    ]
    stored = interactions(store)
    kinds = Counter((i["member"], i["person"], i["kind"], i["direction"]) for i in stored)
    assert kinds == {
        ("t-ann", "p-cto", "email", "out"): 100,
        ("t-ann", "p-cto", "email", "in"): 65,
        ("t-ann", "p-cto", "meeting", None): 18,
        ("t-ann", "p-eng", "email", "out"): 20,
        ("t-ann", "p-eng", "email", "in"): 5,
        ("t-bob", "p-cfo", "email", "out"): 30,
        ("t-bob", "p-cfo", "meeting", None): 2,
    }
    meetings = sorted(str(i["at"]) for i in stored if i["kind"] == "meeting" and i["member"] == "t-ann")
    assert meetings[0] == "2026-01-05T09:00:00Z" and meetings[-1] == "2026-05-18T08:00:00Z"  # CET, then CEST
    assert "2026-02-02T09:00:00Z" not in meetings and "2026-02-09T09:00:00Z" not in meetings
    assert "2026-02-17T13:00:00Z" in meetings and "2026-02-16T09:00:00Z" not in meetings  # the moved one
    changes = {(t.member, t.person): t for t in plan.ties}
    assert changes[("t-ann", "p-cto")].action == "strengthen" and changes[("t-ann", "p-cto")].before == 0.9
    assert changes[("t-ann", "p-eng")].action == "create"
    assert changes[("t-bob", "p-cfo")].action == "update"  # 0.07 does not weaken the stated 0.5
    assert (changes[("t-ann", "p-cto")].emails_out, changes[("t-ann", "p-cto")].emails_in) == (100, 65)
    ties = {(t.from_, t.to): t for t in store.export_bundle("acme").ties if t.type is TieType.KNOWS}
    assert ties[("p-cto", "t-ann")].strength == pytest.approx(case.ANN_CTO, abs=1e-4)
    assert ties[("p-eng", "t-ann")].strength == pytest.approx(case.ANN_ENG, abs=1e-4)
    assert ties[("p-eng", "t-ann")].since is not None and ties[("p-eng", "t-ann")].since.isoformat() == "2026-01-01"
    assert ties[("p-cfo", "t-bob")].strength == 0.5
    assert changes[("t-bob", "p-cfo")].score == pytest.approx(case.BOB_CFO * 100, abs=0.01)
    assert str(ties[("p-cfo", "t-bob")].last_contact) == "2026-05-01"
    assert str(ties[("p-cto", "t-ann")].last_contact) == "2026-05-18"


def test_reingesting_adds_nothing(store: GraphStore) -> None:
    store.load_bundle(case.ACCOUNT)
    run(store)
    before = store.export_bundle("acme")
    version = store.data_version()
    again = run(store)
    assert again.interactions == {"new": 0, "already stored": 240}
    assert again.ties == [] and again.ties_unchanged == 3 and again.imported == {}
    assert store.export_bundle("acme") == before and store.data_version() == version


def test_a_dry_run_answers_the_plan_and_writes_nothing(store: GraphStore) -> None:
    store.load_bundle(case.ACCOUNT)
    version = store.data_version()
    plan = run(store, dry_run=True)
    assert plan.imported is None and plan.interactions["new"] == 240 and len(plan.ties) == 3
    assert store.data_version() == version and interactions(store) == []


def test_headers_only_unless_subjects_are_asked_for(store: GraphStore) -> None:
    store.load_bundle(case.ACCOUNT)
    run(store)
    text = store.export_bundle("acme").model_dump_json()
    assert case.SUBJECT not in text and "From the body" not in text
    assert all(i["note"] is None for i in interactions(store))


def test_subjects_become_notes_when_asked_for(tmp_path: Path) -> None:
    from tests.conftest import sqlite_store

    with sqlite_store(tmp_path) as store:
        store.load_bundle(case.ACCOUNT)
        run(store, with_subjects=True)
        notes = Counter(i["note"] for i in interactions(store))
        # Ann's 100 messages to the CTO (20 also to the engineer), the weekly meetings but the moved one (its own title)
        assert notes[case.SUBJECT] == 100 + 20 + 17 and notes["Meeting"] == 1 + 2
        assert not any("From the body" in str(n) for n in notes)


BAD_MAIL = [
    (lambda m: m[: m.index(b"Message-ID: <cto-3@")], "message 104 (line", "truncated"),
    (lambda m: b"Hello\n" + m, "line 1", "neither a calendar"),  # not an mbox, nor a message
    (lambda m: m.replace(b"Date: Fri, 02 Jan 2026 12:00:00 +0000", b"Date: yesterday", 1), "message 102", "Date"),
    (lambda m: m.replace(b"From: cto@acme.example\nTo: ann@vendor.example\n", b"From: nobody\nTo: x\n", 1),
     "message 101", "no sender"),
    (lambda m: m.replace(b"Subject: Status", b"Subject Status", 1), "message 101, line", "not a header line"),
]  # fmt: skip


@pytest.mark.parametrize(("damage", "where", "reason"), BAD_MAIL)
def test_a_damaged_mailbox_is_refused_naming_the_message(store: GraphStore, damage, where, reason) -> None:  # type: ignore[no-untyped-def]
    store.load_bundle(case.ACCOUNT)
    version = store.data_version()
    with pytest.raises(BundleRejected) as refused:
        run(store, mail=damage(case.mbox_bytes()))
    (issue,) = refused.value.issues
    assert issue.record == "team.mbox" and (issue.field or "").startswith(where) and reason in issue.reason
    assert store.data_version() == version and interactions(store) == []


BAD_CALENDARS = [
    (lambda t: t.replace("END:VCALENDAR\r\n", ""), "truncated: BEGIN:VCALENDAR is never closed"),
    (lambda t: t.replace("END:VALARM", "END:VEVENT", 1), "END:VEVENT closes BEGIN:VALARM"),
    (lambda t: t.replace("DTSTART;TZID=Europe/Berlin:20260105T100000", "DTSTART:soon", 1), "not a date"),
    (lambda t: t.replace("UID:review@vendor.example\r\n", ""), "an event without UID"),
    (lambda t: "hello\r\n" + t, "neither a calendar"),
    (lambda t: t.replace("DTSTAMP", "DT STAMP", 1), "not a calendar content line"),
    (lambda t: t.replace("FREQ=WEEKLY;COUNT=20", "FREQ=SOMETIMES", 1), "RRULE"),
    (lambda t: t.replace("FREQ=WEEKLY;COUNT=20", "FREQ=SECONDLY", 1), "more than 50,000 occurrences"),
]


@pytest.mark.parametrize(("damage", "reason"), BAD_CALENDARS)
def test_an_invalid_calendar_is_refused_naming_the_line(store: GraphStore, damage, reason) -> None:  # type: ignore[no-untyped-def]
    store.load_bundle(case.ACCOUNT)
    version = store.data_version()
    with pytest.raises(BundleRejected) as refused:
        run(store, ics=damage(case.ics_text()))
    (issue,) = refused.value.issues
    assert issue.record == "team.ics" and reason in issue.reason
    assert (issue.field or "").startswith(("line ", "event at line "))
    assert store.data_version() == version and interactions(store) == []


def test_eml_files_are_read_like_the_mbox(store: GraphStore) -> None:
    store.load_bundle(case.ACCOUNT)
    eml = [source(f"{n}.eml", data) for n, data in enumerate(case.messages())]
    plan = capture.capture(store, Scope.operator(), "acme", eml, reference=case.REFERENCE)
    assert plan.messages == 300 and plan.interactions == {"new": 220, "already stored": 0}
    again = run(store)  # the same messages from the mbox: the same ids
    assert again.interactions == {"new": 20, "already stored": 220}  # only the meetings are new


def test_the_reference_time_bounds_what_counts(store: GraphStore) -> None:
    store.load_bundle(case.ACCOUNT)
    plan = capture.capture(
        store,
        Scope.operator(),
        "acme",
        [source("team.ics", case.ics_text().encode())],
        reference=datetime(2026, 3, 1, tzinfo=UTC),
        dry_run=True,
    )
    # weekly: Jan 5, 12, 19, 26, (Feb 2 excluded), Feb 9 cancelled, Feb 16 moved to 17, Feb 23: 6 meetings
    assert plan.interactions["new"] == 6
    assert plan.ignored["after the reference time"] == 3  # the review, the board, the future one
    assert plan.ignored["cancelled meetings"] == 2
    assert plan.meetings == 7 + 4  # the weekly's later occurrences are not expanded at all


def test_an_account_outside_the_store_or_the_scope(store: GraphStore) -> None:
    from accountgraph.errors import NotFoundError
    from accountgraph.schema.models import ApiRole

    store.load_bundle(case.ACCOUNT)
    with pytest.raises(NotFoundError):
        capture.capture(store, Scope.operator(), "nope", [])
    with pytest.raises(NotFoundError):
        capture.capture(store, Scope("k", ApiRole.PLANNER, frozenset({"other"})), "acme", [])
    assert store.list_records("interaction", ListFilter(account="acme")) == []


def test_files_are_told_apart_by_content_and_mixed_in_one_call(store: GraphStore) -> None:
    store.load_bundle(case.ACCOUNT)
    emls = case.messages()
    files = [  # names that say nothing: the content tells
        source("a", case.ics_text().encode()),
        source("b", case.mbox_bytes()),
        source("c", b"\xef\xbb\xbf" + case.ics_text().encode()),  # a byte-order mark, the same calendar
        source("d", emls[0]),
    ]
    assert [capture.kind_of(f) for f in files] == ["ics", "mbox", "ics", "eml"]
    one = capture.capture(store, Scope.operator(), "acme", files[:1], reference=case.REFERENCE, dry_run=True)
    plan = capture.capture(store, Scope.operator(), "acme", files, reference=case.REFERENCE)
    assert plan.files == ["a", "b", "c", "d"] and plan.messages == 301 and plan.meetings == 2 * one.meetings
    assert plan.interactions == {"new": 240, "already stored": 0}  # the copies add nothing
    assert plan.imported == {"interactions": 240, "ties": len(plan.ties)}
    assert len(interactions(store)) == 240  # the same as the mbox and the calendar captured one by one


@pytest.mark.parametrize(
    "data",
    [b"Name,Email\nAnn,ann@x.example\n", b"hello world\n", b"\x00\x01PK", b"Subject only, no colon line\n\nbody"],
)
def test_unknown_content_is_refused_naming_the_file(store: GraphStore, data: bytes) -> None:
    store.load_bundle(case.ACCOUNT)
    version = store.data_version()
    with pytest.raises(BundleRejected) as refused:  # the good files before it are not written either
        files = [source("team.mbox", case.mbox_bytes()), source("notes.txt", data)]
        capture.capture(store, Scope.operator(), "acme", files, reference=case.REFERENCE)
    (issue,) = refused.value.issues
    assert issue.record == "notes.txt" and issue.field == "line 1" and "neither a calendar" in issue.reason
    assert store.data_version() == version and interactions(store) == []


OUTLOOK_ICS = """BEGIN:VCALENDAR\r
PRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN\r
VERSION:2.0\r
METHOD:PUBLISH\r
X-MS-OLK-FORCEINSPECTOROPEN:TRUE\r
BEGIN:VTIMEZONE\r
TZID:W. Europe Standard Time\r
BEGIN:STANDARD\r
DTSTART:16011028T030000\r
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r
TZOFFSETFROM:+0200\r
TZOFFSETTO:+0100\r
END:STANDARD\r
BEGIN:DAYLIGHT\r
DTSTART:16010325T020000\r
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r
TZOFFSETFROM:+0100\r
TZOFFSETTO:+0200\r
END:DAYLIGHT\r
END:VTIMEZONE\r
BEGIN:VTIMEZONE\r
TZID:China Standard Time\r
BEGIN:STANDARD\r
DTSTART:16010101T000000\r
TZOFFSETFROM:+0800\r
TZOFFSETTO:+0800\r
END:STANDARD\r
END:VTIMEZONE\r
BEGIN:VEVENT\r
UID:040000008200E00074C5B7101A82E00800000000A0B1\r
DTSTART;TZID="W. Europe Standard Time":20260302T100000\r
DTEND;TZID="W. Europe Standard Time":20260302T110000\r
RRULE:FREQ=WEEKLY;COUNT=6;BYDAY=MO\r
ORGANIZER;CN="Ann":mailto:ann@vendor.example\r
ATTENDEE;CN="CTO";RSVP=TRUE;PARTSTAT=ACCEPTED:mailto:cto@acme.example\r
SUMMARY;LANGUAGE=en-us:Weekly\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:040000008200E00074C5B7101A82E00800000000A0B2\r
DTSTART;TZID=China Standard Time:20260410T090000\r
ORGANIZER:mailto:ann@vendor.example\r
ATTENDEE;PARTSTAT=ACCEPTED:mailto:cto@acme.example\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:040000008200E00074C5B7101A82E00800000000A0B3\r
DTSTART;TZID=Pacific Standard Time:20260410T090000\r
ORGANIZER:mailto:ann@vendor.example\r
ATTENDEE;PARTSTAT=ACCEPTED:mailto:cto@acme.example\r
END:VEVENT\r
END:VCALENDAR\r
"""


def test_outlook_windows_time_zone_names_are_read_as_their_iana_zones() -> None:
    starts = [o.at for o in capture.read_calendar(source("outlook.ics", OUTLOOK_ICS.encode()), case.REFERENCE)]
    assert starts == [
        datetime(2026, 3, 2, 9, tzinfo=UTC),  # 10:00 in Berlin, winter time (UTC+1)
        datetime(2026, 3, 9, 9, tzinfo=UTC),
        datetime(2026, 3, 16, 9, tzinfo=UTC),
        datetime(2026, 3, 23, 9, tzinfo=UTC),
        datetime(2026, 3, 30, 8, tzinfo=UTC),  # summer time from 29 March (UTC+2): the same 10:00 in Berlin
        datetime(2026, 4, 6, 8, tzinfo=UTC),
        datetime(2026, 4, 10, 1, tzinfo=UTC),  # 09:00 in Shanghai (UTC+8)
        datetime(2026, 4, 10, 16, tzinfo=UTC),  # 09:00 in Los Angeles, daylight time (UTC-7)
    ]


ONE_PAIR = Bundle.model_validate(
    {
        "companies": [{"id": "acme", "name": "Acme"}],
        "people": [{"id": "p-cto", "name": "Carla CTO", "company": "acme", "email": "cto@acme.example"}],
        "team": [{"id": "t-ann", "name": "Ann", "email": "ann@vendor.example"}],
        "interactions": [  # logged by hand: it counts in the boost, not in the captured score
            {"id": "i-call", "member": "t-ann", "person": "p-cto", "kind": "call", "at": "2026-06-25T12:00:00Z"}
        ],
    }
)
TWO_MEETINGS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
    + "".join(
        f"BEGIN:VEVENT\r\nUID:m{n}@vendor.example\r\nDTSTART:{at}\r\nORGANIZER:mailto:ann@vendor.example\r\n"
        f"ATTENDEE;PARTSTAT=ACCEPTED:mailto:cto@acme.example\r\nEND:VEVENT\r\n"
        for n, at in enumerate(("20260620T100000Z", "20260629T100000Z"))
    )
    + "END:VCALENDAR\r\n"
)


def test_captured_activity_counts_once_in_the_effective_strength(store: GraphStore) -> None:
    """By hand, reference 2026-06-30 00:00 UTC. The capture scores only the two captured meetings (DotAlign):
    points = 1 + 3 x 2 = 7; the last one 14 h before: multiplier = 1 - (0.75 x 0.5833/730 + 0.25 x 0.5833/2190)
    = 0.999334; score 6.9953, the tie's stated strength 0.07 (rounded to 4 places), last contact 2026-06-29.
    The analysis then boosts it with the hand-logged call only (the meetings are in the 0.07 already):
    activity = 0.5 x 2^(-3.5/180) = 0.493306 (3.5 days before the last contact, 06-29 00:00);
    boosted = 0.07 + 0.93 x (1 - e^(-0.493306/3)) = 0.211014; decay 2^(-1/180) = 0.996157 (one day);
    effective = 0.210203. Counted twice (the meetings also in the boost, the call also in the score), it
    would be 0.59."""
    from datetime import date

    from accountgraph.algorithms.prepared import tie_strengths
    from accountgraph.algorithms.strength import is_captured
    from accountgraph.services.analysis import account_view

    store.load_bundle(ONE_PAIR)
    plan = capture.capture(store, Scope.operator(), "acme", [source("cal.ics", TWO_MEETINGS.encode())],
                           reference=case.REFERENCE)  # fmt: skip
    (change,) = plan.ties
    assert (change.meetings, change.emails_out, change.emails_in) == (2, 0, 0)  # the call is not in the score
    assert change.score == pytest.approx(6.9953, abs=0.005) and change.after == 0.07  # the score to 2 places
    assert sorted(is_captured(i["id"]) for i in interactions(store)) == [False, True, True]
    view = account_view(store, "acme", as_of=date(2026, 6, 29), reference=case.REFERENCE)
    tie = view.team_ties[("t-ann", "p-cto")]
    assert tie.core.activity == pytest.approx(0.4933063, abs=1e-6)
    assert tie.core.boosted == pytest.approx(0.2110135, abs=1e-6)
    assert tie.core.decay == pytest.approx(0.9961566, abs=1e-6)
    assert tie.core.effective == pytest.approx(0.2102025, abs=1e-6)
    one = tie_strengths(view)[("t-ann", "p-cto")]  # the per-tie path agrees
    assert one.interactions == 1 and one.effective == pytest.approx(tie.core.effective, abs=1e-12)
