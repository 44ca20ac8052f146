"""Each of the eight alert rules on its own, on both backends: its cause raises exactly its alert, a re-run on the
same reference raises nothing new, and the alert closes when the cause is cleared. Each test fails if its rule is
removed from `services.alerts` (the raising assertion names the rule and subject). Each alert, raised in
English, reads in Chinese with no English message left.

The account (`alert_support.load_account`): Cara the champion and Dan the decision maker reached by t1 and t2
(last contact REF−10), Eve the economic buyer by t1 only.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from accountgraph import i18n
from accountgraph.graph.store import GraphStore
from accountgraph.schema import Person, RiskEvent, Tie
from accountgraph.services import alerts
from accountgraph.services.scope import Scope
from tests.services.alert_support import REF, load_account
from tests.viz.test_language import CJK, left_in

OP = Scope.operator()


def _day(n: int) -> datetime:
    return datetime.combine(REF + timedelta(days=n), datetime.min.time(), tzinfo=UTC)


def _raised(store: GraphStore, rule: str, on: date) -> list[str]:
    """The subjects of the alerts of `rule` a run on `on` raises."""
    return [a.subject for a in alerts.run(store, OP, reference=on).raised if a.rule == rule]


def _lifecycle(store: GraphStore, rule: str, subject: str, on: date) -> str:
    """Raised once on `on`, nothing new on a re-run; the alert's id."""
    assert _raised(store, rule, on) == [subject]
    assert alerts.run(store, OP, reference=on).raised == []
    open_ = [a for a in alerts.list_alerts(store, OP) if a.rule == rule]
    assert [a.subject for a in open_] == [subject]
    with i18n.use("zh_CN"):  # raised in English, read in Chinese: no English message of the catalog left
        chinese = alerts.get_alert(store, OP, open_[0].id)
    shown = [chinese.title, chinese.reason, chinese.explanation, chinese.action]
    assert left_in(shown) == [] and all(CJK.search(x) for x in shown), shown
    return open_[0].id


def _closes(store: GraphStore, id: str, on: date) -> None:
    assert id in alerts.run(store, OP, reference=on).closed
    assert alerts.get_alert(store, OP, id).status == "closed"


def _fresh_tie(member: str, person: str, contact: date) -> Tie:
    return Tie.model_validate({"from": member, "to": person, "type": "knows", "strength": 0.9, "last_contact": contact})


def test_key_person_left(store: GraphStore) -> None:
    load_account(store)
    alerts.run(store, OP, reference=REF)
    store.upsert_person(
        Person(id="cara", name="Cara Champion", company="acme", roles=["champion"], until=REF + timedelta(days=1)),
        on=REF,
    )
    id = _lifecycle(store, "key_person_left", "cara", REF + timedelta(days=2))
    store.upsert_person(Person(id="cara", name="Cara Champion", company="acme", roles=["champion"]), on=REF)
    _closes(store, id, REF + timedelta(days=2))  # recorded by mistake: she is back


def test_stance_turned(store: GraphStore) -> None:
    load_account(store)
    dan = {"id": "dan", "name": "Dan Decider", "company": "acme", "roles": ["decision_maker"]}
    store.upsert_person(Person.model_validate({**dan, "stance": "opponent"}), on=REF + timedelta(days=1))
    id = _lifecycle(store, "stance_turned", "dan", REF + timedelta(days=2))
    store.upsert_person(Person.model_validate({**dan, "stance": "supporter"}), on=REF + timedelta(days=3))
    _closes(store, id, REF + timedelta(days=4))


def test_thin_coverage(store: GraphStore) -> None:
    load_account(store)
    id = _lifecycle(store, "thin_coverage", "eve", REF)  # Eve is reached by t1 only
    store.upsert_tie(_fresh_tie("t2", "eve", REF))
    _closes(store, id, REF)


