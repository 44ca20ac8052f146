"""Relationship strength with decay: what a tie is worth today.

The effective strength of a tie combines its stated strength with the logged interactions between its two
ends (how many, of which kind, in which mood) and decays exponentially with the time since the last contact
(half-life 180 days by default). The reference time is a parameter, so results are reproducible. The
formula is in `accountgraph.algorithms.params.StrengthParams`.

**Captured activity counts once.** Interactions captured from mail and calendars (`services.capture`; their ids
are `mail-` or `meet-` and a 32-digit digest, `is_captured`) already count in their tie's stated strength, which
the capture sets from DotAlign's score of exactly those interactions (`captured_score`), and in its last contact.
They are therefore left out of the interaction boost here (and out of the interactions counted): the boost is
made of the interactions logged by hand only. Every function below that reads interaction rows applies this.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np

from accountgraph.algorithms.params import CaptureParams, StrengthParams
from accountgraph.algorithms.results import TieStrength
from accountgraph.i18n import N_
from accountgraph.i18n.phrase import Num, Phrase, Seq

__all__ = [
    "CAPTURED_PREFIXES",
    "CapturedScore",
    "StrengthCore",
    "captured_score",
    "decayed",
    "effective_strength",
    "interactions_by_pair",
    "is_captured",
    "parse_instant",
    "resolve_reference",
    "strength_core",
    "strength_cores",
    "strength_result",
]

_DAY = 86400.0
CAPTURED_PREFIXES = ("mail-", "meet-")
"""The id prefixes of captured e-mails and meetings (`services.capture` makes their ids)."""
_CAPTURED = re.compile(r"(?:mail|meet)-[0-9a-f]{32}")


def is_captured(interaction_id: str) -> bool:
    """True for the id of an interaction captured from mail or calendars: it counts in its tie's stated strength
    (set by the capture), not in the interaction boost."""
    return _CAPTURED.fullmatch(interaction_id) is not None


def _boosting(rows: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The interaction rows that count in the boost: those not captured."""
    return [r for r in rows if not is_captured(str(r.get("id") or ""))]


def parse_instant(value: date | datetime | str | None) -> datetime | None:
    """A UTC datetime from an ISO date or datetime (a date means its midnight, UTC)."""
    if value is None:
        return None
    if isinstance(value, str):
        if len(value) <= 10:
            return _day_start(value)
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        if value.tzinfo is UTC:
            return value
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return datetime.combine(value, time(), tzinfo=UTC)


@lru_cache(maxsize=4096)
def _day_start(text: str) -> datetime:
    """Midnight (UTC) of an ISO date; cached: an account's dates repeat."""
    return datetime.combine(date.fromisoformat(text), time(), tzinfo=UTC)


def resolve_reference(as_of: date | None, reference: date | datetime | None = None) -> datetime:
    """The reference time: `reference` if given, else now, but never after the end of `as_of`."""
    if reference is not None:
        resolved = parse_instant(reference)
        assert resolved is not None
        return resolved
    now = datetime.now(UTC)
    if as_of is None:
        return now
    end = datetime.combine(as_of + timedelta(days=1), time(), tzinfo=UTC)
    return min(now, end)


class StrengthCore(NamedTuple):
    """The numbers behind one effective strength (see `StrengthParams`); a named tuple (cheap to make by the
    thousand)."""

    activity: float
    boosted: float
    last_contact: datetime | None
    age_days: float | None
    decay: float
    effective: float
    stale: bool


def strength_core(
    stated: float,
    touches: Iterable[tuple[datetime, str, int]],
    last_contact: datetime | None,
    reference: datetime,
    params: StrengthParams,
) -> StrengthCore:
    """Effective strength from the stated one, the touches ``(at, kind, sentiment)`` and the last contact.

    Touches after `reference` are ignored. The last contact is the latest of `last_contact` and the touches.
    """
    ref = reference
    useful = [t for t in touches if t[0] <= ref]
    last = last_contact if last_contact is None or last_contact <= ref else ref
    for at, _, _ in useful:
        if last is None or at > last:
            last = at
    half = params.half_life_days
    activity = 0.0
    if useful:
        assert last is not None
        for at, kind, sentiment in useful:
            lag = (last - at).total_seconds() / _DAY
            activity += (
                params.kind_weights.get(kind, 0.0)
                * params.sentiment_factors.get(sentiment, 1.0)
                * 2.0 ** (-max(0.0, lag) / half)
            )
    return _core(float(stated), activity, last, None if last is None else (ref - last).total_seconds(), params)


