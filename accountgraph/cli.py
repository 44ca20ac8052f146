"""The `accountgraph` command line.

Bad input ends with a non-zero exit (1) and a list of what is wrong (file, line or index, field), never
a traceback. The store is the one `--store` or `ACCOUNTGRAPH_STORE` names (default: a SQLite file here).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from accountgraph import bundles
from accountgraph.errors import AccountGraphError, BundleRejected
from accountgraph.graph.settings import open_store
from accountgraph.graph.store import GraphStore
from accountgraph.schema.models import Bundle

app = typer.Typer(
    help="AccountGraph: relationship intelligence for key-account management.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
out = Console()
err = Console(stderr=True)
T = TypeVar("T")

StoreOption = Annotated[
    str | None,
    typer.Option("--store", envvar="ACCOUNTGRAPH_STORE", help="sqlite:///file.db or neo4j://host:7687"),
]


class ExportFormat(StrEnum):
    JSON = "json"
    GRAPHML = "graphml"
    CSV = "csv"


def _fail(message: str, issues: list[str] | None = None) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    for line in issues or []:
        err.print(f"  - {line}", highlight=False, markup=False)
    return typer.Exit(1)


@contextmanager
def _store(url: str | None) -> Iterator[GraphStore]:
    try:
        store = open_store(url)
    except AccountGraphError as e:
        raise _fail(str(e)) from None
    try:
        yield store
    finally:
        store.close()


def _guard(fn: Callable[[], T], csv_dir: bool = False) -> T:
    """Run `fn`, turning the package's errors into a clear message and exit 1."""
    try:
        return fn()
    except BundleRejected as e:
        raise _fail(
            f"refused, nothing was written: {len(e.issues)} problem(s)",
            [bundles.locate(i, csv_dir) for i in e.issues[:200]]
            + ([f"... and {len(e.issues) - 200} more"] if len(e.issues) > 200 else []),
        ) from None
    except AccountGraphError as e:
        raise _fail(str(e)) from None


def _progress() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )


def _counts_table(title: str, counts: dict[str, int]) -> Table:
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
    csv_dir = path.is_dir()
    raw = _guard(lambda: bundles.read_path(path), csv_dir)
    total = sum(len(v) for v in raw.values() if isinstance(v, list)) if isinstance(raw, dict) else None
    with _store(store) as s, _progress() as progress:
        task = progress.add_task(f"checking {path.name}", total=total)

        checked = 0

        def advance(n: int) -> None:
            nonlocal checked
            checked += n
            progress.advance(task, n)
            if checked == total:
                progress.update(task, description=f"writing {total} records in one transaction")

        counts = _guard(lambda: s.import_document(raw, progress=advance), csv_dir)
    out.print(_counts_table(f"imported {path} into {s.url}", counts))


@app.command()
def export(
    account: Annotated[str, typer.Argument(help="the account (root company) id")],
    format: Annotated[ExportFormat, typer.Option("--format", "-f")] = ExportFormat.JSON,
    output: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="file (json, graphml) or directory (csv); json defaults to stdout"),
    ] = None,
    store: StoreOption = None,
) -> None:
    """Export an account as a JSON bundle, GraphML (its projection) or CSV files."""
    with _store(store) as s:
        if format is ExportFormat.JSON:
            text = bundles.write_json(_guard(lambda: s.export_bundle(account)), output)
            if output is None:
                sys.stdout.write(text + "\n")
        elif format is ExportFormat.CSV:
            if output is None:
                raise _fail("--out DIRECTORY is required for CSV")
            bundle = _guard(lambda: s.export_bundle(account))
            for p in bundles.write_csv_dir(bundle, output):
                err.print(f"wrote {p}")
        else:
            if output is None:
                raise _fail("--out FILE is required for GraphML")
            bundles.to_graphml(_guard(lambda: s.account_subgraph(account)), output)
            err.print(f"wrote {output}")


@app.command()
def generate(
    people: Annotated[int, typer.Option("--people", min=1, max=1_000_000, help="people in the account")] = 150,
    seed: Annotated[int, typer.Option("--seed")] = 1,
    account: Annotated[str, typer.Option("--account", help="the account id (prefix of every id)")] = "acme",
    output: Annotated[Path | None, typer.Option("--out", "-o", help="write here instead of stdout")] = None,
) -> None:
    """Generate a realistic, seeded sample account as a JSON bundle."""
    from accountgraph.generate import generate_account

    bundle = _guard(lambda: generate_account(people, seed, account_id=account))
    text = bundles.write_json(bundle, output)
    if output is None:
        sys.stdout.write(text + "\n")
    else:
        err.print(f"wrote {output}: " + ", ".join(f"{v} {k}" for k, v in bundle.counts().items()))


@app.command()
def schema() -> None:
    """Print the JSON Schema of the bundle (generated from the models)."""
    sys.stdout.write(json.dumps(Bundle.model_json_schema(by_alias=True), indent=2) + "\n")


@app.command()
def info(store: StoreOption = None) -> None:
    """List the accounts of the store and how much it holds."""
    with _store(store) as s:
        out.print(_counts_table(f"store {s.url}", s.counts()))
        table = Table(title="accounts")
        for column in ("account", "name", "companies", "people"):
            table.add_column(column)
        for company in s.list_accounts():
            tree = s.company_tree(company.id)
            nodes = list(tree.walk())
            table.add_row(company.id, company.name, str(len(nodes)), str(sum(n.people for n in nodes)))
        out.print(table)


@app.command()
def demo(store: StoreOption = None) -> None:
    """Load the bundled sample account and the converted real data sets, then show what the store holds."""
    from accountgraph.datasets import all_dataset_bundles
    from accountgraph.generate import sample_bundle

    loads: list[tuple[str, Bundle]] = [("sample account", sample_bundle())]
    try:
        loads += [(f"data set {name}", b) for name, b in all_dataset_bundles().items()]
    except FileNotFoundError as e:
        err.print(f"[yellow]note:[/] real data sets not loaded: {e}")
    with _store(store) as s:
        for label, bundle in loads:
            _guard(lambda b=bundle: s.load_bundle(b))  # type: ignore[misc]
            err.print(f"loaded {label}: " + ", ".join(f"{v} {k}" for k, v in bundle.counts().items()))
    info(store)


def _register_commands() -> None:
    from accountgraph import cli_analysis

    cli_analysis.register(app)


_register_commands()


def main() -> Any:
    """Entry point of the `accountgraph` script."""
    return app()


if __name__ == "__main__":  # pragma: no cover
    main()
