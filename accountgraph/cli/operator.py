"""Operator commands of the `accountgraph` command line: `backup DEST` and `check`.

Each is a thin call of the store's own operation (`GraphStore.backup`, `GraphStore.check`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from accountgraph.cli.common import StoreOption, call, err, opened_store, out
from accountgraph.i18n import N_, _, ngettext

app = typer.Typer()


@app.command(
    help=N_(
        "Copy the store to DEST while it stays in use (SQLite's online backup), then check the "
        "copy.\n\nA Neo4j store is backed up with Neo4j's own tool (`neo4j-admin database dump`): "
        "this says how, and exits 1."
    )
)
def backup(
    dest: Annotated[Path, typer.Argument(help=N_("the new file to write (it must not exist)"))],
    store: StoreOption = None,
) -> None:
    with opened_store(store) as s:
        call(lambda: s.backup(dest))
        url = s.url
    err().print(
        _("backed up {store} to {dest} ({size} bytes; the copy passed a quick check)").format(
            store=url, dest=dest, size=f"{dest.stat().st_size:,}"
        ),
        markup=False,
    )


@app.command(help=N_("Check the store itself (a damaged file, an unreachable server): exit 0 when sound, 1 when not."))
def check(
    full: Annotated[
        bool, typer.Option("--full", help=N_("SQLite's complete integrity_check (slower) instead of quick_check"))
    ] = False,
    store: StoreOption = None,
) -> None:
    with opened_store(store) as s:
        report = call(lambda: s.check(full=full))
    if report.ok:
        out().print(_("{store}: ok ({how})").format(store=report.store, how=report.how), markup=False, highlight=False)
        return
    err().print(
        ngettext(
            "{store}: DAMAGED ({how}), {n} problem:", "{store}: DAMAGED ({how}), {n} problems:", len(report.problems)
        ).format(store=report.store, how=report.how, n=len(report.problems)),
        markup=False,
    )
    for problem in report.problems:
        err().print(f"  - {problem}", markup=False, highlight=False)
    err().print(
        "restore the store from a backup (`accountgraph backup DEST` makes them); do not write to it meanwhile",
        markup=False,
    )
    raise typer.Exit(1)
