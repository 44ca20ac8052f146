"""The synthetic account generator and the packaged sample: deterministic, realistic, and accepted by the store."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from accountgraph.graph import open_store
from accountgraph.graph.store import GraphStore
from accountgraph.samples.generator import DEFAULT_REFERENCE, generate_account
from accountgraph.samples.sample import SAMPLE_ACCOUNT_ID, generate_sample, sample_bundle
from accountgraph.schema import Bundle, Role, Stance, TeamFunction, TieType
from accountgraph.services.scope import Scope

OPERATOR = Scope.operator()


@pytest.fixture(scope="module")
def thousand() -> Bundle:
    return generate_account(1000, seed=11, reference=DEFAULT_REFERENCE)


def sqlite(tmp_path: Path, name: str = "t.db") -> GraphStore:
    return open_store(f"sqlite:///{tmp_path / name}")


def check_invariants(bundle: Bundle, account_id: str) -> None:
    """Everything the store's validation demands, checked independently of the store."""
    companies = {c.id: c for c in bundle.companies}
    people = {p.id: p for p in bundle.people}
    team = {m.id: m for m in bundle.team}
    ids = [*companies, *people, *team]
    assert len(ids) == len(set(ids)) == len(bundle.companies) + len(bundle.people) + len(bundle.team)
    assert all(i == account_id or i.startswith(f"{account_id}-") for i in ids)
    assert len({i.id for i in bundle.interactions}) == len(bundle.interactions)
    assert len({r.id for r in bundle.risks}) == len(bundle.risks)
    assert all(i.id.startswith(f"{account_id}-") for i in bundle.interactions)
    assert all(r.id.startswith(f"{account_id}-") for r in bundle.risks)

    roots = [c for c in bundle.companies if c.parent is None]
    assert [c.id for c in roots] == [account_id]
    for c in bundle.companies:
        seen = set()
        node: str | None = c.id
        while node is not None:  # walks up to the root without a cycle
            assert node not in seen and node in companies
            seen.add(node)
            node = companies[node].parent
    for p in bundle.people:
        assert p.company in companies
        seen = set()
        node = p.id
        while node is not None:
            assert node not in seen and node in people
            seen.add(node)
            node = people[node].reports_to
        if p.history:
            assert (p.history[-1].roles, p.history[-1].stance) == (p.roles, p.stance)
            assert all(s.since is not None for s in p.history[1:])
            dated = [s.since for s in p.history if s.since is not None]
            assert dated == sorted(dated) and len(set(dated)) == len(dated)
            assert len(p.history) >= 2
    keys = [t.key for t in bundle.ties]
    assert len(keys) == len(set(keys))
    for t in bundle.ties:
        assert 0 < t.strength <= 1
        if t.type is TieType.INFLUENCES:
            assert t.from_ in people and t.to in people
        else:
            assert t.from_ < t.to  # canonical: stored once
            assert t.from_ in people or t.from_ in team
            assert t.to in people or t.to in team
        if t.since and t.until:
            assert t.since <= t.until
    for i in bundle.interactions:
        assert i.member in team and i.person in people
    for r in bundle.risks:
        assert r.company in companies
        if r.amount is not None:
            assert isinstance(r.amount, Decimal) and r.currency and len(r.currency) == 3


# ---- determinism ----------------------------------------------------------------------------------------


def test_same_seed_same_bundle() -> None:
    a = generate_account(300, seed=5, reference=DEFAULT_REFERENCE)
    b = generate_account(300, seed=5, reference=DEFAULT_REFERENCE)
    assert a == b
    assert a.model_dump_json(by_alias=True) == b.model_dump_json(by_alias=True)


def test_different_seed_different_bundle() -> None:
    a = generate_account(300, seed=5, reference=DEFAULT_REFERENCE)
    b = generate_account(300, seed=6, reference=DEFAULT_REFERENCE)
    assert a != b
    assert [p.name for p in a.people] != [p.name for p in b.people]


def test_generation_does_not_touch_global_random() -> None:
    import random

    random.seed(1234)
    expected = random.random()
    random.seed(1234)
    generate_account(50, seed=1, reference=DEFAULT_REFERENCE)
    assert random.random() == expected


def test_generated_records_equal_validated_ones(thousand: Bundle) -> None:
    """The generator skips validation for speed: validating its output must change nothing."""
    assert Bundle.model_validate(thousand.model_dump(by_alias=True)) == thousand
    document = json.dumps(thousand.model_dump(mode="json", by_alias=True), ensure_ascii=False)
    assert Bundle.model_validate_json(document) == thousand