def _core(
    stated: float, activity: float, last: datetime | None, seconds: float | None, params: StrengthParams
) -> StrengthCore:
    """The rest of `strength_core` once the activity and the last contact (`seconds` before the reference)
    are known."""
    s = stated
    if activity >= 0:
        boosted = s + (1.0 - s) * (1.0 - math.exp(-activity / params.saturation))
    else:
        boosted = s * math.exp(activity / params.saturation)
    if seconds is None:
        age = None
        decay = 1.0
    else:
        age = max(0.0, seconds / _DAY)
        decay = 2.0 ** (-age / params.half_life_days)
    effective = min(1.0, max(params.floor, boosted * decay))
    stale = age is not None and age > params.stale_after_days
    return StrengthCore(activity, boosted, last, age, decay, effective, stale)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)
_NONE = np.iinfo(np.int64).min
"""No instant (a tie without a last contact, or without touches)."""


def _microseconds(values: Sequence[Any]) -> np.ndarray:
    """Microseconds since 1970 (UTC) of ISO instants, as `parse_instant` reads them.

    The form the stores write (``2025-02-18T13:30:00Z``) is parsed by numpy in one go; any other goes
    through `parse_instant` one by one.
    """
    if all(isinstance(v, str) and len(v) == 20 and v[19] == "Z" and v[10] == "T" for v in values):
        try:
            return np.array([v[:19] for v in values], dtype="datetime64[us]").astype(np.int64)
        except ValueError:
            pass
    out = np.empty(len(values), dtype=np.int64)
    for i, v in enumerate(values):
        at = parse_instant(v)
        if at is None:
            raise ValueError(f"not an instant: {v!r}")
        out[i] = (at - _EPOCH) // _US
    return out


