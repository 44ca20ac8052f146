"""The portfolio service on a hand-computed ledger and graph (both backends), its pure parts on generated facts
(hypothesis), and the SVG chart.

The fixture (`book`), on REF = 2026-03-31; catalogue: unit, widget, gadget at 1.00 EUR, no volume discount:

- alpha: paid 10000 unit on REF−100 (and 5000 on REF−500, older than 12 months); a1, economic buyer, reached by
  t1 only, fresh (the tie since REF−10);
- beta: paid 6000 unit on REF−200; b1, decision maker and opponent, reached by t1 and t2, fresh (since REF−10);
- gamma: paid 2000 unit + 1000 widget on REF−30; 500 unit on REF−60 unpaid, due REF−30: overdue; g1, technical
  buyer, reached by t1 only, 0.9, last contact REF−400 (stale: over 365 days);
- delta: paid 1000 unit on REF−300; strategic, "industry leader"; nobody now: d1 (decision maker) left on REF−30;
- empty: nothing.

Revenue (12 months): alpha 10000, beta 6000, gamma 3000, delta 1000; total 20000.

Key accounts (contribution top 20 % of the 4 with revenue = ceil(0.8) = 1 account: alpha):
- alpha: contribution; whitespace (bought unit: 2 of 3 products not bought, 2/3 ≥ 0.5); momentum (coverage 0 on
  REF−90, its tie did not exist yet, 100 now: +100 ≥ 5) → key.
- beta: whitespace (2/3); momentum (b1 uncovered on REF−90, the ties start on REF−10; covered now) → candidate.
- gamma: whitespace 1/3 < 0.5; coverage 0 then and now → other.
- delta: strategic (industry leader); whitespace 2/3 → key.
- empty: nothing (no purchase, so no whitespace) → other.

Revenue at risk (each account has one key person, so w = 1):
- alpha: a1 single-threaded: 0.10 → 10000 × 0.10 = 1000.00
- beta: b1, an opponent and decision maker: 0.25 → 6000 × 0.25 = 1500.00 (covered by two of ours: nothing else)
- gamma: g1 reached only through a stale tie: 0.20 → 3000 × 0.20 = 600.00
- delta: d1, a key person 90 days ago, left: 0.30 → 1000 × 0.30 = 300.00
- empty: 0. Total 3400.00 of 20000.00 expected.

Attention list, by revenue at risk: beta, alpha, gamma (overdue 500.00), delta (key person gone: D One).
"""

from __future__ import annotations

import tempfile
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accountgraph.errors import Forbidden, InvalidArgument, NotFoundError
from accountgraph.graph.sqlite import SqliteStore
from accountgraph.graph.store import GraphStore
from accountgraph.ledger import service as ledger
from accountgraph.ledger.models import Money, Product
from accountgraph.opportunities.service import create_opportunity, move_stage
from accountgraph.schema import Bundle, Company, Person, TeamMember, Tie
from accountgraph.schema.models import ApiRole, Interaction
from accountgraph.services import portfolio
from accountgraph.services.analysis import AnalysisCache
from accountgraph.services.parallel import Engine
from accountgraph.services.portfolio import AccountFacts, Deal, PortfolioParams, Threat
from accountgraph.services.scope import Scope
from accountgraph.viz.portfolio import render_value_svg
from tests.ledger.support import no_volume_discount

REF = date(2026, 3, 31)
OP = Scope.operator()


def day(offset: int) -> date:
    return REF + timedelta(days=offset)


def catalogue(store: GraphStore) -> None:
    for pid in ("unit", "widget", "gadget"):
        ledger.save_product(store, Product(id=pid, name=pid, list_price=Money(amount=Decimal("1.00"), currency="EUR")))
    no_volume_discount(store)


def sale(store: GraphStore, account: str, lines: list[tuple[str, int]], on: date, *, paid: bool = True) -> None:
    """An accepted quote, its contract, one order, one invoice due 30 days later, paid 5 days after `on`."""
    q = ledger.create_quote(store, account, lines, number=f"Q-{account}-{on}", on=on)
    ledger.send_quote(store, q.id, on=on)
    ledger.accept_quote(store, q.id, on=on)
    c = ledger.create_contract(store, q.id, start=on)
    o = ledger.create_order(store, c.id, c.value, on=on)
    [inv] = ledger.invoice_order(store, o.id, on=on)
    if paid:
        ledger.record_payment(store, inv.id, inv.amount, idempotency_key=f"pay-{inv.id}", on=on + timedelta(5))


