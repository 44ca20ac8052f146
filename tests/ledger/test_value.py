"""The cash picture, RFM, lifetime value and grades on hand-computed examples, on both backends; the CLI."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from accountgraph.graph.sqlite import SqliteStore
from accountgraph.graph.store import GraphStore
from accountgraph.ledger import cash, service, value
from accountgraph.ledger.value import GRADES, NO_HISTORY, Purchases
from accountgraph.samples.ledger import seed_demo_ledger
from tests.ledger.support import START, accounts, contract

REF = date(2026, 3, 31)


def test_cash_picture_ageing_and_dso_hand_computed(store: GraphStore) -> None:
    accounts(store, "acme")
    c = contract(store, "acme", "10000", on=date(2025, 9, 1))
    order = service.create_order(store, c.id, "10000", on=date(2025, 10, 1))

    def bill(amount: str, issued: date, terms: int = 30) -> str:
        [inv] = service.invoice_order(store, order.id, amount=amount, terms_days=terms, on=issued)
        return inv.id

    a = bill("1000", date(2025, 11, 1))  # due 2025-12-01: 120 days late on REF, unpaid → 90+
    b = bill("1500", date(2025, 12, 16))  # due 2026-01-15: 75 days late, 250 paid → 1250 in 61-90
    c_ = bill("2000", date(2026, 1, 1))  # due 2026-01-31: 59 days late, 500 paid → 1500 in 31-60
    d = bill("2500", date(2026, 2, 1), terms=28)  # due 2026-03-01: 30 days late, paid after REF → 2500 in 0-30
    e = bill("3000", date(2026, 3, 15))  # due 2026-04-14: not due yet; 1000 paid, 100 of it refunded
    service.record_payment(store, b, "250", idempotency_key="b", on=date(2026, 2, 1))
    service.record_payment(store, c_, "500", idempotency_key="c", on=date(2026, 3, 1))
    service.record_payment(store, d, "2500", idempotency_key="d", on=date(2026, 4, 5))
    paid_e = service.record_payment(store, e, "1000", idempotency_key="e", on=date(2026, 3, 20))
    service.refund_payment(store, paid_e.id, "100", idempotency_key="e-back", on=date(2026, 3, 25))
    assert a

    p = cash.cash_picture(store, "acme", REF)
    assert p.billed == Decimal("10000")
    assert p.collected == Decimal("1650")  # 250 + 500 + 1000 − 100 (the 2500 comes after REF)
    assert p.outstanding == Decimal("8350")
    assert p.ageing == {
        "0-30": Decimal("2500"),
        "31-60": Decimal("1500"),
        "61-90": Decimal("1250"),
        "90+": Decimal("1000"),
    }
    assert p.overdue == Decimal("6250")
    # billed in the 90 days up to REF included (2026-01-01 … 2026-03-31): 2000 + 2500 + 3000
    # DSO = 8350 / 7500 × 90 = 100.2
    assert p.billed_last_90_days == Decimal("7500")
    assert p.dso == Decimal("100.2")
    assert p.as_dict()["ageing"]["0-30"] == "2500.00" and p.as_dict()["dso"] == "100.2"

    later = cash.cash_picture(store, "acme", date(2026, 4, 5))  # the 2500 arrived
    assert later.collected == Decimal("4150") and later.ageing["0-30"] == 0
    # on 2026-04-05: a is 125 days late (90+), b 80 days (61-90), c 64 days (61-90)
    assert later.ageing == {"0-30": 0, "31-60": 0, "61-90": Decimal("2750"), "90+": Decimal("1000")}


def test_a_report_across_accounts(store: GraphStore) -> None:
    accounts(store, "acme", "zed", "quiet")
    for account, amount in (("acme", "100"), ("zed", "300")):
        c = contract(store, account, amount)
        order = service.create_order(store, c.id, amount, on=START)
        [inv] = service.invoice_order(store, order.id, on=START)
        service.record_payment(store, inv.id, "50", idempotency_key=account, on=START)
    report = cash.cash_report(store, START + timedelta(days=45))
    assert [p.account for p in report] == ["acme", "quiet", "zed"]
    assert [(p.billed, p.collected, p.overdue) for p in report] == [
        (Decimal("100.00"), Decimal("50"), Decimal("50.00")),
        (0, 0, 0),
        (Decimal("300.00"), Decimal("50"), Decimal("250.00")),
    ]
    assert report[1].dso is None
    total = cash.report_totals(report)
    assert (total.billed, total.outstanding, total.ageing["0-30"]) == (Decimal("400"), Decimal("300"), Decimal("300"))
    assert total.dso == Decimal("67.5")  # 300 / 400 × 90


def test_quintile_scores() -> None:
    # mid-rank: x and y tie (w = 0, e = 2: 5 × 1/3 → 2); z is above both (w = 2, e = 1: 5 × 2.5/3 → 5)
    assert value.quintile_scores({"x": Decimal(1), "y": Decimal(1), "z": Decimal(2)}) == {"x": 2, "y": 2, "z": 5}
    # an account compared with nobody, or with equals only, is in the middle, not at the bottom
    assert value.quintile_scores({"lone": Decimal(7)}) == {"lone": 3}
    assert value.quintile_scores(dict.fromkeys("abcd", Decimal(7))) == dict.fromkeys("abcd", 3)
    five = {k: Decimal(v) for k, v in zip("abcde", (50, 10, 40, 20, 30), strict=True)}
    assert value.quintile_scores(five) == {"a": 5, "b": 1, "c": 4, "d": 2, "e": 3}
    ten = {str(i): Decimal(i) for i in range(10)}
    assert list(value.quintile_scores(ten).values()) == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_lifetime_value_formula() -> None:
    # LTV = A × m × r / (1 + d − r) = 4000 × 0.30 × 0.80 / 0.30
    assert value.lifetime_value(Decimal(4000), "EUR") == Decimal("3200.00")
    assert value.lifetime_value(Decimal(1000), "EUR", Decimal("0.5"), Decimal("0.9"), Decimal("0.1")) == Decimal(
        "2250.00"
    )
    assert value.lifetime_value(Decimal(1), "JPY") == Decimal(1)  # 0.8 rounded to whole yen


def test_a_lone_account_with_purchases_grades_c_not_d() -> None:
    lone = {"medtech": Purchases(recency_days=30, frequency=4, monetary=Decimal("120000"))}
    assert value.rfm_scores(lone) == {"medtech": (3, 3, 3)}
    assert value.grades(lone) == {"medtech": "C"}
    assert value.grades(lone, strategic={"medtech"}) == {"medtech": "B"}


def test_grade_rule() -> None:
    assert [value.grade_of(t, False) for t in (3, 6, 7, 9, 10, 12, 13, 15)] == ["D", "D", "C", "C", "B", "B", "A", "A"]
    assert [value.grade_of(t, True) for t in (3, 7, 10, 13)] == ["C", "B", "A", "A"]


def test_rfm_and_grades_hand_computed(store: GraphStore) -> None:
    ref = date(2026, 6, 30)
    deals = {  # account: paid orders (date, amount)
        "a1": [(date(2026, 6, 20), "100")],
        "a2": [(date(2026, 1, 10), "200"), (date(2026, 5, 31), "200")],
        "a3": [(date(2025, 8, 1), "300"), (date(2025, 12, 1), "300"), (date(2026, 4, 1), "300")],
        "a4": [(date(2025, 9, 1), "1000"), (date(2025, 11, 1), "1000"), (date(2026, 1, 1), "1000"),
               (date(2026, 6, 25), "1000")],
        "a5": [(date(2024, 1, 10), "1000"), (date(2024, 6, 1), "1000"), (date(2024, 12, 1), "1000"),
               (date(2025, 3, 1), "1000"), (date(2025, 6, 30), "1000")],
    }  # fmt: skip
    accounts(store, *deals, "a6")
    for account, orders in deals.items():
        total = sum(Decimal(amount) for _, amount in orders)
        c = contract(store, account, str(total), on=date(2024, 1, 1))
        for day, amount in orders:
            order = service.create_order(store, c.id, amount, on=day)
            [inv] = service.invoice_order(store, order.id, on=day)
            service.record_payment(store, inv.id, amount, idempotency_key=f"{account}-{day}", on=day)
    # an unpaid order does not count
    c = contract(store, "a1", "5000", on=date(2026, 1, 1), number="unpaid")
    order = service.create_order(store, c.id, "5000", on=date(2026, 6, 29))
    service.invoice_order(store, order.id, on=date(2026, 6, 29))

    values = {v.account: v for v in value.account_values(store, ref)}
    assert list(values) == ["a1", "a2", "a3", "a4", "a5", "a6"]
    # recency (days): a4 5, a1 10, a2 30, a3 90, a5 365, a6 none: "no history", outside the quintiles;
    # n = 5, all distinct: score = 1 + floor(5 × (worse + 1/2) / 5) = 1 + worse
    assert {a: v.recency_days for a, v in values.items()} == {
        "a1": 10,
        "a2": 30,
        "a3": 90,
        "a4": 5,
        "a5": 365,
        "a6": None,
    }
    assert {a: v.rfm for a, v in values.items()} == {
        "a1": "411",
        "a2": "322",
        "a3": "233",
        "a4": "544",
        "a5": "155",
        "a6": None,
    }
    assert {a: v.grade for a, v in values.items()} == {
        "a1": "D",
        "a2": "C",
        "a3": "C",
        "a4": "A",
        "a5": "B",
        "a6": value.NO_HISTORY,
    }
    assert (values["a6"].r, values["a6"].f, values["a6"].m) == (None, None, None)
    assert values["a4"].annual_value == Decimal("4000") and values["a4"].ltv == Decimal("3200.00")
    assert values["a5"].annual_value == 0 and values["a5"].ltv == Decimal("0.00")  # 2025-06-30 is 365 days back
    assert values["a5"].monetary == Decimal("5000") and values["a5"].frequency == 5

    service.set_strategic(store, "a6")
    service.set_strategic(store, "a5-sub")  # a company of the account flags the account
    assert value.account_grade(store, "a6", ref) == value.NO_HISTORY  # strategic lifts a grade, not no history
    assert value.account_value(store, "a6", ref).strategic
    assert value.account_grade(store, "a5", ref) == "A"
    service.set_strategic(store, "a5", False)
    assert value.grade_table(store, ref) == {
        "a1": "D",
        "a2": "C",
        "a3": "C",
        "a4": "A",
        "a5": "B",
        "a6": value.NO_HISTORY,
    }


@st.composite
def _purchases(draw: st.DrawFn) -> Purchases:
    orders = draw(st.integers(0, 6))
    if orders == 0:
        return Purchases(recency_days=None, frequency=0, monetary=Decimal(0))
    return Purchases(
        recency_days=draw(st.integers(0, 2000)),
        frequency=orders,
        monetary=Decimal(draw(st.integers(1, 10**7))) / 100,
    )


_PORTFOLIOS = st.dictionaries(st.text("abcdefgh", min_size=1, max_size=3), _purchases(), max_size=15)


@settings(max_examples=300, deadline=None)
@given(_PORTFOLIOS, st.sets(st.text("abcdefgh", min_size=1, max_size=3)), st.text("xyz", min_size=1, max_size=3))
def test_an_unrelated_account_without_revenue_changes_no_grade(
    portfolio: dict[str, Purchases], strategic: set[str], newcomer: str
) -> None:
    before = value.grades(portfolio, strategic)
    after = value.grades({**portfolio, newcomer: Purchases(None, 0, Decimal(0))}, strategic | {newcomer})
    assert after.pop(newcomer) == NO_HISTORY
    assert after == before
    assert value.rfm_scores({**portfolio, newcomer: Purchases(None, 0, Decimal(0))})[newcomer] is None


@settings(max_examples=300, deadline=None)
@given(_PORTFOLIOS, st.data())
def test_more_revenue_never_lowers_an_accounts_own_grade(portfolio: dict[str, Purchases], data: st.DataObject) -> None:
    """A new paid order (any amount, dated any day up to the reference date) for an account that has purchase
    history: its R, F and M scores each improve or stay, so its grade never drops. (Its first paid order takes
    it from "no history" to a letter; that is not compared.)"""
    buyers = sorted(a for a, p in portfolio.items() if p.history)
    if not buyers:
        return
    account = data.draw(st.sampled_from(buyers))
    strategic = data.draw(st.sets(st.sampled_from(sorted(portfolio))))
    old = portfolio[account]
    assert old.recency_days is not None
    days_ago = data.draw(st.integers(0, 2000))
    grown = Purchases(
        recency_days=min(old.recency_days, days_ago),
        frequency=old.frequency + 1,
        monetary=old.monetary + Decimal(data.draw(st.integers(1, 10**7))) / 100,
    )
    before_scores, after_scores = (
        value.rfm_scores(portfolio)[account],
        value.rfm_scores({**portfolio, account: grown})[account],
    )
    assert before_scores is not None and after_scores is not None
    assert all(b <= a for b, a in zip(before_scores, after_scores, strict=True))
    before = value.grades(portfolio, strategic)[account]
    after = value.grades({**portfolio, account: grown}, strategic)[account]
    assert GRADES.index(after) >= GRADES.index(before)


def test_importing_an_account_without_revenue_moves_no_grade(store: GraphStore) -> None:
    """Issue 14 item 4: importing a revenue-free account moved medtech from B to A (it was counted in the
    quintiles); now it is graded "no history" and the others keep their grades and scores."""
    ref = date(2026, 6, 30)
    paid = {"big": ["900", "900", "900"], "mid": ["400", "400"], "small": ["100"], "tiny": ["50"]}
    accounts(store, *paid)
    for account, amounts in paid.items():
        c = contract(store, account, str(sum(Decimal(a) for a in amounts)), on=date(2026, 1, 1))
        for k, amount in enumerate(amounts):
            day = date(2026, 2, 1) + timedelta(days=30 * k + len(account))
            order = service.create_order(store, c.id, amount, on=day)
            [inv] = service.invoice_order(store, order.id, on=day)
            service.record_payment(store, inv.id, amount, idempotency_key=f"{account}-{k}", on=day)
    before = {v.account: (v.rfm, v.grade) for v in value.account_values(store, ref)}
    accounts(store, "newcomer")  # imported, no revenue
    after = {v.account: (v.rfm, v.grade) for v in value.account_values(store, ref)}
    assert after.pop("newcomer") == (None, NO_HISTORY)
    assert after == before
    grade = value.account_grade(store, "mid", ref)
    c = contract(store, "mid", "250", on=ref, number="more")  # more revenue for mid
    order = service.create_order(store, c.id, "250", on=ref)
    [inv] = service.invoice_order(store, order.id, on=ref)
    service.record_payment(store, inv.id, "250", idempotency_key="mid-more", on=ref)
    assert GRADES.index(value.account_grade(store, "mid", ref)) >= GRADES.index(grade)


def test_demo_ledger_and_the_cli(tmp_path: Path) -> None:
    from accountgraph.cli import app
    from accountgraph.samples.sample import sample_bundle

    url = f"sqlite:///{tmp_path / 'demo.db'}"
    ref = date(2026, 6, 30)
    with SqliteStore(url) as s:
        s.load_bundle(sample_bundle())
        counts = seed_demo_ledger(s, "medtech", ref)
        assert counts["quotes"] == 4 and seed_demo_ledger(s, "medtech", ref)["quotes"] == 0
        picture = cash.cash_picture(s, "medtech", ref)
        assert picture.overdue == Decimal("500.00") and picture.ageing["0-30"] == Decimal("500.00")
        assert picture.billed == picture.collected + picture.outstanding
        draft = service.get_quote(s, "DEMO-medtech-3")
        assert draft.status.value == "draft" and draft.lines[0].volume_discount == Decimal(3)
        assert {line.product for line in draft.lines} >= {"ag-rail-kit"}

    runner = CliRunner()
    env = {"ACCOUNTGRAPH_STORE": url, "COLUMNS": "200"}

    def run(*args: str) -> str:
        result = runner.invoke(app, list(args), env=env)
        assert result.exit_code == 0, result.output
        return result.output

    shown = json.loads(run("quote", "show", "DEMO-medtech-3-v1", "--json"))
    assert shown["net_total"] == str(draft.net_total)
    created = json.loads(
        run("quote", "create", "medtech", "-l", "ag-server=2", "--number", "N", "--on", "2026-06-30", "--json")
    )
    assert created["id"] == "N-v1" and [x["product"] for x in created["lines"]] == ["ag-server", "ag-rail-kit"]
    assert json.loads(run("quote", "send", "N", "--on", "2026-06-30", "--json"))["status"] == "sent"
    assert json.loads(run("quote", "accept", "N", "--on", "2026-07-01", "--json"))["status"] == "accepted"
    assert "N-v1" in run("quote", "list")
    cash_json = json.loads(run("cash", "medtech", "--on", "2026-06-30", "--json"))
    assert cash_json["overdue"] == "500.00" and cash_json["ageing"]["0-30"] == "500.00"
    assert "medtech" in run("cash", "--on", "2026-06-30")
    grades = json.loads(run("grades", "--on", "2026-06-30", "--json"))
    assert [g["account"] for g in grades] == ["medtech"] and grades[0]["grade"] in "ABCD"
    assert "account grades" in run("grades", "--on", "2026-06-30")
    refused = runner.invoke(app, ["quote", "accept", "N", "--on", "2026-07-01"], env=env)
    assert refused.exit_code == 1 and "cannot become accepted" in refused.output
    refused = runner.invoke(app, ["quote", "create", "medtech", "-l", "ag-server=0.1x"], env=env)
    assert refused.exit_code == 1 and "not an amount" in refused.output
