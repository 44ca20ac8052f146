"""The power map: an account's people and our team as one interactive, self-contained HTML page.

People are sized by their key-people score, coloured by stance and shaped by their most senior decision
role; our team members are dark boxes. Edges are styled by type (reporting line, influence, acquaintance,
our ties), their width follows the (effective) strength and stale ties of ours are dashed. People are laid
out company by company (a box per company) with positions computed here, so the browser does no physics
and the page stays usable at thousands of people. Hovering or clicking a node shows its card. Optionally
the best contact path to a person is highlighted and the coverage gaps are marked.

`viz` draws what it is given and never queries the store: the account as plain rows and ties with the
effective strength of ours (`AccountMap`, made from the prepared view by `analysis.account_map`) and the
results, typed by their shape (`accountgraph.viz.inputs`). The only place that reads the results is `_facts`.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from accountgraph.i18n import N_, _, ngettext, number
from accountgraph.i18n.glossary import joined, term
from accountgraph.i18n.phrase import said
from accountgraph.viz._html import FONT_STACK, gap_name, page, search_entries
from accountgraph.viz.inputs import (
    AccountMap,
    ContactPathLike,
    CoverageLike,
    OurTie,
    PathResultLike,
    RankingLike,
)

__all__ = [
    "EDGE_STYLES",
    "PATH_COLOR",
    "ROLE_SHAPES",
    "STANCE_COLORS",
    "TEAM_COLOR",
    "power_map_data",
    "render_power_map",
]

STANCE_COLORS: dict[str, str] = {
    "supporter": "#2e9e44",
    "neutral": "#f2c12e",
    "opponent": "#d64541",
    "unknown": "#9aa5b1",
}
TEAM_COLOR = "#1f3a5f"
PATH_COLOR = "#e3007d"
GAP_COLOR = "#b03a2e"

# most senior first: a person with several roles gets the shape of the first one
ROLE_SHAPES: tuple[tuple[str, str, str, str], ...] = (
    # (role, vis shape, legend glyph, legend label)
    ("decision_maker", "star", "★", N_("decision maker")),
    ("economic_buyer", "diamond", "◆", N_("economic buyer")),
    ("technical_buyer", "triangle", "▲", N_("technical buyer")),
    ("user_buyer", "triangleDown", "▼", N_("user buyer")),
    ("blocker", "square", "■", N_("blocker or gatekeeper")),
    ("gatekeeper", "square", "■", ""),
    ("influencer", "hexagon", "⬢", N_("influencer, champion or coach")),
    ("champion", "hexagon", "⬢", ""),
    ("coach", "hexagon", "⬢", ""),
)
NO_ROLE_SHAPE = ("dot", "●", N_("no decision role"))

EDGE_STYLES: dict[str, dict[str, Any]] = {
    "REPORTS_TO": {"color": "#7f8c8d", "arrows": True, "label": N_("reports to (arrow to the manager)")},
    "INFLUENCES": {"color": "#e67e22", "arrows": True, "label": N_("influences (arrow to who is swayed)")},
    "KNOWS": {"color": "#85c1e9", "arrows": False, "label": N_("know each other")},
    "OURS": {"color": TEAM_COLOR, "arrows": False, "label": N_("our tie (width: effective strength)")},
    "COLLEAGUES": {"color": "#5d6d7e", "arrows": False, "label": N_("colleagues of ours")},
}

_CLUSTER_FILLS = ("#eaf2f8", "#fef5e7", "#e9f7ef", "#f4ecf7", "#fdedec", "#e8f8f5", "#fbeee6", "#f2f3f4")
_CLUSTER_STROKES = ("#2874a6", "#b9770e", "#1e8449", "#7d3c98", "#b03a2e", "#148f77", "#a04000", "#616a6b")
_TEAM_CLUSTER = "__our_team__"
_LABEL_EVERY_NODE_UP_TO = 600


@dataclass
class _Person:
    """What the drawing needs to know about one person beyond the projection."""

    rank: int | None = None
    score: float = 0.0
    parts: str = ""
    layer: str | None = None
    covered: bool | None = None
    gap: bool = False
    gap_notes: list[str] = field(default_factory=list)


@dataclass
class _Facts:
    people: dict[str, _Person]
    ranked: int
    top_score: float
    ties: Mapping[tuple[str, str], OurTie]
    path_nodes: list[str]
    path_hops: list[tuple[str, str, str]]  # (source, target, tie kind)
    path_panel: dict[str, Any] | None
    gap_panel: dict[str, Any] | None
    coverage_line: str | None


def _facts(
    ranking: RankingLike,
    coverage: CoverageLike | None,
    strengths: Mapping[tuple[str, str], OurTie],
    highlight_path: PathResultLike | ContactPathLike | None,
    show_gaps: bool,
) -> _Facts:
    """The adapter: everything the drawing takes from the analysis results, in plain terms."""
    people: dict[str, _Person] = defaultdict(_Person)
    for p in ranking.people:
        info = people[p.id]
        info.rank = p.rank
        info.score = p.score
        info.parts = _("authority {authority} · influence {influence} · brokerage {brokerage}").format(
            authority=number(p.authority.value, 2),
            influence=number(p.influence.value, 2),
            brokerage=number(p.brokerage.value, 2),
        )
    top = max((p.score for p in ranking.people), default=0.0)
    gap_panel = None
    coverage_line = None
    if coverage is not None:
        coverage_line = _("coverage {score}/100 ({covered} of {chain} reached)").format(
            score=number(coverage.score, 0), covered=coverage.covered_count, chain=coverage.chain_size
        )
        for c in coverage.people:
            info = people[c.id]
            info.layer = c.layer
            info.covered = c.covered
        if show_gaps:
            for c in coverage.people:
                if not c.covered and c.layer == "key":
                    people[c.id].gap = True
            for g in coverage.gaps:
                if g.subject in people:
                    people[g.subject].gap = True
                    people[g.subject].gap_notes.append(f"{_kind(g.kind)}: {g.detail}")
            gap_panel = {
                "id": "gaps",
                "heading": _("Largest coverage gaps"),
                "text": coverage.explanation,
                "items": [
                    f"{gap_name(g.kind, g.subject, g.name)} — {_kind(g.kind)}: {g.detail}" for g in coverage.gaps[:10]
                ],
            }
    path: ContactPathLike | None = None
    path_panel = None
    if isinstance(highlight_path, PathResultLike):
        if highlight_path.reachable and highlight_path.paths:
            path = highlight_path.paths[0]
        else:
            path_panel = {
                "id": "path",
                "heading": _("Best path to {name}").format(name=highlight_path.target_name),
                "text": highlight_path.reason,
                "items": [],
            }
    elif highlight_path is not None:
        path = highlight_path
    path_nodes: list[str] = []
    hops: list[tuple[str, str, str]] = []
    if path is not None:
        path_nodes = [path.member] + [h.target for h in path.hops]
        hops = [(h.source, h.target, h.tie) for h in path.hops]
        path_panel = {
            "id": "path",
            "heading": _("Best path from {name}").format(name=path.member_name),
            "text": path.explanation,
            "items": [
                f"{h.source_name} → {h.target_name}: {term(h.tie, h.tie.replace('_', ' ').lower())} "
                f"{number(h.strength, 2)}" + (_(" (stale)") if h.stale else "")
                for h in path.hops
            ],
        }
    return _Facts(
        people=dict(people),
        ranked=len(ranking.people),
        top_score=top,
        ties=strengths,
        path_nodes=path_nodes,
        path_hops=hops,
        path_panel=path_panel,
        gap_panel=gap_panel,
        coverage_line=coverage_line,
    )


# ---- layout ---------------------------------------------------------------------------------------

_NODE_ROOM = 90.0  # the side of a person laid out alone: the largest node (80 pixels across) and a margin
_GROUP_GAP = 60.0  # between the connected groups of a company
_CLUSTER_GAP = 160.0  # between the companies


@dataclass
class _Box:
    """Positions around (0, 0) and the width and height they fill."""

    local: dict[str, tuple[float, float]]
    width: float
    height: float


def _group_layout(H: nx.Graph, ids: list[str]) -> _Box:
    """One connected group of people (`ids`, sorted; their ties in `H`) on its own: a spring layout scaled to fill
    a circle whose area grows with its size (one person alone takes `_NODE_ROOM`)."""
    if len(ids) == 1:
        return _Box({ids[0]: (0.0, 0.0)}, _NODE_ROOM, _NODE_ROOM)
    radius = 70.0 * math.sqrt(len(ids)) + 20.0
    G = nx.Graph()  # the nodes and ties in id order, so the same group is laid out the same in every process
    G.add_nodes_from(ids)
    G.add_edges_from(sorted(tuple(sorted(e)) for e in H.subgraph(ids).edges))
    raw = nx.spring_layout(G, seed=7, iterations=60 if len(ids) <= 500 else 30)
    xs = [float(p[0]) for p in raw.values()]
    ys = [float(p[1]) for p in raw.values()]
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    span = max(max(xs) - min(xs), max(ys) - min(ys), 1e-9) / 2
    local = {n: ((float(p[0]) - cx) / span * radius, (float(p[1]) - cy) / span * radius) for n, p in raw.items()}
    return _Box(local, 2 * radius, 2 * radius)


def _pack(boxes: list[_Box], gap: float) -> _Box:
    """The boxes in rows (in their order, `gap` between them), as one box centred on (0, 0)."""
    if len(boxes) <= 1:
        return boxes[0] if boxes else _Box({}, 0.0, 0.0)
    total = sum((b.width + gap) * (b.height + gap) for b in boxes)
    row_width = max(math.sqrt(total) * 1.2, max(b.width + gap for b in boxes))
    placed: list[tuple[_Box, float, float]] = []  # each box and its top left corner
    x = y = row_height = width = 0.0
    for b in boxes:
        if x > 0 and x + b.width > row_width:
            x, y, row_height = 0.0, y + row_height + gap, 0.0
        placed.append((b, x, y))
        width = max(width, x + b.width)
        x += b.width + gap
        row_height = max(row_height, b.height)
    height = y + row_height
    local = {
        n: (ox + b.width / 2 + px - width / 2, oy + b.height / 2 + py - height / 2)
        for b, ox, oy in placed
        for n, (px, py) in b.local.items()
    }
    return _Box(local, width, height)


def _cluster_layout(
    ties: Iterable[tuple[str, str]], clusters: Mapping[str, list[str]]
) -> dict[str, tuple[float, float]]:
    """Positions in pixels: each cluster laid out on its own, the clusters packed in rows. In a cluster each
    connected group (by the `ties` inside the cluster; a person with none is a group alone) has a spring layout
    of its own and the groups are packed in rows, largest first: a spring layout of disconnected groups would
    push them apart and squeeze each group into a corner of the cluster's box, its nodes drawn over each other
    (so a click on one opened another's card, as after a person with no ties was added)."""
    cluster_of = {n: key for key, ids in clusters.items() for n in ids}
    H = nx.Graph()
    H.add_nodes_from(sorted(cluster_of))
    for u, v in ties:
        if u != v and cluster_of.get(u) is not None and cluster_of.get(u) == cluster_of.get(v):
            H.add_edge(u, v)
    boxes: list[_Box] = []
    for ids in clusters.values():
        groups = sorted((sorted(g) for g in nx.connected_components(H.subgraph(ids))), key=lambda g: (-len(g), g[0]))
        boxes.append(_pack([_group_layout(H, g) for g in groups], _GROUP_GAP))
    laid = _pack(boxes, _CLUSTER_GAP)
    left = min((x for x, _y in laid.local.values()), default=0.0)
    top = min((y for _x, y in laid.local.values()), default=0.0)
    return {n: (round(x - left + 80, 1), round(y - top + 80, 1)) for n, (x, y) in laid.local.items()}


# ---- the drawing ----------------------------------------------------------------------------------


def _colour(background: str, border: str) -> dict[str, Any]:
    """A node colour that keeps its fill when selected or hovered (only the border turns black)."""
    marked = {"background": background, "border": "#000000"}
    return {"background": background, "border": border, "highlight": marked, "hover": marked}


def _shape(roles: Iterable[str]) -> str:
    have = set(roles)
    for role, shape, _glyph, _label in ROLE_SHAPES:
        if role in have:
            return shape
    return NO_ROLE_SHAPE[0]


def _kind(kind: str) -> str:
    """A gap's kind in the language of the moment (in English its stored words)."""
    return term(kind, kind.replace("_", " "))


def _stored(value: Any) -> str:
    """Stored words (a stance, roles, a function) in the language of the moment; in English as `_fmt` shows them."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list | tuple):
        return joined([term(str(v), str(v).replace("_", " ")) for v in value])
    return term(str(value), _fmt(value))


def _fmt(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list | tuple):
        return ", ".join(str(v).replace("_", " ") for v in value)
    return str(value).replace("_", " ") if isinstance(value, str) and value.islower() else str(value)


def _edge_key(kind: str, u: str, v: str) -> str:
    if kind == "KNOWS":
        a, b = sorted((u, v))
        return f"KNOWS|{a}|{b}"
    return f"{kind}|{u}|{v}"


def _hop_edge(source: str, target: str, tie: str) -> str:
    if tie == "KNOWS":
        return _edge_key("KNOWS", source, target)
    if tie == "INFLUENCES":
        return _edge_key("INFLUENCES", source, target)
    if tie == "INFLUENCED_BY":
        return _edge_key("INFLUENCES", target, source)
    if tie == "REPORTS_TO":
        return _edge_key("REPORTS_TO", source, target)
    return _edge_key("REPORTS_TO", target, source)  # MANAGES


def power_map_data(
    account: AccountMap,
    ranking: RankingLike,
    coverage: CoverageLike | None = None,
    *,
    highlight_path: PathResultLike | ContactPathLike | None = None,
    show_gaps: bool = False,
    title: str | None = None,
) -> dict[str, Any]:
    """The data the power map page embeds (nodes, edges, options, legend, panels); see `render_power_map`."""
    facts = _facts(ranking, coverage, account.strengths, highlight_path, show_gaps)
    row_of: dict[str, Mapping[str, Any]] = {r["id"]: r for r in (*account.people, *account.team)}
    kinds = {**{p["id"]: "person" for p in account.people}, **{t["id"]: "team" for t in account.team}}
    company_names = {str(c["id"]): str(c.get("name") or c["id"]) for c in account.companies}
    people = sorted(p["id"] for p in account.people)
    team = sorted(t["id"] for t in account.team)
    drawn = set(people) | set(team)

    # the ties drawn, in (kind, from, to) order: reporting lines (to the manager, when one of the people),
    # influence (to who is swayed) and acquaintance (once per pair, its ends in id order)
    ties: list[tuple[str, str, str, float | None, str | None]] = [
        ("REPORTS_TO", p["id"], p["reports_to"], None, None)
        for p in account.people
        if kinds.get(p.get("reports_to") or "") == "person" and p["reports_to"] != p["id"]
    ]
    for t in account.ties:
        u, v = sorted((t.source, t.target)) if t.kind == "KNOWS" else (t.source, t.target)
        if u in drawn and v in drawn and u != v:
            ties.append((t.kind, u, v, t.strength, t.last_contact))
    ties.sort(key=lambda e: (e[0], e[1], e[2]))

    # companies in tree order (the account's root first), then any company only named on a person
    parents = nx.DiGraph(
        [
            (c["parent"], c["id"])
            for c in account.companies
            if c.get("parent") in company_names and c["id"] != account.account
        ]
    )
    try:
        order = list(nx.lexicographical_topological_sort(parents))
    except nx.NetworkXUnfeasible:  # a cycle: not a tree, so plain id order
        order = sorted(parents)
    order = [c for c in order if c in company_names] + sorted(c for c in company_names if c not in order)
    clusters: dict[str, list[str]] = {}
    if team:
        clusters[_TEAM_CLUSTER] = team
    by_company: dict[str, list[str]] = defaultdict(list)
    for p in people:
        by_company[str(row_of[p].get("company") or "")].append(p)
    for c in order:
        if by_company.get(c):
            clusters[c] = by_company[c]
    for c in sorted(by_company):
        if c not in clusters:
            clusters[c] = by_company[c]
    positions = _cluster_layout(((u, v) for _, u, v, _, _ in ties), clusters)
    cluster_of = {n: key for key, ids in clusters.items() for n in ids}

    # who of ours knows whom, and how strongly
    ours_of: dict[str, list[tuple[float, str]]] = defaultdict(list)
    knows_of: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for kind, end1, end2, stated_strength, last_contact in ties:
        if kind != "KNOWS" or {kinds[end1], kinds[end2]} != {"team", "person"}:
            continue
        u, v = (end1, end2) if kinds[end1] == "team" else (end2, end1)
        tie = facts.ties.get((u, v))
        stated = float(stated_strength or 0.0)
        if tie is not None:
            effective, said = number(tie.effective, 2), number(tie.stated, 2)
            text = (
                _("{effective} effective (stated {stated}, last contact {on})").format(
                    effective=effective, stated=said, on=tie.last_contact.isoformat()
                )
                if tie.last_contact
                else _("{effective} effective (stated {stated})").format(effective=effective, stated=said)
            )
            text += _(" — stale") if tie.stale else ""
            value = tie.effective
        else:
            value = stated
            text = (
                _("{stated} stated, last contact {on}").format(stated=number(stated, 2), on=last_contact)
                if last_contact
                else _("{stated} stated").format(stated=number(stated, 2))
            )
        ours_of[v].append((value, f"{row_of[u].get('name') or u}: {text}"))
        knows_of[u].append((value, f"{row_of[v].get('name') or v}: {text}"))

    many = len(drawn) > _LABEL_EVERY_NODE_UP_TO
    # pyvis imports IPython (~0.3 s): loaded when a map is drawn, not by every command that imports this module
    from pyvis.edge import Edge
    from pyvis.network import Network

    net = Network(directed=True)
    path_nodes = set(facts.path_nodes)
    search: list[dict[str, str]] = []  # one entry per person and member: name, company and title
    for n in people + team:
        a = row_of[n]
        x, y = positions[n]
        name = str(a.get("name") or n)
        options: dict[str, Any] = {"x": x, "y": y, "cluster": cluster_of.get(n), "kind": kinds[n]}
        if kinds[n] == "team":
            options.update(
                shape="box",
                color=_colour(TEAM_COLOR, "#0b1a2e"),
                font={"color": "#ffffff", "size": 16},
                card={
                    "heading": name,
                    "sub": _("our team · {function}").format(function=_stored(a.get("function"))),
                    "rows": [[_("Knows"), _("{n} people of the account").format(n=len(knows_of[n]))]],
                    "lists": [
                        {
                            "heading": _("Strongest ties"),
                            "items": [t for _v, t in sorted(knows_of[n], reverse=True)[:12]],
                        }
                    ],
                },
            )
            color = TEAM_COLOR
        else:
            info = facts.people.get(n, _Person())
            stance = str(a.get("stance") or "unknown")
            color = STANCE_COLORS.get(stance, STANCE_COLORS["unknown"])
            relative = info.score / facts.top_score if facts.top_score > 0 else 0.0
            size = 8 + 32 * relative
            options.update(
                shape=_shape(a.get("roles") or []),
                size=round(size, 1),
                color=_colour(color, "#34495e"),
                borderWidth=1,
                # key people keep a readable name when the whole map is in view
                font={"size": round(12 + 26 * relative**2), "strokeWidth": 3, "strokeColor": "#ffffff"},
            )
            if info.gap:
                options.update(
                    color=_colour(color, GAP_COLOR),
                    borderWidth=4,
                    shapeProperties={"borderDashes": [5, 4]},
                    gap=True,
                )
            company = a.get("company")
            rows = [
                [_("Title"), _fmt(a.get("title"))],
                [_("Company"), company_names.get(str(company), _fmt(company))],
                [_("Department"), _fmt(a.get("department"))],
                [_("Roles"), _stored(list(a.get("roles") or []))],
                [_("Stance"), _stored(stance)],
                [
                    _("Rank"),
                    _("#{rank} of {ranked}").format(rank=info.rank, ranked=facts.ranked)
                    if info.rank is not None
                    else _("not ranked"),
                ],
                [_("Score"), number(info.score, 2) if info.rank is not None else "—"],
            ]
            if info.parts:
                rows.append([_("Score parts"), info.parts])
            if info.covered is not None:
                covered = _("covered ({layer} layer)") if info.covered else _("NOT covered ({layer} layer)")
                rows.append([_("Coverage"), covered.format(layer=term(str(info.layer)))])
            lists = [
                {
                    "heading": _("Who of ours knows them"),
                    "items": [t for _v, t in sorted(ours_of[n], reverse=True)],
                    "empty": _("nobody of ours"),
                }
            ]
            if info.gap_notes:
                lists.append({"heading": _("Gaps"), "items": info.gap_notes})
            options["card"] = {"heading": name, "sub": _fmt(a.get("title")), "rows": rows, "lists": lists}
        if n in path_nodes:
            options.update(borderWidth=6, color=_colour(color, PATH_COLOR), path=True)
            options.pop("shapeProperties", None)
        net.add_node(n, label=name, **options)
        if kinds[n] == "team":
            where = _("our team, {function}").format(function=_stored(a.get("function")))
        else:
            company = a.get("company")
            where = f"{company_names.get(str(company), _fmt(company))}, {_fmt(a.get('title'))}"
        search.append({"id": n, "label": f"{name} — {where}", "name": name})

    # edges: reporting lines, influence, acquaintance once per pair
    path_edges = {_hop_edge(s, t, k) for s, t, k in facts.path_hops}
    seen: set[str] = set()
    for kind, u, v, stated_strength, _last in ties:
        key = _edge_key(kind, u, v)
        if key in seen:
            continue
        seen.add(key)
        colleagues = kind == "KNOWS" and kinds[u] == "team" and kinds[v] == "team"
        ours = kind == "KNOWS" and not colleagues and (kinds[u] == "team" or kinds[v] == "team")
        style_kind = "COLLEAGUES" if colleagues else "OURS" if ours else kind
        style = EDGE_STYLES[style_kind]
        strength = float(stated_strength or 0.5)
        dashed = False
        if ours:
            member, person = (u, v) if kinds[u] == "team" else (v, u)
            tie = facts.ties.get((member, person))
            if tie is not None:
                strength, dashed = tie.effective, tie.stale
            width = 1 + 7 * strength
        elif kind == "REPORTS_TO":
            width = 1.5
        elif kind == "INFLUENCES":
            width = 0.5 + 4 * strength
        else:
            width = 0.5 + 3 * strength
        edge: dict[str, Any] = {
            "id": key,
            "kind": style_kind,
            "color": {"color": style["color"], "opacity": 0.9 if ours or colleagues else 0.55},
            "width": round(width, 2),
            "dashes": [8, 6] if dashed else False,
            "arrows": {"to": {"enabled": bool(style["arrows"]), "scaleFactor": 0.5}},
            "label": None,
            "strength": round(strength, 3),
            "stale": dashed,
        }
        if key in path_edges:
            edge.update(color={"color": PATH_COLOR, "opacity": 1.0}, width=8, path=True, dashes=False)
        edge.pop("label")
        # both ends are drawn nodes (checked above); pyvis's add_edge would check that with a list scan
        net.edges.append(Edge(u, v, True, **edge).options)

    clusters_out = []
    for i, key in enumerate(clusters):
        label = _("Our team") if key == _TEAM_CLUSTER else company_names.get(key, key or _("(no company)"))
        colour = i % len(_CLUSTER_FILLS)
        clusters_out.append(
            {
                "id": key,
                "label": label,
                "fill": TEAM_COLOR + "14" if key == _TEAM_CLUSTER else _CLUSTER_FILLS[colour],
                "stroke": TEAM_COLOR if key == _TEAM_CLUSTER else _CLUSTER_STROKES[colour],
            }
        )

    panels = [p for p in (facts.path_panel, facts.gap_panel) if p is not None]
    root_name = company_names.get(account.account, account.account)
    reporting = sum(e["kind"] == "REPORTS_TO" for e in net.edges)  # lines drawn: current ties and reporting lines
    current = len(net.edges) - reporting
    subtitle = _("{people}, {ours} of ours, {ties}, {lines}").format(
        people=ngettext("{n} person", "{n} people", len(people)).format(n=len(people)),
        ours=len(team),
        ties=ngettext("{n} current tie", "{n} current ties", current).format(n=current),
        lines=ngettext("{n} reporting line", "{n} reporting lines", reporting).format(n=reporting),
    )
    if facts.coverage_line:
        subtitle += f" · {facts.coverage_line}"
    method = getattr(ranking, "method", None)  # a `Ranking` says how its brokerage was computed
    if method is not None:
        subtitle += (
            _(" · brokerage exact")
            if method.betweenness == "exact"
            else _(" · brokerage sampled ({n} sources)").format(n=method.betweenness_sources)
        )
    legend = [
        {
            "heading": _("Stance (colour)"),
            "items": [{"label": term(s), "color": c} for s, c in STANCE_COLORS.items()]
            + [{"label": _("our team member"), "color": TEAM_COLOR}],
        },
        {
            "heading": _("Decision role (shape; size: key-people score)"),
            "items": [{"glyph": g, "label": _(lab), "color": "#34495e"} for _r, _s, g, lab in ROLE_SHAPES if lab]
            + [{"glyph": NO_ROLE_SHAPE[1], "label": _(NO_ROLE_SHAPE[2]), "color": "#34495e"}],
        },
        {
            "heading": _("Ties (width: strength)"),
            "items": [
                {"line": True, "label": _(s["label"]), "color": s["color"], "width": 3} for s in EDGE_STYLES.values()
            ]
            + [{"line": True, "dashed": True, "label": _("stale tie of ours"), "color": TEAM_COLOR, "width": 3}],
        },
    ]
    marks = []
    if facts.path_nodes:
        marks.append({"line": True, "label": _("best path"), "color": PATH_COLOR, "width": 6})
    if show_gaps:
        marks.append({"label": _("coverage gap (dashed border)"), "color": "#ffffff", "border": GAP_COLOR})
    if marks:
        legend.append({"heading": _("Highlights"), "items": marks})

    options = {
        "autoResize": True,
        "physics": {"enabled": False},
        "layout": {"improvedLayout": False, "randomSeed": 7},
        "edges": {"smooth": False, "selectionWidth": 2, "hoverWidth": 1},
        "nodes": {"font": {"size": 14, "face": FONT_STACK}, "borderWidthSelected": 4},
        "interaction": {
            "hover": True,
            "tooltipDelay": 150,
            "hideEdgesOnDrag": many,
            "hideEdgesOnZoom": many,
            "multiselect": False,
            "navigationButtons": False,
        },
    }
    return {
        "title": title or _("Power map — {account}").format(account=root_name),
        "subtitle": subtitle,
        "nodes": net.nodes,
        "edges": net.edges,
        "options": options,
        "legend": legend,
        "panels": panels,
        "clusters": clusters_out,
        "search": search_entries(search),
        "path": {"nodes": facts.path_nodes, "edges": sorted(path_edges & seen)},
        "counts": {"nodes": len(net.nodes), "edges": len(net.edges)},
    }


def render_power_map(
    account: AccountMap,
    ranking: RankingLike,
    coverage: CoverageLike | None = None,
    *,
    highlight_path: PathResultLike | ContactPathLike | None = None,
    show_gaps: bool = False,
    title: str | None = None,
) -> str:
    """The power map of an account as one self-contained HTML document.

    Parameters
    ----------
    account : AccountMap
        The account's people, our team members, their ties and the effective strength of ours
        (`analysis.account_map` of the prepared view): they are drawn, our ties' width and staleness
        from the effective strengths (the stated ones where none is given).
    ranking : Ranking
        Key people (`analysis.rank(..., top=None)`): node size follows the score; unranked people are smallest.
    coverage : Coverage, optional
        Coverage of the decision chain: shown on each card and, with `show_gaps`, as marked gaps.
    highlight_path : PathResult or ContactPath, optional
        The best path (of a `PathResult`, its first) is drawn in magenta and listed hop by hop.
    show_gaps : bool
        Mark uncovered key people and people named by a coverage gap, and list the largest gaps.
    title : str, optional
        The page title (default "Power map — <account name>").

    Returns
    -------
    str
        The HTML page; it loads nothing from the network.
    """
    ranking, coverage, highlight_path = said(ranking), said(coverage), said(highlight_path)  # their sentences
    data = power_map_data(
        account,
        ranking,
        coverage,
        highlight_path=highlight_path,
        show_gaps=show_gaps,
        title=title,
    )
    return page(title=data["title"], kind="power_map", data=data)
