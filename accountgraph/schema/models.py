"""Pydantic v2 models of every node and edge kind, and of the import/export bundle.

This module imports nothing of ours: it is the vocabulary every other part of the package speaks.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    field_validator,
    model_validator,
)

BUNDLE_FORMAT = "accountgraph-bundle"
BUNDLE_VERSION = 1
MAX_ID_LENGTH = 200
MAX_TEXT_LENGTH = 10_000


def _check_id(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty or blank")
    if value != value.strip():
        raise ValueError("must not start or end with whitespace")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise ValueError("must not contain control characters")
    return value


ID_PATTERN = r"^[^\s\x00-\x1f\x7f]([^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f])?$"
"""What `_check_id` enforces, as a JSON Schema pattern (stated in the API's schema; not used to validate)."""
ID_RULES = "1–200 characters, any but control characters, not starting or ending with whitespace"

Id = Annotated[
    str,
    StringConstraints(min_length=1, max_length=MAX_ID_LENGTH),
    AfterValidator(_check_id),
    Field(json_schema_extra={"pattern": ID_PATTERN}),
]
"""A user-given identifier, kept verbatim: non-blank, at most 200 characters, no control characters."""


def decimal_text(value: Any) -> Any:
    """Refuse a JSON number where money (or a ledger quantity) is expected: it travels as a decimal string.

    A float has lost digits before any check could see it (12345678901234567.89 arrives as
    12345678901234568), so numbers are refused everywhere money is read from JSON (bundles, API bodies);
    strings and, from Python, `Decimal` pass on to the field's own validation.
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError("give amounts and quantities as decimal strings such as '1250.00', never JSON numbers")
    return value


MoneyAmount = Annotated[Decimal, Field(allow_inf_nan=False, max_digits=28)]
"""An amount of money: a decimal string in JSON (never a number), a `Decimal` in Python."""

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1_000)]
Text = Annotated[str, StringConstraints(max_length=MAX_TEXT_LENGTH)]
Strength = Annotated[float, Field(gt=0.0, le=1.0, allow_inf_nan=False)]
_CURRENCY = re.compile(r"^[A-Z]{3}$")


class Role(StrEnum):
    """Decision-chain roles of a person (several allowed)."""

    DECISION_MAKER = "decision_maker"
    ECONOMIC_BUYER = "economic_buyer"
    TECHNICAL_BUYER = "technical_buyer"
    USER_BUYER = "user_buyer"
    INFLUENCER = "influencer"
    CHAMPION = "champion"
    COACH = "coach"
    GATEKEEPER = "gatekeeper"
    BLOCKER = "blocker"


class Stance(StrEnum):
    """A person's stance toward us."""

    SUPPORTER = "supporter"
    NEUTRAL = "neutral"
    OPPONENT = "opponent"
    UNKNOWN = "unknown"


class TeamFunction(StrEnum):
    """Functions of our own people: the iron triangle and the rest."""

    ACCOUNT_MANAGER = "account_manager"
    SOLUTION_EXPERT = "solution_expert"
    DELIVERY_MANAGER = "delivery_manager"
    EXECUTIVE = "executive"
    OTHER = "other"


class InteractionKind(StrEnum):
    MEETING = "meeting"
    CALL = "call"
    EMAIL = "email"
    VISIT = "visit"
    EVENT = "event"


class Direction(StrEnum):
    """Who wrote an e-mail: `out` our team member, `in` the customer's person."""

    OUT = "out"
    IN = "in"


class RiskKind(StrEnum):
    LITIGATION = "litigation"
    FINANCIAL = "financial"
    CREDIT = "credit"
    NEWS = "news"
    COMPLIANCE = "compliance"


class TieType(StrEnum):
    """The ties a bundle carries. `reports_to` and `parent` are fields of their nodes, not ties."""

    KNOWS = "knows"
    INFLUENCES = "influences"


class NodeKind(StrEnum):
    """Node kinds that share one id space (a tie endpoint is found by id alone)."""

    COMPANY = "company"
    PERSON = "person"
    TEAM = "team"


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False, populate_by_name=True)


class Company(_Record):
    """A legal entity of a customer group; `parent` builds the group hierarchy (the customer tree)."""

    id: Id
    name: Name
    parent: Id | None = None
    industry: Text | None = None
    region: Text | None = None
    country: Text | None = None


class PersonState(_Record):
    """A person's decision roles and stance from `since` on (None: from the first record)."""

    since: date | None = None
    roles: list[Role] = Field(default_factory=list)
    stance: Stance = Stance.UNKNOWN

    @field_validator("roles")
    @classmethod
    def _unique_roles(cls, roles: list[Role]) -> list[Role]:
        return sorted(set(roles))


