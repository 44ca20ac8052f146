"""Effective strength: interactions, decay with a half-life, staleness, a reproducible reference time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accountgraph.algorithms import StrengthParams, effective_strength, prepare, tie_strengths
from accountgraph.algorithms.strength import resolve_reference
from tests.algorithms.support import Spec, person, projection

REF = date(2026, 1, 1)


def touch(at: str, kind: str = "meeting", sentiment: int = 0) -> dict[str, object]:
    return {"at": at, "kind": kind, "sentiment": sentiment}


def test_decay_halves_at_each_half_life() -> None:
    one = effective_strength(0.8, last_contact="2025-07-05", reference=REF)  # 180 days before
    two = effective_strength(0.8, last_contact="2025-01-06", reference=REF)  # 360 days before
    assert one.age_days == pytest.approx(180)
    assert one.effective == pytest.approx(0.4)
    assert two.effective == pytest.approx(0.2)
    assert not one.stale and not two.stale
    longer = effective_strength(
        0.8, last_contact="2025-07-05", reference=REF, params=StrengthParams(half_life_days=360)
    )
    assert longer.effective == pytest.approx(0.8 * 2**-0.5)


def test_no_contact_date_means_no_decay_and_not_stale() -> None:
    s = effective_strength(0.6, reference=REF)
    assert s.effective == pytest.approx(0.6) and s.decay == 1 and s.age_days is None and not s.stale
    assert "no contact date" in s.explanation


def test_stale_after_a_year_without_contact() -> None:
    s = effective_strength(0.9, last_contact="2024-12-01", reference=REF)
    assert s.stale and "stale" in s.explanation
    assert not effective_strength(0.9, last_contact="2025-06-01", reference=REF).stale
    assert effective_strength(
        0.9, last_contact="2025-06-01", reference=REF, params=StrengthParams(stale_after_days=30)
    ).stale


def test_interactions_raise_strength_by_kind_and_mood() -> None:
    base = effective_strength(0.4, last_contact="2025-12-31", reference=REF).effective
    meetings = effective_strength(
        0.4,
        interactions=[touch("2025-12-31T10:00:00+00:00"), touch("2025-12-01T10:00:00+00:00")],
        last_contact="2025-12-31",
        reference=REF,
    ).effective
    emails = effective_strength(
        0.4,
        interactions=[touch("2025-12-31T10:00:00+00:00", "email"), touch("2025-12-01T10:00:00+00:00", "email")],
        last_contact="2025-12-31",
        reference=REF,
    ).effective
    happy = effective_strength(
        0.4, interactions=[touch("2025-12-31T10:00:00+00:00", sentiment=1)], last_contact="2025-12-31", reference=REF
    ).effective
    neutral = effective_strength(
        0.4, interactions=[touch("2025-12-31T10:00:00+00:00")], last_contact="2025-12-31", reference=REF
    ).effective
    angry = effective_strength(
        0.4, interactions=[touch("2025-12-31T10:00:00+00:00", sentiment=-1)], last_contact="2025-12-31", reference=REF
    ).effective
    assert base < emails < meetings <= 1.0
    assert angry < base < neutral < happy


def test_interactions_move_the_last_contact_and_future_ones_are_ignored() -> None:
    s = effective_strength(
        0.5, interactions=[touch("2025-12-20T09:00:00+00:00")], last_contact="2025-01-01", reference=REF
    )
    assert s.last_contact == date(2025, 12, 20) and s.interactions == 1
    future = effective_strength(0.5, interactions=[touch("2026-03-01T09:00:00+00:00")], reference=REF)
    assert future.interactions == 0 and future.effective == pytest.approx(0.5)


def test_reference_time_makes_results_reproducible() -> None:
    a = effective_strength(0.7, last_contact="2025-10-01", reference=datetime(2026, 1, 1, tzinfo=UTC))
    b = effective_strength(0.7, last_contact="2025-10-01", reference=date(2026, 1, 1))
    assert a == b
    later = effective_strength(0.7, last_contact="2025-10-01", reference=date(2026, 6, 1))
    assert later.effective < a.effective
    # default: now, but never after the end of the as-of day
    assert resolve_reference(date(2020, 1, 1)) == datetime(2020, 1, 2, tzinfo=UTC)


def test_tie_strengths_of_a_projection_use_the_logged_interactions() -> None:
    spec = Spec(team=["t0", "t1"])
    spec.people = {"p0": person(), "p1": person()}
    spec.knows = [("t0", "p0", 0.5), ("t1", "p1", 0.5), ("p0", "p1", 0.9)]
    spec.last_contact = {("t0", "p0"): "2025-12-01", ("t1", "p1"): "2025-12-01"}
    spec.interactions = [
        {
            "id": "i1",
            "member": "t0",
            "person": "p0",
            "kind": "visit",
            "at": "2025-12-15T10:00:00+00:00",
            "sentiment": 1,
            "note": None,
        },
    ]
    g = projection(spec)
    ties = tie_strengths(prepare(g), reference=REF)
    assert list(ties) == [("t0", "p0"), ("t1", "p1")]
    assert ties[("t0", "p0")].interactions == 1
    assert ties[("t0", "p0")].effective > ties[("t1", "p1")].effective
    view = prepare(g, reference=REF)
    assert view.team_ties[("t0", "p0")].core.effective == pytest.approx(ties[("t0", "p0")].effective)


def test_decayed_is_strength_core_without_touches_to_the_last_bit() -> None:
    import numpy as np

    from accountgraph.algorithms.strength import decayed, parse_instant, strength_core

    params = StrengthParams()
    reference = datetime(2026, 1, 1, 9, 30, tzinfo=UTC)
    stated = np.array([0.9, 0.35, 0.05, 1.0, 0.7, 0.6])
    last = ["2025-12-31", "2024-02-29", "2010-05-01", "2026-03-01", "2025-07-04", "2025-12-31"]
    got = decayed(stated, last, reference, params)
    pairs = zip(stated.tolist(), last, strict=True)
    expected = [strength_core(s, (), parse_instant(t), reference, params).effective for s, t in pairs]
    assert got.tolist() == expected
    assert got[3] == 1.0 and got[2] == params.floor  # a contact after the reference does not decay; a floor


_MEMBERS, _PEOPLE = ("t0", "t1"), ("p0", "p1")
_KINDS = ("meeting", "call", "email", "event", "visit", "fax")  # "fax" has no weight
_INSTANTS = (
    "2025-12-31T23:59:59Z",
    "2025-06-30T08:00:00Z",
    "2025-06-30T08:00:00+00:00",  # the same instant written another way
    "2025-06-30T10:00:00+02:00",  # and again, in another zone
    "2024-02-29T12:00:00.250000Z",
    "2026-01-01T09:30:00Z",  # the reference itself
    "2026-03-01T00:00:00Z",  # after the reference: ignored
    "2019-01-01",
)


def _instant(seconds: int) -> str:
    """An ISO instant up to about 32 years before the reference, to the second."""
    return (datetime(2026, 1, 1, 9, 30, tzinfo=UTC) - timedelta(seconds=seconds)).isoformat().replace("+00:00", "Z")


@settings(max_examples=300, deadline=None)
@given(
    ties=st.lists(
        st.tuples(
            st.sampled_from(_MEMBERS),
            st.sampled_from(_PEOPLE),
            st.sampled_from([0.05, 0.35, 0.5, 0.8, 1.0]),
            st.sampled_from([None, "2025-12-31", "2024-02-29", "2026-02-01", "2025-06-30T09:00:00Z"]),
        ),
        max_size=8,
    ),
    touches=st.lists(
        st.tuples(
            st.sampled_from(_MEMBERS),
            st.sampled_from(_PEOPLE),
            st.sampled_from(_KINDS),
            st.one_of(st.sampled_from(_INSTANTS), st.integers(0, 10**9).map(_instant)),
            st.sampled_from([-1, 0, 1, None]),
        ),
        max_size=30,
    ),
)
def test_strength_cores_are_strength_core_to_the_last_bit(
    ties: list[tuple[str, str, float, str | None]], touches: list[tuple[str, str, str, str, int | None]]
) -> None:
    """The many-ties function gives each tie exactly what `strength_core` gives it, with the count of touches:
    same pairs on several ties, touches at one instant, after the reference, without weight, net negative."""
    from accountgraph.algorithms.strength import interactions_by_pair, parse_instant, strength_core, strength_cores

    params = StrengthParams()
    reference = datetime(2026, 1, 1, 9, 30, tzinfo=UTC)
    rows = [{"member": m, "person": p, "kind": k, "at": at, "sentiment": s} for m, p, k, at, s in touches]
    got = strength_cores(
        [s for _, _, s, _ in ties], [lc for *_, lc in ties], [(m, p) for m, p, _, _ in ties], rows, reference, params
    )
    grouped = interactions_by_pair(rows)
    expected = []
    for m, p, s, lc in ties:
        mine = grouped.get((m, p), [])
        core = strength_core(s, mine, parse_instant(lc), reference, params)
        expected.append((core, sum(1 for t in mine if t[0] <= reference)))
    assert got == expected
