"""`accountgraph changes [ACCOUNT]`: the change log (of an account, or of everything: our team, products and
keys too), newest first: who wrote what, when, through which interface, narrowed by --record, --author, --kind.
The same use case as `GET /v1/changes` and `GET /v1/accounts/{id}/changes`
(`accountgraph.services.changes.list_changes`),
with the operator's scope; user text is printed as it is (`common.table`).
"""

# No `from __future__ import annotations`: Typer reads the options' annotations when the commands are made.
from typing import Annotated

import typer

from accountgraph.cli.common import Operation, err, out, renders, table
from accountgraph.graph.store import GraphStore
from accountgraph.i18n import N_, _
from accountgraph.services import changes as service
from accountgraph.services.changes import ACTIONS, INTERFACES, ChangeEntry
from accountgraph.services.paging import Page
from accountgraph.services.scope import Scope

app = typer.Typer()


def show_changes(page: Page[ChangeEntry]) -> None:
    if not page.data:
        out().print(_("no change recorded"))
        return
    rows = [
        (
            e.at.strftime("%Y-%m-%d %H:%M:%S UTC"),
            service.who(e),
            _(INTERFACES.get(e.interface, e.interface)),
            _(ACTIONS.get(e.action, e.action)),
            e.kind,
            e.record,
            service.what(e),
        )
        for e in page.data
    ]
    columns = [_("when"), _("author"), _("via"), _("action"), _("kind"), _("record"), _("fields")]
    shown = table(_("changes, newest first"), [(c, "left") for c in columns], rows)
    for column in shown.columns:
        column.overflow = "fold"
    out().print(shown)
    if page.next_cursor:
        err().print(_("more follow: add --cursor {cursor}").format(cursor=page.next_cursor))


@app.command(
    help=N_(
        "The change log, of an account or of everything: who wrote what, when, and through which interface "
        "(newest first)."
    )
)
@renders(show_changes)
def changes(
    account: Annotated[
        str | None, typer.Argument(help=N_("the account (root company) id; none: every account, our team, keys..."))
    ] = None,
    record: Annotated[
        str | None, typer.Option("--record", help=N_("only this record's changes (its id; a tie: type:from->to)"))
    ] = None,
    author: Annotated[
        str | None, typer.Option("--author", help=N_("only this author's changes (a key id, or user@host)"))
    ] = None,
    kind: Annotated[
        str | None, typer.Option("--kind", help=N_("only changes of this kind (person, tie, team, api_key, ...)"))
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=1000, help=N_("changes per page"))] = 50,
    cursor: Annotated[
        str | None, typer.Option("--cursor", help=N_("the page after this (printed when more follow)"))
    ] = None,
) -> Operation[Page[ChangeEntry]]:

    def operation(s: GraphStore) -> Page[ChangeEntry]:
        return service.list_changes(
            s, Scope.operator(), account, record=record, author=author, kind=kind, limit=limit, cursor=cursor
        )

    return operation
