"""The commands over single records, one group per kind as the API has one path per kind: `company`, `person`,
`team`, `interaction` and `risk` (list, show, put, delete), `tie` (list, show, put, end, delete), and `accounts`
and `tree ACCOUNT`. Every group is made by one factory (`kind_app`), over `accountgraph.services.records` with
the operator's scope, so the CLI reads and writes what the API does, with the same rules and the same refusals.

`put` takes one record as a JSON object, from a file or `-` (stdin, the default).
"""

from __future__ import annotations

import inspect
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import BaseModel
from rich.tree import Tree

from accountgraph.cli.common import (
    AccountArg,
    Operation,
    err,
    fail,
    help_text,
    out,
    parse_date,
    renders,
    table,
    text,
)
from accountgraph.graph.store import LIST_FILTERS, CompanyNode, GraphStore, ListFilter
from accountgraph.i18n import N_, _, ngettext
from accountgraph.i18n.glossary import term
from accountgraph.i18n.phrase import Term
from accountgraph.schema.models import Company, Role, Stance, Tie, TieType
from accountgraph.services import records
from accountgraph.services.paging import Page
from accountgraph.services.scope import Scope

app = typer.Typer()

RecordFile = Annotated[str, typer.Argument(help=N_("a JSON file holding one record, or - for stdin"))]
IdArg = Annotated[str, typer.Argument(help=N_("the record's id"))]
TypeArg = Annotated[TieType, typer.Argument(help=N_("knows or influences"))]
FromArg = Annotated[str, typer.Argument(help=N_("one end (a person or team member id)"))]
ToArg = Annotated[str, typer.Argument(help=N_("the other end"))]
LimitOption = Annotated[int, typer.Option("--limit", min=1, max=1000, help=N_("how many records a page holds"))]
CursorOption = Annotated[
    str | None, typer.Option("--cursor", help=N_("the next page: the cursor the last page printed"))
]

# the list filters of the API, as options (LIST_FILTERS says which kind takes which)
FILTER_OPTIONS: dict[str, Any] = {
    "account": Annotated[str | None, typer.Option("--account", help=N_("only records of this account"))],
    "company": Annotated[str | None, typer.Option("--company", help=N_("only records of this company"))],
    "role": Annotated[Role | None, typer.Option("--role", help=N_("only people holding this role now"))],
    "stance": Annotated[Stance | None, typer.Option("--stance", help=N_("only people with this stance now"))],
    "person": Annotated[str | None, typer.Option("--person", help=N_("only records of this person"))],
    "member": Annotated[str | None, typer.Option("--member", help=N_("only records of this team member"))],
    "type": Annotated[TieType | None, typer.Option("--type", help=N_("only ties of this type"))],
}


@dataclass(frozen=True)
class KindCommands:
    """One record kind on the command line: its kind in the services, its group's name and what a list shows."""

    kind: str  # as `services.records` names it ("person", "tie")
    group: str  # the command group ("risk-event": `risk` is the account's risk report)
    noun: str  # "person", "team member"
    columns: tuple[str, ...]  # the fields a list shows

    @property
    def term(self) -> Term:
        """The noun as the glossary says it in the language of the moment (its English: `noun`)."""
        return Term(self.kind, self.noun)


# the columns of the lists, marked for the catalog (a column is a record's field)
_COLUMNS = (
    N_("id"),
    N_("name"),
    N_("parent"),
    N_("industry"),
    N_("country"),
    N_("company"),
    N_("title"),
    N_("roles"),
    N_("stance"),
    N_("email"),
    N_("person"),
    N_("member"),
    N_("kind"),
    N_("at"),
    N_("sentiment"),
    N_("severity"),
    N_("type"),
    N_("from"),
    N_("to"),
    N_("strength"),
    N_("since"),
    N_("until"),
)

KINDS = (
    KindCommands("company", "company", "company", ("id", "name", "parent", "industry", "country")),
    KindCommands("person", "person", "person", ("id", "name", "company", "title", "roles", "stance")),
    KindCommands("team", "team", "team member", ("id", "name", "title", "email")),
    KindCommands("interaction", "interaction", "interaction", ("id", "person", "member", "kind", "at", "sentiment")),
    KindCommands("risk", "risk-event", "risk event", ("id", "company", "kind", "severity", "at")),
)
TIES = KindCommands("tie", "tie", "tie", ("type", "from", "to", "strength", "since", "until"))