def graph() -> Bundle:
    fresh = {"type": "knows", "strength": 0.8, "since": day(-10), "last_contact": REF}
    return Bundle(
        companies=[Company(id=a, name=a.title()) for a in ("alpha", "beta", "gamma", "delta", "empty")],
        team=[TeamMember(id="t1", name="T One"), TeamMember(id="t2", name="T Two")],
        people=[
            Person(id="a1", name="A One", company="alpha", title="CFO", roles=["economic_buyer"], stance="supporter"),
            Person(id="b1", name="B One", company="beta", title="CEO", roles=["decision_maker"], stance="opponent"),
            Person(id="g1", name="G One", company="gamma", title="CTO", roles=["technical_buyer"]),
            Person(id="d1", name="D One", company="delta", roles=["decision_maker"], until=day(-30)),
        ],
        ties=[
            Tie.model_validate({"from": "t1", "to": "a1", **fresh}),
            Tie.model_validate({"from": "t1", "to": "b1", **fresh}),
            Tie.model_validate({"from": "t2", "to": "b1", **fresh}),
            Tie.model_validate({"from": "t1", "to": "g1", "type": "knows", "strength": 0.9, "last_contact": day(-400)}),
        ],
    )


def build(store: GraphStore) -> GraphStore:
    store.load_bundle(graph())
    catalogue(store)
    sale(store, "alpha", [("unit", 10000)], day(-100))
    sale(store, "alpha", [("unit", 5000)], day(-500))
    sale(store, "beta", [("unit", 6000)], day(-200))
    sale(store, "gamma", [("unit", 2000), ("widget", 1000)], day(-30))
    sale(store, "gamma", [("unit", 500)], day(-60), paid=False)
    sale(store, "delta", [("unit", 1000)], day(-300))
    ledger.set_strategic(store, "delta", True, "industry leader")
    return store


@pytest.fixture
def book(store: GraphStore) -> GraphStore:
    return build(store)


def eur(amount: str) -> Money:
    return Money(amount=Decimal(amount), currency="EUR")


def test_key_accounts_with_their_reasons(book: GraphStore) -> None:
    keys = {k.account: k for k in portfolio.key_accounts(book, OP, on=REF)}
    assert {a: (k.status, k.criteria) for a, k in keys.items()} == {
        "alpha": ("key", ["contribution", "whitespace", "momentum"]),
        "delta": ("key", ["strategic", "whitespace"]),
        "beta": ("candidate", ["whitespace", "momentum"]),
        "gamma": ("other", []),
        "empty": ("other", []),
    }
    alpha = keys["alpha"]
    assert alpha.revenue == eur("10000.00") and alpha.revenue_rank == 1 and alpha.revenue_share == 0.5
    assert alpha.reasons[0].startswith("top 20 % of the 4 accounts with revenue: rank 1, 10000.00 EUR")
    assert keys["delta"].reasons[0] == "strategic: industry leader"
    assert keys["beta"].reasons[0] == "whitespace: 2 of 3 products not bought yet (gadget, widget)"
    assert keys["beta"].reasons[1] == "relationship momentum: coverage up 100.0 points in 90 days (0.0 → 100.0)"
    assert keys["empty"].revenue == eur("0.00") and keys["empty"].revenue_rank is None
    # key accounts first, then candidates, then the others, each by revenue
    assert list(keys) == ["alpha", "delta", "beta", "gamma", "empty"]
    # a wider contribution share: the top 50 % of 4 = 2 accounts (alpha, beta)
    wider = portfolio.key_accounts(book, OP, on=REF, params=PortfolioParams(contribution_share=Decimal("0.5")))
    assert [k.account for k in wider if "contribution" in k.criteria] == ["alpha", "beta"]


