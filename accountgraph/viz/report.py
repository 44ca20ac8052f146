"""The account plan on paper: one printable HTML document (A4, one or two pages) and its PDF.

Built from the results it is given (`accountgraph.services.report` gathers them): the coverage figures, the key
people, the gaps, the next best actions, the open deals' health and the power map drawn as an inline SVG in a
layered layout (the decision layer at the top, the operational layer below it, our team at the bottom). Every
user string reaches the document through Jinja's autoescaping; the SVG is written by the same template.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any, Protocol

import jinja2
from markupsafe import Markup

from accountgraph.i18n import _
from accountgraph.i18n.glossary import term
from accountgraph.i18n.phrase import said
from accountgraph.viz._html import FONT_STACK, gap_name, html_lang
from accountgraph.viz.inputs import AccountMap, CoverageLike, RankingLike

__all__ = ["MapLayout", "layered_layout", "render_map_svg", "render_pdf", "render_report"]

LAYERS = ("key", "organisational", "broad")
"""The rows of the map, top first; people outside the decision chain and our team follow."""
STANCE_FILL = {"champion": "#009E73", "supporter": "#56B4E9", "neutral": "#BBBBBB", "opponent": "#D55E00"}
"""The colour-blind-safe stance palette (Okabe-Ito); the stance's initial is printed too (a second channel)."""
WIDTH, ROW, MARGIN, PER_ROW = 720, 80, 30, 12


class ActionLike(Protocol):
    @property
    def priority(self) -> int: ...
    @property
    def target_name(self) -> str: ...
    @property
    def member_name(self) -> str | None: ...
    @property
    def plan(self) -> str: ...
    @property
    def expected_gain(self) -> float: ...


class DealHealthLike(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def stage(self) -> str: ...
    @property
    def probability(self) -> float: ...
    @property
    def explanation(self) -> str: ...


@dataclass(frozen=True)
class MapLayout:
    """The power map placed for a static drawing: nodes ``{id, name, x, y, label_dy, kind, stance, covered}`` and edges
    ``{source, target, ours}`` between drawn nodes, in a `width` × `height` box."""

    width: int
    height: int
    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]


def layered_layout(drawn: AccountMap, layers: Mapping[str, str | None], covered: set[str]) -> MapLayout:
    """Rows by decision layer (key at the top), then the rest of the people, then our team; at most `PER_ROW`
    per row (the first ones of `drawn.people`, which the caller orders best first)."""
    rows: list[list[dict[str, Any]]] = [[] for _ in range(len(LAYERS) + 2)]
    for p in drawn.people:
        layer = layers.get(str(p["id"]))
        row = rows[LAYERS.index(layer) if layer in LAYERS else len(LAYERS)]
        if len(row) < PER_ROW:
            stance = str(p.get("stance") or "unknown")
            row.append({"id": p["id"], "name": p.get("name") or p["id"], "kind": "person", "stance": stance})
    for m in drawn.team:
        if len(rows[-1]) < PER_ROW:
            rows[-1].append({"id": m["id"], "name": m.get("name") or m["id"], "kind": "team", "stance": ""})
    rows = [r for r in rows if r]
    nodes: list[dict[str, Any]] = []
    for y, row in enumerate(rows):
        step = (WIDTH - 2 * MARGIN) / len(row)
        for x, node in enumerate(row):
            node.update(
                x=round(MARGIN + step * (x + 0.5), 1),
                y=MARGIN + y * ROW,
                covered=node["id"] in covered,
                label_dy=20 if x % 2 == 0 or len(row) <= 6 else 30,  # neighbours' labels staggered, not overlapping
            )
            nodes.append(node)
    placed = {n["id"] for n in nodes}
    edges = [
        {"source": t.source, "target": t.target, "ours": False}
        for t in drawn.ties
        if t.source in placed and t.target in placed
    ]
    team = {str(m["id"]) for m in drawn.team}
    edges = [{**e, "ours": e["source"] in team or e["target"] in team} for e in edges]
    edges += [
        {"source": member, "target": person, "ours": True}
        for member, person in drawn.strengths
        if member in placed
        and person in placed
        and not any(e["source"] == member and e["target"] == person for e in edges)
    ]
    return MapLayout(WIDTH, MARGIN * 2 + 12 + max(len(rows) - 1, 0) * ROW, nodes, edges)


