"""CJK that renders: every page the product writes uses the one font stack (`accountgraph.viz._html.FONT_STACK`),
and in a real Chromium the Chinese sample's power map draws Chinese characters as glyphs, not as tofu boxes.

The glyph check draws each character of the page's Chinese text on a canvas, in the page's own font stack (the
page text's) and in the node labels' font (vis-network's), and compares the bitmaps: a character without a font is
drawn as the same missing-glyph box as U+10FFFD (a code point no font has), so every character must differ from
that box and from the others. It fails where no CJK font is installed (`make browser` installs Debian's
`fonts-noto-cjk`); to see it fail, run it with FONTCONFIG_FILE pointing at a fontconfig file whose only font
folder holds no CJK font.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest

from accountgraph.plans.models import PlanProgress
from accountgraph.samples.zh_sample import ZH_ACCOUNT_ID, ZH_NAME, zh_sample_bundle
from accountgraph.viz._html import FONT_STACK
from accountgraph.viz.plan_view import render_progress
from accountgraph.viz.portfolio import render_value_svg
from tests.browser import VIEWPORT, wait_ready
from tests.viz.support import Account, embedded, load

WORKSPACE_CSS = Path(__file__).resolve().parents[2] / "accountgraph" / "web" / "static" / "workspace.css"
CJK = re.compile(r"[\u4e00-\u9fff]")
SIMPLIFIED_CHINESE_FONTS = ('"PingFang SC"', '"Microsoft YaHei"', '"Noto Sans CJK SC"', '"Source Han Sans SC"')


@pytest.fixture(scope="module")
def account(tmp_path_factory: pytest.TempPathFactory) -> Account:
    return load(zh_sample_bundle(), ZH_ACCOUNT_ID, tmp_path_factory.mktemp("viz-fonts"))


def test_the_stack_covers_simplified_chinese_on_every_common_system_and_ends_generic() -> None:
    assert all(font in FONT_STACK for font in SIMPLIFIED_CHINESE_FONTS)
    assert FONT_STACK.startswith("system-ui") and FONT_STACK.endswith(", sans-serif")


def test_every_page_uses_the_one_stack(account: Account) -> None:
    assert f"font: 13px/1.4 {FONT_STACK};" in account.power_map
    assert f"font: 13px/1.4 {FONT_STACK};" in account.tree_html
    for html in (account.power_map, account.tree_html):  # the canvas labels of vis-network
        assert embedded(html)["options"]["nodes"]["font"]["face"] == FONT_STACK
    progress = PlanProgress(
        plan="p1", account=ZH_ACCOUNT_ID, name="华康 2026 客户计划", on=date(2026, 3, 2), status="on_track",
        goals_met=0, goals=[], actions_open=0, actions_done=0, overdue=0, stalled=0, action_progress=[],
        coverage=50.0, stall_days=30, explanation="",
    )  # fmt: skip
    plan = render_progress(progress)
    assert f"font: 14px/1.45 {FONT_STACK};" in plan and "华康 2026 客户计划" in plan
    svg = render_value_svg(
        title="组合", pareto=[(ZH_NAME, 1.0, 1.0, str(Decimal("1.00")))], rows=[], columns=[], cells={}
    )
    assert ET.fromstring(svg).get("font-family") == FONT_STACK
    # the workspace's style sheet is a static file: it holds the same stack, word for word
    assert f"font: 14px/1.45 {FONT_STACK};" in WORKSPACE_CSS.read_text(encoding="utf-8")


_GLYPHS = """([text, face]) => {
    const size = 40, canvas = document.createElement("canvas");
    canvas.width = canvas.height = size + 16;
    const ctx = canvas.getContext("2d", {willReadFrequently: true});
    const draw = ch => {
        ctx.clearRect(0, 0, canvas.width, canvas.height);
        ctx.font = size + "px " + face;
        ctx.fillStyle = "#000";
        ctx.textBaseline = "top";
        ctx.fillText(ch, 8, 8);
        const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
        let bits = "", ink = 0;
        for (let i = 3; i < data.length; i += 4) { const on = data[i] > 96; bits += on ? "1" : "0"; ink += on; }
        return [bits, ink];
    };
    return {missing: draw(String.fromCodePoint(0x10FFFD)), glyphs: Array.from(text).map(ch => [ch, ...draw(ch)])};
}"""


def _tofu(page: Any, text: str, face: str) -> list[str]:
    """The characters of `text` drawn in `face` as the missing-glyph box, as nothing, or as another's glyph."""
    drawn = page.evaluate(_GLYPHS, [text, face])
    missing = drawn["missing"][0]
    bad, seen = [], dict[str, str]()
    for ch, bits, ink in drawn["glyphs"]:
        if bits == missing or ink < 20 or seen.get(bits, ch) != ch:
            bad.append(ch)
        seen[bits] = ch
    return bad


def test_the_chinese_power_map_draws_glyphs_not_tofu(browser: Any, account: Account, tmp_path: Path) -> None:
    path = tmp_path / "power_map.html"
    path.write_text(account.power_map, encoding="utf-8")
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    try:
        page.route("**/*", lambda r: r.continue_() if r.request.url == path.as_uri() else r.abort())
        page.goto(path.as_uri())
        wait_ready(page)
        heading = page.text_content("#ag-heading") or ""
        assert ZH_NAME in heading
        names = [p.name for p in account.ranking.people[:6]]
        text = "".join(dict.fromkeys(CJK.findall(heading + "".join(names) + "王小明董事长设备科主任")))
        assert len(text) > 20
        body_font = page.evaluate("() => getComputedStyle(document.body).fontFamily")
        label_font = page.evaluate("() => agNetwork.body.nodes[Object.keys(agNetwork.body.nodes)[0]].options.font.face")
        assert label_font == FONT_STACK
        for face in (body_font, label_font):
            assert _tofu(page, text, face) == [], (
                f"drawn as tofu in {face}: no CJK font (apt-get install fonts-noto-cjk)"
            )
        page.screenshot(path=str(tmp_path / "power_map_zh.png"))  # kept with the test's files, for a human eye
        assert (tmp_path / "power_map_zh.png").stat().st_size > 20_000
    finally:
        context.close()
