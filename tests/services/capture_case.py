"""The account, the mailbox (300 messages) and the calendar the capture tests read, with the counts each
should give worked out by hand below (not by the code under test).

Account `acme` (domain acme.example): the CTO, the CFO and an engineer. Ours: Ann (three addresses) and Bob.
Reference time: 2026-06-30 00:00 UTC.

The mailbox:
* Ann -> CTO: 100 messages, 2026-01-01 .. 2026-04-10 09:00 (one a day), from her three addresses in turn (the
  third in capitals); the first 20 also Cc the engineer, every tenth Cc buyer@acme.example (unknown: 10).
* CTO -> Ann: 60 messages, 2026-01-01 .. 2026-03-01 12:00, and 5 with `Auto-Submitted: no` on 2026-03-06 .. 10 09:00
  (counted: 65 in).
* Engineer -> Ann: 5 messages, 2026-02-01 .. 05 09:00.
* Bob -> CFO: 30 messages, 2026-02-01 .. 2026-03-02 (never answered).
* new.person@acme.example -> Ann: 10 messages (unknown: 10).
* ignored: 40 from the CTO with List-Id, 20 with `Auto-Submitted: auto-replied`, 15 with `Precedence: bulk`;
  15 Ann -> Bob (ours only).
Total 100 + 65 + 5 + 30 + 10 + 40 + 20 + 15 + 15 = 300.

The calendar:
* "weekly": Ann organises, the CTO accepts; Mondays 10:00 Europe/Berlin from 2026-01-05, COUNT=20 (up to 2026-05-18);
  EXDATE 2026-02-02; the 2026-02-09 occurrence CANCELLED; the 2026-02-16 one moved to the 17th 14:00.
  20 - 1 excluded = 19 occurrences, 1 cancelled: 18 meetings Ann-CTO, the last 2026-05-18 08:00 UTC (CEST).
* "cancelled": Bob and the CFO, 2026-03-15, STATUS:CANCELLED: ignored.
* "review": Bob organises 2026-04-01 09:00 UTC; the CFO accepts, the engineer declines: 1 meeting Bob-CFO.
* "future": Bob and the CFO on 2026-08-01: after the reference, ignored.
* "board": the CFO organises 2026-05-01 09:00 UTC; Ann declines, Bob accepts, newbie@acme.example attends
  (unknown: 1): 1 meeting Bob-CFO, none for Ann.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

from accountgraph.samples.capture import calendar, message, vevent, write_mbox
from accountgraph.schema.models import Bundle

REFERENCE = datetime(2026, 6, 30, tzinfo=UTC)
ANN = ("ann@vendor.example", "ann.old@vendor.example", "A.Smith@Vendor-Legacy.example")
BOB = "bob@vendor.example"
CTO, CFO, ENG = "cto@acme.example", "cfo@acme.example", "eng@acme.example"
SUBJECT = "Secret pricing for Q3"

ACCOUNT = Bundle.model_validate(
    {
        "companies": [{"id": "acme", "name": "Acme"}, {"id": "acme-de", "name": "Acme DE", "parent": "acme"}],
        "people": [
            {"id": "p-cto", "name": "Carla CTO", "company": "acme", "email": "CTO@acme.example"},
            {"id": "p-cfo", "name": "Frank CFO", "company": "acme", "email": CFO},
            {"id": "p-eng", "name": "Erin Eng", "company": "acme-de", "email": ENG},
        ],
        "team": [
            {"id": "t-ann", "name": "Ann", "email": ANN[0], "emails": list(ANN[1:])},
            {"id": "t-bob", "name": "Bob", "email": BOB},
        ],
        "ties": [
            {"from": "t-ann", "to": "p-cto", "type": "knows", "strength": 0.9},
            {"from": "t-bob", "to": "p-cfo", "type": "knows", "strength": 0.5},
        ],
    }
)


def _day(n: int, hour: int = 9) -> datetime:
    return datetime(2026, 1, 1, hour, tzinfo=UTC) + timedelta(days=n)


def messages() -> list[bytes]:
    out: list[bytes] = []
    for i in range(100):
        cc = [ENG] if i < 20 else []
        if i % 10 == 0:
            cc.append("Buyer <buyer@acme.example>")
        out.append(message(ANN[i % 3], [f"Carla <{CTO}>"], _day(i), f"ann-{i}@vendor.example", cc=cc, subject=SUBJECT))
    for i in range(60):
        out.append(message(CTO, [ANN[0]], _day(i, 12), f"cto-{i}@acme.example"))
    for i in range(5):
        out.append(message(CTO, [ANN[1]], _day(64 + i), f"cto-no-{i}@acme.example", headers={"Auto-Submitted": "no"}))
    for i in range(5):
        out.append(message(ENG, [ANN[0]], _day(31 + i), f"eng-{i}@acme.example"))
    for i in range(30):
        out.append(message(BOB, [CFO], _day(31 + i), f"bob-{i}@vendor.example"))
    for i in range(10):
        out.append(message("new.person@acme.example", [ANN[0]], _day(40 + i), f"new-{i}@acme.example"))
    for i in range(40):
        out.append(
            message(CTO, [ANN[0]], _day(i), f"list-{i}@acme.example", headers={"List-Id": "<news.acme.example>"})
        )
    for i in range(20):
        auto = {"Auto-Submitted": "auto-replied"}
        out.append(message(CTO, [ANN[0]], _day(i), f"auto-{i}@acme.example", headers=auto))
    for i in range(15):
        out.append(message(CTO, [ANN[0]], _day(i), f"bulk-{i}@acme.example", headers={"Precedence": "bulk"}))
    for i in range(15):
        out.append(message(ANN[0], [BOB], _day(i), f"ours-{i}@vendor.example"))
    return out


def mbox_bytes() -> bytes:
    buffer = io.BytesIO()
    assert write_mbox(buffer, messages()) == 300
    return buffer.getvalue()


def ics_text() -> str:
    berlin = "Europe/Berlin"
    weekly_start = datetime(2026, 1, 5, 10)
    events = [
        vevent("weekly@vendor.example", weekly_start, ANN[0], [(CTO, "ACCEPTED")], tzid=berlin,
               rrule="FREQ=WEEKLY;COUNT=20", exdates=[datetime(2026, 2, 2, 10)], summary=SUBJECT),
        vevent("weekly@vendor.example", datetime(2026, 2, 9, 10), ANN[0], [(CTO, "ACCEPTED")], tzid=berlin,
               recurrence_id=datetime(2026, 2, 9, 10), status="CANCELLED"),
        vevent("weekly@vendor.example", datetime(2026, 2, 17, 14), ANN[0], [(CTO, "ACCEPTED")], tzid=berlin,
               recurrence_id=datetime(2026, 2, 16, 10)),
        vevent("cancelled@vendor.example", datetime(2026, 3, 15, 9, tzinfo=UTC), BOB, [(CFO, "ACCEPTED")],
               status="CANCELLED"),
        vevent("review@vendor.example", datetime(2026, 4, 1, 9, tzinfo=UTC), BOB,
               [(CFO, "ACCEPTED"), (ENG, "DECLINED")]),
        vevent("future@vendor.example", datetime(2026, 8, 1, 9, tzinfo=UTC), BOB, [(CFO, "ACCEPTED")]),
        vevent("board@acme.example", datetime(2026, 5, 1, 9, tzinfo=UTC), CFO,
               [(ANN[0], "DECLINED"), (BOB, "ACCEPTED"), ("newbie@acme.example", "NEEDS-ACTION")]),
    ]  # fmt: skip
    return "".join(calendar(events))


def write_files(folder: Path) -> tuple[Path, Path]:
    mbox = folder / "team.mbox"
    mbox.write_bytes(mbox_bytes())
    ics = folder / "team.ics"
    ics.write_text(ics_text(), encoding="utf-8", newline="")
    return mbox, ics


def dotalign(points: float, last: datetime) -> float:
    """DotAlign's published score (help.dotalign.com, "Scoring Mechanics"), written out here for the checks:
    min(100, points) x (1 - (0.75 x days/730 + 0.25 x days/2190)), at least 1, over 100."""
    days = (REFERENCE - last).total_seconds() / 86400
    multiplier = 1 - (0.75 * min(1, days / 730) + 0.25 * min(1, days / 2190))
    return max(1.0, min(100.0, points) * multiplier) / 100


# by hand, from the module docstring
ANN_CTO = dotalign(1 + 65 + 3 * 18, datetime(2026, 5, 18, 8, tzinfo=UTC))
ANN_ENG = dotalign(1 + 5, _day(19))  # the earlier of the last out (Jan 20) and the last in (Feb 5)
BOB_CFO = dotalign(1 + 0 + 3 * 2, datetime(2026, 5, 1, 9, tzinfo=UTC))  # 30 out, none in: no e-mail points