class Person(_Record):
    """A contact at a customer company.

    `roles` and `stance` are the current state. `history` keeps every earlier state with the date it
    became true; the store appends to it when roles or stance change (dated `changed_on`, default today),
    so the power map can be read as of a past date. `since` and `until` are when the person joined and
    left the customer company (None: known from the first record on, still there); the power map of a
    date holds the people there on that date, `since <= date < until`.
    """

    id: Id
    name: Name
    company: Id
    title: Text | None = None
    department: Text | None = None
    level: Annotated[int, Field(ge=1, le=50)] | None = None
    reports_to: Id | None = None
    roles: list[Role] = Field(default_factory=list)
    stance: Stance = Stance.UNKNOWN
    email: Text | None = None
    phone: Text | None = None
    history: list[PersonState] = Field(default_factory=list)
    since: date | None = Field(default=None, description="when the person joined the company (None: always known)")
    until: date | None = Field(default=None, description="when the person left the company (None: still there)")
    changed_on: date | None = Field(
        default=None,
        description="When the given roles/stance became true, if they differ from the stored ones "
        "(default: today). Not stored itself.",
        exclude=True,
    )

    @field_validator("roles")
    @classmethod
    def _unique_roles(cls, roles: list[Role]) -> list[Role]:
        return sorted(set(roles))

    @model_validator(mode="after")
    def _check(self) -> Person:
        if self.reports_to is not None and self.reports_to == self.id:
            raise ValueError("a person cannot report to themselves")
        if self.since is not None and self.until is not None and self.until <= self.since:
            raise ValueError(
                f"`until` ({self.until.isoformat()}, when the person left) must be after "
                f"`since` ({self.since.isoformat()}, when they joined)"
            )
        dates = [s.since for s in self.history]
        if any(d is None for d in dates[1:]):
            raise ValueError("history: only the first state may have no `since` date")
        known = [d for d in dates if d is not None]
        if known != sorted(known) or len(set(known)) != len(known):
            raise ValueError("history: states must be in strictly increasing `since` order")
        return self

    def present_on(self, on: date) -> bool:
        """Whether the person is at the company on `on`: `since <= on < until` (a missing end is open)."""
        return (self.since is None or self.since <= on) and (self.until is None or on < self.until)

    def state_on(self, on: date | None) -> PersonState:
        """Roles and stance true on `on` (None: now)."""
        if on is None or not self.history:
            return PersonState(roles=self.roles, stance=self.stance)
        current: PersonState | None = None
        for state in self.history:
            if state.since is None or state.since <= on:
                current = state
        if current is None:  # before the first dated state: the earliest one is all we know
            current = self.history[0]
        return current


EmailAddress = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=320)]


class TeamMember(_Record):
    """One of our own people: `email` is the main address, `emails` every other one (mail and calendar capture
    knows the member by any of them, case-insensitively)."""

    id: Id
    name: Name
    function: TeamFunction = TeamFunction.OTHER
    title: Text | None = None
    email: Text | None = None
    emails: list[EmailAddress] = Field(
        default_factory=list, description="the member's other e-mail addresses (aliases, old addresses)"
    )

    @field_validator("emails")
    @classmethod
    def _check_emails(cls, emails: list[str]) -> list[str]:
        seen: set[str] = set()
        out = []
        for address in emails:
            if "@" not in address or any(ch.isspace() for ch in address):
                raise ValueError(f"not an e-mail address: {address!r}")
            if address.casefold() not in seen:
                seen.add(address.casefold())
                out.append(address)
        return out

    def addresses(self) -> list[str]:
        """Every address of the member (`email` first), case-folded, without repeats."""
        found = [a.strip().casefold() for a in [self.email or "", *self.emails] if a.strip()]
        return list(dict.fromkeys(found))


class Tie(_Record):
    """A `knows` (symmetric) or `influences` (directed: `from` sways `to`) relationship.

    A tie ended by `until` stays as history; deleting a tie is for mistakes.
    """

    from_: Id = Field(alias="from")
    to: Id
    type: TieType
    strength: Strength = 0.5
    since: date | None = None
    until: date | None = None
    last_contact: date | None = None
    note: Text | None = None

    @model_validator(mode="after")
    def _check(self) -> Tie:
        if self.from_ == self.to:
            raise ValueError("a tie needs two different endpoints")
        if self.since and self.until and self.until < self.since:
            raise ValueError("`until` is before `since`")
        if self.type is TieType.KNOWS and self.to < self.from_:
            # knows is symmetric: one canonical orientation, so (a, b) and (b, a) are the same tie
            self.from_, self.to = self.to, self.from_
        return self

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.type.value, self.from_, self.to)

    def active_on(self, on: date) -> bool:
        return (self.since is None or self.since <= on) and (self.until is None or self.until > on)