def test_revenue_at_risk_hand_computed(book: GraphStore) -> None:
    risk = portfolio.revenue_risk(book, OP, on=REF)
    assert {r.account: (r.chance, r.at_risk.amount) for r in risk.accounts} == {
        "beta": (0.25, Decimal("1500.00")),
        "alpha": (0.1, Decimal("1000.00")),
        "gamma": (0.2, Decimal("600.00")),
        "delta": (0.3, Decimal("300.00")),
        "empty": (0.0, Decimal("0.00")),
    }
    assert [r.account for r in risk.accounts] == ["beta", "alpha", "gamma", "delta", "empty"]
    assert risk.total == eur("3400.00") and risk.expected == eur("20000.00")
    by = {r.account: r for r in risk.accounts}
    assert [t.kind for t in by["alpha"].threats] == ["single_threaded"]
    assert by["alpha"].explanation == (
        "1000.00 EUR at risk (10 % of 10000.00 EUR expected next year): "
        "A One (CFO) is reached only through T One, last contact 1 day ago"
    )
    assert by["beta"].explanation.endswith("B One (CEO), who works against us, is a decision maker")
    assert by["gamma"].threats[0].kind == "stale_only"
    assert by["gamma"].threats[0].detail == (
        "G One (CTO) is reached only through T One by stale ties, last contact 401 days ago"
    )
    assert by["delta"].threats[0].detail == "D One, a key person 90 days ago, has left"
    assert by["empty"].explanation.startswith("nothing at risk")
    assert (
        risk.explanation
        == "3400.00 EUR of next year's revenue at risk (17 % of 20000.00 EUR expected) across 5 accounts"
    )


def test_value_distribution(book: GraphStore) -> None:
    value = portfolio.value_distribution(book, OP, on=REF)
    assert value.total_revenue == eur("20000.00")
    assert (value.accounts_with_revenue, value.accounts_without_revenue) == (4, 1)
    # the top 20 % of 4 accounts (1: alpha) make 10000 / 20000
    assert value.top_accounts == 1 and value.top_revenue_share == 0.5
    assert [(p.account, p.cumulative_revenue_share, p.cumulative_account_share) for p in value.pareto] == [
        ("alpha", 0.5, 0.25),
        ("beta", 0.8, 0.5),
        ("gamma", 0.95, 0.75),
        ("delta", 1.0, 1.0),
    ]
    accounts = {a.account: a for a in value.accounts}
    assert (accounts["alpha"].coverage, accounts["alpha"].health, accounts["alpha"].direction) == (
        100.0,
        "strong",
        "rising",
    )
    assert accounts["empty"].grade == "no history" and accounts["empty"].health == "weak"
    cells = {(c.grade, c.health): c.accounts for c in value.matrix}
    assert len(cells) == 5 * 3
    assert sorted(a for accounts_ in cells.values() for a in accounts_) == ["alpha", "beta", "delta", "empty", "gamma"]
    assert cells[("no history", "weak")] == ["empty"]
    svg = portfolio.value_chart_svg(value)
    ET.fromstring(svg)  # well-formed
    assert "Alpha" in svg and "<script" not in svg


def test_attention_list(book: GraphStore) -> None:
    items = portfolio.attention(book, OP, on=REF, cache=AnalysisCache())
    assert [(a.account, a.at_risk.amount) for a in items] == [
        ("beta", Decimal("1500.00")),
        ("alpha", Decimal("1000.00")),
        ("gamma", Decimal("600.00")),
        ("delta", Decimal("300.00")),
    ]
    by = {a.account: a for a in items}
    assert by["gamma"].changes == ["overdue cash: 500.00 EUR"]
    assert by["delta"].changes == ["key person gone: D One"]
    assert by["alpha"].explanation == "1000.00 EUR at risk; no change, but revenue is at risk"
    # the first of the account's next best actions (alpha's single thread has no colleague of ours to add)
    assert by["alpha"].action is None
    assert by["gamma"].action == (
        "T One re-engages G One directly (now 0.19, last contact 401 days ago; the threshold is 0.30)"
    )
    assert by["gamma"].explanation == f"600.00 EUR at risk; overdue cash: 500.00 EUR; next: {by['gamma'].action}"


def test_overview_is_every_section_at_once(book: GraphStore) -> None:
    whole = portfolio.overview(book, OP, on=REF, cache=AnalysisCache())
    assert whole.accounts == 5 and whole.currency == "EUR" and whole.on == REF
    assert whole.keys == portfolio.key_accounts(book, OP, on=REF)
    assert whole.risk == portfolio.revenue_risk(book, OP, on=REF)
    dumped = whole.model_dump(mode="json")
    assert dumped["risk"]["total"] == {"amount": "3400.00", "currency": "EUR"}  # money: a string and its currency


