"""The customer tree: an account's group hierarchy drawn top-down, each company with its coverage and risk.

Each company shows how many of its key (decision-chain) people we reach, coloured from uncovered (red)
through partly covered (amber) to well covered (green), grey when it has no key people; companies with
risk alerts get a thick red border and their alerts on the card. One self-contained HTML page, like the
power map. `viz` draws results it is given (the tree, e.g. `GraphStore.company_tree`, and the results, typed
by their shape in `accountgraph.viz.inputs`); the only place that reads the analysis results is `_facts`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from accountgraph.i18n import _, ngettext, number
from accountgraph.i18n.phrase import said
from accountgraph.viz._html import FONT_STACK, page, search_entries
from accountgraph.viz.inputs import CompanyNodeLike, CoverageLike, RiskReportLike

__all__ = ["coverage_color", "render_tree", "tree_data"]

NO_KEY_PEOPLE_COLOR = "#d5dbdb"
ALERT_BORDER = "#b03a2e"
_TOP_DOWN_UP_TO_LEAVES = 8
_STOPS = ((0.0, (214, 69, 65)), (0.5, (243, 156, 18)), (1.0, (39, 174, 96)))


def coverage_color(share: float) -> str:
    """A colour from red (0: uncovered) through amber (0.5) to green (1: well covered)."""
    share = min(max(share, 0.0), 1.0)
    for (s0, c0), (s1, c1) in pairwise(_STOPS):
        if share <= s1:
            t = (share - s0) / (s1 - s0)
            r, g, b = (round(a + (z - a) * t) for a, z in zip(c0, c1, strict=True))
            return f"#{r:02x}{g:02x}{b:02x}"
    return "#27ae60"


@dataclass
class _Company:
    key_people: int | None = None
    reached: int = 0
    score: float = 0.0
    own_risk: float | None = None
    rolled_up: float | None = None
    events: int = 0
    alerts: list[tuple[str, str]] = field(default_factory=list)  # (level, message)


def _facts(coverage: CoverageLike | None, risk: RiskReportLike | None) -> dict[str, _Company]:
    """The adapter: what the tree takes from the coverage and risk results, per company id."""
    out: dict[str, _Company] = defaultdict(_Company)
    if coverage is not None:
        for b in coverage.by_company:
            c = out[b.key]
            c.key_people, c.reached, c.score = b.people, b.covered, b.score
    if risk is not None:
        for r in risk.companies:
            c = out[r.id]
            c.own_risk, c.rolled_up, c.events = r.own, r.rolled_up, r.events
        for a in risk.alerts:
            out[a.company].alerts.append((a.level, a.message))
    return dict(out)


def tree_data(
    tree: CompanyNodeLike,
    coverage: CoverageLike | None = None,
    risk: RiskReportLike | None = None,
    *,
    title: str | None = None,
) -> dict[str, Any]:
    """The data the tree page embeds (nodes, edges, options, legend, panels); see `render_tree`."""
    facts = _facts(coverage, risk)
    from pyvis.network import Network  # imports IPython (~0.3 s): only when a tree is drawn

    net = Network(directed=True)
    companies = list(tree.walk())
    depth: dict[str, int] = {tree.company.id: 0}
    for node in companies:
        for child in node.children:
            depth[child.company.id] = depth[node.company.id] + 1
    alerts_total = 0
    for node in companies:
        co = node.company
        f = facts.get(co.id, _Company())
        lines = [co.name, _("{n} people").format(n=node.people)]
        if coverage is not None:
            if f.key_people:
                share = f.reached / f.key_people
                lines.append(
                    _("reach {reached} / {key} key people ({score}%)").format(
                        reached=f.reached, key=f.key_people, score=number(f.score, 0)
                    )
                )
                background = coverage_color(f.score / 100)
            else:
                lines.append(_("no key people"))
                background = NO_KEY_PEOPLE_COLOR
                share = 0.0
        else:
            background = NO_KEY_PEOPLE_COLOR
            share = 0.0
        if f.alerts:
            alerts_total += len(f.alerts)
            lines.append("⚠ " + ngettext("{n} risk alert", "{n} risk alerts", len(f.alerts)).format(n=len(f.alerts)))
        rows = [
            [_("Industry"), co.industry or "—"],
            [_("Country"), co.country or "—"],
            [_("Region"), co.region or "—"],
            [_("People"), str(node.people)],
        ]
        if coverage is not None:
            rows.append(
                [_("Key people reached"), _("{reached} of {key}").format(reached=f.reached, key=f.key_people or 0)]
            )
            rows.append([_("Coverage"), _("{score} of 100 (rank-weighted)").format(score=number(f.score, 0))])
        if f.rolled_up is not None:
            rows.append(
                [
                    _("Risk"),
                    _("own {own} · with subsidiaries {rolled} · {events} events").format(
                        own=number(f.own_risk or 0, 2), rolled=number(f.rolled_up, 2), events=f.events
                    ),
                ]
            )
        net.add_node(
            co.id,
            label="\n".join(lines),
            shape="box",
            level=depth[co.id],
            color={"background": background, "border": ALERT_BORDER if f.alerts else "#566573"},
            borderWidth=5 if f.alerts else 1,
            font={"size": 15, "color": "#1c2833"},
            margin=10,
            widthConstraint={"minimum": 200, "maximum": 240},  # below the node spacing: boxes never overlap
            coverage_share=round(share, 3),
            alerts=len(f.alerts),
            card={
                "heading": co.name,
                "sub": _("top of the group")
                if depth[co.id] == 0
                else _("level {n} of the group").format(n=depth[co.id]),
                "rows": rows,
                "lists": [
                    {
                        "heading": _("Risk alerts"),
                        "items": [f"{level}: {message}" for level, message in f.alerts],
                        "empty": _("no alerts"),
                    }
                ],
            },
        )
    for node in companies:
        for child in node.children:
            net.add_edge(
                node.company.id,
                child.company.id,
                id=f"PARENT_OF|{node.company.id}|{child.company.id}",
                color={"color": "#566573"},
                width=2,
                arrows={"to": {"enabled": True, "scaleFactor": 0.6}},
            )
    panels: list[dict[str, Any]] = []
    if coverage is not None:
        heading = _("Coverage {score}/100").format(score=number(coverage.score, 0))
        panels.append({"id": "coverage", "heading": heading, "text": coverage.explanation})
    if risk is not None:
        panels.append(
            {
                "id": "alerts",
                "heading": _("Risk {score}/100 · {n} alerts").format(score=number(risk.score, 0), n=len(risk.alerts)),
                "text": risk.explanation,
                "items": [f"{a.level}: {a.message}" for a in risk.alerts[:12]],
            }
        )
    legend = [
        {
            "heading": _("Key people reached (fill)"),
            "items": [
                {"label": _("none (0%)"), "color": coverage_color(0.0)},
                {"label": _("half (50%)"), "color": coverage_color(0.5)},
                {"label": _("all (100%)"), "color": coverage_color(1.0)},
                {"label": _("no key people"), "color": NO_KEY_PEOPLE_COLOR},
            ],
        },
        {
            "heading": _("Risk"),
            "items": [{"label": _("has risk alerts (red border)"), "color": "#ffffff", "border": ALERT_BORDER}],
        },
    ]
    # a tree drawn top-down is as wide as its leaves side by side; a wide one (a group of many companies) is
    # drawn left to right instead, its leaves stacked, so that it fits the page readably when it opens
    leaves = sum(1 for node in companies if not node.children)
    wide = leaves > _TOP_DOWN_UP_TO_LEAVES
    options = {
        "autoResize": True,
        "physics": {"enabled": False},
        "nodes": {"font": {"face": FONT_STACK}},
        "layout": {
            "hierarchical": {
                "enabled": True,
                "direction": "LR" if wide else "UD",
                "sortMethod": "directed",
                "levelSeparation": 300 if wide else 150,
                "nodeSpacing": 100 if wide else 270,
                "treeSpacing": 120 if wide else 300,
                "shakeTowards": "roots",
            }
        },
        "edges": {
            "smooth": {
                "enabled": True,
                "type": "cubicBezier",
                "forceDirection": "horizontal" if wide else "vertical",
                "roundness": 0.4,
            }
        },
        "interaction": {"hover": True, "navigationButtons": False},
    }
    subtitle = _("{n} companies").format(n=len(companies))
    if coverage is not None:
        subtitle += _(" · coverage {score}/100").format(score=number(coverage.score, 0))
    if risk is not None:
        subtitle += _(" · {n} risk alerts").format(n=alerts_total)
    return {
        "title": title or _("Customer tree — {group}").format(group=tree.company.name),
        "subtitle": subtitle,
        "nodes": net.nodes,
        "edges": net.edges,
        "options": options,
        "legend": legend,
        "panels": panels,
        "clusters": [],
        "search": search_entries(
            {"id": n.company.id, "label": n.company.name, "name": n.company.name} for n in companies
        ),
        "path": None,
        "counts": {"nodes": len(net.nodes), "edges": len(net.edges)},
    }


def render_tree(
    tree: CompanyNodeLike,
    coverage: CoverageLike | None = None,
    risk: RiskReportLike | None = None,
    *,
    title: str | None = None,
) -> str:
    """The customer tree of an account as one self-contained HTML document.

    Parameters
    ----------
    tree : CompanyNode
        The account's group hierarchy (`GraphStore.company_tree`).
    coverage : Coverage, optional
        Per company: key people reached of key people (`by_company`), and the fill colour.
    risk : RiskReport, optional
        Per company: risk scores and alerts (a red border and the alerts on the card).
    title : str, optional
        The page title (default "Customer tree — <group name>").

    Returns
    -------
    str
        The HTML page; it loads nothing from the network.
    """
    coverage, risk = said(coverage), said(risk)  # their sentences in the language of the moment
    data = tree_data(tree, coverage, risk, title=title)
    return page(title=data["title"], kind="tree", data=data)