class Interaction(_Record):
    """A logged touch between one of our team members and a person."""

    id: Id
    member: Id
    person: Id
    kind: InteractionKind
    at: datetime
    sentiment: Annotated[int, Field(ge=-1, le=1)] = 0
    note: Text | None = None
    direction: Direction | None = Field(
        default=None,
        description="an e-mail's direction: out (our member wrote to the person), in (the person wrote to our "
        "member); none for other kinds",
    )

    @field_validator("at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        try:
            return value.astimezone(UTC)
        except OverflowError as err:
            raise ValueError("date out of range") from err


class RiskEvent(_Record):
    """Something that threatens an account, attached to one company of its tree."""

    id: Id
    company: Id
    kind: RiskKind
    severity: Annotated[int, Field(ge=1, le=5)] = 3
    amount: Annotated[MoneyAmount | None, BeforeValidator(decimal_text)] = None  # a decimal string, never a number
    currency: str | None = None
    at: date
    summary: Text | None = None

    @model_validator(mode="after")
    def _check(self) -> RiskEvent:
        if self.currency is not None and not _CURRENCY.match(self.currency):
            raise ValueError("currency must be an ISO 4217 code such as EUR")
        if self.amount is not None and self.currency is None:
            raise ValueError("an amount needs a currency")
        return self


class Bundle(_Record):
    """The import/export document: every list optional; `reports_to` and `parent` are fields."""

    format: str = BUNDLE_FORMAT
    version: int = BUNDLE_VERSION
    companies: list[Company] = Field(default_factory=list)
    people: list[Person] = Field(default_factory=list)
    team: list[TeamMember] = Field(default_factory=list)
    ties: list[Tie] = Field(default_factory=list)
    interactions: list[Interaction] = Field(default_factory=list)
    risks: list[RiskEvent] = Field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {name: len(getattr(self, name)) for name in BUNDLE_LISTS}

    def sorted(self) -> Bundle:
        """A copy with every list in id order, so two bundles compare equal regardless of order."""
        return self.model_copy(
            update={
                "companies": sorted(self.companies, key=lambda r: r.id),
                "people": sorted(self.people, key=lambda r: r.id),
                "team": sorted(self.team, key=lambda r: r.id),
                "ties": sorted(self.ties, key=lambda r: r.key),
                "interactions": sorted(self.interactions, key=lambda r: r.id),
                "risks": sorted(self.risks, key=lambda r: r.id),
            }
        )


BUNDLE_LISTS: tuple[str, ...] = ("companies", "people", "team", "ties", "interactions", "risks")
RECORD_MODELS: dict[str, type[BaseModel]] = {
    "companies": Company,
    "people": Person,
    "team": TeamMember,
    "ties": Tie,
    "interactions": Interaction,
    "risks": RiskEvent,
}


class ApiRole(StrEnum):
    """What an API key may do: viewers read, planners also write, admins also manage keys."""

    VIEWER = "viewer"
    PLANNER = "planner"
    ADMIN = "admin"


class ApiKey(_Record):
    """A stored API key: only the SHA-256 of its secret is kept; the key itself is shown once."""

    id: Id
    name: Text | None = None
    role: ApiRole
    accounts: list[Id] = Field(default_factory=list, description="the accounts it may see; empty: all")
    secret_hash: str
    created_at: datetime
    revoked_at: datetime | None = None


def _keep_said(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    return value if isinstance(value, str) and type(value) is not str else handler(value)


Reason = Annotated[str, WrapValidator(_keep_said)]
"""A reason for a person: a `str` (its English text in JSON) that stays the subclass it was made as (a sentence
`accountgraph.i18n.phrase.say` can show in the reader's language; this module imports nothing of ours)."""


class BundleIssue(BaseModel):
    """One reason a bundle (or a single write) was refused."""

    record: str = Field(description="the bundle list: companies, people, team, ties, interactions, risks")
    index: int | None = Field(default=None, description="position in that list, when known")
    id: str | None = Field(default=None, description="the record's id (a tie: type:from->to)")
    field: str | None = None
    reason: Reason
    code: str = Field(
        default="invalid",
        description="invalid (a bad value), reference (names a record that does not exist), "
        "conflict (a cycle, a duplicate, an id used by another kind)",
    )

    def __str__(self) -> str:
        where = self.record
        if self.index is not None:
            where += f"[{self.index}]"
        if self.id is not None:
            where += f" id={self.id!r}"
        if self.field:
            where += f" field {self.field!r}"
        return f"{where}: {self.reason}"


def today() -> date:
    return datetime.now(UTC).date()


def json_default(value: Any) -> Any:
    """`json.dumps` default for the few non-JSON types in our records."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
