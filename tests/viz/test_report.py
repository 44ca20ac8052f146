"""The account plan on paper (`accountgraph.viz.report`, gathered by `accountgraph.services.report`): every section
is there, the map is an inline SVG drawn in layers, user text is escaped, nothing scripted or clickable is printed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from accountgraph.graph.store import GraphStore
from accountgraph.services import report
from accountgraph.services.scope import Scope
from tests.web.support import ACCOUNT, HOSTILE, make_store


@pytest.fixture(scope="module")
def html(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    store: GraphStore = make_store(Path(tmp_path_factory.mktemp("report")) / "report.db")
    try:
        yield report.plan_html(store, Scope.operator(), ACCOUNT, cache=None)
    finally:
        store.close()


def test_every_section_is_there(html: str) -> None:
    for section in ("title", "coverage", "key-people", "gaps", "actions", "deals", "power-map"):
        assert f'id="{section}"' in html, section
    assert "Account plan: Helix Medical Group" in html
    assert "@page { size: A4" in html


def test_the_map_is_an_inline_svg_in_layers(html: str) -> None:
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert svg.count("<circle") >= 10 and "<rect" in svg and "<line" in svg
    rows = sorted({float(y) for y in re.findall(r'<circle cx="[^"]+" cy="([^"]+)"', svg)})
    assert len(rows) >= 2  # people on more than one layer


def test_user_text_is_escaped(html: str) -> None:
    assert HOSTILE not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_nothing_scripted_or_clickable(html: str) -> None:
    for tag in ("<script", "<button", "<form", "<a "):
        assert tag not in html, tag
