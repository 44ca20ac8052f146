"""The commands over the store's records: `import`, `export`, `generate`, `schema`, `info`, `view`.

Bad input ends with a non-zero exit (1) and a list of what is wrong (file, line or index, field), never
a traceback. The store is the one `--store` or `ACCOUNTGRAPH_STORE` names (default: a SQLite file here).
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from accountgraph.cli.common import (
    AccountArg,
    StoreOption,
    call,
    counted,
    err,
    fail,
    grid,
    help_text,
    opened_store,
    out,
    parse_date,
    run,
)
from accountgraph.cli.common import table as titled
from accountgraph.graph.store import GraphStore
from accountgraph.i18n import N_, _, ngettext
from accountgraph.i18n.glossary import joined, term
from accountgraph.schema.models import Bundle
from accountgraph.services import bundles, crm_import, mapping, records
from accountgraph.services.scope import Scope

app = typer.Typer()


class ExportFormat(StrEnum):
    JSON = "json"
    GRAPHML = "graphml"
    CSV = "csv"
    NEO4J_ADMIN = "neo4j-admin"


def _progress() -> Progress:
    console = err()
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )


def counts_table(title: str, counts: dict[str, int]) -> Table:
    """One row of counts, a column each."""
    table = Table(title=title)
    for name in counts:
        table.add_column(_(name), justify="right")
    table.add_row(*(str(v) for v in counts.values()))
    return table


@app.command(
    "import",
    help=N_(
        "Import a bundle in one transaction: everything lands, or nothing does. With --profile or "
        "--mapping, import another CRM's export (CSV or XLSX) mapped to records, through the same "
        "checks."
    ),
)
def import_(
    path: Annotated[
        Path,
        typer.Argument(
            help=N_(
                "a JSON bundle, a directory of CSV files (one per list), or with --profile/--mapping another "
                "system's export (CSV or XLSX)"
            )
        ),
    ],
    profile: Annotated[
        str | None,
        typer.Option(
            "--profile",
            help=help_text(
                N_("read PATH as an export of: {profiles} (or one of their mappings, such as salesforce-accounts)"),
                profiles=", ".join(mapping.PROFILES),
            ),
        ),
    ] = None,
    mapping_file: Annotated[
        Path | None, typer.Option("--mapping", help=N_("read PATH through this mapping file (YAML or JSON)"))
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help=N_("check everything and show what would land; write nothing"))
    ] = False,
    show_rows: Annotated[int, typer.Option("--rows", min=0, help=N_("rows of the file to show (mapped imports)"))] = 10,
    store: StoreOption = None,
) -> None:
    if profile is not None or mapping_file is not None:
        _import_mapped(path, profile, mapping_file, dry_run, show_rows, store)
        return
    document = call(lambda: bundles.read_path(path))
    raw = document.raw
    total = sum(len(v) for v in raw.values() if isinstance(v, list)) if isinstance(raw, dict) else None
    with opened_store(store) as s, _progress() as progress:
        task = progress.add_task(_("checking {file}").format(file=path.name), total=total)

        checked = 0

        def advance(n: int) -> None:
            nonlocal checked
            checked += n
            progress.advance(task, n)
            if checked == total:
                progress.update(task, description=_("writing {n} records in one transaction").format(n=total))

        counts = call(
            lambda: records.import_document(
                s,
                Scope.operator(),
                raw,
                progress=advance,
                found=document.found,
                dry_run=dry_run,
                source=path.name,
            ),
            locate=document.locate,
        )
    title = (
        _("checked {path}: nothing was written (dry run)").format(path=path)
        if dry_run
        else _("imported {path} into {store}").format(path=path, store=s.url)
    )
    out().print(counts_table(title, counts))


def _import_mapped(
    path: Path, profile: str | None, mapping_file: Path | None, dry_run: bool, show_rows: int, store: str | None
) -> None:
    if profile is not None and mapping_file is not None:
        raise fail(_("give --profile or --mapping, not both"))
    where = crm_import.where_of
    if mapping_file is not None:
        mappings = [call(lambda: mapping.read_mapping(mapping_file), locate=where)]
    else:
        assert profile is not None
        mappings = call(lambda: mapping.profile(profile), locate=where)
    data = call(path.read_bytes)
    with opened_store(store) as s:
        plan = call(
            lambda: crm_import.import_file(s, Scope.operator(), path.name, data, mappings, dry_run=dry_run),
            locate=where,
        )
    if dry_run:
        _show_plan(plan, show_rows)
        if plan.problems:
            raise fail(
                ngettext(
                    "dry run of {file}: {n} problem, nothing would be written",
                    "dry run of {file}: {n} problems, nothing would be written",
                    len(plan.problems),
                ).format(file=path.name, n=len(plan.problems)),
                [where(i) for i in plan.problems],
            )
        out().print(_("dry run, nothing was written: {counts}").format(counts=_counted(plan.counts)))
        return
    for note in plan.notes:
        err().print(_("note: {notice}").format(notice=note))
    out().print(
        _("imported {file} (mapping {mapping}) into {store}: {counts}").format(
            file=path.name, mapping=plan.mapping, store=s.url, counts=_counted(plan.counts)
        )
    )


def _counted(counts: dict[str, int]) -> str:
    return joined([f"{n} {_(name)}" for name, n in counts.items()]) or _("no rows")


# the names of a store's counts and of the fields an import shows, marked for the catalog
_WORDS = (
    N_("companies"),
    N_("people"),
    N_("team"),
    N_("ties"),
    N_("interactions"),
    N_("risks"),
    N_("department"),
    N_("region"),
    N_("reports_to"),
)
_SHOWN = {
    "person": ("name", "company", "title", "department", "email", "roles", "stance", "reports_to"),
    "company": ("name", "parent", "industry", "region", "country"),
}


def _show_plan(plan: crm_import.ImportPlan, show_rows: int) -> None:
    console = out()
    console.print(
        titled(
            _("mapping {mapping}: {file}, one {record} a row").format(
                mapping=plan.mapping, file=plan.file, record=term(plan.record)
            ),
            ((_("field"), "left"), (_("reads"), "left"), (_("column in the file"), "left")),
            ((f.field, f.source, f.column or _("(not in the file)")) for f in plan.fields),
        )
    )
    if plan.unused_columns:
        console.print(_("columns not read: {columns}").format(columns=", ".join(plan.unused_columns)))
    columns = (_("row"), _("action"), _("matched by"), _("id"), *(_(c) for c in _SHOWN[plan.record]))
    rows = []
    for landing in plan.rows[:show_rows]:
        values = [landing.record.get(c) for c in _SHOWN[plan.record]]
        cells = [", ".join(v) if isinstance(v, list) else ("" if v is None else str(v)) for v in values]
        rows.append(
            (landing.where.removeprefix(f"{plan.file} "), landing.action, landing.matched_by or "", landing.id, *cells)
        )
    shown = (
        _("the first {n} of {total} rows as they would land").format(n=len(rows), total=len(plan.rows))
        if rows
        else _("no rows to land")
    )
    console.print(titled(shown, ((c, "left") for c in columns), rows))
    if plan.companies:
        console.print(
            titled(
                _("companies the rows name that are created"),
                ((_("id"), "left"), (_("name"), "left"), (_("parent"), "left"), (_("first named"), "left")),
                (
                    (c.id, c.record.get("name"), c.record.get("parent") or _("(a new account)"), c.where)
                    for c in plan.companies
                ),
            )
        )
    for note in plan.notes:
        err().print(_("note: {notice}").format(notice=note))


@app.command(
    help=N_(
        "Export an account as a JSON bundle, GraphML (its projection), CSV files, or the CSV files "
        "of `neo4j-admin database import` (a first load of very large data into Neo4j)."
    )
)
def export(
    account: AccountArg,
    format: Annotated[ExportFormat, typer.Option("--format", "-f")] = ExportFormat.JSON,
    output: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help=N_("file (json, graphml) or directory (csv, neo4j-admin); json defaults to stdout")
        ),
    ] = None,
    store: StoreOption = None,
) -> None:
    with opened_store(store) as s:
        if format is ExportFormat.JSON:
            text = bundles.write_json(call(lambda: s.export_bundle(account)), output)
            if output is None:
                sys.stdout.write(text + "\n")
        elif format is ExportFormat.CSV:
            if output is None:
                raise fail(_("--out DIRECTORY is required for CSV"))
            bundle = call(lambda: s.export_bundle(account))
            for p in bundles.write_csv_dir(bundle, output):
                err().print(_("wrote {path}").format(path=p))
        elif format is ExportFormat.NEO4J_ADMIN:
            from accountgraph.services.neo4j_admin import IMPORT_COMMAND, write_import_csv

            if output is None:
                raise fail(_("--out DIRECTORY is required for neo4j-admin"))
            bundle = call(lambda: s.export_bundle(account))
            for p in write_import_csv(bundle, output):
                err().print(_("wrote {path}").format(path=p))
            err().print(
                _("load them into a stopped, empty Neo4j (files in its import/ folder): {command}").format(
                    command=IMPORT_COMMAND
                )
            )
        else:
            if output is None:
                raise fail(_("--out FILE is required for GraphML"))
            bundles.to_graphml(call(lambda: s.account_subgraph(account)), output)
            err().print(_("wrote {path}").format(path=output))


@app.command(
    help=N_("Generate a realistic, seeded sample account as a JSON bundle, dated up to today (or --reference).")
)
def generate(
    people: Annotated[int, typer.Option("--people", min=1, max=1_000_000, help=N_("people in the account"))] = 150,
    seed: Annotated[int, typer.Option("--seed")] = 1,
    account: Annotated[str, typer.Option("--account", help=N_("the account id (prefix of every id)"))] = "acme",
    output: Annotated[Path | None, typer.Option("--out", "-o", help=N_("write here instead of stdout"))] = None,
    reference: Annotated[
        str | None,
        typer.Option("--reference", help=N_("the date everything is relative to, YYYY-MM-DD (default today)")),
    ] = None,
) -> None:
    from accountgraph.samples.generator import generate_account

    day = parse_date(reference)
    bundle = call(lambda: generate_account(people, seed, account_id=account, reference=day), refusals=True)
    text = bundles.write_json(bundle, output)
    if output is None:
        sys.stdout.write(text + "\n")
    else:
        err().print(_("wrote {path}: {counts}").format(path=output, counts=counted(bundle.counts())))


@app.command(help=N_("Print the JSON Schema of the bundle (generated from the models)."))
def schema() -> None:
    sys.stdout.write(json.dumps(Bundle.model_json_schema(by_alias=True), indent=2) + "\n")


def _store_tables(s: GraphStore) -> list[Table]:
    """What the store holds, and its accounts with their size."""
    rows = []
    for company in s.list_accounts():
        nodes = list(s.company_tree(company.id).walk())
        rows.append((company.id, company.name, str(len(nodes)), str(sum(n.people for n in nodes))))
    # the stored records: a tie that ended counts too (a power map draws the ties current on its day)
    counts = {(N_("ties (ended too)") if k == "ties" else k): v for k, v in s.counts().items()}
    return [
        counts_table(_("store {store}").format(store=s.url), counts),
        grid(_("accounts"), (_("account"), _("name"), _("companies"), _("people")), rows),
    ]


def _print_tables(tables: list[Table]) -> None:
    for table in tables:
        out().print(table)


@app.command(help=N_("List the accounts of the store and how much it holds."))
def info(store: StoreOption = None) -> None:
    run(store, _store_tables, _print_tables)


@app.command(
    help=N_("Write the power map (or, with --tree, the customer tree) of an account as one self-contained HTML file.")
)
def view(
    account: AccountArg,
    output: Annotated[Path, typer.Option("--out", "-o", help=N_("the HTML file to write"))],
    highlight: Annotated[
        str | None, typer.Option("--highlight-path-to", help=N_("draw the best path from our team to this person"))
    ] = None,
    tree: Annotated[bool, typer.Option("--tree", help=N_("the customer tree instead of the power map"))] = False,
    store: StoreOption = None,
) -> None:
    from accountgraph.services import analysis
    from accountgraph.services.exact import ExactBetweenness

    def render(s: GraphStore) -> str:
        return (
            analysis.tree_html(s, Scope.operator(), account)
            if tree
            else analysis.power_map_html(  # sized by the exact ranking, as `rank` prints it
                s, Scope.operator(), account, highlight_to=highlight, exact=ExactBetweenness(), wait_exact=True
            )
        )

    def write(html: str) -> None:
        output.write_text(html, encoding="utf-8")
        err().print(
            _("wrote {path} ({size} KiB, opens offline in any browser)").format(path=output, size=len(html) // 1024)
        )

    run(store, render, write)
