"""The results of the algorithms: pydantic models that carry their own explanation.

Every score comes with its parts and every path hop with its reason, so a planner can see *why*. The
models serialise to JSON as they are (`model_dump(mode="json")`), which is what `--json` and the HTTP API
return.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidatorFunctionWrapHandler, WrapValidator

from accountgraph.algorithms.params import Options
from accountgraph.i18n.phrase import Phrase


def _keep_phrase(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    return value if isinstance(value, Phrase) else handler(value)


Text = Annotated[str, WrapValidator(_keep_phrase)]
"""A sentence for a person: a `str` (its English text in JSON) that stays the `Phrase` the algorithm built, so
that `accountgraph.i18n.phrase.say` can show it in the language of the moment."""

_FIELDS: dict[type[BaseModel], frozenset[str]] = {}


class _Result(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @classmethod
    def built(cls, **values: Any) -> Self:
        """The result of values the algorithm made itself, complete and valid: every field given, no check.

        What `model_construct` does for such values, without its per-field loop over defaults and aliases
        (about ten times faster; ranking 10k people builds 40k of these). A missing or unknown field is a
        programming error and raises.
        """
        fields = _FIELDS.get(cls)
        if fields is None:
            fields = _FIELDS[cls] = frozenset(cls.model_fields)
        if values.keys() != fields:
            raise TypeError(f"{cls.__name__}.built needs exactly its fields; got {sorted(values)}")
        model = cls.__new__(cls)
        object.__setattr__(model, "__dict__", values)
        object.__setattr__(model, "__pydantic_fields_set__", set(values))
        object.__setattr__(model, "__pydantic_extra__", None)
        object.__setattr__(model, "__pydantic_private__", None)
        return model


# ---- strength -------------------------------------------------------------------------------------


class TieStrength(_Result):
    """The effective strength of one relationship and how it was reached."""

    a: str = Field(description="one end (our team member when one end is ours)")
    b: str = Field(description="the other end")
    stated: float = Field(description="the strength recorded on the tie")
    interactions: int = Field(description="logged interactions between the two")
    activity: float = Field(description="interaction weight (kind × sentiment, aged relative to the last contact)")
    boosted: float = Field(description="stated strength moved by the activity")
    last_contact: date | None = Field(description="latest of last_contact and the interactions")
    age_days: float | None = Field(description="days from the last contact to the reference time")
    decay: float = Field(description="2^(−age / half-life); 1 when no contact date is known")
    effective: float
    stale: bool
    explanation: Text


# ---- ranking --------------------------------------------------------------------------------------


class AuthorityPart(_Result):
    level: int | None
    level_score: float
    span: int = Field(description="people below in the reporting line")
    span_score: float
    roles: list[str]
    role_score: float
    value: float = Field(description="the authority part, 0..1")


class InfluencePart(_Result):
    pagerank: float = Field(description="PageRank on INFLUENCES walked toward who sways (sums to 1)")
    sways: int = Field(description="people this person influences")
    value: float = Field(description="min–max scaled PageRank, 0..1")


class BrokeragePart(_Result):
    betweenness: float = Field(description="normalised betweenness on the informal network")
    value: float = Field(description="betweenness divided by the largest, 0..1")


class PersonRank(_Result):
    rank: int
    id: str
    name: str
    company: str | None
    department: str | None
    title: str | None
    stance: str
    score: float = Field(description="w_a·authority + w_i·influence + w_b·brokerage, 0..1")
    authority: AuthorityPart
    influence: InfluencePart
    brokerage: BrokeragePart
    explanation: Text


class RankMethod(_Result):
    weights: dict[str, float] = Field(description="normalised weights of authority, influence, brokerage")
    pagerank_iterations: int
    pagerank_converged: bool
    pagerank_residual: float
    betweenness: Literal["exact", "sampled"]
    betweenness_sources: int
    seed: int
    informal_edges: int
    influence_edges: int


class Ranking(_Result):
    account: str
    as_of: date
    reference: datetime
    people: list[PersonRank]
    method: RankMethod


# ---- paths ----------------------------------------------------------------------------------------

TieKind = Literal["KNOWS", "INFLUENCES", "INFLUENCED_BY", "REPORTS_TO", "MANAGES"]


class Hop(_Result):
    source: str
    source_name: str
    target: str
    target_name: str
    tie: TieKind = Field(
        description="KNOWS; INFLUENCES (source sways target); INFLUENCED_BY (target sways source, walked "
        "backwards); REPORTS_TO (source reports to target); MANAGES (target reports to source)"
    )
    strength: float = Field(description="the hop's strength (its cost is −ln strength)")
    stated: float | None = Field(description="the strength recorded on the tie (None for a reporting line)")
    last_contact: date | None
    age_days: float | None
    stale: bool
    explanation: Text
    through_opponent: bool = Field(
        default=False,
        description="the hop is carried by an opponent or blocker of the account (its source, an intermediary "
        "of the path): the path relies on someone who works against us",
    )


class Starter(_Result):
    member: str = Field(description="one of ours with a tie to the route's first person of the account")
    member_name: str
    strength: float = Field(description="the route's strength when this member starts it")


class ContactPath(_Result):
    member: str = Field(description="our team member the path starts from")
    member_name: str
    target: str
    strength: float = Field(description="product of the hop strengths")
    hops: list[Hop]
    explanation: Text
    starters: list[Starter] = Field(
        default_factory=list,
        description="our people who can start the path's route (a tie to its first person of the account), "
        "strongest first, with the strength each would give",
    )


class PathResult(_Result):
    account: str
    as_of: date
    target: str
    target_name: str
    source: str | None = Field(description="the member asked for, or None for the whole team")
    reachable: bool
    reason: Text = Field(description="why there is no path, or a summary of the best one")
    paths: list[ContactPath] = Field(
        description="distinct routes through the account, best first (no two pass the same people of the "
        "account in the same order; who of ours can start each is in its `starters`)"
    )
    k: int
    max_hops: int | None
    avoid_opponents: bool
    avoided: list[str] = Field(description="opponents and blockers kept off the paths")
    disjoint: bool = Field(default=False, description="the routes share no person of the account (the target excepted)")


# ---- coverage -------------------------------------------------------------------------------------

Layer = Literal["key", "organisational", "broad"]


class CoveredPerson(_Result):
    id: str
    name: str
    company: str | None
    department: str | None
    roles: list[str]
    stance: str
    layer: Layer
    rank: int
    weight: float
    best_strength: float = Field(description="strongest effective strength of a tie with one of ours (0: none)")
    covered: bool
    members: list[str] = Field(description="our members holding a tie at or above the threshold")
    why: list[Text] = Field(description="why this person is in the decision chain")


class Breakdown(_Result):
    key: str
    label: str
    people: int
    covered: int
    weight: float
    covered_weight: float
    score: float = Field(description="0..100")


GapKind = Literal[
    "uncovered_person",
    "company_without_contact",
    "role_without_supporter",
    "single_threaded",
    "opponent_in_decision_role",
]


class Gap(_Result):
    kind: GapKind
    subject: str = Field(description="a person id, a company id or a role")
    name: str
    importance: float = Field(description="the coverage share at stake (0..100) or the subject's weight")
    detail: Text


class Coverage(_Result):
    account: str
    as_of: date
    reference: datetime
    score: float = Field(description="0..100: rank-weighted share of the decision chain we reach")
    threshold: float
    chain_size: int
    covered_count: int
    by_layer: list[Breakdown]
    by_role: list[Breakdown]
    by_company: list[Breakdown]
    by_department: list[Breakdown]
    people: list[CoveredPerson] = Field(description="chain members, best ranked first (at most max_listed)")
    gaps: list[Gap] = Field(description="the most important gaps first (at most max_listed)")
    gap_count: int = Field(description="how many gaps there are in all")
    explanation: Text


# ---- what-if --------------------------------------------------------------------------------------


class PersonRef(_Result):
    id: str
    name: str
    kind: Literal["person", "team"]
    company: str | None = None


class ArticulationPerson(_Result):
    id: str
    name: str
    kind: Literal["person", "team"]
    cut_off: int = Field(description="people of the account we would lose every path to without them")
    examples: list[str] = Field(description="a few of those people (ids, best ranked first)")


class WhatIf(_Result):
    account: str
    as_of: date
    removed: PersonRef
    coverage_before: float
    coverage_after: float
    delta: float
    lost_people: list[PersonRef] = Field(description="people we would lose every path to")
    newly_uncovered: list[PersonRef] = Field(description="chain members no longer covered")
    articulation: list[ArticulationPerson] = Field(
        description="single points of failure of our relationship network (before the removal)"
    )
    explanation: Text


# ---- actions --------------------------------------------------------------------------------------


class Action(_Result):
    priority: int
    kind: Literal["reach", "reengage", "second_thread"]
    target: str
    target_name: str
    company: str | None
    why: list[Text]
    member: str | None = Field(description="who of ours should act (the first hop of the path)")
    member_name: str | None
    path: ContactPath | None
    coverage_gain: float = Field(description="coverage points gained (or protected) when it works")
    success: float = Field(description="the chance we give it: the path strength (cold approach otherwise)")
    expected_gain: float = Field(description="coverage_gain × success")
    plan: Text


class Connector(_Result):
    id: str
    name: str
    kind: Literal["person", "team"]
    paths: int = Field(description="best paths from our team to the decision chain that run through them")
    share: float = Field(description="those paths as a share of every best path to the chain, 0..1")
    actions: int = Field(description="actions of the plan whose path runs through them (as owner or intermediary)")
    single_point: bool = Field(
        description="a single point of failure themselves: an articulation person of our network, or a person "
        "of the account only one of ours has a tie with"
    )
    explanation: Text


class ActionPlan(_Result):
    account: str
    as_of: date
    coverage: float
    actions: list[Action]
    explanation: Text
    capacity: int = Field(default=3, description="the most actions one member is given while a colleague can act")
    overloaded: list[Connector] = Field(
        default_factory=list,
        description="overloaded connectors: people too many of the account's best paths depend on, most first",
    )


# ---- risk -----------------------------------------------------------------------------------------


class RiskItem(_Result):
    id: str
    company: str
    company_name: str
    kind: str
    severity: int
    amount: str | None
    currency: str | None
    at: date
    age_days: float
    summary: str | None
    depth: int = Field(description="levels below the group's root company")
    score: float = Field(description="the event's own weight")
    contribution: float = Field(description="its weight at the group level (× attenuation^depth)")
    parts: dict[str, float]


class CompanyRisk(_Result):
    id: str
    name: str
    depth: int
    own: float
    rolled_up: float
    events: int


class Alert(_Result):
    risk: str
    company: str
    level: Literal["high", "medium"]
    message: Text


class RiskReport(_Result):
    account: str
    as_of: date
    score: float = Field(description="0..100")
    rolled_up: float
    companies: list[CompanyRisk]
    events: list[RiskItem]
    alerts: list[Alert]
    explanation: Text


# ---- the whole analysis ---------------------------------------------------------------------------


class Analysis(_Result):
    """Ranking, coverage, actions and risk of one account, with the options that produced them."""

    ranking: Ranking
    coverage: Coverage
    actions: ActionPlan
    risk: RiskReport
    options: Options