# ---- size and shape -------------------------------------------------------------------------------------


def test_counts_scale(thousand: Bundle) -> None:
    counts = thousand.counts()
    assert counts["people"] == 1000
    assert 7 * 1000 <= counts["ties"] <= 14 * 1000
    assert counts["team"] == 6 + 1000 // 200
    assert 1000 / 60 <= counts["companies"] <= 1000 / 40 + 1
    types = Counter(t.type for t in thousand.ties)
    assert types[TieType.INFLUENCES] >= 2 * 1000 and types[TieType.KNOWS] >= 3 * 1000
    assert counts["interactions"] > 100
    assert counts["risks"] >= 3


@pytest.mark.parametrize("people", [0, 1, 2, 7, 40, 150, 1000])
def test_invariants_hold(people: int, thousand: Bundle) -> None:
    bundle = (
        thousand
        if people == 1000
        else generate_account(people, seed=people, account_id="acct", reference=DEFAULT_REFERENCE)
    )
    check_invariants(bundle, "acme" if people == 1000 else "acct")
    assert len(bundle.people) == people
    assert len(bundle.companies) >= 3


def test_company_tree_and_reporting_lines(thousand: Bundle) -> None:
    companies = {c.id: c for c in thousand.companies}
    people = {p.id: p for p in thousand.people}

    def depth(cid: str) -> int:
        parent = companies[cid].parent
        return 0 if parent is None else 1 + depth(parent)

    depths = Counter(depth(c) for c in companies)
    assert 2 <= len(depths) <= 4  # the root and one to three levels of subsidiaries
    ceo = people["acme-p00001"]
    assert ceo.level == 1 and ceo.reports_to is None and ceo.company == "acme"
    assert [p.id for p in thousand.people if p.reports_to is None] == ["acme-p00001"]
    for p in thousand.people:
        if p.reports_to is not None:
            boss = people[p.reports_to]
            assert p.level == (boss.level or 0) + 1  # level grows downward
            if boss.company != p.company:  # a subsidiary head reports into the parent company
                assert companies[p.company].parent == boss.company
                assert p.department == "Executive"
    departments = {p.department for p in thousand.people}
    assert {"Executive", "Procurement", "Finance", "IT", "R&D", "Quality", "Operations"} <= departments


def test_roles_and_stances(thousand: Bundle) -> None:
    roles = Counter(r for p in thousand.people for r in p.roles)
    assert set(roles) == set(Role)
    deciders = [p for p in thousand.people if Role.DECISION_MAKER in p.roles or Role.ECONOMIC_BUYER in p.roles]
    assert 2 <= len(deciders) <= 40
    # the group's executives (levels 1-2) and some heads of first-level subsidiaries (level 2-3)
    assert all((p.level or 99) <= 3 for p in deciders)
    assert sum((p.level or 99) <= 2 for p in deciders) >= len(deciders) / 2
    technical = [p for p in thousand.people if Role.TECHNICAL_BUYER in p.roles]
    assert technical and all(p.department in ("IT", "R&D", "Quality") for p in technical)
    stances = Counter(p.stance for p in thousand.people)
    assert stances[Stance.UNKNOWN] + stances[Stance.NEUTRAL] > len(thousand.people) / 2
    assert stances[Stance.SUPPORTER] > stances[Stance.OPPONENT] > 0
    with_history = [p for p in thousand.people if p.history]
    assert 10 <= len(with_history) <= 200
    assert any(p.history[0].since is None for p in with_history)
    assert any(p.history[0].since is not None for p in with_history)


def test_team_and_its_relationships(thousand: Bundle) -> None:
    functions = Counter(m.function for m in thousand.team)
    for f in (TeamFunction.ACCOUNT_MANAGER, TeamFunction.SOLUTION_EXPERT, TeamFunction.DELIVERY_MANAGER):
        assert functions[f] >= 1
    assert 1 <= functions[TeamFunction.EXECUTIVE] <= 2
    assert all(m.id.startswith("acme-t") for m in thousand.team)
    team = {m.id for m in thousand.team}
    people = {p.id for p in thousand.people}
    ours = [t for t in thousand.ties if t.from_ in team or t.to in team]
    to_people = [t for t in ours if (t.from_ in people) != (t.to in people)]
    assert all(t.type is TieType.KNOWS for t in ours)
    touched = {t.to for t in to_people} | {t.from_ for t in to_people}
    assert team <= touched  # every team member has a relationship into the account
    assert len({round(t.strength, 1) for t in to_people}) >= 5  # varied strength
    ref = DEFAULT_REFERENCE
    assert all(t.since and t.last_contact and t.since <= t.last_contact <= ref for t in to_people)
    stale = [t for t in to_people if t.last_contact and (ref - t.last_contact).days > 365]
    assert 0.05 * len(to_people) < len(stale) < 0.5 * len(to_people)
    assert any(t.until is not None for t in to_people)
    assert any(t.until is not None for t in thousand.ties if t.from_ in people and t.to in people)