def test_a_scoped_key_sees_a_portfolio_of_its_accounts_only(book: GraphStore) -> None:
    scope = Scope("k", ApiRole.VIEWER, frozenset({"gamma"}))
    keys = portfolio.key_accounts(book, scope, on=REF)
    assert [(k.account, k.status, k.criteria, k.revenue_share) for k in keys] == [
        ("gamma", "key", ["contribution"], 1.0)
    ]
    assert portfolio.revenue_risk(book, scope, on=REF).total == eur("600.00")
    # its grade is the store-wide one (what GET /v1/accounts/gamma/value shows)
    assert keys[0].grade == next(k.grade for k in portfolio.key_accounts(book, OP, on=REF) if k.account == "gamma")


def test_the_strategic_flag_and_its_reason(book: GraphStore) -> None:
    profile = portfolio.set_strategic(book, OP, "beta", reason="industry leader in imaging")
    assert (profile.strategic, profile.reason) == (True, "industry leader in imaging")
    keys = {k.account: k for k in portfolio.key_accounts(book, OP, on=REF)}
    assert keys["beta"].status == "key" and "strategic: industry leader in imaging" in keys["beta"].reasons
    cleared = portfolio.set_strategic(book, OP, "beta", strategic=False, reason="ignored")
    assert (cleared.strategic, cleared.reason) == (False, None)
    with pytest.raises(Forbidden):
        portfolio.set_strategic(book, Scope("k", ApiRole.VIEWER), "beta")
    with pytest.raises(NotFoundError):
        portfolio.set_strategic(book, Scope("k", ApiRole.PLANNER, frozenset({"alpha"})), "beta")


def test_an_unrelated_empty_account_changes_no_status_in_the_store(book: GraphStore) -> None:
    before = {k.account: (k.status, k.criteria, k.reasons) for k in portfolio.key_accounts(book, OP, on=REF)}
    book.load_bundle(Bundle(companies=[Company(id="newcomer", name="Newcomer")]))
    after = {k.account: (k.status, k.criteria, k.reasons) for k in portfolio.key_accounts(book, OP, on=REF)}
    assert after.pop("newcomer") == ("other", [], [])
    assert after == before


# ---- the pure parts on generated facts ------------------------------------------------------------------------
def facts(
    account: str,
    revenue: int,
    *,
    strategic: bool = False,
    weighted: int = 0,
    bought: int = 0,
    catalogue: int = 4,
    trend: float = 0.0,
    threats: tuple[Threat, ...] = (),
) -> AccountFacts:
    deals = (
        [
            Deal(
                id="d",
                name="d",
                stage="propose",
                amount=eur(f"{2 * weighted}.00"),
                win_probability=0.5,
                weighted=eur(f"{weighted}.00"),
                days_in_stage=1,
            )
        ]
        if weighted
        else []
    )
    return AccountFacts(
        account=account,
        name=account,
        revenue=eur(f"{revenue}.00"),
        ltv=eur("0.00"),
        grade="C" if revenue else "no history",
        strategic=strategic,
        strategic_reason=None,
        coverage=50.0 + trend,
        coverage_before=50.0,
        people=1,
        deals=deals,
        bought=[f"p{i}" for i in range(bought)],
        whitespace=[f"q{i}" for i in range(catalogue - bought)],
        catalogue=catalogue,
        threats=list(threats),
        risk_score=0.0,
        new_risk_events=[],
        key_people_gone=[],
        overdue=eur("0.00"),
    )


def test_pipeline_counts_from_the_smallest_key_accounts_revenue() -> None:
    """Key by contribution: the top 20 % of 5 accounts with revenue = 1 (a, 5000). Pipeline potential: a weighted
    pipeline of at least 5000: c (6000) yes, d (4999) no."""
    book = [facts("a", 5000), facts("b", 4000), facts("c", 100, weighted=6000), facts("d", 100, weighted=4999)]
    book.append(facts("e", 50))
    status = {k.account: (k.status, k.criteria) for k in portfolio.classify(book)}
    assert status == {
        "a": ("key", ["contribution"]),
        "b": ("other", []),
        "c": ("candidate", ["pipeline"]),
        "d": ("other", []),
        "e": ("other", []),
    }
    # no account with revenue: any weighted pipeline is potential
    assert portfolio.classify([facts("x", 0, weighted=1)])[0].criteria == ["pipeline"]


def test_ties_at_the_contribution_line_are_all_key() -> None:
    book = [facts("a", 300), facts("b", 300), facts("c", 100), facts("d", 100), facts("e", 100)]
    assert [k.account for k in portfolio.classify(book) if k.status == "key"] == ["a", "b"]


