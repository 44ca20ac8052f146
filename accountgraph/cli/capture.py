"""`accountgraph capture FILE... --account ID`: relationships captured from mailboxes and calendars
(`accountgraph.services.capture`), headers only. Calendars (.ics), mailboxes (mbox) and single messages (.eml)
are told apart by their content, and may be mixed in one call (one transaction).

A malformed file ends with exit 1 naming the file and where (message and line); nothing is written. Progress goes
to stderr on a terminal (or with `--progress`); Ctrl-C stops the capture before anything is written (exit 130).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Annotated

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn

from accountgraph import i18n
from accountgraph.cli.common import StoreOption, call, err, fail, opened_store, out
from accountgraph.cli.common import table as titled
from accountgraph.i18n import N_, _, ngettext
from accountgraph.i18n.glossary import joined
from accountgraph.services import capture
from accountgraph.services.capture import CapturePlan, Source
from accountgraph.services.scope import Scope

app = typer.Typer()

AccountOption = Annotated[str, typer.Option("--account", help=N_("the account (root company) whose people to match"))]
DryRunOption = Annotated[
    bool, typer.Option("--dry-run", help=N_("read and check everything, show what would change, write nothing"))
]
SubjectsOption = Annotated[
    bool, typer.Option("--with-subjects", help=N_("keep subjects and event titles as the interactions' notes"))
]
ProgressOption = Annotated[
    bool, typer.Option("--progress", help=N_("show progress on stderr even when not a terminal"))
]
AsOfOption = Annotated[
    str | None,
    typer.Option("--as-of", help=N_("the reference time: a day (up to its end) or an ISO date-time (default now)")),
]
_SHOWN = 20


DIRECTORY_SUFFIXES = (".eml", ".ics", ".mbox")
"""The files a directory stands for."""


def _sources(paths: list[Path]) -> list[Source]:
    """The files named, a directory standing for its .eml, .ics and .mbox files (sorted)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            inside = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in DIRECTORY_SUFFIXES)
            if not inside:
                raise fail(_("{path} holds no {suffix} files").format(path=path, suffix=", ".join(DIRECTORY_SUFFIXES)))
            found += inside
        elif not path.exists():
            raise fail(_("cannot use {name}: {reason}").format(name=path, reason=_("no such file")))
        else:
            found.append(path)
    return [Source(str(p), _opener(p)) for p in found]


def _opener(path: Path) -> Callable[[], IO[bytes]]:
    return lambda: path.open("rb")