_TEMPLATE = """<!DOCTYPE html>
<html lang="{{ lang }}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>{{ t.title.format(name=name) }}</title>
<style>
@page { size: A4; margin: 14mm 12mm; }
* { box-sizing: border-box; }
body { font-family: {{ font_stack }}; font-size: 10pt; color: #111; margin: 0; }
h1 { font-size: 16pt; margin: 0 0 2pt; }
h2 { font-size: 12pt; margin: 10pt 0 4pt; border-bottom: 1px solid #999; break-after: avoid; }
.sub { color: #555; margin: 0 0 6pt; }
.figures { display: flex; gap: 12pt; }
.figure { border: 1px solid #ccc; padding: 4pt 8pt; }
.figure b { display: block; font-size: 14pt; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 2pt 4pt; border-bottom: 1px solid #ddd; vertical-align: top; }
tr, li, .figure { break-inside: avoid; }
svg { width: 100%; height: auto; }
.noprint, button, nav { display: none !important; }
@media screen { body { max-width: 190mm; margin: 10mm auto; } }
</style>
</head>
<body>
<header>
<h1 id="title">{{ t.title.format(name=name) }}</h1>
<p class="sub">{{ t.as_of.format(account=account, on=as_of) }}</p>
</header>
<section id="coverage">
<h2>{{ t.coverage }}</h2>
<div class="figures">
<div class="figure"><b>{{ "%.1f"|format(coverage.score) }}</b>{{ t.score }}</div>
<div class="figure"><b>{{ coverage.covered_count }} / {{ coverage.chain_size }}</b>{{ t.chain_covered }}</div>
<div class="figure"><b>{{ gap_count }}</b>{{ t.gaps_figure }}</div>
</div>
<p>{{ coverage.explanation }}</p>
</section>
<section id="key-people">
<h2>{{ t.key_people }}</h2>
<table>
<thead><tr><th>#</th><th>{{ t.name }}</th><th>{{ t.job }}</th><th>{{ t.stance }}</th><th>{{ t.score_col }}</th>
<th>{{ t.covered }}</th></tr></thead>
<tbody>
{% for p in people %}<tr>
<td>{{ p.rank }}</td><td>{{ p.name }}</td><td>{{ p.title or "" }}</td><td>{{ term(p.stance) }}</td>
<td>{{ "%.2f"|format(p.score) }}</td><td>{{ t.yes if p.id in covered else t.no }}</td>
</tr>
{% endfor %}</tbody>
</table>
</section>
<section id="gaps">
<h2>{{ t.gaps }}</h2>
{% if gaps %}<ul>{% for g in gaps %}<li><b>{{ gap_name(g.kind, g.subject, g.name) }}</b>: {{ g.detail }}</li>
{%- endfor %}</ul>
{% else %}<p>{{ t.no_gaps }}</p>{% endif %}
</section>
<section id="actions">
<h2>{{ t.actions }}</h2>
{% if actions %}<ol>
{% for a in actions %}<li><b>{{ a.target_name }}</b>
{%- if a.member_name %}{{ t.through.format(name=a.member_name) }}{% endif %}: {{ a.plan }}</li>
{% endfor %}</ol>
{% else %}<p>{{ t.no_action }}</p>{% endif %}
</section>
<section id="deals">
<h2>{{ t.deal_health }}</h2>
{% if deals %}<table>
<thead><tr><th>{{ t.deal }}</th><th>{{ t.stage }}</th><th>{{ t.win }}</th><th>{{ t.why }}</th></tr></thead>
<tbody>
{% for d in deals %}<tr>
<td>{{ d.name }}</td><td>{{ d.stage }}</td><td>{{ "%.0f"|format(100 * d.probability) }}%</td>
<td>{{ d.explanation }}</td>
</tr>
{% endfor %}</tbody>
</table>
{% else %}<p>{{ t.no_deal }}</p>{% endif %}
</section>
<section id="power-map">
<h2>{{ t.power_map }}</h2>
{{ svg }}
<p class="sub">{{ t.map_legend }}</p>
</section>
</body>
</html>
"""

_SVG = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {{ layout.width }} {{ layout.height }}"
{%- if standalone %} width="{{ layout.width }}" height="{{ layout.height }}" font-family="{{ font_stack }}"
{%- endif %} role="img"
 aria-label="{{ label }}">
{% for e in layout.edges %}{% set s = pos[e.source] %}{% set t = pos[e.target] %}
<line x1="{{ s.x }}" y1="{{ s.y }}" x2="{{ t.x }}" y2="{{ t.y }}"
 stroke="{{ '#0072B2' if e.ours else '#bbb' }}" stroke-width="{{ 1.5 if e.ours else 0.8 }}"/>
{% endfor %}
{% for n in layout.nodes %}<g>
{% if n.kind == "team" %}<rect x="{{ n.x - 8 }}" y="{{ n.y - 8 }}" width="16" height="16" fill="#0072B2"/>
{% else %}<circle cx="{{ n.x }}" cy="{{ n.y }}" r="9" fill="{{ fill.get(n.stance, '#eee') }}"
 stroke="{{ '#000' if n.covered else '#D55E00' }}" stroke-width="{{ 1 if n.covered else 2 }}"
 stroke-dasharray="{{ 'none' if n.covered else '3 2' }}"/>
