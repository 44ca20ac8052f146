"""`accountgraph find QUERY`: the people of every account who match a name, title, e-mail or company name (Chinese
names also by pinyin: `wangxm` finds 王小明), best first, each with their company, title and account, so that
people sharing a name are told apart. The same use case as `GET /v1/search/people`
(`accountgraph.services.search.find_people`), with the operator's scope.
"""

# No `from __future__ import annotations`: Typer reads the options' annotations when the commands are made.
from typing import Annotated

import typer

from accountgraph.cli.common import Operation, err, out, renders, table
from accountgraph.graph.store import GraphStore
from accountgraph.i18n import N_, _, ngettext
from accountgraph.services.paging import Page
from accountgraph.services.scope import Scope
from accountgraph.services.search import PersonHit, find_people

app = typer.Typer()

_MATCHED = {
    "exact": N_("name"),
    "prefix": N_("name (start)"),
    "contains": N_("name (part)"),
    "pinyin": N_("name (pinyin)"),
}
_FIELDS = (N_("title"), N_("email"), N_("company"))  # the other fields a match may be in


def show_hits(page: Page[PersonHit]) -> None:
    if not page.data:
        out().print(_("no one matches"))
        return
    rows = [
        (
            h.name,
            h.title or "",
            h.company_name,
            f"{h.account_name} ({h.account})",
            h.id + ("" if h.present else _(" (not there today)")),
            _(_MATCHED[h.how]) if h.matched == "name" else _(h.matched),
        )
        for h in page.data
    ]
    columns = [(_("name"), "left"), (_("title"), "left"), (_("company"), "left"), (_("account"), "left")]
    title = ngettext("{n} person", "{n} people", page.count).format(n=page.count)
    found = table(title, [*columns, (_("id"), "left"), (_("matched"), "left")], rows)
    for column in found.columns:
        column.overflow = "fold"  # ids are what tell people apart: wrapped, never cut
    out().print(found)
    if page.next_cursor:
        err().print(_("more follow: add --cursor {cursor}").format(cursor=page.next_cursor))


@app.command(help=N_("Find people across accounts by name, title, e-mail or company (Chinese names also by pinyin)."))
@renders(show_hits)
def find(
    query: Annotated[
        str, typer.Argument(help=N_("a name or part of one (Chinese names also by pinyin), a title, ..."))
    ],
    limit: Annotated[int, typer.Option("--limit", min=1, max=1000, help=N_("people per page"))] = 20,
    cursor: Annotated[
        str | None, typer.Option("--cursor", help=N_("the page after this (printed when more follow)"))
    ] = None,
) -> Operation[Page[PersonHit]]:

    def operation(s: GraphStore) -> Page[PersonHit]:
        return find_people(s, Scope.operator(), query, limit=limit, cursor=cursor)

    return operation
