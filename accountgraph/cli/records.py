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
    opened_store,
    out,
    parse_date,
    run,
)
from accountgraph.graph.store import GraphStore
from accountgraph.schema.models import Bundle
from accountgraph.services import bundles, records
from accountgraph.services.scope import Scope

app = typer.Typer()


class ExportFormat(StrEnum):
    JSON = "json"
    GRAPHML = "graphml"
    CSV = "csv"


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
        table.add_column(name, justify="right")
    table.add_row(*(str(v) for v in counts.values()))
    return table


@app.command("import")
def import_(
    path: Annotated[Path, typer.Argument(help="a JSON bundle, or a directory of CSV files (one per list)")],
    store: StoreOption = None,
) -> None:
    """Import a bundle in one transaction: everything lands, or nothing does."""
    document = call(lambda: bundles.read_path(path))
    raw = document.raw
    total = sum(len(v) for v in raw.values() if isinstance(v, list)) if isinstance(raw, dict) else None
    with opened_store(store) as s, _progress() as progress:
        task = progress.add_task(f"checking {path.name}", total=total)

        checked = 0

        def advance(n: int) -> None:
            nonlocal checked
            checked += n
            progress.advance(task, n)
            if checked == total:
                progress.update(task, description=f"writing {total} records in one transaction")

        counts = call(
            lambda: records.import_document(s, Scope.operator(), raw, progress=advance, found=document.found),
            locate=document.locate,
        )
    out().print(counts_table(f"imported {path} into {s.url}", counts))


@app.command()
def export(
    account: AccountArg,
    format: Annotated[ExportFormat, typer.Option("--format", "-f")] = ExportFormat.JSON,
    output: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="file (json, graphml) or directory (csv); json defaults to stdout"),
    ] = None,
    store: StoreOption = None,
) -> None:
    """Export an account as a JSON bundle, GraphML (its projection) or CSV files."""
    with opened_store(store) as s:
        if format is ExportFormat.JSON:
            text = bundles.write_json(call(lambda: s.export_bundle(account)), output)
            if output is None:
                sys.stdout.write(text + "\n")
        elif format is ExportFormat.CSV:
            if output is None:
                raise fail("--out DIRECTORY is required for CSV")
            bundle = call(lambda: s.export_bundle(account))
            for p in bundles.write_csv_dir(bundle, output):
                err().print(f"wrote {p}")
        else:
            if output is None:
                raise fail("--out FILE is required for GraphML")
            bundles.to_graphml(call(lambda: s.account_subgraph(account)), output)
            err().print(f"wrote {output}")


@app.command()
def generate(
    people: Annotated[int, typer.Option("--people", min=1, max=1_000_000, help="people in the account")] = 150,
    seed: Annotated[int, typer.Option("--seed")] = 1,
    account: Annotated[str, typer.Option("--account", help="the account id (prefix of every id)")] = "acme",
    output: Annotated[Path | None, typer.Option("--out", "-o", help="write here instead of stdout")] = None,
    reference: Annotated[
        str | None, typer.Option("--reference", help="the date everything is relative to, YYYY-MM-DD (default today)")
    ] = None,
) -> None:
    """Generate a realistic, seeded sample account as a JSON bundle, dated up to today (or --reference)."""
    from accountgraph.samples.generator import generate_account

    day = parse_date(reference)
    bundle = call(lambda: generate_account(people, seed, account_id=account, reference=day), refusals=True)
    text = bundles.write_json(bundle, output)
    if output is None:
        sys.stdout.write(text + "\n")
    else:
        err().print(f"wrote {output}: {counted(bundle.counts())}")


@app.command()
def schema() -> None:
    """Print the JSON Schema of the bundle (generated from the models)."""
    sys.stdout.write(json.dumps(Bundle.model_json_schema(by_alias=True), indent=2) + "\n")


def _store_tables(s: GraphStore) -> list[Table]:
    """What the store holds, and its accounts with their size."""
    rows = []
    for company in s.list_accounts():
        nodes = list(s.company_tree(company.id).walk())
        rows.append((company.id, company.name, str(len(nodes)), str(sum(n.people for n in nodes))))
    # the stored records: a tie that ended counts too (a power map draws the ties current on its day)
    counts = {("ties (ended too)" if k == "ties" else k): v for k, v in s.counts().items()}
    return [
        counts_table(f"store {s.url}", counts),
        grid("accounts", ("account", "name", "companies", "people"), rows),
    ]


def _print_tables(tables: list[Table]) -> None:
    for table in tables:
        out().print(table)


@app.command()
def info(store: StoreOption = None) -> None:
    """List the accounts of the store and how much it holds."""
    run(store, _store_tables, _print_tables)


@app.command()
def view(
    account: AccountArg,
    output: Annotated[Path, typer.Option("--out", "-o", help="the HTML file to write")],
    highlight: Annotated[
        str | None, typer.Option("--highlight-path-to", help="draw the best path from our team to this person")
    ] = None,
    tree: Annotated[bool, typer.Option("--tree", help="the customer tree instead of the power map")] = False,
    store: StoreOption = None,
) -> None:
    """Write the power map (or, with --tree, the customer tree) of an account as one self-contained HTML file."""
    from accountgraph.services import analysis

    def render(s: GraphStore) -> str:
        return (
            analysis.tree_html(s, Scope.operator(), account)
            if tree
            else analysis.power_map_html(s, Scope.operator(), account, highlight_to=highlight)
        )

    def write(html: str) -> None:
        output.write_text(html, encoding="utf-8")
        err().print(f"wrote {output} ({len(html) // 1024} KiB, opens offline in any browser)")

    run(store, render, write)