accounts_st = st.lists(
    st.builds(
        facts,
        st.text("abcdefgh", min_size=1, max_size=3),
        st.integers(0, 10**6),
        strategic=st.booleans(),
        weighted=st.integers(0, 10**6),
        bought=st.integers(0, 4),
        trend=st.floats(-50, 50, allow_nan=False),
    ),
    max_size=12,
    unique_by=lambda f: f.account,
)


@settings(max_examples=200, deadline=None)
@given(accounts_st, st.text("xyz", min_size=1, max_size=3), st.decimals("0.05", "1", places=2))
def test_an_unrelated_empty_account_changes_no_status(book: list[AccountFacts], newcomer: str, share: Decimal) -> None:
    params = PortfolioParams(contribution_share=share)
    before = {k.account: (k.status, k.criteria) for k in portfolio.classify(book, params)}
    after = {k.account: (k.status, k.criteria) for k in portfolio.classify([*book, facts(newcomer, 0)], params)}
    assert after.pop(newcomer) == ("other", [])
    assert after == before


def bundle_st() -> st.SearchStrategy[Bundle]:
    """An account whose every person is reached by two or more of ours through fresh, strong ties; roles and
    stances drawn (no opponent: an opponent in a decision role is a threat of its own)."""
    roles = st.lists(
        st.sampled_from(["decision_maker", "economic_buyer", "technical_buyer", "influencer"]), unique=True
    )

    @st.composite
    def build(draw: st.DrawFn) -> Bundle:
        n = draw(st.integers(1, 5))
        team = [TeamMember(id=f"t{i}", name=f"T{i}") for i in range(draw(st.integers(2, 4)))]
        people = [
            Person(
                id=f"p{i}",
                name=f"P{i}",
                company="acme",
                roles=draw(roles),
                stance=draw(st.sampled_from(["supporter", "neutral", "unknown"])),
            )
            for i in range(n)
        ]
        ties = []
        for p in people:
            for t in draw(st.lists(st.sampled_from(team), min_size=2, unique_by=lambda t: t.id)):
                ties.append(
                    Tie.model_validate(
                        {
                            "from": t.id,
                            "to": p.id,
                            "type": "knows",
                            "strength": draw(st.floats(0.5, 1.0)),
                            "last_contact": day(-draw(st.integers(0, 60))),
                        }
                    )
                )
        return Bundle(companies=[Company(id="acme", name="Acme")], people=people, team=team, ties=ties)

    return build()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bundle_st(), st.integers(1, 10**6))
def test_no_revenue_at_risk_when_every_key_person_is_covered_by_fresh_multi_threaded_ties(
    bundle: Bundle, amount: int
) -> None:
    with tempfile.TemporaryDirectory() as folder, SqliteStore(f"sqlite:///{Path(folder) / 's.db'}") as store:
        store.load_bundle(bundle)
        catalogue(store)
        sale(store, "acme", [("unit", amount)], day(-20))
        [risk] = portfolio.revenue_risk(store, OP, on=REF).accounts
        assert risk.expected.amount == amount
        assert risk.threats == [] and risk.chance == 0 and risk.at_risk.amount == 0


def test_the_chart_escapes_what_it_shows() -> None:
    svg = render_value_svg(
        title='<script>alert("x")</script> & co',
        pareto=[("<b>Acme</b>", 1.0, 1.0, "10.00 EUR")],
        rows=["A"],
        columns=["strong"],
        cells={("A", "strong"): ["</text><script>x</script>"]},
    )
    root = ET.fromstring(svg)
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert '<script>alert("x")</script> & co' in texts
    assert "<script" not in svg and not list(root.iter("{http://www.w3.org/2000/svg}script"))


# ---- operating KPIs ---------------------------------------------------------------------------------------------
KPI_DAY = date(2026, 6, 15)


