"""The tunable parameters of every algorithm, with their defaults, as frozen pydantic models.

Every default is written here once and shown by `--json` results (`Options.model_dump()`), so a number
on screen can always be traced back to the formula and the parameters that produced it.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

Fraction = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]
Positive = Annotated[float, Field(gt=0.0, allow_inf_nan=False)]
NonNegative = Annotated[float, Field(ge=0.0, allow_inf_nan=False)]


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StrengthParams(_Params):
    """Effective strength of a tie: stated strength, boosted by interactions, decayed since the last contact.

    ``activity = Σ kind_weight[kind] · sentiment_factor[sentiment] · 2^(−(t_last − t_i) / half_life)`` over the
    interactions of the tie (each weighed by how long before the last contact it happened);
    ``boosted = s + (1 − s)(1 − e^(−activity / saturation))`` (activity ≥ 0) or ``s · e^(activity / saturation)``
    (net negative activity); ``effective = boosted · 2^(−age / half_life)`` where ``age`` is the days from the
    last contact (the latest of `last_contact` and the interactions) to the reference time. A tie with no
    contact date at all does not decay (its age is unknown). Stale: ``age > stale_after_days``.
    """

    half_life_days: Positive = 180.0
    stale_after_days: NonNegative = 365.0
    saturation: Positive = 3.0
    kind_weights: dict[str, NonNegative] = Field(
        default_factory=lambda: {"meeting": 1.0, "visit": 1.0, "event": 0.5, "call": 0.5, "email": 0.25}
    )
    sentiment_factors: dict[int, float] = Field(default_factory=lambda: {1: 1.5, 0: 1.0, -1: -1.0})
    floor: Positive = 1e-6
    """The smallest effective strength (keeps −log strength finite)."""


class CaptureParams(_Params):
    """The strength a tie gets from captured mail and meetings: DotAlign's published person-to-person score
    (help.dotalign.com, "Scoring Mechanics"), divided by 100 to be a strength in (0, 1].

    ``points = 1 + email_points · min(out, in) + meeting_points · meetings`` (a reciprocated e-mail is the lesser
    of the e-mails our member sent the person and those the person sent our member; meetings that took place by
    the reference time); ``multiplier = 1 − (primary_share · min(1, days / primary_days) + (1 − primary_share) ·
    min(1, days / secondary_days))``, ``days`` since the last interaction (the last meeting or the earlier of the
    last e-mail out and the last e-mail in, whichever is later); ``score = max(1, min(cap, points) · multiplier)``;
    ``strength = score / cap``.
    """

    email_points: NonNegative = 1.0
    meeting_points: NonNegative = 3.0
    cap: Positive = 100.0
    primary_share: Fraction = 0.75
    primary_days: Positive = 730.0
    secondary_days: Positive = 2190.0


class AuthorityWeights(_Params):
    """How the formal-authority part mixes its three parts (normalised to sum 1)."""

    level: NonNegative = 0.4
    span: NonNegative = 0.3
    role: NonNegative = 0.3


DEFAULT_ROLE_WEIGHTS: dict[str, float] = {
    "decision_maker": 1.0,
    "economic_buyer": 0.9,
    "technical_buyer": 0.6,
    "blocker": 0.6,
    "influencer": 0.5,
    "user_buyer": 0.4,
    "champion": 0.4,
    "gatekeeper": 0.3,
    "coach": 0.2,
}


class RankParams(_Params):
    """Key-people ranking: ``score = w_a · authority + w_i · influence + w_b · brokerage`` (weights normalised).

    * ``authority = a_level · level_score + a_span · span_score + a_role · role_score`` with
      ``level_score = (L_max − L) / (L_max − L_min)`` over the account's people with a level (1 is the top;
      1.0 when all share one level, 0 when unknown), ``span_score = ln(1 + span) / ln(1 + max span)`` (span:
      everyone below in the reporting line) and ``role_score`` the largest role weight held.
    * ``influence``: PageRank (``alpha``) on the people's `INFLUENCES` ties walked backwards (from the swayed
      to who sways them), weighted by effective strength, min–max scaled to 0..1.
    * ``brokerage``: betweenness on the informal network (`KNOWS` and `INFLUENCES` among the customer's
      people, undirected, unweighted), divided by the largest. Exact up to ``betweenness_exact_max``
      people, above that estimated from sources drawn with ``seed``: ``betweenness_samples`` of them, fewer
      when that would visit more than ``betweenness_budget`` arcs (sources × arcs), never fewer than
      ``betweenness_min_samples``, unless the view was given the exact values of its structure
      (`AccountView.use_exact_betweenness`; the services compute them once per structure, `services.exact`).
    """

    authority: NonNegative = 0.4
    influence: NonNegative = 0.35
    brokerage: NonNegative = 0.25
    authority_weights: AuthorityWeights = Field(default_factory=AuthorityWeights)
    role_weights: dict[str, NonNegative] = Field(default_factory=lambda: dict(DEFAULT_ROLE_WEIGHTS))
    alpha: Annotated[float, Field(gt=0.0, lt=1.0)] = 0.85
    pagerank_tol: Positive = 1e-12
    """Stop when the L1 change of the PageRank vector is below this (absolute, not scaled by N)."""
    pagerank_max_iter: Annotated[int, Field(ge=1)] = 10_000
    betweenness_exact_max: Annotated[int, Field(ge=0)] = 1000
    betweenness_samples: Annotated[int, Field(ge=1)] = 256
    betweenness_min_samples: Annotated[int, Field(ge=1)] = 32
    betweenness_budget: Annotated[int, Field(ge=1)] = 30_000_000
    seed: int = 0

    @model_validator(mode="after")
    def _some_weight(self) -> RankParams:
        if self.authority + self.influence + self.brokerage <= 0:
            raise ValueError("at least one of authority, influence, brokerage must have a positive weight")
        return self


class CoverageParams(_Params):
    """Coverage: ``100 · Σ_chain w_p · [best strength_p ≥ threshold] / Σ_chain w_p`` with ``w_p`` the rank score.

    The decision chain: everyone with a decision role, the ``top_n`` best-ranked people, and the head of
    every company and department. Layers: *key* (the ``key_n`` best-ranked and every decision maker or
    economic buyer), *organisational* (heads of a company or department not in the key layer), *broad* (the
    rest of the chain).
    """

    threshold: Fraction = 0.3
    top_n: Annotated[int, Field(ge=0)] = 20
    key_n: Annotated[int, Field(ge=0)] = 10
    min_weight: Positive = 1e-3
    """Every chain member weighs at least this, so a person with a zero score still counts."""
    max_listed: Annotated[int, Field(ge=0)] = 500
    """How many chain members and gaps a result lists, most important first (the score covers everyone)."""


class PathParams(_Params):
    """How ties become hops of a contact path (each hop's strength is in (0, 1]; cost −ln strength).

    `KNOWS` goes both ways at its effective strength; `INFLUENCES` a → b goes from a to b at its effective
    strength and back at ``reverse_influence_factor`` times that; a reporting line goes both ways at
    ``reports_to_strength``.
    """

    reports_to_strength: Annotated[float, Field(gt=0.0, le=1.0)] = 0.6
    reverse_influence_factor: Fraction = 0.5


class ActionParams(_Params):
    """Next best actions: ``expected gain = coverage gain if reached × path strength``.

    A single-threaded relationship of the chain gets a second-thread action worth
    ``coverage share × departure_risk`` (the coverage it protects).

    The plan is one a team can carry: the actions are taken best first, and an action whose owner already
    holds ``capacity`` of them goes to the best-placed colleague with room (their own best path, so its
    expected gain is recomputed and it takes its place again); it stays with a full member only when
    nobody else of ours has a warm path to the target. The default, 3 open actions per member, spreads the
    default 10 actions over at least four people, and is about what a salesperson can follow up alongside
    their deals in a 30-day plan (a warm introduction takes a few meetings and some chasing).

    Paths prefer intermediaries who are not themselves a single point of failure (a person of the account
    only one of ours has a tie with, or an articulation person of our network, see `whatif.py`): each such
    intermediary counts as ``single_point_factor`` times its hop's strength when the path is chosen, so a
    path through one is taken only when it is more than ``1 / single_point_factor`` (1.25) times as strong
    as the best path without. The action's success is the path's real strength.

    Overloaded connectors: our people or the account's people that at least ``overload_share`` of the best
    paths to the decision chain run through (and at least ``overload_min`` of them).
    """

    limit: Annotated[int, Field(ge=1)] = 10
    departure_risk: Fraction = 0.2
    cold_strength: Fraction = 0.05
    """The success chance assumed for a cold approach (no warm path)."""
    capacity: Annotated[int, Field(ge=1)] = 3
    """The most actions one member of ours is given while a colleague with room has a warm path."""
    single_point_factor: Annotated[float, Field(gt=0.0, le=1.0)] = 0.8
    overload_share: Fraction = 0.25
    overload_min: Annotated[int, Field(ge=1)] = 3


class RiskParams(_Params):
    """Account risk: events weighed by severity, amount and recency, rolled up the company tree.

    ``event = severity / 5 · kind_weight · (1 + min(amount_cap, log10(1 + amount / amount_unit))) ·
    2^(−age / half_life)``; a company's rolled-up risk is its own events plus ``attenuation`` times its
    subsidiaries' rolled-up risk; ``score = 100 · (1 − e^(−rolled(root) / scale))``. An event is an alert
    when its share of the group's risk (``event · attenuation^depth``) is at least ``alert_at``.
    Amounts are taken at face value in their currency unless ``fx_rates`` (currency → factor) is given.
    """

    half_life_days: Positive = 365.0
    attenuation: Fraction = 0.7
    amount_unit: Positive = 1_000_000.0
    amount_cap: NonNegative = 2.0
    scale: Positive = 1.0
    alert_at: NonNegative = 0.25
    kind_weights: dict[str, NonNegative] = Field(
        default_factory=lambda: {
            "litigation": 1.0,
            "financial": 1.0,
            "credit": 1.0,
            "compliance": 0.9,
            "news": 0.5,
        }
    )
    fx_rates: dict[str, Positive] = Field(default_factory=dict)


class Options(_Params):
    """Every parameter of the analysis in one place."""

    strength: StrengthParams = Field(default_factory=StrengthParams)
    rank: RankParams = Field(default_factory=RankParams)
    coverage: CoverageParams = Field(default_factory=CoverageParams)
    paths: PathParams = Field(default_factory=PathParams)
    actions: ActionParams = Field(default_factory=ActionParams)
    risk: RiskParams = Field(default_factory=RiskParams)