def _reference(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise fail(_("--as-of: not a date or date-time: {text}").format(text=repr(text))) from None
    if len(text) == 10:  # a day: up to its end, as the API's `as_of`
        at += timedelta(days=1)
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at


class _Meter:
    """Bytes read of the total, on stderr: a bar on a terminal, else (with --progress) a line every few seconds."""

    def __init__(self, total: int, forced: bool) -> None:
        self.total = total
        self.done = 0
        console = err()
        self.bar: Progress | None = None
        self.lines = forced and not console.is_terminal
        self.last = 0.0
        if console.is_terminal:
            self.bar = Progress(
                TextColumn(_("reading"), markup=False),
                BarColumn(),
                DownloadColumn(),
                TimeElapsedColumn(),
                console=console,
                transient=True,
            )
            self.task = self.bar.add_task("reading", total=total)

    def __call__(self, n: int) -> None:
        self.done += n
        if self.bar is not None:
            self.bar.advance(self.task, n)
        elif self.lines and (time.monotonic() - self.last >= 2 or self.done >= self.total):
            self.last = time.monotonic()
            share = 100 * self.done / self.total if self.total else 100
            line = _("capture: read {done} of {total} bytes ({share}%)").format(
                done=f"{self.done:,}" if i18n.current() == i18n.DEFAULT else i18n.number(self.done, 0),
                total=f"{self.total:,}" if i18n.current() == i18n.DEFAULT else i18n.number(self.total, 0),
                share=i18n.number(share, 0),
            )
            print(line, file=sys.stderr, flush=True)

    def __enter__(self) -> _Meter:
        if self.bar is not None:
            self.bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def _run(
    paths: list[Path],
    account: str,
    dry_run: bool,
    with_subjects: bool,
    progress: bool,
    as_of: str | None,
    store: str | None,
) -> None:
    sources = _sources(paths)
    reference = _reference(as_of)
    total = sum(Path(s.name).stat().st_size for s in sources)
    with opened_store(store) as s:
        try:
            with _Meter(total, progress) as meter:
                plan = call(
                    lambda: capture.capture(
                        s,
                        Scope.operator(),
                        account,
                        sources,
                        reference=reference,
                        dry_run=dry_run,
                        with_subjects=with_subjects,
                        progress=meter,
                    )
                )
        except KeyboardInterrupt:
            err().print(_("interrupted: nothing was written"))
            raise typer.Exit(130) from None
    _show(plan)
    if dry_run:
        out().print(_("dry run, nothing was written"))
    else:
        written = joined([f"{n} {_(name)}" for name, n in (plan.imported or {}).items()]) or _("nothing new")
        out().print(_("captured into {store}: {written}").format(store=s.url, written=written))


def _show(plan: CapturePlan) -> None:
    console = out()
    console.print(
        _("{files}: {messages}, {meetings} up to {day}; interactions: {new} new, {stored} already stored").format(
            files=ngettext("{n} file", "{n} files", len(plan.files)).format(n=len(plan.files)),
            messages=ngettext("{n} message", "{n} messages", plan.messages).format(n=plan.messages),
            meetings=ngettext("{n} meeting", "{n} meetings", plan.meetings).format(n=plan.meetings),
            day=plan.reference.isoformat(),
            new=plan.interactions["new"],
            stored=plan.interactions["already stored"],
        )
    )
    if plan.ignored:
        console.print(titled(_("not counted"), ((_("why"), "left"), (_("how many"), "right")), plan.ignored.items()))
    if plan.people_to_add:
        rows = [(p.address, p.company, p.count) for p in plan.people_to_add[:_SHOWN]]
        more = _first(len(plan.people_to_add))
        console.print(
            titled(
                _("people to add: unknown addresses on the account's domains{more}").format(more=more),
                ((_("address"), "left"), (_("company"), "left"), (_("seen"), "right")),
                rows,
            )
        )
    if plan.ties:
        rows2 = [
            (t.member, t.person, t.action, "" if t.before is None else f"{t.before:.2f}", f"{t.after:.2f}",
             t.emails_out, t.emails_in, t.meetings, f"{t.score:.1f}", t.last_contact or "")
            for t in plan.ties[:_SHOWN]
        ]  # fmt: skip
        more = _first(len(plan.ties))
        columns = (N_("member"), N_("person"), N_("action"), N_("before"), N_("after"), N_("mails out"),
                   N_("mails in"), N_("meetings"), N_("score"), N_("last contact"))  # fmt: skip
        console.print(
            titled(
                _("ties that change{more}").format(more=more),
                ((_(c), "left" if i < 3 else "right") for i, c in enumerate(columns)),
                rows2,
            )
        )
    console.print(_("ties unchanged: {n}").format(n=plan.ties_unchanged))
    for note in plan.notes:
        err().print(_("note: {notice}").format(notice=note))


def _first(total: int) -> str:
    """` (the first 20 of 57)` when a table shows only the first rows."""
    return _(" (the first {n} of {total})").format(n=_SHOWN, total=total) if total > _SHOWN else ""


@app.command(
    "capture",
    help=N_(
        "Capture relationships from mail and calendars, headers only (never bodies): each message or meeting "
        "between our team members and the account's people becomes an interaction, and their ties are "
        "strengthened. Files are told apart by their content and may be mixed; all of them land in one "
        "transaction, or none."
    ),
)
def capture_files(
    files: Annotated[
        list[Path],
        typer.Argument(help=N_("calendars (.ics), mailboxes (mbox), messages (.eml), or directories of them")),
    ],
    account: AccountOption,
    dry_run: DryRunOption = False,
    with_subjects: SubjectsOption = False,
    progress: ProgressOption = False,
    as_of: AsOfOption = None,
    store: StoreOption = None,
) -> None:
    _run(files, account, dry_run, with_subjects, progress, as_of, store)