<text x="{{ n.x }}" y="{{ n.y + 3 }}" font-size="8" text-anchor="middle">{{ n.stance[:1]|upper }}</text>
{% endif %}<text x="{{ n.x }}" y="{{ n.y + n.label_dy }}" font-size="8" text-anchor="middle">
{{- n.name|truncate(20, True, "…", 0) }}</text>
</g>
{% endfor %}</svg>
"""


@cache
def _env() -> jinja2.Environment:
    return jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)


@cache
def _template() -> jinja2.Template:
    return _env().from_string(_TEMPLATE)


@cache
def _svg_template() -> jinja2.Template:
    return _env().from_string(_SVG)


def render_map_svg(layout: MapLayout, *, name: str, standalone: bool = True) -> str:
    """The power map alone as SVG: a standalone document (its size and font set), or the element the plan inlines."""
    return _svg_template().render(
        layout=layout,
        name=name,
        pos={n["id"]: n for n in layout.nodes},
        fill=STANCE_FILL,
        font_stack=FONT_STACK,
        standalone=standalone,
        label=_("Power map of {account}").format(account=name),
    )


def render_report(
    *,
    account: str,
    name: str,
    as_of: date,
    ranking: RankingLike,
    coverage: CoverageLike,
    actions: Sequence[ActionLike],
    deals: Sequence[DealHealthLike],
    layout: MapLayout,
    gap_count: int | None = None,
    lang: str | None = None,
) -> str:
    """The account plan as one printable HTML document (A4; no script, no button), in the language of the moment
    (`lang`: its `<html lang>`, by default that language's tag)."""
    ranking, coverage, actions, deals = said(ranking), said(coverage), said(list(actions)), said(list(deals))
    covered = {p.id for p in coverage.people if p.covered}
    gap_count = len(coverage.gaps) if gap_count is None else gap_count
    return _template().render(
        account=account,
        name=name,
        as_of=as_of.isoformat(),
        people=ranking.people,
        coverage=coverage,
        covered=covered,
        gaps=coverage.gaps,
        gap_count=gap_count,
        actions=actions,
        deals=deals,
        svg=Markup(render_map_svg(layout, name=name, standalone=False)),
        font_stack=Markup(FONT_STACK),
        lang=(lang or html_lang()).replace("_", "-"),
        t=_texts(),
        term=term,
        gap_name=gap_name,
    )


def _texts() -> dict[str, str]:
    return {
        "title": _("Account plan: {name}"),
        "as_of": _("{account} · as of {on}"),
        "coverage": _("Coverage"),
        "score": _("coverage score"),
        "chain_covered": _("decision chain covered"),
        "gaps_figure": _("gaps"),
        "key_people": _("Key people"),
        "name": _("Name"),
        "job": _("Title"),
        "stance": _("Stance"),
        "score_col": _("Score"),
        "covered": _("Covered"),
        "yes": _("yes"),
        "no": _("no"),
        "gaps": _("Gaps"),
        "no_gaps": _("No gaps."),
        "actions": _("Next best actions"),
        "through": _(" (through {name})"),
        "no_action": _("No action proposed."),
        "deal_health": _("Deal health"),
        "deal": _("Deal"),
        "stage": _("Stage"),
        "win": _("Win probability"),
        "why": _("Why"),
        "no_deal": _("No open deal."),
        "power_map": _("Power map"),
        "map_legend": _(
            "Rows, top to bottom: decision layer, organisational, broad, others, our team (squares). Letter: stance "
            "(C champion, S supporter, N neutral, O opponent, U unknown); a dashed red ring: not covered (a gap)."
        ),
    }


def render_pdf(html: str) -> bytes:
    """The document as PDF (WeasyPrint; fonts found through fontconfig, so CJK text is embedded as text)."""
    from weasyprint import HTML

    pdf = HTML(string=html).write_pdf()
    assert pdf is not None
    return bytes(pdf)
