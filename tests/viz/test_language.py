"""The views in Chinese: the power map, the customer tree, a plan's progress, the printed account plan (and its PDF)
and the portfolio chart, rendered in zh_CN on the Chinese sample account, keep no marked English word: every text
they show (the page's text and attributes, the embedded data's headings, labels, cards, panels and titles) is
checked against the catalog's messages, and `<html lang>` says zh-CN. In English they are as before."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po
from pypdf import PdfReader

from accountgraph import i18n
from accountgraph.graph import open_store
from accountgraph.graph.store import GraphStore
from accountgraph.plans.models import PlanProgress
from accountgraph.samples.zh_sample import ZH_ACCOUNT_ID, ZH_NAME, zh_sample_bundle
from accountgraph.services import report
from accountgraph.services.scope import Scope
from accountgraph.viz.plan_view import render_progress
from accountgraph.viz.portfolio import render_value_svg
from accountgraph.viz.power_map import render_power_map
from accountgraph.viz.report import render_pdf
from accountgraph.viz.tree_view import render_tree
from tests.viz.support import Account, embedded, load
from tests.web.test_language import texts_of

PO = Path(__file__).resolve().parents[2] / "accountgraph/i18n/locale/zh_CN/LC_MESSAGES/accountgraph.po"
ZH = i18n.translations("zh_CN")
CJK = re.compile(r"[\u4e00-\u9fff]")


def _english() -> tuple[set[str], list[re.Pattern[str]]]:
    """The catalog's messages that read differently in Chinese: the plain ones, and the ones with `{fields}` as
    patterns (a field: any text) when they hold enough words of their own to be told from user text."""
    with PO.open("rb") as f:
        catalog = read_po(f)
    plain: set[str] = set()
    patterns: list[re.Pattern[str]] = []
    for m in catalog:
        if not m.id:
            continue
        for english in [m.id] if isinstance(m.id, str) else list(m.id):
            if ZH.gettext(english) == english and isinstance(m.id, str):
                continue
            if "{" not in english:
                plain.add(english.strip())
                continue
            words = re.sub(r"\{\w+\}", "", english)
            if len(re.sub(r"[^A-Za-z]", "", words)) >= 6:
                parts = re.split(r"\{\w+\}", english)
                patterns.append(re.compile(".+?".join(re.escape(p) for p in parts).strip() + r"\Z"))
    return plain, patterns


PLAIN, PATTERNS = _english()


def left_in(texts: list[str]) -> list[str]:
    """The texts that are an English message of the catalog."""
    found = []
    for text in texts:
        if text in PLAIN or any(p.match(text) for p in PATTERNS):
            found.append(text)
    return sorted(set(found))


def strings(value: Any, skip: frozenset[str] = frozenset()) -> Iterator[str]:
    """Every string of the embedded data meant for reading (ids, colours and options aside)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key not in ("id", "color", "border", "fill", "stroke", "options", "search", "shape", "kind"):
                yield from strings(item, skip)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item, skip)
    elif isinstance(value, str) and value not in skip:
        yield from (line.strip() for line in value.split("\n") if line.strip())


@pytest.fixture(scope="module")
def account(tmp_path_factory: pytest.TempPathFactory) -> Account:
    return load(zh_sample_bundle(), ZH_ACCOUNT_ID, tmp_path_factory.mktemp("viz-language"))


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GraphStore]:
    s = open_store(f"sqlite:///{tmp_path_factory.mktemp('viz-language-store') / 'zh.db'}")
    s.load_bundle(zh_sample_bundle(datetime.now(UTC).date()))
    try:
        yield s
    finally:
        s.close()


def _explanations(account: Account) -> frozenset[str]:
    """The algorithms' explanations the views show as given (translated by the algorithms, not by the views)."""
    texts = {account.coverage.explanation, account.risk.explanation, account.path.reason}
    texts |= {p.explanation for p in account.path.paths}
    texts |= {h.explanation for p in account.path.paths for h in p.hops}
    return frozenset(t for t in texts if t)


