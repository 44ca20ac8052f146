"""HTML views of results it is given (it never queries the store): the power map, the tree, a plan's progress.

What the views are given is in `accountgraph.viz.inputs`; the use cases that gather it and call them are
`accountgraph.services.analysis`, `accountgraph.opportunities.committee` and `accountgraph.plans.progress`.
"""

from accountgraph.viz._html import vis_network_js
from accountgraph.viz.inputs import AccountMap, MapTie, OurTie
from accountgraph.viz.plan_view import render_progress
from accountgraph.viz.power_map import power_map_data, render_power_map
from accountgraph.viz.tree_view import render_tree, tree_data

__all__ = [
    "AccountMap",
    "MapTie",
    "OurTie",
    "power_map_data",
    "render_power_map",
    "render_progress",
    "render_tree",
    "tree_data",
    "vis_network_js",
]