def _cell(record: BaseModel, name: str) -> object:
    value = record.model_dump(mode="json", by_alias=True).get(name)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return value


def _fields(record: BaseModel) -> None:
    data = record.model_dump(mode="json", by_alias=True, exclude_none=True)
    rows = ([k, json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else v] for k, v in data.items())
    out().print(table(f"{type(record).__name__}", [(_("field"), "left"), (_("value"), "left")], rows))


def _page_shower(spec: KindCommands) -> Callable[[Page[Any]], None]:
    def show(page: Page[Any]) -> None:
        columns = [(_(c), "left") for c in spec.columns]
        title = _("{noun} records ({n})").format(noun=term(spec.kind, spec.noun), n=page.count)
        out().print(table(title, columns, ([_cell(r, c) for c in spec.columns] for r in page.data)))
        if page.next_cursor:
            err().print(text(_("more: --cursor {cursor}").format(cursor=page.next_cursor)))

    return show


def _filters_of(options: dict[str, Any]) -> ListFilter:
    return ListFilter(**options)


def read_record(source: str) -> Any:
    """The JSON document of a record file (`-`: stdin); exit 1 naming the file if it is not JSON."""
    try:
        data = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
        return json.loads(data)
    except json.JSONDecodeError as e:
        raise fail(
            _("{source} is not JSON: {reason} (line {line}, column {column})").format(
                source="stdin" if source == "-" else source, reason=e.msg, line=e.lineno, column=e.colno
            )
        ) from None
    except UnicodeDecodeError as e:
        raise fail(_("{source} is not UTF-8 text: {reason}").format(source=source, reason=e.reason)) from None


def _json(record: BaseModel) -> Any:
    """A record or a page as the API sends it (a tie's ends as `from` and `to`)."""
    return record.model_dump(mode="json", by_alias=True)


def _said(message: str) -> None:
    out().print(text(message))


def _declare(
    name: str, doc: str, parameters: dict[str, Any], body: Callable[..., Operation[Any]]
) -> Callable[..., Operation[Any]]:
    """A command's `declare` function (for `renders`) of these keyword parameters, each (annotation, default)."""

    def declare(**options: Any) -> Operation[Any]:
        return body(**options)

    signature = [
        inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, default=d, annotation=a)
        for n, (a, d) in parameters.items()
    ]
    declare.__signature__ = inspect.Signature(signature)  # type: ignore[attr-defined]
    declare.__annotations__ = {n: a for n, (a, _) in parameters.items()}
    declare.__name__ = declare.__qualname__ = name
    declare.__doc__ = doc
    return declare


def _list_command(spec: KindCommands) -> Callable[..., Operation[Any]]:
    filters = sorted(LIST_FILTERS[spec.kind], key=list(FILTER_OPTIONS).index)

    def body(limit: int, cursor: str | None, **given: Any) -> Operation[Any]:
        return lambda s: records.list_records(
            s, Scope.operator(), spec.kind, _filters_of(given), limit=limit, cursor=cursor
        )

    parameters: dict[str, tuple[Any, Any]] = {f: (FILTER_OPTIONS[f], None) for f in filters}
    parameters |= {"limit": (LimitOption, 100), "cursor": (CursorOption, None)}
    return _declare(
        f"list_{spec.kind}",
        help_text(N_("List {noun} records, a page at a time, in id order."), noun=spec.term),
        parameters,
        body,
    )


def kind_app(spec: KindCommands) -> typer.Typer:
    """The list, show, put and delete commands of one record kind with an id."""
    group = typer.Typer(help=help_text(N_("Read and write {noun} records."), noun=spec.term), no_args_is_help=True)
    group.command("list")(renders(_page_shower(spec), data=_json)(_list_command(spec)))

    def show(id: IdArg) -> Operation[Any]:
        return lambda s: records.get_record(s, Scope.operator(), spec.kind, id)

    def put(source: RecordFile = "-") -> Operation[Any]:
        raw = read_record(source)
        return lambda s: records.put_record(s, Scope.operator(), records.record_of(spec.kind, raw))

    def delete(id: IdArg) -> Operation[str]:
        def operation(s: GraphStore) -> str:
            records.delete_record(s, Scope.operator(), spec.kind, id)
            return _("deleted {noun} {id}").format(noun=term(spec.kind, spec.noun), id=id)

        return operation

    show.__doc__ = help_text(N_("Show one {noun} record."), noun=spec.term)
    put.__doc__ = help_text(
        N_("Create or replace one {noun} record (a JSON object), checked as the API checks it."), noun=spec.term
    )
    delete.__doc__ = help_text(N_("Delete one {noun} record and what hangs on it."), noun=spec.term)
    group.command("show")(renders(_fields, data=_json)(show))
    group.command("put")(renders(_fields, data=_json)(put))
    group.command("delete")(renders(_said, json_option=False)(delete))
    return group