def test_the_power_map_in_chinese(account: Account) -> None:
    with i18n.use("zh_CN"):
        html = render_power_map(
            account.drawn, account.ranking, account.coverage, highlight_path=account.path, show_gaps=True
        )
    assert '<html lang="zh-CN">' in html
    data = embedded(html)
    assert data["title"] == ZH.gettext("Power map — {account}").format(account=ZH_NAME)
    headings = [section["heading"] for section in data["legend"]]
    assert ZH.gettext("Stance (colour)") in headings and ZH.gettext("Ties (width: strength)") in headings
    assert {i["label"] for i in data["legend"][0]["items"]} >= {"支持者", "反对者", "中立", "未知"}  # the glossary's
    card = next(n["card"] for n in data["nodes"] if n.get("kind") == "person")
    assert [row[0] for row in card["rows"]][:5] == [
        ZH.gettext(w) for w in ("Title", "Company", "Department", "Roles", "Stance")
    ]
    shown = list(strings(data, _explanations(account))) + texts_of(html)
    assert left_in(shown) == []
    assert CJK.search(data["subtitle"])


def test_the_tree_in_chinese(account: Account) -> None:
    with i18n.use("zh_CN"):
        html = render_tree(account.tree, account.coverage, account.risk)
    assert '<html lang="zh-CN">' in html
    data = embedded(html)
    assert data["legend"][0]["heading"] == ZH.gettext("Key people reached (fill)")
    alerts = {f"{a.level}: {a.message}" for a in account.risk.alerts}
    skip = _explanations(account) | alerts | {m for a in account.risk.alerts for m in (a.message,)}
    assert left_in(list(strings(data, frozenset(skip))) + texts_of(html)) == []


def _progress() -> PlanProgress:
    return PlanProgress(
        plan="p1", account=ZH_ACCOUNT_ID, name="华康 2026 客户计划", on=date(2026, 3, 2), status="on_track",
        goals_met=0, goals=[], actions_open=0, actions_done=0, overdue=0, stalled=0, action_progress=[],
        coverage=50.0, stall_days=30, explanation="",
    )  # fmt: skip


def test_a_plans_progress_in_chinese_and_english_as_before() -> None:
    with i18n.use("zh_CN"):
        html = render_progress(_progress())
    assert '<html lang="zh-CN">' in html
    assert f"<h2>{ZH.gettext('Goals')}</h2>" in html and ZH.gettext("on track") in html
    assert left_in(texts_of(html)) == []
    english = render_progress(_progress())
    assert '<html lang="en">' in english and "<h2>Goals</h2>" in english and ">on track</span>" in english


def test_the_portfolio_chart_in_chinese() -> None:
    with i18n.use("zh_CN"):
        svg = render_value_svg(
            title="组合",
            pareto=[(ZH_NAME, 1.0, 1.0, str(Decimal("1.00")))],
            rows=["A"],
            columns=["strong", "fair", "weak"],
            cells={("A", "strong"): ["甲", "乙", "丙"]},
        )
    texts = re.findall(r">([^<>]+)</text>", svg)
    assert ZH.gettext("Pareto curve: share of revenue") in texts and "强" in texts
    assert left_in([t.strip() for t in texts]) == []


def test_the_printed_plan_in_chinese(store: GraphStore) -> None:
    html = report.plan_html(store, Scope.operator(), ZH_ACCOUNT_ID, cache=None, lang="zh-CN")
    assert '<html lang="zh-CN">' in html
    for heading in ("Coverage", "Key people", "Gaps", "Next best actions", "Deal health", "Power map"):
        assert f">{ZH.gettext(heading)}</h2>" in html, heading
    body = html.split("</style>")[1]
    shown = [t for t in texts_of(body) if not t.startswith(("{", "@"))]
    assert left_in(shown) == []
    assert i18n.current() == "en"  # the language was the plan's only


def test_the_pdf_in_chinese_holds_chinese_text_in_an_embedded_cjk_font(store: GraphStore) -> None:
    pdf = render_pdf(report.plan_html(store, Scope.operator(), ZH_ACCOUNT_ID, cache=None, lang="zh-CN"))
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for heading in ("Key people", "Next best actions", "Power map"):
        assert ZH.gettext(heading) in text, heading
    assert ZH.gettext("Account plan: {name}").format(name=ZH_NAME) in text
    fonts = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts") or [font]
            for d in descendants:
                d = d.get_object()
                descriptor = d.get("/FontDescriptor")
                if descriptor is not None and any(
                    k in descriptor.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3")
                ):
                    fonts.add(str(d["/BaseFont"]))
    assert any("CJK" in f or "Han" in f or "WenQuanYi" in f for f in fonts), fonts  # embedded, not referenced


def test_the_english_plan_is_unchanged(store: GraphStore) -> None:
    html = report.plan_html(store, Scope.operator(), ZH_ACCOUNT_ID, cache=None)
    assert '<html lang="en">' in html and ">Key people</h2>" in html and ">Next best actions</h2>" in html
