"""What both views share: the inlined vis-network library, safe JSON embedding and the page template.

The page is one self-contained HTML document: vis-network (the copy pyvis ships in its package) is inlined,
the data is embedded as JSON in a ``<script type="application/json">`` element and every user-supplied
string reaches the page only through that JSON and ``textContent`` in the browser, never as markup. A
Content-Security-Policy forbids every network request, so the page works offline and cannot leak.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from accountgraph import i18n
from accountgraph.errors import AccountGraphError
from accountgraph.i18n import _
from accountgraph.i18n.glossary import term

__all__ = [
    "FONT_STACK",
    "VIS_VERSION",
    "gap_name",
    "html_lang",
    "page",
    "safe_json",
    "search_entries",
    "vis_network_js",
]

VIS_VERSION = "9.1.2"

FONT_STACK = (
    'system-ui, -apple-system, "Segoe UI", Roboto, "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", '
    '"Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif'
)
"""The one font stack of every page the product writes (the views, the plan page, the portfolio image and, as a
copy that `tests/viz/test_fonts.py` keeps equal, the workspace's `workspace.css`): the system's UI font, then
the fonts that cover Simplified Chinese on macOS (PingFang SC, Hiragino Sans GB), Windows (Microsoft YaHei)
and Linux (Noto Sans CJK SC / Source Han Sans SC from `fonts-noto-cjk`, WenQuanYi). Nothing is downloaded."""

_JSON_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_JSON_ESCAPE = re.compile("[<>&\u2028\u2029]")


def safe_json(value: Any) -> str:
    """JSON that can sit inside a ``<script>`` element: no ``<``, ``>`` or ``&`` survives unescaped."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return _JSON_ESCAPE.sub(lambda m: _JSON_ESCAPES[m.group(0)], text)


def search_entries(entries: Iterable[dict[str, str]]) -> list[dict[str, str]]:
    """The find-by-name list: one entry per node (``id``, ``label`` shown, ``name`` typed), sorted by label.

    Labels are what the browser tells the entries apart by, so a label shared by several nodes (two people
    of the same name, company and title) gets the node's id appended."""
    out = sorted(entries, key=lambda e: (e["label"].casefold(), e["id"]))
    count: dict[str, int] = {}
    for e in out:
        count[e["label"]] = count.get(e["label"], 0) + 1
    return [{**e, "label": f"{e['label']} ({e['id']})"} if count[e["label"]] > 1 else e for e in out]


@cache
def vis_network_js() -> str:
    """The standalone vis-network build shipped inside the pyvis package (read once)."""
    import pyvis

    path = Path(pyvis.__file__).parent / "lib" / f"vis-{VIS_VERSION}" / "vis-network.min.js"
    if not path.is_file():
        raise AccountGraphError(f"vis-network {VIS_VERSION} is not at {path}: the views need pyvis 0.3.2")
    text = path.read_text(encoding="utf-8")
    # a literal "</script" would end the inline element early
    return re.sub(r"</(script)", r"<\\/\1", text, flags=re.IGNORECASE)


@cache
def _template() -> jinja2.Template:
    source = resources.files("accountgraph.viz").joinpath("templates/view.html").read_text(encoding="utf-8")
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    return env.from_string(source)


def gap_name(kind: str, subject: str, name: str) -> str:
    """What a coverage gap is about, in the language of the moment: a role without a supporter names its role
    (through the glossary); any other gap a person or company, as stored."""
    return term(subject, name) if kind == "role_without_supporter" else name


def html_lang() -> str:
    """The `lang` attribute of a page in the language of the moment (`en`, `zh-CN`)."""
    return i18n.current().replace("_", "-")


def page(*, title: str, kind: str, data: dict[str, Any]) -> str:
    """Render the view template in the language of the moment: `data` holds nodes, edges, options, legend,
    panels and groups (their words already in that language)."""
    texts = {
        "find": _("Find by name…"),
        "find_label": _("Find by name"),
        "hint": _("Hover or click a node for its card."),
        "none": _("none"),
    }
    return _template().render(
        title=title,
        kind=kind,
        lang=html_lang(),
        t=texts,
        font_stack=Markup(FONT_STACK),
        data_json=Markup(safe_json(data)),
        vis_js=Markup(vis_network_js()),
    )
