"""The `accountgraph` command line.

Bad input ends with a non-zero exit (1) and a list of what is wrong (file, line or index, field), never
a traceback. The store is the one `--store` or `ACCOUNTGRAPH_STORE` names (default: a SQLite file here).
"""

from __future__ import annotations

import gc
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from accountgraph import bundles
from accountgraph.cli_common import StoreOption, _fail, _guard, _store, err, out
from accountgraph.schema.models import Bundle

app = typer.Typer(
    help="AccountGraph: relationship intelligence for key-account management.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


class ExportFormat(StrEnum):
    JSON = "json"
    GRAPHML = "graphml"
    CSV = "csv"


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
    from accountgraph.samples.generator import generate_account

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
def view(
    account: Annotated[str, typer.Argument(help="the account (root company) id")],
    output: Annotated[Path, typer.Option("--out", "-o", help="the HTML file to write")],
    highlight: Annotated[
        str | None, typer.Option("--highlight-path-to", help="draw the best path from our team to this person")
    ] = None,
    tree: Annotated[bool, typer.Option("--tree", help="the customer tree instead of the power map")] = False,
    store: StoreOption = None,
) -> None:
    """Write the power map (or, with --tree, the customer tree) of an account as one self-contained HTML file."""
    from accountgraph import analysis

    with _store(store) as s:
        if tree:
            html = _guard(lambda: analysis.tree_html(s, account))
        else:
            html = _guard(lambda: analysis.power_map_html(s, account, highlight_to=highlight))
    output.write_text(html, encoding="utf-8")
    err.print(f"wrote {output} ({len(html) // 1024} KiB, opens offline in any browser)")


@app.command()
def demo(
    store: StoreOption = None,
    views: Annotated[Path, typer.Option("--views", help="where to write the HTML views")] = Path("views"),
    serve: Annotated[bool, typer.Option("--serve/--no-serve", help="then serve the API and the views")] = True,
    port: Annotated[int, typer.Option("--port", min=1, max=65535)] = 8000,
) -> None:
    """Load the sample account and the real data sets, analyse the sample, write its views, serve the API."""
    from accountgraph import analysis
    from accountgraph.cli_analysis import show_actions, show_coverage, show_path, show_ranking
    from accountgraph.ledger.cash import cash_picture
    from accountgraph.samples.demo import seed_demo

    with _store(store) as s:
        report = _guard(lambda: seed_demo(s))
        if report.datasets_note is not None:
            err.print(f"[yellow]note:[/] real data sets not loaded: {report.datasets_note}")
        for loaded in report.loaded:
            err.print(f"loaded {loaded.label}: " + ", ".join(f"{v} {k}" for k, v in loaded.counts.items()))
        account, opp = report.account, report.opportunity
        out.print(_counts_table(f"store {s.url}", s.counts()))
        show_ranking(_guard(lambda: analysis.rank(s, account, top=10)), out)
        cov = _guard(lambda: analysis.coverage(s, account))
        show_coverage(cov, out, 8)
        target = next(
            (p for p in cov.people if not p.covered and "decision_maker" in p.roles),
            next((p for p in cov.people if not p.covered), None),
        )
        if target is not None:
            out.print(f"\nbest path to the top uncovered decision maker, {target.name} ({target.id}):")
            show_path(_guard(lambda: analysis.path(s, account, target.id)), out)
        show_actions(_guard(lambda: analysis.actions(s, account)), out)
        cash = _guard(lambda: cash_picture(s, account))
        out.print(
            f"\ncash of {account} ({cash.currency}): billed {cash.billed}, collected {cash.collected}, "
            f"outstanding {cash.outstanding}, overdue {cash.overdue}, DSO {cash.dso} days "
            f"(details: accountgraph cash {account})"
        )
        from accountgraph.opportunities.committee import opportunity_power_map
        from accountgraph.opportunities.health import opportunity_health

        health = _guard(lambda: opportunity_health(s, opp.id))
        out.print(
            f"\nopportunity {opp.name} ({opp.id}, {opp.stage}): win probability {health.probability:.0%} "
            f"({health.model.replace('_', ' ')}); what would raise it most:",
            highlight=False,
        )
        for a in health.actions:
            out.print(f"  + {a.gain:.0%}  {a.description}", highlight=False, markup=False)
        out.print(f"(a tracked plan from these: accountgraph plan from-opportunity {opp.id})", highlight=False)
        views.mkdir(parents=True, exist_ok=True)
        (views / f"{opp.id}-committee.html").write_text(opportunity_power_map(s, opp.id), encoding="utf-8")
        power_map = views / f"{account}-power-map.html"
        highlight = target.id if target is not None else None
        power_map.write_text(analysis.power_map_html(s, account, highlight_to=highlight), encoding="utf-8")
        tree = views / f"{account}-tree.html"
        tree.write_text(analysis.tree_html(s, account), encoding="utf-8")
    committee = views / f"{opp.id}-committee.html"
    out.print(
        f"\nviews written: {power_map.resolve().as_uri()}\n               {tree.resolve().as_uri()}"
        f"\n               {committee.resolve().as_uri()} (the deal's buying committee)"
    )
    if serve:
        from accountgraph.api.auth import mint_key
        from accountgraph.cli_api import serve as serve_api

        with _store(store) as s:
            _, key = _guard(lambda: mint_key(s, "viewer", name="demo"))
        base = f"http://127.0.0.1:{port}"
        auth = f"-H 'Authorization: Bearer {key}'"
        out.print(
            f"\na viewer key for this demo (shown once): {key}\n"
            f"OpenAPI:       curl {auth} {base}/openapi.json\n"
            f"key people:    curl {auth} {base}/v1/accounts/{account}/key-people?top=5\n"
            f"power map:     curl {auth} {base}/v1/accounts/{account}/view > map.html\n"
            f"customer tree: curl {auth} {base}/v1/accounts/{account}/tree/view > tree.html\n"
            "(Ctrl-C stops the server)",
            highlight=False,
            soft_wrap=True,
        )
        serve_api(host="127.0.0.1", port=port, workers=1, store=store)


def _register_commands() -> None:
    from accountgraph import cli_analysis, cli_api, cli_ledger

    cli_analysis.register(app)
    cli_api.register(app)
    cli_ledger.register(app)
    from accountgraph import cli_opportunities

    cli_opportunities.register(app)
    from accountgraph import cli_plans

    cli_plans.register(app)
    from accountgraph import cli_operator

    cli_operator.register(app)


_register_commands()


def main() -> Any:
    """Entry point of the `accountgraph` script."""
    # What the imports loaded (about 150k modules, classes and functions) lives as long as the process: out of
    # the collector's reach, its full passes over an account's objects cost half as much (0.1 s at 10k people).
    gc.freeze()
    return app()


if __name__ == "__main__":  # pragma: no cover
    main()
