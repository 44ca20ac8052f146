"""`accountgraph report ACCOUNT --out plan.pdf`: the account plan on paper (`accountgraph.services.report`, the
same document as `GET /v1/accounts/{id}/report.pdf` and the workspace's print page); `--format svg` writes the
plan's power map alone, `--format png` the same map as a picture (drawn by a headless Chromium: see
`accountgraph.viz.raster`)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from accountgraph.cli.common import AccountArg, StoreOption, err, fail, run
from accountgraph.graph.store import GraphStore
from accountgraph.i18n import N_, _
from accountgraph.services import report as report_service
from accountgraph.services.scope import Scope

app = typer.Typer()


class Format(StrEnum):
    pdf = "pdf"
    svg = "svg"
    png = "png"


@app.command(
    help=N_(
        "Write the account plan (key people, coverage and gaps, next best actions, deal health, "
        "power map) as PDF, or with --format svg or png its power map alone (png is drawn by a "
        "headless Chromium, found at ACCOUNTGRAPH_CHROMIUM or on the PATH; without one the command "
        "says so and writes nothing)."
    )
)
def report(
    account: AccountArg,
    output: Annotated[Path, typer.Option("--out", "-o", help=N_("the file to write"))],
    format: Annotated[
        Format,
        typer.Option(
            "--format", "-f", help=N_("pdf: the account plan; svg or png: its power map alone (png: Chromium)")
        ),
    ] = Format.pdf,
    store: StoreOption = None,
) -> None:
    if not output.parent.is_dir():
        raise fail(
            _("cannot write {path}: the folder {folder} does not exist").format(path=output, folder=output.parent)
        )

    def render(s: GraphStore) -> bytes:
        if format is Format.svg:
            return report_service.map_svg(s, Scope.operator(), account, cache=None).encode("utf-8")
        if format is Format.png:
            return report_service.map_png(s, Scope.operator(), account, cache=None)
        return report_service.plan_pdf(s, Scope.operator(), account, cache=None)

    def write(data: bytes) -> None:
        output.write_bytes(data)
        err().print(_("wrote {path} ({size} KiB)").format(path=output, size=len(data) // 1024))

    run(store, render, write, busy="drawing the account plan…")
