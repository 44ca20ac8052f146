"""The portfolio's value distribution as one hand-written SVG image: the Pareto curve of revenue over accounts
beside the grade × relationship-health matrix.

Rendered from plain values it is given (never a query). Every text is XML-escaped (names are user data), and
the image holds no script, link or external reference.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from xml.sax.saxutils import escape, quoteattr

from accountgraph.i18n import N_, _
from accountgraph.viz._html import FONT_STACK

__all__ = ["render_value_svg"]

WIDTH, HEIGHT = 980, 420
_CURVE = (60, 60, 360, 300)  # x, y, width, height of the Pareto plot
_MATRIX = (520, 60, 420, 300)  # of the grade matrix
_HEALTH = {"strong": N_("strong"), "fair": N_("fair"), "weak": N_("weak")}
"""The matrix's columns (relationship health), shown in the language of the moment."""


def _text(x: float, y: float, value: object, *, size: int = 12, anchor: str = "start", weight: str = "normal") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" font-weight="{weight}">'
        f"{escape(str(value))}</text>"
    )


def _clip(name: str, length: int = 18) -> str:
    return name if len(name) <= length else name[: length - 1] + "…"


def render_value_svg(
    *,
    title: str,
    pareto: Sequence[tuple[str, float, float, str]],
    rows: Sequence[str],
    columns: Sequence[str],
    cells: Mapping[tuple[str, str], Sequence[str]],
) -> str:
    """The SVG document.

    `pareto`: (name, cumulative account share, cumulative revenue share, revenue text) per account with revenue,
    largest first; `rows` the grades, `columns` the health levels, `cells` the account names of each
    (grade, health).
    """
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family={quoteattr(FONT_STACK)}>',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
        _text(20, 28, title, size=14, weight="bold"),
    ]
    # the Pareto curve: cumulative revenue share over cumulative account share
    x0, y0, w, h = _CURVE
    parts.append(f'<rect x="{x0}" y="{y0}" width="{w}" height="{h}" fill="none" stroke="#999"/>')
    for k in range(0, 101, 20):
        gx, gy = x0 + w * k / 100, y0 + h - h * k / 100
        parts.append(f'<line x1="{x0}" y1="{gy:.1f}" x2="{x0 + w}" y2="{gy:.1f}" stroke="#eee"/>')
        parts.append(_text(x0 - 6, gy + 4, f"{k}%", size=10, anchor="end"))
        parts.append(_text(gx, y0 + h + 14, f"{k}%", size=10, anchor="middle"))
    parts.append(_text(x0 + w / 2, y0 + h + 32, _("share of accounts (largest revenue first)"), anchor="middle"))
    parts.append(_text(x0, y0 - 10, _("Pareto curve: share of revenue"), weight="bold"))
    px20 = x0 + w * 0.2
    parts.append(
        f'<line x1="{px20:.1f}" y1="{y0}" x2="{px20:.1f}" y2="{y0 + h}" stroke="#c66" stroke-dasharray="4 3"/>'
    )
    points = [(x0, y0 + h)] + [(x0 + w * a, y0 + h - h * r) for _name, a, r, _revenue in pareto]
    parts.append(
        '<polyline fill="none" stroke="#2a6fbb" stroke-width="2" points="'
        + " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        + '"/>'
    )
    for (name, _a, _r, revenue), (x, y) in zip(pareto, points[1:], strict=True):
        tip = escape(f"{name}: {revenue}")
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#2a6fbb"><title>{tip}</title></circle>')
    if not pareto:
        parts.append(_text(x0 + w / 2, y0 + h / 2, _("no revenue in the last 12 months"), anchor="middle"))
    # the grade matrix
    mx, my, mw, mh = _MATRIX
    parts.append(_text(mx, my - 10, _("value grade × relationship health (coverage)"), weight="bold"))
    cw, ch = mw / max(1, len(columns)), mh / max(1, len(rows))
    for j, column in enumerate(columns):
        parts.append(_text(mx + cw * (j + 0.5), my + mh + 16, _(_HEALTH.get(column, column)), anchor="middle"))
    for i, row in enumerate(rows):
        parts.append(_text(mx - 6, my + ch * (i + 0.5) + 4, row, anchor="end"))
        for j, column in enumerate(columns):
            names = list(cells.get((row, column), ()))
            shade = "#e8f1fb" if names else "#fafafa"
            parts.append(
                f'<rect x="{mx + cw * j:.1f}" y="{my + ch * i:.1f}" width="{cw:.1f}" height="{ch:.1f}" '
                f'fill="{shade}" stroke="#bbb"/>'
            )
            more = [_("+{n} more").format(n=len(names) - 2)] if len(names) > 2 else []
            shown = [_clip(n) for n in names[:2]] + more
            for k, label in enumerate(shown):
                parts.append(_text(mx + cw * j + 6, my + ch * i + 16 + 14 * k, label, size=11))
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