def test_dates_are_relative_to_the_reference() -> None:
    ref = date(2024, 6, 30)
    bundle = generate_account(400, seed=2, reference=ref)
    for t in bundle.ties:
        for d in (t.since, t.until, t.last_contact):
            assert d is None or d <= ref
    for i in bundle.interactions:
        assert ref - timedelta(days=731) <= i.at.date() < ref
        assert i.at.tzinfo is not None
    assert {i.kind for i in bundle.interactions} >= {"email", "call", "meeting"}
    assert {i.sentiment for i in bundle.interactions} == {-1, 0, 1}
    for p in bundle.people:
        assert all(s.since is None or s.since <= ref for s in p.history)
    assert all(ref - timedelta(days=365) <= r.at < ref for r in bundle.risks)  # recent: within the last year
    litigation = [r for r in bundle.risks if r.kind == "litigation"]
    assert litigation and all(r.amount is not None and r.amount > 0 and r.currency for r in litigation)
    assert generate_account(400, seed=2, reference=DEFAULT_REFERENCE) != bundle  # another reference date


def test_an_account_generated_today_is_alive_on_import(tmp_path: Path) -> None:
    """Issue 14 item 3: generated accounts were dated relative to 2026-01-01, so one imported later had
    coverage 0.0 and an all-red map. By default the generator (and `accountgraph generate`) dates up to today."""
    from typer.testing import CliRunner

    from accountgraph.cli import app
    from accountgraph.schema.models import today
    from accountgraph.services import analysis

    day = today()
    bundle = generate_account(150, seed=4, account_id="fresh")
    assert bundle == generate_account(150, seed=4, account_id="fresh", reference=day)
    contacts = [t.last_contact for t in bundle.ties if t.last_contact is not None]
    assert max(contacts) <= day and (day - max(contacts)).days <= 7
    assert sum((day - c).days <= 90 for c in contacts) > 0.2 * len(contacts)  # many recent last contacts
    assert max(i.at.date() for i in bundle.interactions) < day
    assert all(day - timedelta(days=365) <= r.at < day for r in bundle.risks)
    with sqlite(tmp_path) as store:
        store.load_bundle(bundle)
        assert analysis.coverage(store, OPERATOR, "fresh", cache=None).score > 0.2
        assert (
            analysis.coverage(store, OPERATOR, "fresh", cache=None).score
            == analysis.coverage(store, OPERATOR, "fresh", as_of=day, cache=None).score
        )

    # the command line: today by default, --reference pins it
    out = tmp_path / "g.json"
    runner = CliRunner()
    made = runner.invoke(app, ["generate", "--people", "40", "--seed", "2", "--account", "g", "--out", str(out)])
    assert made.exit_code == 0, made.output
    assert Bundle.model_validate_json(out.read_text()) == generate_account(40, seed=2, account_id="g")
    pinned = ["generate", "--people", "40", "--seed", "2", "--account", "g", "--reference", "2024-06-30"]
    made = runner.invoke(app, [*pinned, "--out", str(out)])
    assert made.exit_code == 0, made.output
    expected = generate_account(40, seed=2, account_id="g", reference=date(2024, 6, 30))
    assert Bundle.model_validate_json(out.read_text()) == expected
    refused = runner.invoke(app, [*pinned[:-1], "someday"])
    assert refused.exit_code == 1 and "not a date" in refused.output


