"""Opportunity operations: every function takes a `GraphStore` and works only through its documents.

Like the ledger's (`accountgraph.ledger.service`): each operation reads what it needs, checks the rules,
then writes in ONE unit of work carrying the version it read; when another writer got there first, the
operation starts again from fresh reads (`GraphStore.documents.retrying`). References are checked against
the graph: the account (a company id names its account), the owner (a team member), the committee (people
of the account) and the quotes (ledger quotes of the account, by id or number). A bad reference is refused
with every problem listed (`BundleRejected`, a 422 in the API); an illegal stage move is a `RuleViolation`
(409).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import partial
from typing import Any

from pydantic import ValidationError

from accountgraph.errors import BundleRejected, NotFoundError, RuleViolation
from accountgraph.graph.store import GraphStore, UnitOfWork
from accountgraph.i18n import N_
from accountgraph.i18n.phrase import Phrase
from accountgraph.opportunities.models import CommitteeMember, Opportunity, Pipeline, StageChange
from accountgraph.schema.models import BundleIssue
from accountgraph.services.analysis import ViewCache

__all__ = [
    "create_opportunity",
    "get_opportunity",
    "get_pipeline",
    "list_opportunities",
    "move_stage",
    "save_pipeline",
    "set_committee",
    "update_opportunity",
]

UPDATABLE = ("name", "amount", "currency", "expected_close", "owner", "quotes")
"""Fields `update_opportunity` changes (the stage moves with `move_stage`, the committee with `set_committee`)."""

FeatureHook = Callable[[GraphStore, Opportunity, Pipeline, str, datetime], dict[str, str]]
"""Computes the health features of a deal that is closing (from the open stage of the pipeline it leaves, at
that time)."""


def _now(at: datetime | None) -> datetime:
    if at is None:
        return datetime.now(UTC).replace(microsecond=0)
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _validated(data: dict[str, Any]) -> Opportunity:
    try:
        return Opportunity.model_validate(data)
    except ValidationError as e:
        issues = [
            BundleIssue(
                record="opportunity",
                id=str(data.get("id")) if data.get("id") is not None else None,
                field=".".join(map(str, x["loc"])) or None,
                reason=x["msg"],
            )
            for x in e.errors()
        ]
        raise BundleRejected(issues) from None


# ---- the pipeline -----------------------------------------------------------------------------
def get_pipeline(store: GraphStore) -> Pipeline:
    """The stored pipeline, or the default one (qualify → discover → propose → negotiate → won | lost)."""
    record = store.documents.get(Pipeline.kind, "default")
    return Pipeline() if record is None else Pipeline.model_validate(record.data)


def save_pipeline(store: GraphStore, pipeline: Pipeline) -> Pipeline:
    """Replace the pipeline. Refused while an open deal sits in a stage the new pipeline does not have."""
    for opp in list_opportunities(store):
        if opp.stage not in pipeline.all_stages:
            raise RuleViolation(
                Phrase(
                    N_("opportunity {id} is in stage {stage}, which the new pipeline lacks"),
                    id=repr(opp.id),
                    stage=repr(opp.stage),
                )
            )
    pipeline = pipeline.model_copy(update={"id": "default"})

    def attempt(uow: UnitOfWork) -> Pipeline:
        uow.get(Pipeline.kind, "default")
        uow.save(pipeline)
        return pipeline

    return store.documents.retrying(attempt)


# ---- reads ------------------------------------------------------------------------------------
def _load(uow: UnitOfWork, id: str) -> Opportunity:
    """The opportunity read in a unit of work (which remembers its version); NotFoundError when absent."""
    opp = uow.load(Opportunity, id)
    if opp is None:
        raise NotFoundError(Opportunity.kind, id)
    return opp


def get_opportunity(store: GraphStore, id: str) -> Opportunity:
    record = store.documents.get(Opportunity.kind, id)
    if record is None:
        raise NotFoundError(Opportunity.kind, id)
    return Opportunity.model_validate(record.data)


def list_opportunities(
    store: GraphStore, account: str | None = None, *, stage: str | None = None, open_only: bool = False
) -> list[Opportunity]:
    """Opportunities by id (of one account, in one stage, or only the open ones when asked)."""
    pipeline = get_pipeline(store) if open_only else None
    out = []
    for record in store.documents.list(Opportunity.kind, account):
        opp = Opportunity.model_validate(record.data)
        if stage is not None and opp.stage != stage:
            continue
        if pipeline is not None and pipeline.is_closed(opp.stage):
            continue
        out.append(opp)
    return out


# ---- reference checks -------------------------------------------------------------------------
def _account(store: GraphStore, company: str) -> str:
    try:
        return store.account_of(company)
    except NotFoundError:
        raise BundleRejected(
            [
                BundleIssue(
                    record="opportunity", field="account", reason=f"unknown account {company!r}", code="reference"
                )
            ]
        ) from None


def _check_refs(store: GraphStore, opp: Opportunity) -> None:
    """Every reference of `opp` resolves within its account; BundleRejected lists those that do not.

    A person or quote of another account is answered exactly as one that does not exist ("no ... in account"),
    so that a key limited to accounts learns nothing of others' ids."""
    issues: list[BundleIssue] = []

    def issue(field: str, reason: str) -> None:
        issues.append(BundleIssue(record="opportunity", id=opp.id, field=field, reason=reason, code="reference"))

    if opp.owner is not None:
        try:
            store.get_team_member(opp.owner)
        except NotFoundError:
            issue("owner", f"unknown team member {opp.owner!r}")
    companies: dict[str, str | None] = {}
    for i, member in enumerate(opp.committee):
        try:
            person = store.get_person(member.person)
        except NotFoundError:
            issue(f"committee.{i}.person", f"no person {member.person!r} in account {opp.account!r}")
            continue
        if person.company not in companies:
            try:
                companies[person.company] = store.account_of(person.company)
            except NotFoundError:
                companies[person.company] = None
        if companies[person.company] != opp.account:
            issue(f"committee.{i}.person", f"no person {member.person!r} in account {opp.account!r}")
    if opp.quotes:
        numbers: dict[str, str] = {}
        ids: dict[str, str] = {}
        for record in store.documents.list("quote"):
            ids[record.id] = str(record.data.get("account"))
            numbers[str(record.data.get("number"))] = str(record.data.get("account"))
        for i, quote in enumerate(opp.quotes):
            if ids.get(quote, numbers.get(quote)) != opp.account:
                issue(f"quotes.{i}", f"no quote {quote!r} in account {opp.account!r}")
    if issues:
        raise BundleRejected(issues)


