"""The records of a relationship plan: the plan, its goals and its actions, and their progress.

A plan belongs to one account. Its **goals** are of fixed kinds, each checkable against the graph at any
date (see `accountgraph.plans.progress`):

* ``stance``: a person reaches a stance (default ``supporter``), and a role if one is named (``champion``);
* ``coverage``: the account's coverage score (or one company's, or one role's) reaches ``score``;
* ``subsidiary_contact``: one of ours reaches someone at a named company, or at every company of the
  account that has people, with an effective strength at or above the threshold;
* ``relationship``: one of ours (or the named ``member``) knows the person at ``strength`` or more;
* ``multi_thread``: at least ``members`` of ours know the person at the threshold or more.

Its **actions** name an owner (one of our team members), a target person, a due date, a status (open,
done, dropped), the goal they serve and optionally the contact path they follow (a `ContactPath` of the
path algorithm, as it was when linked). Plans are stored as documents of kind ``plan``
(`GraphStore.documents`, with optimistic versions); floats are stored as decimal text.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from accountgraph.algorithms.results import ContactPath
from accountgraph.algorithms.results import Text as Sentence
from accountgraph.i18n import N_
from accountgraph.i18n.phrase import Num, Phrase, Term
from accountgraph.schema.documents import DocumentModel
from accountgraph.schema.models import Id, Name, Role, Stance, Text

__all__ = [
    "Action",
    "ActionProgress",
    "ActionStatus",
    "Goal",
    "GoalKind",
    "GoalProgress",
    "GoalSpec",
    "Plan",
    "PlanProgress",
    "PlanStatus",
    "stored_data",
]

Threshold = Annotated[float, Field(gt=0.0, le=1.0, allow_inf_nan=False)]
Score = Annotated[float, Field(ge=0.0, le=100.0, allow_inf_nan=False)]
STALL_DAYS = 30
"""Default: an open action with no update and no contact with its target for this many days is stalled."""


class GoalKind(StrEnum):
    STANCE = "stance"
    COVERAGE = "coverage"
    SUBSIDIARY_CONTACT = "subsidiary_contact"
    RELATIONSHIP = "relationship"
    MULTI_THREAD = "multi_thread"


class ActionStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    DROPPED = "dropped"


_NEEDS: dict[GoalKind, tuple[set[str], set[str]]] = {
    # kind: (required fields, allowed optional fields)
    GoalKind.STANCE: ({"person"}, {"stance", "role"}),
    GoalKind.COVERAGE: ({"score"}, {"company", "role"}),
    GoalKind.SUBSIDIARY_CONTACT: (set(), {"company", "strength"}),
    GoalKind.RELATIONSHIP: ({"person"}, {"strength", "member"}),
    GoalKind.MULTI_THREAD: ({"person"}, {"members", "strength"}),
}
_TARGET_FIELDS = ("person", "stance", "role", "score", "company", "strength", "member", "members")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GoalSpec(_Model):
    """What a goal asks for; which fields it takes depends on its kind (others must stay empty)."""

    kind: GoalKind
    title: Text | None = Field(default=None, description="what the goal is, for people (default generated)")
    person: Id | None = Field(default=None, description="stance, relationship, multi_thread: the person")
    stance: Stance | None = Field(default=None, description="stance: the stance to reach (default supporter)")
    role: Role | None = Field(
        default=None, description="stance: a role to hold as well (e.g. champion); coverage: that role's score"
    )
    score: Score | None = Field(default=None, description="coverage: the score to reach (0..100)")
    company: Id | None = Field(
        default=None,
        description="coverage: that company's score; subsidiary_contact: this company (default every company)",
    )
    strength: Threshold | None = Field(
        default=None, description="relationship, multi_thread, subsidiary_contact: the effective strength "
        "that counts (default the coverage threshold)"
    )  # fmt: skip
    member: Id | None = Field(default=None, description="relationship: this member of ours (default any)")
    members: Annotated[int, Field(ge=1, le=100)] | None = Field(
        default=None, description="multi_thread: how many of ours (default 2)"
    )
    due: date | None = Field(default=None, description="when it should be met (a missed goal is flagged)")

    @model_validator(mode="after")
    def _fields_of_kind(self) -> GoalSpec:
        required, optional = _NEEDS[self.kind]
        given = {name for name in _TARGET_FIELDS if getattr(self, name) is not None}
        missing = sorted(required - given)
        if missing:
            raise ValueError(f"a {self.kind.value} goal needs {', '.join(missing)}")
        extra = sorted(given - required - optional)
        if extra:
            raise ValueError(f"a {self.kind.value} goal takes no {', '.join(extra)}")
        return self

    def describe(self, names: Mapping[str, str] | None = None) -> str:
        """The goal in words (its title when given); `names`: how to call the records it names by id (default
        their ids)."""
        if self.title:
            return self.title

        def called(id: str | None) -> str | None:
            return names.get(id, id) if names and id is not None else id

        person, company = called(self.person), called(self.company)
        by = Phrase(N_(" by {date}"), date=self.due.isoformat()) if self.due else ""
        if self.kind is GoalKind.STANCE:
            want = (self.stance or Stance.SUPPORTER).value
            if self.role:
                return Phrase(
                    N_("turn {person} to {stance} and {role}{by}"),
                    person=person,
                    stance=Term(want, want),
                    role=Term(self.role.value, self.role.value.replace("_", " ")),
                    by=by,
                )
            return Phrase(N_("turn {person} to {stance}{by}"), person=person, stance=Term(want, want), by=by)
        if self.kind is GoalKind.COVERAGE:
            score = Num(self.score or 0.0, "g")
            if company:
                return Phrase(N_("reach coverage of {company} {score}{by}"), company=company, score=score, by=by)
            if self.role:
                return Phrase(
                    N_("reach coverage of the {role}s {score}{by}"),
                    role=Term(self.role.value, self.role.value),
                    score=score,
                    by=by,
                )
            return Phrase(N_("reach coverage {score}{by}"), score=score, by=by)
        if self.kind is GoalKind.SUBSIDIARY_CONTACT:
            if company:
                return Phrase(N_("a contact at {company}{by}"), company=company, by=by)
            return Phrase(N_("a contact at every company{by}"), by=by)
        if self.kind is GoalKind.RELATIONSHIP:
            who = called(self.member) or Phrase(N_("one of ours"))
            if self.strength:
                return Phrase(
                    N_("{member} knows {person} at {strength} or more{by}"),
                    member=who,
                    person=person,
                    strength=Num(self.strength, "g"),
                    by=by,
                )
            return Phrase(N_("{member} knows {person}{by}"), member=who, person=person, by=by)
        return Phrase(N_("{n} of ours know {person}{by}"), n=self.members or 2, person=person, by=by)


class Goal(GoalSpec):
    """One goal of a plan: its id (unique in the plan) and what it asks for."""

    id: Id


class Action(_Model):
    """One action of a plan: who of ours does what with whom, by when, and how far it got."""

    id: Id
    title: Text = Field(description="what to do")
    owner: Id = Field(description="the team member of ours who acts")
    target: Id = Field(description="the person of the account it is about")
    due: date | None = None
    status: ActionStatus = ActionStatus.OPEN
    goal: Id | None = Field(default=None, description="the goal of the plan it serves")
    path: ContactPath | None = Field(default=None, description="the contact path it follows, as when linked")
    note: Text | None = None
    created: date
    updated: date


class Plan(DocumentModel):
    """A relationship plan of one account (a document of kind ``plan``)."""

    kind: ClassVar[str] = "plan"
    id: Id
    account: Id
    name: Name
    owner: Id | None = Field(default=None, description="the team member who owns the plan")
    stall_days: Annotated[int, Field(ge=1, le=3650)] = Field(
        default=STALL_DAYS, description="an open action idle for longer than this is stalled"
    )
    goals: list[Goal] = Field(default_factory=list)
    actions: list[Action] = Field(default_factory=list)
    created: date
    updated: date

    @model_validator(mode="after")
    def _unique_ids(self) -> Plan:
        for what, ids in (("goal", [g.id for g in self.goals]), ("action", [a.id for a in self.actions])):
            dup = sorted({i for i in ids if ids.count(i) > 1})
            if dup:
                raise ValueError(f"{what} id used twice: {', '.join(dup)}")
        goals = {g.id for g in self.goals}
        for a in self.actions:
            if a.goal is not None and a.goal not in goals:
                raise ValueError(f"action {a.id!r} serves goal {a.goal!r}, which the plan does not have")
        return self

    def data(self) -> dict[str, Any]:
        """The stored JSON object (floats as decimal text: documents hold no float)."""
        data: dict[str, Any] = stored_data(self.model_dump(mode="json"))
        return data

    def goal(self, id: str) -> Goal | None:
        return next((g for g in self.goals if g.id == id), None)

    def action(self, id: str) -> Action | None:
        return next((a for a in self.actions if a.id == id), None)


def stored_data(value: Any) -> Any:
    """`value` with every float as its shortest decimal text (`repr`), which pydantic reads back exactly."""
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dict):
        return {k: stored_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [stored_data(v) for v in value]
    return value


# ---- progress -----------------------------------------------------------------------------------

GoalState = Literal["met", "open", "missed"]
PlanStatus = Literal["done", "on_track", "at_risk", "off_track"]


class GoalProgress(_Model):
    id: str
    kind: GoalKind
    title: Sentence
    met: bool = Field(description="is the goal met on the date of the progress?")
    state: GoalState = Field(description="met; open; missed (its due date passed and it is not met)")
    current: float | Sentence | None = Field(description="the value now (a score, strength, count or stance)")
    target: float | Sentence = Field(description="the value the goal asks for")
    due: date | None
    detail: Sentence = Field(description="what was measured, in words")
    missing: list[str] = Field(default_factory=list, description="subsidiary_contact: companies still unreached")
    actions: list[str] = Field(description="ids of the actions serving it")


class ActionProgress(_Model):
    id: str
    title: str
    owner: str
    owner_name: str
    target: str
    target_name: str
    status: ActionStatus
    due: date | None
    goal: str | None
    overdue: bool = Field(description="open and its due date has passed")
    stalled: bool = Field(description="open, and no update nor contact with the target for stall_days")
    last_activity: date = Field(description="latest of its last update and our last contact with the target")
    idle_days: int
    reached: bool = Field(description="one of ours knows the target at the coverage threshold now")
    best_strength: float = Field(description="our strongest effective tie to the target now (0: none)")
    path_strength: float | None = Field(
        description="the linked path's strength now (None: no path linked, or one of its ties is gone)"
    )
    flags: list[Sentence] = Field(description="overdue, stalled, path broken: in words")


class PlanProgress(_Model):
    plan: str
    account: str
    name: str
    on: date = Field(description="the date the graph was read for")
    status: PlanStatus = Field(
        description="done (every goal met); off_track (a goal missed its date); at_risk (an overdue or stalled "
        "action); on_track"
    )
    goals_met: int
    goals: list[GoalProgress]
    actions_open: int
    actions_done: int
    overdue: int
    stalled: int
    action_progress: list[ActionProgress]
    coverage: float = Field(description="the account's coverage score on that date")
    stall_days: int
    explanation: Sentence