def kpi_book(store: GraphStore) -> GraphStore:
    """Accounts k1, k2 (strategic), small; orders paid 5 days after they are placed (one unpaid); interactions;
    deals."""
    store.load_bundle(
        Bundle(
            companies=[Company(id=a, name=a) for a in ("k1", "k2", "small")],
            team=[
                TeamMember(id="boss", name="Boss", function="executive"),
                TeamMember(id="am", name="Account Manager", function="account_manager"),
            ],
            people=[Person(id="p1", name="P One", company="k1")],
            interactions=[
                Interaction(id="i-q2-meeting", member="boss", person="p1", kind="meeting", at=datetime(2026, 5, 1, 9)),
                Interaction(id="i-q2-call", member="am", person="p1", kind="call", at=datetime(2026, 4, 10, 9)),
                Interaction(id="i-q1-email", member="am", person="p1", kind="email", at=datetime(2026, 3, 15, 9)),
            ],
        )
    )
    catalogue(store)
    sale(store, "k1", [("unit", 1000)], date(2025, 11, 10))
    sale(store, "k1", [("unit", 5000)], date(2026, 2, 10))
    sale(store, "k1", [("widget", 4000)], date(2026, 5, 10))
    sale(store, "k2", [("unit", 3000)], date(2026, 2, 20))
    sale(store, "small", [("unit", 500)], date(2026, 3, 1))
    sale(store, "small", [("unit", 1000)], date(2026, 5, 20))
    sale(store, "small", [("unit", 700)], date(2026, 6, 1), paid=False)
    ledger.set_strategic(store, "k2", True, "reference customer")

    def deal(id: str, created: date, closed: date, stage: str) -> None:
        create_opportunity(store, "k1", id, id=id, amount="1000", at=datetime.combine(created, time(9), UTC))
        move_stage(store, id, stage, at=datetime.combine(closed, time(9), UTC), features=lambda *_: {})

    deal("d1", date(2026, 3, 1), date(2026, 4, 10), "won")
    deal("d2", date(2026, 4, 1), date(2026, 5, 1), "won")
    deal("d3", date(2026, 4, 1), date(2026, 5, 15), "lost")
    deal("d4", date(2026, 1, 1), date(2026, 2, 1), "won")
    return store


def test_operating_kpis_hand_computed(store: GraphStore) -> None:
    """The quarter of 2026-06-15: Q2 = 2026-04-01 … 2026-06-15 (to date); previous Q1; before it Q4 2025.

    Key accounts at the end of Q2 (revenue of the 365 days up to 2026-06-15): k1 1000 + 5000 + 4000 = 10000,
    k2 3000, small 500 + 1000 = 1500 (its 700 is unpaid): the top 20 % of 3 = 1 → k1; k2 is strategic → {k1, k2}.
    At the end of Q1: k1 6000, k2 3000, small 500 → k1, and k2 → {k1, k2}. At the end of Q4: k1 1000 → {k1, k2}.

    - key-account share: Q2 revenue 4000 (k1) + 1000 (small) = 5000, key 4000 → 0.8;
      Q1 5000 + 3000 + 500 = 8500, key 8000 → 0.9412.
    - retention: key accounts with Q1 revenue {k1, k2}, with Q2 revenue too {k1} → 0.5;
      Q1: key with Q4 revenue {k1}, also in Q1 → 1.0.
    - cross-sell: k1's widget in Q2 is new to it, k2 ordered nothing → 1 of 2 = 0.5;
      Q1: k2's first unit is new, k1's unit is not → 0.5.
    - cost to serve: Q2 an executive's meeting 150 × 3 = 450 + an account manager's call 40 = 490 over 5000
      → 0.098; Q1 an email 10 over 8500 → 0.0012.
    - deals closed in Q2: d1 won (40 days), d2 won (30 days), d3 lost → win rate 2/3 = 0.6667, median cycle
      (30 + 40) / 2 = 35.0 days; in Q1: d4 won in 31 days → 1.0 and 31.0.
    """
    kpi_book(store)
    k = portfolio.operating_kpis(store, OP, period="quarter", on=KPI_DAY)
    assert (k.start, k.end, k.previous_start, k.previous_end) == (
        date(2026, 4, 1),
        KPI_DAY,
        date(2026, 1, 1),
        date(2026, 3, 31),
    )
    assert k.key_accounts == ["k1", "k2"]
    figures = {x.name: (x.value, x.previous) for x in k.kpis}
    assert figures == {
        "key_account_share": (0.8, 0.9412),
        "retention": (0.5, 1.0),
        "cross_sell": (0.5, 0.5),
        "cost_to_serve": (0.098, 0.0012),
        "cycle_time": (35.0, 31.0),
        "win_rate": (0.6667, 1.0),
    }
    by = {x.name: x for x in k.kpis}
    assert by["key_account_share"].parts == {"key revenue": "4000.00 EUR", "revenue": "5000.00 EUR"}
    assert len(by["key_account_share"].records) == 2  # the two paid Q2 orders
    assert by["retention"].records == ["k1"]
    assert by["cost_to_serve"].records == ["i-q2-call", "i-q2-meeting"]
    assert by["cost_to_serve"].parts["cost"] == "490.00 EUR"
    assert by["win_rate"].records == ["d1", "d2", "d3"] and by["cycle_time"].records == ["d1", "d2"]
    assert all(x.definition for x in k.kpis)
    # rates are configurable: a meeting at 100, an executive at 2 → 100 × 2 + 40 = 240 over 5000
    cheaper = portfolio.operating_kpis(
        store,
        OP,
        on=KPI_DAY,
        interaction_costs={"meeting": Decimal(100)},
        function_factors={"executive": Decimal(2)},
    )
    assert next(x.value for x in cheaper.kpis if x.name == "cost_to_serve") == 0.048


