"""Relationship intelligence on the projection of an account (the same on every backend).

Every algorithm is a pure function ``f(view, ...)`` of an `AccountView`, prepared once (`prepare`) from the
projection (`GraphStore.account_projection`) or its networkx view (`GraphStore.account_subgraph`),
deterministic, and returns a pydantic result that carries its explanation. The parameters and their
defaults are in `params.py`.
"""

from accountgraph.algorithms.actions import next_best_actions
from accountgraph.algorithms.coverage import coverage
from accountgraph.algorithms.params import (
    ActionParams,
    CoverageParams,
    Options,
    PathParams,
    RankParams,
    RiskParams,
    StrengthParams,
)
from accountgraph.algorithms.paths import best_paths
from accountgraph.algorithms.prepared import AccountView, prepare, tie_strengths
from accountgraph.algorithms.ranking import key_people
from accountgraph.algorithms.risk import account_risk
from accountgraph.algorithms.strength import effective_strength
from accountgraph.algorithms.whatif import articulation_people, what_if

__all__ = [
    "AccountView",
    "ActionParams",
    "CoverageParams",
    "Options",
    "PathParams",
    "RankParams",
    "RiskParams",
    "StrengthParams",
    "account_risk",
    "articulation_people",
    "best_paths",
    "coverage",
    "effective_strength",
    "key_people",
    "next_best_actions",
    "prepare",
    "tie_strengths",
    "what_if",
]
