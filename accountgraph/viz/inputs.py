"""What the views are given: the account as the power map draws it, and the shape of the results they read.

`viz` imports no storage and no algorithm: the use cases (`accountgraph.services.analysis`, the opportunities and the
plans) run the analyses and hand their results over. The account to draw is plain data (`AccountMap`, made
from the prepared view by `analysis.account_map`); the results are typed by their shape (protocols of the
attributes a view reads), so the algorithms' and the plans' result models fit them as they are.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Any, Protocol, runtime_checkable

__all__ = [
    "AccountMap",
    "ActionProgressLike",
    "AlertLike",
    "BreakdownLike",
    "CompanyLike",
    "CompanyNodeLike",
    "CompanyRiskLike",
    "ContactPathLike",
    "CoverageLike",
    "CoveredPersonLike",
    "GapLike",
    "GoalProgressLike",
    "HopLike",
    "MapTie",
    "OurTie",
    "PathResultLike",
    "PlanProgressLike",
    "RankedPersonLike",
    "RankingLike",
    "RiskReportLike",
    "ScorePartLike",
]


# ---- the account the power map draws -------------------------------------------------------------
@dataclass(frozen=True)
class MapTie:
    """A tie between two people or members of ours: ``KNOWS`` or ``INFLUENCES`` (`source` sways `target`),
    with its stated strength and recorded last contact (an ISO date)."""

    kind: str
    source: str
    target: str
    strength: float
    last_contact: str | None = None


@dataclass(frozen=True)
class OurTie:
    """How strong a tie of ours to a person is now: its effective strength (`algorithms.strength`)."""

    stated: float
    effective: float
    last_contact: date | None
    stale: bool


@dataclass(frozen=True)
class AccountMap:
    """An account as the power map draws it: rows in the shape of the models' JSON (each with ``id``).

    Companies carry ``name`` and ``parent``; people ``name``, ``company``, ``title``, ``department``,
    ``roles``, ``stance`` and ``reports_to`` (a reporting line is drawn when the manager is one of `people`);
    our members ``name`` and ``function``. `strengths` holds the effective strength of our ties,
    ``(member, person) → OurTie``; a tie of ours without one is drawn with its stated strength.
    """

    account: str
    companies: Sequence[Mapping[str, Any]]
    people: Sequence[Mapping[str, Any]]
    team: Sequence[Mapping[str, Any]]
    ties: Sequence[MapTie]
    strengths: Mapping[tuple[str, str], OurTie] = field(default_factory=dict)


# ---- the results, by their shape ------------------------------------------------------------------
class ScorePartLike(Protocol):
    @property
    def value(self) -> float: ...


class RankedPersonLike(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def rank(self) -> int: ...
    @property
    def score(self) -> float: ...
    @property
    def authority(self) -> ScorePartLike: ...
    @property
    def influence(self) -> ScorePartLike: ...
    @property
    def brokerage(self) -> ScorePartLike: ...


class RankingLike(Protocol):
    """Key people, best first (`algorithms.results.Ranking`)."""

    @property
    def people(self) -> Sequence[RankedPersonLike]: ...


class CoveredPersonLike(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def layer(self) -> str: ...
    @property
    def covered(self) -> bool: ...


class GapLike(Protocol):
    @property
    def kind(self) -> str: ...
    @property
    def subject(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def detail(self) -> str: ...


class BreakdownLike(Protocol):
    @property
    def key(self) -> str: ...
    @property
    def people(self) -> int: ...
    @property
    def covered(self) -> int: ...
    @property
    def score(self) -> float: ...


class CoverageLike(Protocol):
    """Coverage of the decision chain (`algorithms.results.Coverage`)."""

    @property
    def score(self) -> float: ...
    @property
    def chain_size(self) -> int: ...
    @property
    def covered_count(self) -> int: ...
    @property
    def by_company(self) -> Sequence[BreakdownLike]: ...
    @property
    def people(self) -> Sequence[CoveredPersonLike]: ...
    @property
    def gaps(self) -> Sequence[GapLike]: ...
    @property
    def explanation(self) -> str: ...


class HopLike(Protocol):
    @property
    def source(self) -> str: ...
    @property
    def source_name(self) -> str: ...
    @property
    def target(self) -> str: ...
    @property
    def target_name(self) -> str: ...
    @property
    def tie(self) -> str: ...
    @property
    def strength(self) -> float: ...
    @property
    def stale(self) -> bool: ...


class ContactPathLike(Protocol):
    """One contact path (`algorithms.results.ContactPath`)."""

    @property
    def member(self) -> str: ...
    @property
    def member_name(self) -> str: ...
    @property
    def hops(self) -> Sequence[HopLike]: ...
    @property
    def explanation(self) -> str: ...


@runtime_checkable
class PathResultLike(Protocol):
    """The best contact paths to a person (`algorithms.results.PathResult`)."""

    @property
    def target_name(self) -> str: ...
    @property
    def reachable(self) -> bool: ...
    @property
    def reason(self) -> str: ...
    @property
    def paths(self) -> Sequence[ContactPathLike]: ...


class CompanyRiskLike(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def own(self) -> float: ...
    @property
    def rolled_up(self) -> float: ...
    @property
    def events(self) -> int: ...


class AlertLike(Protocol):
    @property
    def company(self) -> str: ...
    @property
    def level(self) -> str: ...
    @property
    def message(self) -> str: ...


class RiskReportLike(Protocol):
    """Risk rolled up the company tree (`algorithms.results.RiskReport`)."""

    @property
    def score(self) -> float: ...
    @property
    def companies(self) -> Sequence[CompanyRiskLike]: ...
    @property
    def alerts(self) -> Sequence[AlertLike]: ...
    @property
    def explanation(self) -> str: ...


class CompanyLike(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def industry(self) -> str | None: ...
    @property
    def country(self) -> str | None: ...
    @property
    def region(self) -> str | None: ...


class CompanyNodeLike(Protocol):
    """One company of an account's tree with its people on a date and its subsidiaries
    (`GraphStore.company_tree`)."""

    @property
    def company(self) -> CompanyLike: ...
    @property
    def people(self) -> int: ...
    @property
    def children(self) -> Sequence[CompanyNodeLike]: ...
    def walk(self) -> Iterator[CompanyNodeLike]: ...


class GoalProgressLike(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def state(self) -> str: ...
    @property
    def current(self) -> float | str | None: ...
    @property
    def target(self) -> float | str: ...
    @property
    def due(self) -> date | None: ...
    @property
    def detail(self) -> str: ...


class ActionProgressLike(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def owner_name(self) -> str: ...
    @property
    def target_name(self) -> str: ...
    @property
    def status(self) -> Enum: ...
    @property
    def due(self) -> date | None: ...
    @property
    def last_activity(self) -> date: ...
    @property
    def idle_days(self) -> int: ...
    @property
    def best_strength(self) -> float: ...
    @property
    def reached(self) -> bool: ...
    @property
    def flags(self) -> Sequence[str]: ...


class PlanProgressLike(Protocol):
    """A plan's progress (`plans.models.PlanProgress`)."""

    @property
    def plan(self) -> str: ...
    @property
    def account(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def on(self) -> date: ...
    @property
    def status(self) -> str: ...
    @property
    def goals_met(self) -> int: ...
    @property
    def goals(self) -> Sequence[GoalProgressLike]: ...
    @property
    def action_progress(self) -> Sequence[ActionProgressLike]: ...
    @property
    def coverage(self) -> float: ...
    @property
    def explanation(self) -> str: ...