def tie_app() -> typer.Typer:
    """The tie commands: a tie is named by its type and its two ends."""
    group = typer.Typer(help=N_("Read and write ties (named by type and ends)."), no_args_is_help=True)
    group.command("list")(renders(_page_shower(TIES), data=_json)(_list_command(TIES)))

    @group.command("show", help=N_("Show one tie."))
    @renders(_fields, data=_json)
    def show(type: TypeArg, from_: FromArg, to: ToArg) -> Operation[Tie]:
        return lambda s: records.get_tie(s, Scope.operator(), type, from_, to)

    @group.command(
        "put", help=N_("Create or replace a tie (a JSON object with type, from, to), checked as the API checks it.")
    )
    @renders(_fields, data=_json)
    def put(source: RecordFile = "-") -> Operation[Tie]:
        raw = read_record(source)
        return lambda s: records.put_tie(s, Scope.operator(), records.record_of("tie", raw))

    @group.command("end", help=N_("End a relationship: set the tie's `until` (it stays in the history)."))
    @renders(_fields, data=_json)
    def end(
        type: TypeArg,
        from_: FromArg,
        to: ToArg,
        on: Annotated[str | None, typer.Option("--on", help=N_("the day it ended, YYYY-MM-DD (default today)"))] = None,
    ) -> Operation[Tie]:
        day = parse_date(on) or date.today()

        def operation(s: GraphStore) -> Tie:
            tie = records.get_tie(s, Scope.operator(), type, from_, to)
            data = tie.model_dump(by_alias=True) | {"until": day}
            return records.put_tie(s, Scope.operator(), records.record_of("tie", data))

        return operation

    @group.command("delete", help=N_("Delete a tie (a mistake; to end one, use `tie end`)."))
    @renders(_said, json_option=False)
    def delete(type: TypeArg, from_: FromArg, to: ToArg) -> Operation[str]:

        def operation(s: GraphStore) -> str:
            records.delete_tie(s, Scope.operator(), type, from_, to)
            return _("deleted tie {type} {source} {target}").format(type=type.value, source=from_, target=to)

        return operation

    return group


def _show_accounts(accounts: list[Company]) -> None:
    rows = ([c.id, c.name, c.industry, c.country] for c in accounts)
    columns = [(_("id"), "left"), (_("name"), "left"), (_("industry"), "left"), (_("country"), "left")]
    out().print(table(_("accounts"), columns, rows))


@app.command("accounts", help=N_("List the accounts (root companies)."))
@renders(_show_accounts, data=lambda accounts: [c.model_dump(mode="json") for c in accounts])
def accounts() -> Operation[list[Company]]:
    return lambda s: records.list_accounts(s, Scope.operator())


def _show_tree(root: CompanyNode) -> None:
    def label(node: CompanyNode) -> Any:
        people = ngettext("{n} person", "{n} people", node.people).format(n=node.people)
        return text(f"{node.company.name} ({node.company.id}): {people}")

    def add(branch: Tree, node: CompanyNode) -> None:
        for child in node.children:
            add(branch.add(label(child)), child)

    tree = Tree(label(root))
    add(tree, root)
    out().print(tree)


@app.command("tree", help=N_("An account's company tree, with how many people each company has."))
@renders(_show_tree, data=lambda root: root.as_dict())
def tree(
    account: AccountArg,
    as_of: Annotated[
        datetime | None,
        typer.Option("--as-of", formats=["%Y-%m-%d"], help=N_("the people on this date (default today)")),
    ] = None,
) -> Operation[CompanyNode]:
    return lambda s: records.company_tree(s, Scope.operator(), account, as_of.date() if as_of else None)


GROUPS: dict[str, typer.Typer] = {spec.group: kind_app(spec) for spec in KINDS} | {TIES.group: tie_app()}
"""Each record group by its command name."""