def strength_cores(
    stated: Sequence[float],
    last_contact: Sequence[str | None],
    pairs: Sequence[tuple[str, str]],
    interactions: Sequence[Mapping[str, Any]],
    reference: datetime,
    params: StrengthParams,
) -> list[tuple[StrengthCore, int]]:
    """`strength_core` of many ties at once, with how many touches each counted.

    Tie ``i`` has the stated strength ``stated[i]``, the last contact ``last_contact[i]`` (an ISO date or
    instant) and the touches of the interactions logged for ``pairs[i]`` (member, person). The same floats as
    `strength_core` on each tie (a test checks it bit for bit): the touches are taken in the same order
    (by time, kind, sentiment) and summed one after the other, the powers of two are Python's.
    """
    n = len(stated)
    code: dict[tuple[str, str], int] = {}
    tie_code = np.fromiter((code.setdefault(p, len(code)) for p in pairs), np.int64, n)
    rows = [(c, r) for r in _boosting(interactions) if (c := code.get((r["member"], r["person"]))) is not None]
    ref_us = (reference - _EPOCH) // _US
    at = _microseconds([r["at"] for _, r in rows])
    useful = np.flatnonzero(at <= ref_us)
    kinds = [str(rows[i][1]["kind"]) for i in useful.tolist()]
    sentiments = [int(rows[i][1].get("sentiment") or 0) for i in useful.tolist()]
    kind_table = sorted(set(kinds))
    kind_rank = {k: r for r, k in enumerate(kind_table)}
    t_code = np.array([rows[i][0] for i in useful.tolist()], dtype=np.int64)
    t_at = at[useful]
    t_kind = np.array([kind_rank[k] for k in kinds], dtype=np.int64)
    t_sent = np.array(sentiments, dtype=np.int64)
    order = np.lexsort((t_sent, t_kind, t_at, t_code))
    t_code, t_at, t_kind, t_sent = t_code[order], t_at[order], t_kind[order], t_sent[order]
    # each tie's run of touches (ties of the same pair share it)
    lo = np.searchsorted(t_code, tie_code, side="left")
    hi = np.searchsorted(t_code, tie_code, side="right")
    count = hi - lo
    # the last contact: the latest of the tie's own (never after the reference) and its touches
    lc_table = {v: _NONE if (t := parse_instant(v)) is None else (t - _EPOCH) // _US for v in set(last_contact)}
    last = np.minimum(np.fromiter(map(lc_table.__getitem__, last_contact), np.int64, n), ref_us)
    has = count > 0
    last[has] = np.maximum(last[has], t_at[hi[has] - 1])
    # every (tie, touch) of its run, in run order
    tie_of = np.repeat(np.arange(n, dtype=np.int64), count)
    touch = np.arange(tie_of.size, dtype=np.int64) - np.repeat(np.cumsum(count) - count, count) + np.repeat(lo, count)
    lag = (last[tie_of] - t_at[touch]) / 1e6 / _DAY
    powers = np.array([2.0**e for e in (-np.maximum(0.0, lag) / params.half_life_days).tolist()], dtype=np.float64)
    weight = np.array([params.kind_weights.get(k, 0.0) for k in kind_table] or [0.0])
    factor = np.array([params.sentiment_factors.get(v, 1.0) for v in t_sent.tolist()], dtype=np.float64)
    contribution = weight[t_kind[touch]] * factor[touch] * powers
    activity = np.bincount(tie_of, weights=contribution, minlength=n) if n else np.zeros(0)
    out = []
    for s, a, c, t in zip(stated, activity.tolist(), count.tolist(), last.tolist(), strict=True):
        when = None if t == _NONE else _EPOCH + timedelta(microseconds=t)
        out.append((_core(float(s), a, when, None if when is None else (ref_us - t) / 1_000_000, params), c))
    return out


def decayed(stated: np.ndarray, last_contact: Sequence[str], reference: datetime, params: StrengthParams) -> np.ndarray:
    """`strength_core(stated, (), last_contact, reference, params).effective` of many ties with no touches.

    Without touches the boost is nil, so a tie's effective strength is its stated one times the decay of its
    last contact: the decay is worked out once per distinct date, the rest is elementwise (same floats).
    """
    decay = {text: strength_core(1.0, (), parse_instant(text), reference, params).decay for text in set(last_contact)}
    factor = np.fromiter(map(decay.__getitem__, last_contact), np.float64, len(last_contact))
    return np.minimum(1.0, np.maximum(params.floor, stated * factor))


def _explain(core: StrengthCore, stated: float, count: int, params: StrengthParams) -> Phrase:
    parts = [Phrase(N_("stated {strength}"), strength=Num(stated))]
    if count:
        parts.append(
            Phrase.ngettext(
                "{n} interaction (activity {activity}) → {boosted}",
                "{n} interactions (activity {activity}) → {boosted}",
                count,
                activity=Num(core.activity),
                boosted=Num(core.boosted),
            )
        )
    if core.age_days is None:
        parts.append(Phrase(N_("no contact date, no decay")))
    else:
        assert core.last_contact is not None
        parts.append(
            Phrase(
                N_("last contact {day} ({days} days ago, decay ×{decay} at a {half_life}-day half-life)"),
                day=core.last_contact.date().isoformat(),
                days=Num(core.age_days, ".0f"),
                decay=Num(core.decay),
                half_life=Num(params.half_life_days, "g"),
            )
        )
    return Phrase(
        N_("{parts} = {effective}; stale: no contact for more than {stale_after} days")
        if core.stale
        else N_("{parts} = {effective}"),
        parts=Seq(tuple(parts), N_("; ")),
        effective=Num(core.effective),
        **({"stale_after": Num(params.stale_after_days, "g")} if core.stale else {}),
    )


def effective_strength(
    stated: float,
    *,
    interactions: Iterable[Mapping[str, Any]] = (),
    last_contact: date | datetime | str | None = None,
    reference: date | datetime,
    params: StrengthParams | None = None,
    a: str = "",
    b: str = "",
) -> TieStrength:
    """The effective strength of one tie.

    Parameters
    ----------
    stated : float
        The strength recorded on the tie, in (0, 1].
    interactions : iterable of mappings
        The logged interactions between the two ends, each with ``at`` (ISO datetime or datetime),
        ``kind`` and ``sentiment`` (−1, 0, 1); captured ones (``id``, `is_captured`) do not count.
    last_contact : date, datetime, ISO string or None
        The tie's recorded last contact.
    reference : date or datetime
        The time the strength is computed for.
    params : StrengthParams, optional
        Half-life, staleness, interaction weights (defaults: `StrengthParams()`).
    a, b : str
        The two ends, for the result.

    Returns
    -------
    TieStrength
        The effective strength with its parts and a one-line explanation.

    Examples
    --------
    >>> from datetime import date
    >>> s = effective_strength(0.8, last_contact="2025-07-05", reference=date(2026, 1, 1))
    >>> round(s.effective, 3), s.stale
    (0.4, False)
    """
    params = params or StrengthParams()
    ref = parse_instant(reference)
    assert ref is not None
    rows = _boosting(interactions)
    touches = [_touch(r) for r in rows]
    core = strength_core(stated, touches, parse_instant(last_contact), ref, params)
    return strength_result(a, b, stated, len([t for t in touches if t[0] <= ref]), core, params)


def _touch(row: Mapping[str, Any]) -> tuple[datetime, str, int]:
    at = parse_instant(row["at"])
    assert at is not None
    return at, str(row["kind"]), int(row.get("sentiment") or 0)


def strength_result(
    a: str, b: str, stated: float, count: int, core: StrengthCore, params: StrengthParams
) -> TieStrength:
    """The result model of one tie's strength (`count` touches counted), with its one-line explanation."""
    return TieStrength(
        a=a,
        b=b,
        stated=float(stated),
        interactions=count,
        activity=core.activity,
        boosted=core.boosted,
        last_contact=core.last_contact.date() if core.last_contact else None,
        age_days=core.age_days,
        decay=core.decay,
        effective=core.effective,
        stale=core.stale,
        explanation=_explain(core, float(stated), count, params),
    )


def interactions_by_pair(rows: Iterable[Mapping[str, Any]]) -> dict[tuple[str, str], list[tuple[datetime, str, int]]]:
    """Interactions grouped by (member, person) as touches ``(at, kind, sentiment)``, oldest first (captured ones
    left out: they count in their tie's stated strength)."""
    grouped: dict[tuple[str, str], list[tuple[datetime, str, int]]] = defaultdict(list)
    for row in _boosting(rows):
        grouped[(row["member"], row["person"])].append(_touch(row))
    for touches in grouped.values():
        touches.sort()
    return dict(grouped)


class CapturedScore(NamedTuple):
    """A tie's strength from captured activity (see `CaptureParams`): its parts and the result."""

    emails_out: int
    emails_in: int
    meetings: int
    points: float
    last: datetime | None
    multiplier: float
    score: float
    strength: float


def captured_score(
    touches: Iterable[tuple[datetime, str, str | None]], reference: datetime, params: CaptureParams | None = None
) -> CapturedScore:
    """The strength of a member–person tie from its captured touches ``(at, kind, direction)``.

    DotAlign's published person-to-person score (the formula is in `CaptureParams`): e-mails count when
    reciprocated (the lesser of those out and those in), meetings when they took place (touches after
    `reference` are ignored); the score decays linearly, three quarters of it to nothing over two years and the
    rest over six, from the last interaction. Other kinds (calls, visits) count as meetings, e-mails without a
    direction as neither.
    """
    params = params or CaptureParams()
    out_n = in_n = meetings = 0
    last_out: datetime | None = None
    last_in: datetime | None = None
    last_meeting: datetime | None = None
    for at, kind, direction in touches:
        if at > reference:
            continue
        if kind == "email":
            if direction == "out":
                out_n += 1
                last_out = at if last_out is None or at > last_out else last_out
            elif direction == "in":
                in_n += 1
                last_in = at if last_in is None or at > last_in else last_in
            continue
        meetings += 1
        last_meeting = at if last_meeting is None or at > last_meeting else last_meeting
    mail_last = min(last_out, last_in) if last_out is not None and last_in is not None else None
    dates = [d for d in (last_meeting, mail_last) if d is not None]
    last = max(dates) if dates else None
    points = 1.0 + params.email_points * min(out_n, in_n) + params.meeting_points * meetings
    if last is None:
        multiplier = 1.0
    else:
        days = max(0.0, (reference - last).total_seconds() / _DAY)
        primary = params.primary_share * min(1.0, days / params.primary_days)
        secondary = (1.0 - params.primary_share) * min(1.0, days / params.secondary_days)
        multiplier = 1.0 - (primary + secondary)
    score = max(1.0, min(params.cap, points) * multiplier)
    return CapturedScore(out_n, in_n, meetings, points, last, multiplier, score, min(1.0, score / params.cap))
