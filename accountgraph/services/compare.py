"""An account's power map on two dates, compared: who moved, what coverage was gained or lost.

Both dates are read with `as_of` (`GraphStore.account_subgraph`): the people at the company on each date,
the ties active then, the roles and stances true then, the interactions logged up to it. Each date's
reference time is the end of that day (or now, for today), so a past date always reads the same. The
comparison lists:

* people who **joined** or **left** the map: a person with dates of their own (`since`, `until`) is on the
  map on the dates they are at the company (projected); one without is on it while they hold an active
  tie (so one whose every tie has ended has left); our team members while they hold an active tie with
  someone of the account;
* **stance** and **role** changes of the people on both dates;
* **our ties** gained, lost, and those whose effective strength moved by at least `strength_delta`;
* **coverage** before and after, by layer, role and company (with the decision-chain people newly covered
  or no longer covered);
* **rank movers**: people of the top `top` on either date whose rank moved, most first.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from accountgraph.algorithms.coverage import coverage as coverage_alg
from accountgraph.algorithms.params import Options
from accountgraph.algorithms.prepared import AccountView
from accountgraph.algorithms.ranking import rank_arrays
from accountgraph.algorithms.results import Breakdown, PersonRef, Text
from accountgraph.algorithms.strength import parse_instant
from accountgraph.algorithms.whatif import before_after
from accountgraph.errors import InvalidArgument
from accountgraph.graph.store import GraphStore
from accountgraph.i18n import N_
from accountgraph.i18n.phrase import Num, Phrase, Seq
from accountgraph.services import analysis
from accountgraph.services.scope import Scope

__all__ = ["Comparison", "compare", "compare_views"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StanceChange(_Model):
    id: str
    name: str
    company: str | None
    before: str
    after: str
    direction: Literal["better", "worse", "other"] = Field(description="toward supporter, toward opponent, other")


class RoleChange(_Model):
    id: str
    name: str
    company: str | None
    added: list[str]
    removed: list[str]


class TieChange(_Model):
    member: str
    member_name: str
    person: str
    person_name: str
    before: float | None = Field(description="effective strength on the first date (None: no tie)")
    after: float | None = Field(description="effective strength on the second date (None: no tie)")
    delta: float


class ScoreChange(_Model):
    key: str
    label: str
    before: float | None = Field(description="0..100; None when it had nobody of the decision chain")
    after: float | None
    delta: float


class RankMove(_Model):
    id: str
    name: str
    rank_before: int | None
    rank_after: int | None
    score_before: float | None
    score_after: float | None
    moved: int = Field(description="places gained (negative: lost); for one who entered or left, vs. last place")


class Comparison(_Model):
    account: str
    before: date
    after: date
    joined: list[PersonRef] = Field(description="on the map on the second date, not the first")
    left: list[PersonRef] = Field(description="on the map on the first date, not the second")
    stance_changes: list[StanceChange]
    role_changes: list[RoleChange]
    ties_gained: list[TieChange] = Field(description="ties of ours active on the second date, not the first")
    ties_lost: list[TieChange] = Field(description="ties of ours active on the first date, not the second")
    ties_changed: list[TieChange] = Field(description="ties of ours whose effective strength moved by strength_delta")
    coverage_before: float
    coverage_after: float
    coverage_delta: float
    newly_covered: list[PersonRef]
    no_longer_covered: list[PersonRef]
    by_layer: list[ScoreChange]
    by_role: list[ScoreChange]
    by_company: list[ScoreChange]
    rank_movers: list[RankMove]
    top: int
    strength_delta: float
    explanation: Text


_STANCE_ORDER = {"opponent": 0, "unknown": 1, "neutral": 1, "supporter": 2}


def _on_map(view: AccountView) -> dict[str, str]:
    """Id → kind of the people on the map, and of our members (projected only with an active tie).

    A person with a `since` or `until` is projected only while at the company: that is being on the
    map. A person without either is projected on every date, so holding an active tie is what counts.
    """
    tied = view.projection.ties.ends()
    out: dict[str, str] = {t: "team" for t in view.team}
    for p in view.people:
        attrs = view.attrs[view.index[p]]
        if attrs.get("since") is not None or attrs.get("until") is not None or p in tied:
            out[p] = "person"
    return out


def _ref(view: AccountView, id: str, kind: str) -> PersonRef:
    company = view.node(id).get("company")
    return PersonRef(id=id, name=view.name(id), kind="team" if kind == "team" else "person", company=company)


def _scores(before: list[Breakdown], after: list[Breakdown]) -> list[ScoreChange]:
    a = {b.key: b for b in before}
    b = {x.key: x for x in after}
    out = []
    for key in [*a, *(k for k in b if k not in a)]:
        x, y = a.get(key), b.get(key)
        sx = x.score if x is not None else None
        sy = y.score if y is not None else None
        label = (y or x).label if (y or x) is not None else key  # type: ignore[union-attr]
        out.append(ScoreChange(key=key, label=label, before=sx, after=sy, delta=(sy or 0.0) - (sx or 0.0)))
    return sorted(out, key=lambda c: (-abs(round(c.delta, 9)), c.key))


def compare_views(first: AccountView, second: AccountView, *, top: int = 20, strength_delta: float = 0.1) -> Comparison:
    """Compare two prepared views of one account (the first the earlier date)."""
    if top < 1:
        raise InvalidArgument("top must be at least 1", field="top")
    if not 0 < strength_delta <= 1:
        raise InvalidArgument("strength_delta must be in (0, 1]", field="strength_delta")
    on1, on2 = _on_map(first), _on_map(second)
    joined = [_ref(second, i, on2[i]) for i in sorted(set(on2) - set(on1))]
    left = [_ref(first, i, on1[i]) for i in sorted(set(on1) - set(on2))]
    stances: list[StanceChange] = []
    roles: list[RoleChange] = []
    for pid in sorted(set(first.people) & set(second.people)):
        a1, a2 = first.attrs[first.index[pid]], second.attrs[second.index[pid]]
        s1, s2 = str(a1.get("stance") or "unknown"), str(a2.get("stance") or "unknown")
        company = a2.get("company")
        if s1 != s2:
            o1, o2 = _STANCE_ORDER.get(s1, 1), _STANCE_ORDER.get(s2, 1)
            direction: Literal["better", "worse", "other"] = "better" if o2 > o1 else "worse" if o2 < o1 else "other"
            stances.append(
                StanceChange(id=pid, name=second.name(pid), company=company, before=s1, after=s2, direction=direction)
            )
        r1, r2 = set(a1.get("roles") or []), set(a2.get("roles") or [])
        if r1 != r2:
            roles.append(
                RoleChange(
                    id=pid, name=second.name(pid), company=company, added=sorted(r2 - r1), removed=sorted(r1 - r2)
                )
            )
    t1 = {k: t.core.effective for k, t in first.team_ties.items()}
    t2 = {k: t.core.effective for k, t in second.team_ties.items()}

    def tie(key: tuple[str, str], view: AccountView) -> TieChange:
        b, a = t1.get(key), t2.get(key)
        return TieChange(
            member=key[0],
            member_name=view.name(key[0]),
            person=key[1],
            person_name=view.name(key[1]),
            before=b,
            after=a,
            delta=(a or 0.0) - (b or 0.0),
        )

    gained = [tie(k, second) for k in sorted(set(t2) - set(t1))]
    lost = [tie(k, first) for k in sorted(set(t1) - set(t2))]
    changed = sorted(
        (tie(k, second) for k in set(t1) & set(t2) if abs(t2[k] - t1[k]) >= strength_delta),
        key=lambda c: (-abs(c.delta), c.member, c.person),
    )
    c1, c2 = coverage_alg(first), coverage_alg(second)
    cov1 = {p.id: p.covered for p in c1.people}
    cov2 = {p.id: p.covered for p in c2.people}
    newly = [_ref(second, i, "person") for i in sorted(cov2) if cov2[i] and not cov1.get(i, False)]
    no_longer = [_ref(first, i, "person") for i in sorted(cov1) if cov1[i] and not cov2.get(i, False)]
    k1, k2 = rank_arrays(first), rank_arrays(second)
    pos1 = {first.ids[i]: (int(k1.position[i]), float(k1.score[i])) for i in range(first.P)}
    pos2 = {second.ids[i]: (int(k2.position[i]), float(k2.score[i])) for i in range(second.P)}
    movers: list[RankMove] = []
    for pid in sorted({p for p, (r, _) in pos1.items() if r <= top} | {p for p, (r, _) in pos2.items() if r <= top}):
        b1, b2 = pos1.get(pid), pos2.get(pid)
        rb = b1[0] if b1 else None
        ra = b2[0] if b2 else None
        moved = (rb if rb is not None else first.P + 1) - (ra if ra is not None else second.P + 1)
        if moved == 0:
            continue
        movers.append(
            RankMove(
                id=pid,
                name=(second if b2 else first).name(pid),
                rank_before=rb,
                rank_after=ra,
                score_before=b1[1] if b1 else None,
                score_after=b2[1] if b2 else None,
                moved=moved,
            )
        )
    movers.sort(key=lambda m: (-abs(m.moved), m.id))
    parts = (
        Phrase(N_("coverage {change}"), change=before_after(c1.score, c2.score)),
        Phrase(N_("{joined} joined, {left} left"), joined=len(joined), left=len(left)),
        Phrase.ngettext(
            "{stances} stance and {n} role change",
            "{stances} stance and {n} role changes",
            len(roles),
            stances=len(stances),
        ),
        Phrase(
            N_("ties of ours: {gained} gained, {lost} lost, {changed} moved by {delta} or more"),
            gained=len(gained),
            lost=len(lost),
            changed=len(changed),
            delta=Num(strength_delta, "g"),
        ),
        Phrase.ngettext("{n} rank mover in the top {top}", "{n} rank movers in the top {top}", len(movers), top=top),
    )
    return Comparison(
        account=second.account,
        before=first.as_of,
        after=second.as_of,
        joined=joined,
        left=left,
        stance_changes=stances,
        role_changes=roles,
        ties_gained=gained,
        ties_lost=lost,
        ties_changed=changed,
        coverage_before=c1.score,
        coverage_after=c2.score,
        coverage_delta=c2.score - c1.score,
        newly_covered=newly,
        no_longer_covered=no_longer,
        by_layer=_scores(c1.by_layer, c2.by_layer),
        by_role=_scores(c1.by_role, c2.by_role),
        by_company=_scores(c1.by_company, c2.by_company),
        rank_movers=movers,
        top=top,
        strength_delta=strength_delta,
        explanation=Phrase(
            N_("{account} from {before} to {after}: {parts}"),
            account=second.account,
            before=first.as_of.isoformat(),
            after=second.as_of.isoformat(),
            parts=Seq(parts, N_("; ")),
        ),
    )


def compare(
    store: GraphStore,
    scope: Scope,
    account: str,
    before: date,
    after: date,
    *,
    top: int = 20,
    strength_delta: float = 0.1,
    options: Options | None = None,
    reference: date | datetime | None = None,
    cache: analysis.ViewCache | None = None,
) -> Comparison:
    """Compare an account's power map on `before` with the one on `after` (see the module docstring).

    `reference` pins the reference time of the later date (default: now, never after the end of that day);
    the earlier date is read at the end of its own day, or at `reference` when that comes first.

    Raises
    ------
    InvalidArgument
        If `before` is after `after`, or `top` / `strength_delta` are out of range.
    NotFoundError
        If `account` is not an account of the store, or lies outside the scope.
    """
    scope.require_account(account)
    if before > after:
        raise InvalidArgument(f"before ({before.isoformat()}) is after after ({after.isoformat()})", field="before")
    pinned = parse_instant(reference)

    def ref(day: date) -> datetime | None:
        end = datetime.combine(day + timedelta(days=1), time(), tzinfo=UTC)
        return None if pinned is None else min(pinned, end)

    first = analysis.account_view(store, account, as_of=before, options=options, reference=ref(before), cache=cache)
    second = analysis.account_view(store, account, as_of=after, options=options, reference=ref(after), cache=cache)
    return compare_views(first, second, top=top, strength_delta=strength_delta)
