"""The neutral contract between storage and algorithms: an account as rows, its ties as columns, and the
as-of selection that keeps what was true on a date.

A backend reads `AccountRows`; `select` turns them into a `Projection`; the algorithms read the projection.
Nothing here knows a store or an algorithm.
"""

from accountgraph.projection.rows import TIE_FIELDS, AccountRows, Row
from accountgraph.projection.selection import Projection, select
from accountgraph.projection.ties import TieColumns, TieRow

__all__ = ["TIE_FIELDS", "AccountRows", "Projection", "Row", "TieColumns", "TieRow", "select"]
