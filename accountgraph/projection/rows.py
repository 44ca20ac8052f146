"""An account as plain rows: what a backend reads and the projection selects from."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from accountgraph.projection.ties import TieColumns, TieRow

__all__ = ["TIE_FIELDS", "AccountRows", "Row", "TieRow"]

Row = dict[str, Any]
"""One record in the shape of its model's JSON."""

TIE_FIELDS: tuple[str, ...] = ("type", "from", "to", "strength", "since", "until", "last_contact", "note")
"""The fields of a tie, in the order of a `TieRow`."""


@dataclass
class AccountRows:
    """An account as plain rows in the shape of the models' JSON (what a backend reads).

    Every tie joins two of its people and team members; the team is who of ours has a tie or an interaction
    with one of its people.
    """

    companies: list[Row] = field(default_factory=list)
    people: list[Row] = field(default_factory=list)
    team: list[Row] = field(default_factory=list)
    # tuples in TIE_FIELDS order, unsorted; or their columns (`TieColumns`)
    ties: Sequence[TieRow] | TieColumns = field(default_factory=list)
    interactions: list[Row] = field(default_factory=list)
    risks: list[Row] = field(default_factory=list)
