"""The `portfolio` commands in-process on the hand-computed portfolio of `tests/services/test_portfolio.py` (SQLite:
the service is checked on both backends there): the overview, each section, the chart, the strategic flag."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from accountgraph.graph.store import GraphStore
from tests.cli.support import invoke
from tests.conftest import sqlite_store
from tests.services.test_portfolio import KPI_DAY, REF, build, kpi_book

ON = ("--on", REF.isoformat())


@pytest.fixture
def book(tmp_path: Path) -> Iterator[GraphStore]:
    with sqlite_store(tmp_path) as store:
        yield build(store)


def test_the_overview_and_its_json(book: GraphStore, tmp_path: Path) -> None:
    shown = invoke(book.url, "portfolio", *ON)
    assert shown.exit_code == 0, shown.output
    for words in (
        "portfolio on 2026-03-31 in EUR: 5 accounts",
        "key accounts",
        "strategic: industry leader",
        "the top 20 % of the 4 accounts with revenue (1) make 50 % of 20000.00 EUR",
        "3400.00 EUR of next year's revenue at risk",
        "A One (CFO) is reached only through T One, last contact 1 day ago",
        "attention list",
        "key person gone: D One",
        "T One re-engages G One directly",
    ):
        assert words in shown.output, words
    data = json.loads(invoke(book.url, "portfolio", *ON, "--json").output)
    assert set(data) == {"on", "currency", "params", "accounts", "keys", "value", "risk", "attention"}
    assert data["risk"]["total"] == {"amount": "3400.00", "currency": "EUR"}
    assert [k["account"] for k in data["keys"] if k["status"] == "key"] == ["alpha", "delta"]
    wider = json.loads(invoke(book.url, "portfolio", *ON, "--contribution", "50", "--json").output)
    assert [k["account"] for k in wider["keys"] if "contribution" in k["criteria"]] == ["alpha", "beta"]


def test_each_section(book: GraphStore, tmp_path: Path) -> None:
    keys = json.loads(invoke(book.url, "portfolio", "keys", *ON, "--json").output)
    assert [(k["account"], k["status"]) for k in keys] == [
        ("alpha", "key"),
        ("delta", "key"),
        ("beta", "candidate"),
        ("gamma", "other"),
        ("empty", "other"),
    ]
    assert "whitespace: 2 of 3 products not bought yet" in invoke(book.url, "portfolio", "keys", *ON).output
    chart = tmp_path / "value.svg"
    value = invoke(book.url, "portfolio", "value", *ON, "--svg", str(chart))
    assert value.exit_code == 0 and "value grade × relationship health" in value.output
    assert "value chart written" in value.output
    ET.fromstring(chart.read_text(encoding="utf-8"))
    risk = json.loads(invoke(book.url, "portfolio", "risk", *ON, "--json").output)
    assert [(r["account"], r["at_risk"]["amount"]) for r in risk["accounts"]][:2] == [
        ("beta", "1500.00"),
        ("alpha", "1000.00"),
    ]
    assert "1500.00 EUR" in invoke(book.url, "portfolio", "risk", *ON).output
    attention = json.loads(invoke(book.url, "portfolio", "attention", *ON, "--json").output)
    assert [a["account"] for a in attention] == ["beta", "alpha", "gamma", "delta"]


def test_the_strategic_flag(book: GraphStore) -> None:
    flagged = invoke(book.url, "portfolio", "strategic", "beta", "--reason", "reference customer")
    assert flagged.exit_code == 0 and "beta is strategic: reference customer" in flagged.output
    keys = json.loads(invoke(book.url, "portfolio", "keys", *ON, "--json").output)
    assert next(k for k in keys if k["account"] == "beta")["reasons"][0] == "strategic: reference customer"
    cleared = json.loads(invoke(book.url, "portfolio", "strategic", "beta", "--clear", "--json").output)
    assert (cleared["strategic"], cleared["reason"]) == (False, None)


def test_bad_input_is_a_message(book: GraphStore) -> None:
    for args, message in (
        (("portfolio", "--contribution", "0"), "--contribution"),
        (("portfolio", "keys", "--contribution", "lots"), "not a number"),
        (("portfolio", "risk", "--currency", "euro"), "currency"),
        (("portfolio", "strategic", "nobody"), "nobody"),
        (("portfolio", "strategic", "beta", "--clear", "--reason", "x"), "--clear takes no --reason"),
    ):
        result = invoke(book.url, *args)
        assert result.exit_code == 1, (args, result.output)
        assert message in result.output and "Traceback" not in result.output


def test_the_kpis(tmp_path: Path) -> None:
    with sqlite_store(tmp_path) as store:
        kpi_book(store)
        url = store.url
    shown = invoke(url, "portfolio", "kpis", "--on", KPI_DAY.isoformat())
    assert shown.exit_code == 0, shown.output
    assert "operating KPIs, quarter 2026-04-01 – 2026-06-15" in shown.output and "80.0 %" in shown.output
    data = json.loads(
        invoke(url, "portfolio", "kpis", "--period", "year", "--on", KPI_DAY.isoformat(), "--json").output
    )
    assert (data["start"], data["previous_start"]) == ("2026-01-01", "2025-01-01")
    assert [k["name"] for k in data["kpis"]][:2] == ["key_account_share", "retention"]
    assert invoke(url, "portfolio", "kpis", "--period", "decade").exit_code != 0


def test_the_value_chart_as_png(book: GraphStore, tmp_path: Path) -> None:
    """Drawn by the headless Chromium of the browser tests (as the power map's PNG): the chart's size at twice the
    scale, white where the SVG is white, the Pareto curve's blue drawn."""
    from PIL import Image

    from accountgraph.viz.portfolio import HEIGHT, WIDTH
    from accountgraph.viz.raster import chromium
    from tests.browser import CHROMIUM, unavailable

    if chromium() is None and not Path(CHROMIUM).exists():
        unavailable("no Chromium to draw PNG with")
    png = tmp_path / "value.png"
    result = invoke(book.url, "portfolio", "value", *ON, "--png", str(png))
    assert result.exit_code == 0 and "value chart written" in result.output, result.output
    with Image.open(png) as picture:
        assert picture.format == "PNG" and picture.size == (2 * WIDTH, 2 * HEIGHT)
        colours = {c for _, c in picture.convert("RGB").getcolors(maxcolors=1 << 20) or []}
    assert (255, 255, 255) in colours and (0x2A, 0x6F, 0xBB) in colours  # the background, the curve's stroke