def _check_stage(pipeline: Pipeline, stage: str, field: str = "stage") -> None:
    """An unknown stage is bad input (BundleRejected: a 422 in the API), not a broken rule."""
    if stage not in pipeline.all_stages:
        reason = f"unknown stage {stage!r}; the pipeline's stages: {', '.join(pipeline.all_stages)}"
        raise BundleRejected([BundleIssue(record="opportunity", field=field, reason=reason)])


# ---- writes -----------------------------------------------------------------------------------
def create_opportunity(
    store: GraphStore,
    account: str,
    name: str,
    *,
    id: str | None = None,
    stage: str | None = None,
    amount: Decimal | str | int = 0,
    currency: str = "EUR",
    expected_close: date | None = None,
    owner: str | None = None,
    quotes: Sequence[str] = (),
    committee: Sequence[CommitteeMember | dict[str, Any]] = (),
    at: datetime | None = None,
) -> Opportunity:
    """A new opportunity in the pipeline's first open stage (or `stage`, an open one), its history started.

    Raises:
        BundleRejected: a malformed field or a reference that does not resolve (every one listed).
        RuleViolation: a closing stage (a deal is created open); an unknown stage is a BundleRejected.
        VersionConflict: the id is taken (also when it already exists: ids are never reused).
    """
    pipeline = get_pipeline(store)
    when = _now(at)
    stage = stage or pipeline.stages[0]
    _check_stage(pipeline, stage)
    if pipeline.is_closed(stage):
        raise RuleViolation(Phrase(N_("an opportunity is created in an open stage, not {stage}"), stage=repr(stage)))
    root = _account(store, account)
    opp = _validated(
        {
            "id": id or f"opp-{when:%Y%m%d}-{secrets.token_hex(3)}",
            "account": root,
            "name": name,
            "stage": stage,
            "amount": amount,
            "currency": currency,
            "expected_close": expected_close,
            "owner": owner,
            "quotes": list(quotes),
            "committee": [m.model_dump() if isinstance(m, CommitteeMember) else m for m in committee],
            "stage_history": [{"stage": stage, "at": when}],
            "created_at": when,
        }
    )
    _check_refs(store, opp)
    with store.documents.unit_of_work() as uow:
        if uow.get(Opportunity.kind, opp.id) is not None:
            raise RuleViolation(Phrase(N_("opportunity {id} already exists"), id=repr(opp.id)))
        uow.save(opp)
    return opp


