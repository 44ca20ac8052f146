"""`accountgraph report ACCOUNT --out plan.pdf`: the account plan on paper (`accountgraph.services.report`, the
same document as `GET /v1/accounts/{id}/report.pdf` and the workspace's print page)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from accountgraph.cli.common import AccountArg, StoreOption, err, fail, run
from accountgraph.graph.store import GraphStore
from accountgraph.services import report as report_service
from accountgraph.services.scope import Scope

app = typer.Typer()


@app.command()
def report(
    account: AccountArg,
    output: Annotated[Path, typer.Option("--out", "-o", help="the PDF file to write")],
    store: StoreOption = None,
) -> None:
    """Write the account plan (key people, coverage and gaps, next best actions, deal health, power map) as PDF."""
    if not output.parent.is_dir():
        raise fail(f"cannot write {output}: the folder {output.parent} does not exist")

    def render(s: GraphStore) -> bytes:
        return report_service.plan_pdf(s, Scope.operator(), account, cache=None)

    def write(pdf: bytes) -> None:
        output.write_bytes(pdf)
        err().print(f"wrote {output} ({len(pdf) // 1024} KiB)")

    run(store, render, write, busy="drawing the account plan…")
