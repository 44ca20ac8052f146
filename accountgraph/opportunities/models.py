"""Opportunities (deals) of an account, each with its own buying committee, and the sales pipeline.

An opportunity is a document (kind ``opportunity``), stored through `GraphStore.documents` like a
quote, so it works on every backend and every change is one atomic, versioned write. Its amount is a
`Decimal` with a currency (never float). Its **buying committee** names people of the account with the
roles and stance they hold *for this deal*: they override the person's account-level roles and stance in
this opportunity's analyses only (a CFO can back one project and block another); a field left out
(``None``) keeps the account-level value. Stage changes are appended to ``stage_history`` with their time,
never overwritten.

The **pipeline** (document kind ``pipeline``, id ``default``) is configurable: the open stages in order, then
the two closing stages. Default: qualify → discover → propose → negotiate → won | lost.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, ClassVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from accountgraph.ledger.models import Currency, NonNegative
from accountgraph.schema.documents import DocumentModel
from accountgraph.schema.models import Id, Name, Role, Stance

__all__ = [
    "DEFAULT_STAGES",
    "CommitteeMember",
    "Opportunity",
    "Pipeline",
    "StageChange",
]

DEFAULT_STAGES: tuple[str, ...] = ("qualify", "discover", "propose", "negotiate")
"""The open stages of the default pipeline, in order."""

StageName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]


class Pipeline(DocumentModel):
    """The stages an opportunity moves through: open stages in order, then won or lost (final)."""

    kind: ClassVar[str] = "pipeline"
    id: Id = "default"
    stages: list[StageName] = Field(default_factory=lambda: list(DEFAULT_STAGES), min_length=1)
    won: StageName = "won"
    lost: StageName = "lost"

    @model_validator(mode="after")
    def _distinct(self) -> Pipeline:
        names = [*self.stages, self.won, self.lost]
        if len(set(names)) != len(names):
            raise ValueError("stage names must be distinct (open stages, won and lost)")
        return self

    @property
    def all_stages(self) -> list[str]:
        return [*self.stages, self.won, self.lost]

    def is_closed(self, stage: str) -> bool:
        return stage in (self.won, self.lost)

    def position(self, stage: str) -> float:
        """How far along the open stages `stage` is: 0 for the first, 1 for the last (and for won/lost)."""
        if stage in self.stages:
            n = len(self.stages)
            return self.stages.index(stage) / (n - 1) if n > 1 else 1.0
        return 1.0


class CommitteeMember(BaseModel):
    """A person of the buying committee; `roles` / `stance` override the account-level ones for this deal."""

    model_config = ConfigDict(extra="forbid")
    person: Id
    roles: list[Role] | None = Field(default=None, description="roles in this deal (None: the account-level roles)")
    stance: Stance | None = Field(default=None, description="stance in this deal (None: the account-level stance)")

    @model_validator(mode="after")
    def _unique_roles(self) -> CommitteeMember:
        if self.roles is not None and len(set(self.roles)) != len(self.roles):
            raise ValueError("a role is listed twice")
        return self


class StageChange(BaseModel):
    """One entry of an opportunity's stage history."""

    model_config = ConfigDict(extra="forbid")
    stage: StageName
    at: datetime
    note: str | None = Field(default=None, max_length=2000)


class Opportunity(DocumentModel):
    """One deal of an account (see the module docstring)."""

    kind: ClassVar[str] = "opportunity"
    id: Id
    account: Id
    name: Name
    stage: StageName
    amount: NonNegative = Decimal(0)
    currency: Currency = "EUR"
    expected_close: date | None = None
    owner: Id | None = None  # a team member
    quotes: list[Id] = Field(default_factory=list)  # ledger quote ids (or quote numbers)
    committee: list[CommitteeMember] = Field(default_factory=list)
    stage_history: list[StageChange] = Field(default_factory=list)
    created_at: datetime
    closed_at: datetime | None = None
    features_at_close: dict[str, str] | None = None
    """The health features when the deal closed (decimal strings): what the win model is fitted on."""

    @model_validator(mode="after")
    def _committee_unique(self) -> Opportunity:
        people = [m.person for m in self.committee]
        if len(set(people)) != len(people):
            raise ValueError("a person is listed twice in the committee")
        return self

    def stage_entered(self) -> datetime:
        """When the current stage was entered (the last history entry, else creation)."""
        return self.stage_history[-1].at if self.stage_history else self.created_at

    def member(self, person: str) -> CommitteeMember | None:
        return next((m for m in self.committee if m.person == person), None)
