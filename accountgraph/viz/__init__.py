"""Interactive HTML views of results it is given (it never queries the store): the power map and the tree."""

from accountgraph.viz.power_map import power_map_data, render_power_map
from accountgraph.viz.tree_view import render_tree, tree_data

__all__ = ["power_map_data", "render_power_map", "render_tree", "tree_data"]