def test_coverage_drop(store: GraphStore) -> None:
    load_account(store)
    alerts.run(store, OP, reference=REF)
    for member in ("t1", "t2"):  # Dan is no longer reached
        store.end_tie("knows", member, "dan", until=REF + timedelta(days=1))
    id = _lifecycle(store, "coverage_drop", "acme", REF + timedelta(days=2))
    for member in ("t1", "t2"):  # and reached again
        store.upsert_tie(_fresh_tie(member, "dan", REF + timedelta(days=2)))
    _closes(store, id, REF + timedelta(days=2))


def test_risk_event(store: GraphStore) -> None:
    load_account(store)
    store.upsert_risk(RiskEvent(id="r1", company="acme-eu", kind="litigation", severity=5, at=REF))
    store.upsert_risk(RiskEvent(id="r2", company="acme-eu", kind="news", severity=2, at=REF))  # below 4
    id = _lifecycle(store, "risk_event", "r1", REF + timedelta(days=1))
    store.delete("risk", "r1")  # recorded by mistake
    _closes(store, id, REF + timedelta(days=1))


def test_invoice_overdue(store: GraphStore) -> None:
    from accountgraph.ledger import service as ledger
    from accountgraph.ledger.models import Money, Product
    from tests.ledger.support import no_volume_discount

    load_account(store)
    ledger.save_product(
        store, Product(id="unit", name="Unit", list_price=Money(amount=Decimal("1.00"), currency="EUR"))
    )
    no_volume_discount(store)
    q = ledger.create_quote(store, "acme", [("unit", 100)], number="Q-1", on=REF)
    ledger.send_quote(store, q.id, on=REF)
    ledger.accept_quote(store, q.id, on=REF)
    c = ledger.create_contract(store, q.id, start=REF)
    [invoice] = ledger.invoice_order(store, ledger.create_order(store, c.id, c.value, on=REF).id, on=REF)
    assert _raised(store, "invoice_overdue", invoice.due + timedelta(days=30)) == []  # not more than 30 days yet
    id = _lifecycle(store, "invoice_overdue", invoice.id, invoice.due + timedelta(days=31))
    ledger.record_payment(store, invoice.id, invoice.amount, idempotency_key="pay-1", on=invoice.due)
    _closes(store, id, invoice.due + timedelta(days=31))


def test_deal_stalled(store: GraphStore) -> None:
    from accountgraph.opportunities.service import create_opportunity, move_stage

    load_account(store)
    create_opportunity(store, "acme", "Big deal", id="o1", amount="1000", at=_day(0))
    assert _raised(store, "deal_stalled", REF + timedelta(days=60)) == []  # not more than 60 days yet
    id = _lifecycle(store, "deal_stalled", "o1", REF + timedelta(days=61))
    move_stage(store, "o1", "discover", at=_day(61))
    _closes(store, id, REF + timedelta(days=61))


def test_deal_win_drop(store: GraphStore) -> None:
    """The deal's win probability falls as its decision makers go unreached (last contact REF−10): on REF+270 it is
    about 11 points below 30 days earlier, more than the 5 set here; fresh contact lifts it and closes the alert."""
    from accountgraph.opportunities.service import create_opportunity, set_committee

    load_account(store)
    create_opportunity(store, "acme", "Big deal", id="o1", amount="1000", at=_day(0))
    set_committee(store, "o1", [{"person": "cara"}, {"person": "dan"}])
    alerts.set_rule(store, OP, "deal_win_drop", points=5, days=30)
    on = REF + timedelta(days=270)
    assert _raised(store, "deal_win_drop", REF + timedelta(days=30)) == []  # a fall of about 1 point
    id = _lifecycle(store, "deal_win_drop", "o1", on)
    view = alerts.get_alert(store, OP, id)
    assert view.reason.startswith("Win probability of Big deal fell from ")
    for member in ("t1", "t2"):
        for person in ("cara", "dan"):
            store.upsert_tie(_fresh_tie(member, person, on))
    _closes(store, id, on)