def test_names_are_realistic_and_varied(thousand: Bundle) -> None:
    names = [p.name for p in thousand.people]
    assert any(ch in "äöüß" for n in names for ch in n)
    assert any("\u4e00" <= ch <= "\u9fff" for n in names for ch in n)  # Chinese characters
    assert 0.25 * len(names) < sum(n.isascii() for n in names) < len(names)
    assert len(set(names)) > 0.8 * len(names)
    emails = [p.email for p in thousand.people if p.email]
    assert emails and all(e.isascii() and "@" in e for e in emails)
    assert len(set(emails)) == len(emails)
    default = generate_account(10, seed=3, reference=DEFAULT_REFERENCE)
    assert default.companies[0].name and default.companies[0].id == "acme"
    named = generate_account(10, seed=3, account_id="x", name="Helix Medical Group", reference=DEFAULT_REFERENCE)
    assert named.companies[0].name == "Helix Medical Group"
    assert all(c.name.startswith("Helix") for c in named.companies)


def test_bad_arguments() -> None:
    with pytest.raises(ValueError):
        generate_account(-1, seed=1, reference=DEFAULT_REFERENCE)
    with pytest.raises(ValueError):
        generate_account(10, seed=1, account_id=" ", reference=DEFAULT_REFERENCE)


def test_ten_thousand_people() -> None:
    """Ten thousand people with seven to fourteen ties each (the time it takes is bench/store.py's)."""
    bundle = generate_account(10_000, seed=1, reference=DEFAULT_REFERENCE)
    assert len(bundle.people) == 10_000
    assert 7 <= len(bundle.ties) / 10_000 <= 14


# ---- the store accepts it -------------------------------------------------------------------------------


def test_loads_into_sqlite_and_round_trips(tmp_path: Path, thousand: Bundle) -> None:
    with sqlite(tmp_path) as store:
        store.load_bundle(thousand)
        exported = store.export_bundle("acme")
        assert exported == thousand.sorted()
        store.load_bundle(thousand)  # idempotent upserts
        assert store.export_bundle("acme") == exported
        counts = store.counts()
        assert counts["people"] == 1000 and counts["ties"] == len(thousand.ties)


@pytest.mark.parametrize("people", [1, 5, 40])
def test_small_accounts_load(tmp_path: Path, people: int) -> None:
    bundle = generate_account(people, seed=people, account_id="small", reference=DEFAULT_REFERENCE)
    with sqlite(tmp_path) as store:
        store.load_bundle(bundle)
        assert store.export_bundle("small") == bundle.sorted()


def test_several_accounts_share_a_store(tmp_path: Path) -> None:
    a = generate_account(200, seed=1, account_id="alpha", reference=DEFAULT_REFERENCE)
    b = generate_account(200, seed=1, account_id="beta", reference=DEFAULT_REFERENCE)
    with sqlite(tmp_path) as store:
        store.load_bundle(a)
        store.load_bundle(b)
        assert [c.id for c in store.list_accounts()] == ["alpha", "beta"]
        assert store.export_bundle("alpha") == a.sorted()
        assert store.export_bundle("beta") == b.sorted()


# ---- the packaged sample --------------------------------------------------------------------------------


def test_sample_bundle_is_the_packaged_demo(tmp_path: Path) -> None:
    sample = sample_bundle()
    assert 140 <= len(sample.people) <= 160
    assert sample.companies[0].id == SAMPLE_ACCOUNT_ID
    assert sample.companies[0].name == "Helix Medical Group"
    assert len(sample.companies) >= 4
    check_invariants(sample, SAMPLE_ACCOUNT_ID)
    # the packaged file is current: regenerate with `python tools/make_sample.py` after changing the generator
    assert sample == generate_sample()
    with sqlite(tmp_path) as store:
        store.load_bundle(sample)
        assert store.export_bundle(SAMPLE_ACCOUNT_ID) == sample.sorted()


def test_sample_moved_to_another_day_keeps_its_structure() -> None:
    from datetime import date, timedelta

    from accountgraph.samples.generator import DEFAULT_REFERENCE
    from accountgraph.samples.sample import sample_bundle

    base = sample_bundle()
    later = sample_bundle(reference=DEFAULT_REFERENCE + timedelta(days=100))
    assert [p.id for p in later.people] == [p.id for p in base.people]
    moved = [(a.last_contact, b.last_contact) for a, b in zip(base.ties, later.ties, strict=True) if a.last_contact]
    assert moved and all(b - a == timedelta(days=100) for a, b in moved)
    assert all(b.at - a.at == timedelta(days=100) for a, b in zip(base.interactions, later.interactions, strict=True))
    assert sample_bundle(reference=DEFAULT_REFERENCE) == base
    assert isinstance(later.risks[0].at, date)