def test_period_bounds() -> None:
    assert portfolio.period_bounds(date(2026, 2, 14), "month") == (date(2026, 2, 1), date(2026, 2, 28))
    assert portfolio.period_bounds(date(2026, 1, 14), "month", 1) == (date(2025, 12, 1), date(2025, 12, 31))
    assert portfolio.period_bounds(date(2026, 11, 30), "quarter") == (date(2026, 10, 1), date(2026, 12, 31))
    assert portfolio.period_bounds(date(2026, 2, 1), "quarter", 2) == (date(2025, 7, 1), date(2025, 9, 30))
    assert portfolio.period_bounds(date(2026, 6, 1), "year", 1) == (date(2025, 1, 1), date(2025, 12, 31))


def test_the_facts_are_exactly_the_serial_ones_in_worker_processes_and_on_a_dask_cluster(
    book: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    serial = portfolio.account_facts(book, OP, on=REF, engine=Engine("serial"))
    assert [f.account for f in serial] == ["alpha", "beta", "delta", "empty", "gamma"]

    def not_here(*args: object, **kwargs: object) -> None:
        raise AssertionError("an account's facts were gathered in the calling process")

    # from here on only workers can gather facts: they import the module afresh (spawned processes)
    monkeypatch.setattr(portfolio, "_account_fact", not_here)
    engines = [Engine("processes", workers=2, min_accounts=2)]
    if isinstance(book, SqliteStore):  # the cluster's start is the slow part; how workers reach a store is the same
        engines.append(Engine("dask", workers=2, min_accounts=2))
    for engine in engines:
        assert portfolio.account_facts(book, OP, on=REF, engine=engine) == serial, engine.kind
    limited = Scope("k", ApiRole.VIEWER, frozenset({"alpha", "gamma"}))
    parallel = portfolio.account_facts(book, limited, on=REF, engine=Engine("processes", workers=2, min_accounts=2))
    assert parallel == [f for f in serial if f.account in {"alpha", "gamma"}]


def test_the_engine_settings() -> None:
    assert Engine.from_env({}) == Engine("processes", 0, None, 32)
    env = {
        "ACCOUNTGRAPH_PORTFOLIO_ENGINE": "dask",
        "ACCOUNTGRAPH_PORTFOLIO_WORKERS": "3",
        "ACCOUNTGRAPH_DASK_SCHEDULER": "tcp://10.0.0.5:8786",
        "ACCOUNTGRAPH_PORTFOLIO_MIN_ACCOUNTS": "20",
    }
    assert Engine.from_env(env) == Engine("dask", 3, "tcp://10.0.0.5:8786", 20)
    for name, bad in (("ACCOUNTGRAPH_PORTFOLIO_ENGINE", "ray"), ("ACCOUNTGRAPH_PORTFOLIO_WORKERS", "two")):
        with pytest.raises(InvalidArgument, match=name):
            Engine.from_env({name: bad})
    many = Engine("processes", workers=2, min_accounts=8)
    assert many.parallel_for("sqlite:///book.db", 8) and many.parallel_for("bolt://127.0.0.1:7687", 100)
    assert not many.parallel_for("sqlite:///book.db", 7)  # too few accounts to be worth the workers
    assert not many.parallel_for("sqlite:///:memory:", 100)  # a store no other process can open
    assert not Engine("serial").parallel_for("sqlite:///book.db", 100)
    assert not Engine("processes", workers=1).parallel_for("sqlite:///book.db", 100)
    assert [len(c) for c in many.chunks(list(range(20)))] == [3, 3, 3, 3, 3, 3, 2]