def update_opportunity(store: GraphStore, id: str, **changes: Any) -> Opportunity:
    """Change some of `UPDATABLE` (name, amount, currency, expected close, owner, quotes).

    Raises:
        NotFoundError: no such opportunity. BundleRejected: a bad value or reference.
        RuleViolation: a field that is not updatable this way, or a closed deal.
    """
    unknown = sorted(set(changes) - set(UPDATABLE))
    if unknown:
        raise RuleViolation(
            Phrase(
                N_("cannot update {fields} this way; updatable: {updatable}"),
                fields=", ".join(unknown),
                updatable=", ".join(UPDATABLE),
            )
        )

    def attempt(uow: UnitOfWork) -> Opportunity:
        opp = _load(uow, id)
        if get_pipeline(store).is_closed(opp.stage):
            raise RuleViolation(
                Phrase(N_("opportunity {id} is closed ({stage}); it no longer changes"), id=repr(id), stage=opp.stage)
            )
        new = _validated({**opp.model_dump(), **changes})
        _check_refs(store, new)
        uow.save(new)
        return new

    return store.documents.retrying(attempt)


def set_committee(store: GraphStore, id: str, committee: Sequence[CommitteeMember | dict[str, Any]]) -> Opportunity:
    """Replace the buying committee of an open opportunity (overrides apply to this deal only)."""

    def attempt(uow: UnitOfWork) -> Opportunity:
        opp = _load(uow, id)
        if get_pipeline(store).is_closed(opp.stage):
            raise RuleViolation(
                Phrase(
                    N_("opportunity {id} is closed ({stage}); its committee no longer changes"),
                    id=repr(id),
                    stage=opp.stage,
                )
            )
        members = [m.model_dump() if isinstance(m, CommitteeMember) else m for m in committee]
        new = _validated({**opp.model_dump(), "committee": members})
        _check_refs(store, new)
        uow.save(new)
        return new

    return store.documents.retrying(attempt)


def move_stage(
    store: GraphStore,
    id: str,
    stage: str,
    *,
    at: datetime | None = None,
    note: str | None = None,
    features: FeatureHook | None = None,
    cache: ViewCache | None = None,
) -> Opportunity:
    """Move an opportunity to another stage of the pipeline, appending the change (with its time) to its history.

    Any open stage may follow any other (deals slip back), or won / lost; a closed deal is final. Closing
    stores the deal's health features as they are now (`features`, default `features.closing_features` on
    the account's view from the caller's `cache`), which is what the win-probability model learns from.

    Raises:
        NotFoundError: no such opportunity.
        BundleRejected: an unknown stage.
        RuleViolation: the stage it is already in, a move of a won or lost deal, or a time before the last
            recorded change.
    """
    pipeline = get_pipeline(store)
    _check_stage(pipeline, stage)
    when = _now(at)
    if features is None:
        from accountgraph.opportunities.features import closing_features

        features = partial(closing_features, cache=cache)

    def attempt(uow: UnitOfWork) -> Opportunity:
        opp = _load(uow, id)
        if pipeline.is_closed(opp.stage):
            raise RuleViolation(
                Phrase(N_("opportunity {id} is {stage}: a closed deal does not move"), id=repr(id), stage=opp.stage)
            )
        if stage == opp.stage:
            raise RuleViolation(
                Phrase(N_("opportunity {id} is already in stage {stage}"), id=repr(id), stage=repr(stage))
            )
        if when < opp.stage_entered():
            raise RuleViolation(
                Phrase(N_("the move is dated {when}, before the last change of stage"), when=when.isoformat())
            )
        update: dict[str, Any] = {
            "stage": stage,
            "stage_history": [*opp.stage_history, StageChange(stage=stage, at=when, note=note)],
        }
        if pipeline.is_closed(stage):
            update["closed_at"] = when
            update["features_at_close"] = features(store, opp, pipeline, opp.stage, when)
        new = opp.model_copy(update=update)
        uow.save(new)
        return new

    return store.documents.retrying(attempt)
