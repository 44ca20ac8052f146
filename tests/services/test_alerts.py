"""Alerts end to end on both backends, against real local receivers (`alert_support`): an HTTP server on loopback
that checks the HMAC signatures and records the deliveries, and an SMTP server (aiosmtpd) that records the mail.

The account (`load_account`): Cara the champion and Dan the decision maker reached by t1 and t2 through fresh ties
(last contact REF−10), Eve the economic buyer by t1 only. Evaluated on REF, the only cause is Eve's single thread.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import signal
import ssl
import subprocess
import sys
import textwrap
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from accountgraph.errors import Forbidden, InvalidArgument, NotFoundError
from accountgraph.graph.store import GraphStore
from accountgraph.schema import Bundle, Company, Person, RiskEvent, TeamMember, Tie
from accountgraph.schema.models import ApiRole
from accountgraph.services import alert_delivery as delivery
from accountgraph.services import alerts
from accountgraph.services.scope import Scope
from accountgraph.services.webhook_targets import ALLOW_ENV
from tests.services.alert_support import (
    REF,
    SECRET,
    SECRET_ENV,
    Receiver,
    http_receiver,
    load_account,
    smtp_receiver,
)

OP = Scope.operator()
FAST = delivery.DeliverySettings(attempts=3, backoff=0.0)


@pytest.fixture(autouse=True)
def secret_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SECRET_ENV, SECRET)
    monkeypatch.setenv(ALLOW_ENV, "127.0.0.1")  # the receivers listen on loopback, which the default refuses


def _day(n: int) -> datetime:
    return datetime.combine(REF + timedelta(days=n), datetime.min.time(), tzinfo=UTC)


def _leave(store: GraphStore, person: str, name: str, roles: list[str], on_day: int) -> None:
    store.upsert_person(
        Person(
            id=person, name=name, company="acme", roles=roles, stance="supporter", until=REF + timedelta(days=on_day)
        ),
        on=REF,
    )


def _by_alert(receiver: Receiver) -> Counter[str]:
    return Counter(d.body["id"] for d in receiver.accepted())


def test_champion_leaves_one_message_with_reason_and_action(store: GraphStore) -> None:
    """The issue's "done when": a planner subscribed to an account gets one message when its champion leaves."""
    load_account(store)
    with http_receiver() as hook:
        alerts.subscribe(store, OP, webhook=hook.url, secret_env=SECRET_ENV, accounts=["acme"])
        first = alerts.run(store, OP, reference=REF)
        assert [(a.rule, a.subject) for a in first.raised] == [("thin_coverage", "eve")]
        delivery.deliver(store, OP, settings=FAST)
        _leave(store, "cara", "Cara Champion", ["champion"], 1)
        later = alerts.run(store, OP, reference=REF + timedelta(days=2))
        assert [(a.rule, a.subject) for a in later.raised] == [("key_person_left", "cara")]
        assert later.queued == 1
        sent = delivery.deliver(store, OP, settings=FAST)
        assert len(sent.delivered) == 1
        # a re-run raises nothing and sends nothing
        assert alerts.run(store, OP, reference=REF + timedelta(days=2)).raised == []
        assert delivery.deliver(store, OP, settings=FAST).delivered == []
    left = [d for d in hook.deliveries if d.body["rule"] == "key_person_left"]
    assert len(left) == 1 and left[0].verified
    body = left[0].body
    assert body["reason"] == f"Cara Champion (champion) left Acme on {(REF + timedelta(days=1)).isoformat()}"
    assert "Cara Champion" in body["action"] and body["account"] == "acme"
    assert left[0].headers["x-accountgraph-delivery"].startswith(body["id"])


def test_each_cause_once_per_channel_none_on_rerun(store: GraphStore, monkeypatch: pytest.MonkeyPatch) -> None:
    load_account(store)
    with http_receiver() as hook, smtp_receiver() as mailbox:
        monkeypatch.setenv("ACCOUNTGRAPH_SMTP_HOST", mailbox.host)
        monkeypatch.setenv("ACCOUNTGRAPH_SMTP_PORT", str(mailbox.port))
        monkeypatch.setenv("ACCOUNTGRAPH_SMTP_STARTTLS", "0")
        alerts.subscribe(store, OP, webhook=hook.url, secret_env=SECRET_ENV)
        alerts.subscribe(store, OP, email="planner@example.com", accounts=["acme"])
        raised: list[str] = []

        def step(day: int) -> None:
            result = alerts.run(store, OP, reference=REF + timedelta(days=day))
            raised.extend(a.id for a in result.raised)
            delivery.deliver(store, OP, settings=FAST)
            assert alerts.run(store, OP, reference=REF + timedelta(days=day)).raised == []  # once per cause
            assert delivery.deliver(store, OP, settings=FAST).delivered == []

        step(0)  # Eve, single-threaded
        _leave(store, "cara", "Cara Champion", ["champion"], 1)  # a key person leaves
        step(2)
        store.upsert_person(  # a stance turns
            Person(id="dan", name="Dan Decider", company="acme", roles=["decision_maker"], stance="opponent"),
            on=REF + timedelta(days=3),
        )
        step(4)
        step(200)  # time passes over the ties: every remaining key person is reached only by stale ties
        store.upsert_risk(
            RiskEvent(id="r1", company="acme-eu", kind="litigation", severity=5, at=REF + timedelta(days=199))
        )
        step(201)  # a severe risk event at the subsidiary, rolled up to acme
    rules = {alerts.get_alert(store, OP, a).rule for a in raised}
    assert rules == {"thin_coverage", "key_person_left", "stance_turned", "risk_event"}
    assert _by_alert(hook) == Counter({a: 1 for a in raised})  # exactly one delivery per cause on the webhook
    assert all(d.verified for d in hook.deliveries)
    mails = Counter(m["X-AccountGraph-Delivery"].split(".")[0] for m in mailbox.messages)
    assert mails == Counter({a: 1 for a in raised})  # and one per cause by e-mail
    stance = next(d.body for d in hook.deliveries if d.body["rule"] == "stance_turned")
    assert (
        stance["reason"] == f"Dan Decider turned from supporter to opponent on {(REF + timedelta(days=3)).isoformat()}"
    )
    risk = next(m for m in mailbox.messages if m["Subject"].startswith("[AccountGraph] A new risk event"))
    assert "Acme EU" in risk.get_content()


def test_an_alert_whose_cause_cleared_is_closed_and_raised_again_later(store: GraphStore) -> None:
    load_account(store)
    eve = alerts.run(store, OP, reference=REF).raised[0].id
    store.upsert_tie(
        Tie.model_validate({"from": "t2", "to": "eve", "type": "knows", "strength": 0.9, "last_contact": REF})
    )
    result = alerts.run(store, OP, reference=REF)
    assert result.closed == [eve] and alerts.get_alert(store, OP, eve).status == "closed"
    assert alerts.list_alerts(store, OP) == []
    store.delete_tie("knows", "t2", "eve")
    again = alerts.run(store, OP, reference=REF)
    assert [a.id for a in again.raised] == [eve] and again.raised[0].occurrence == 2


def test_retries_after_a_receiver_failure(store: GraphStore) -> None:
    load_account(store)
    with http_receiver() as hook:
        hook.answers = [500]
        alerts.subscribe(store, OP, webhook=hook.url, secret_env=SECRET_ENV)
        alerts.run(store, OP, reference=REF, now=_day(0))
        settings = delivery.DeliverySettings(attempts=3, backoff=60.0)
        first = delivery.deliver(store, OP, now=_day(0), settings=settings)
        assert first.retrying and not first.delivered
        assert delivery.deliver(store, OP, now=_day(0) + timedelta(seconds=30), settings=settings).retrying == []
        second = delivery.deliver(store, OP, now=_day(0) + timedelta(seconds=61), settings=settings)
        assert second.delivered == first.retrying
    assert [d.headers["x-answer"] for d in hook.deliveries] == ["500", "200"]
    assert len({d.body["id"] for d in hook.deliveries}) == 1


def test_a_dead_letter_after_the_last_retry(store: GraphStore) -> None:
    load_account(store)
    with http_receiver() as hook:
        hook.answers = [500, 500, 500, 500]
        alerts.subscribe(store, OP, webhook=hook.url, secret_env=SECRET_ENV)
        alerts.run(store, OP, reference=REF, now=_day(0))
        settings = delivery.DeliverySettings(attempts=2, backoff=0.0)
        assert delivery.deliver(store, OP, now=_day(0), settings=settings).retrying
        dead = delivery.deliver(store, OP, now=_day(1), settings=settings).dead
        assert len(dead) == 1
        assert delivery.deliver(store, OP, now=_day(2), settings=settings) == delivery.DeliveryResult(
            delivered=[], retrying=[], dead=[]
        )
    assert len(hook.deliveries) == 2
    letters = alerts.list_dead_letters(store, OP)
    assert [(x.id, x.attempts) for x in letters] == [(dead[0], 2)]
    assert letters[0].last_error.startswith("HTTP 500")
    assert SECRET not in str(letters[0].data())


def _dingtalk_ok(url: str, secret: str) -> bool:
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    ts = query["timestamp"][0]
    mac = hmac.new(secret.encode(), f"{ts}\n{secret}".encode(), hashlib.sha256).digest()
    return query["sign"][0] == base64.b64encode(mac).decode()


def test_message_formats_and_their_own_signatures(store: GraphStore) -> None:
    load_account(store)
    with http_receiver() as hook:
        for fmt in alerts.FORMATS:
            alerts.subscribe(
                store, OP, webhook=f"{hook.url}?format={fmt}", format=fmt, secret_env=SECRET_ENV, language="zh_CN"
            )
        alerts.run(store, OP, reference=REF)
        assert len(delivery.deliver(store, OP, settings=FAST).delivered) == len(alerts.FORMATS)
    by_format = {urllib.parse.parse_qs(urllib.parse.urlsplit(d.path).query)["format"][0]: d for d in hook.deliveries}
    assert all(d.verified for d in by_format.values())
    assert by_format["generic"].body["rule"] == "thin_coverage"
    assert "Eve Buyer" in by_format["slack"].body["text"]
    card = by_format["teams"].body["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert (
        by_format["wecom"].body["msgtype"] == "markdown"
        and "Eve Buyer" in by_format["wecom"].body["markdown"]["content"]
    )
    assert "原因" in by_format["wecom"].body["markdown"]["content"]  # the subscription's language
    assert by_format["dingtalk"].body["msgtype"] == "markdown"
    assert _dingtalk_ok(by_format["dingtalk"].path, SECRET)
    feishu = by_format["feishu"].body
    key = f"{feishu['timestamp']}\n{SECRET}".encode()
    assert feishu["sign"] == base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    assert feishu["msg_type"] == "text" and "Eve Buyer" in feishu["content"]["text"]


def test_signature_verification_refuses_a_replay_or_a_change() -> None:
    body = b'{"a":1}'
    ts = 1_800_000_000
    signature = delivery.sign(SECRET, ts, body)
    assert delivery.verify_signature(SECRET, str(ts), body, signature, now=ts + 10)
    assert not delivery.verify_signature(SECRET, str(ts), body, signature, now=ts + delivery.REPLAY_WINDOW + 1)
    assert not delivery.verify_signature(SECRET, str(ts), b'{"a":2}', signature, now=ts)
    assert not delivery.verify_signature("other", str(ts), body, signature, now=ts)


def test_ack_mute_and_scope(store: GraphStore) -> None:
    load_account(store)
    with http_receiver() as hook:
        alerts.subscribe(store, OP, webhook=hook.url)
        eve = alerts.run(store, OP, reference=REF).raised[0].id
        viewer = Scope("v", ApiRole.VIEWER)
        with pytest.raises(Forbidden):
            alerts.acknowledge(store, viewer, eve)
        other = Scope("k", ApiRole.PLANNER, frozenset({"elsewhere"}))
        with pytest.raises(NotFoundError):
            alerts.mute(store, other, eve)
        assert alerts.list_alerts(store, other) == []
        acked = alerts.acknowledge(store, Scope("me", ApiRole.PLANNER), eve)
        assert acked.acknowledged_by == "me"
        alerts.mute(store, OP, eve)
        # muted: cleared and raised again, it is not delivered again
        delivery.deliver(store, OP, settings=FAST)
        store.upsert_tie(
            Tie.model_validate({"from": "t2", "to": "eve", "type": "knows", "strength": 0.9, "last_contact": REF})
        )
        alerts.run(store, OP, reference=REF)
        store.delete_tie("knows", "t2", "eve")
        assert alerts.run(store, OP, reference=REF).queued == 0
        delivery.deliver(store, OP, settings=FAST)
    assert len(hook.deliveries) == 1


def test_bad_subscriptions_are_refused_and_store_nothing(store: GraphStore) -> None:
    load_account(store)
    for bad in (
        {"webhook": "ftp://x/y"},
        {"webhook": "http://x/y", "format": "fax"},
        {"webhook": "http://x/y", "secret_env": "not a name!"},
        {"email": "nobody"},
        {"webhook": "http://x/y", "rules": ["nope"]},
        {},
    ):
        with pytest.raises(InvalidArgument):
            alerts.subscribe(store, OP, **bad)  # type: ignore[arg-type]
    with pytest.raises(NotFoundError):
        alerts.subscribe(store, OP, webhook="http://x/y", accounts=["nope"])
    assert alerts.list_subscriptions(store, OP) == []
    with pytest.raises(InvalidArgument):
        alerts.set_rule(store, OP, "nope", days=3)


def test_rule_parameters_per_account(store: GraphStore) -> None:
    load_account(store)
    alerts.set_rule(store, OP, "thin_coverage", account="acme", enabled=False)
    assert alerts.run(store, OP, reference=REF).raised == []
    alerts.set_rule(store, OP, "thin_coverage", account="acme", enabled=True, days=5)
    rules = {a.subject: a.rule for a in alerts.run(store, OP, reference=REF).raised}
    assert rules == {"eve": "thin_coverage", "cara": "thin_coverage", "dan": "thin_coverage"}  # ties are 10 days old
    assert alerts.list_rules(store, OP)["thin_coverage"].days == 90  # the others keep the default


# ---- nothing lost when the process dies -----------------------------------------------------------------------

_RUN = textwrap.dedent(
    """
    import sys, time
    from datetime import date
    from accountgraph.graph.settings import open_store
    from accountgraph.services import alerts
    from accountgraph.services.scope import Scope

    store = open_store(sys.argv[1])
    when = sys.argv[2]

    def hold():
        print("holding", flush=True)
        time.sleep(600)

    alerts.run(store, Scope.operator(), reference=date.fromisoformat(sys.argv[3]),
               before_commit=hold if when == "before" else None)
    if when == "after":
        hold()
    """
)


def _killed_run(store: GraphStore, when: str, day: str, env: dict[str, str]) -> None:
    process = subprocess.Popen(
        [sys.executable, "-c", _RUN, store.url, when, day], stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "holding"
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(30)


def test_nothing_lost_when_the_process_is_killed(store: GraphStore, request: pytest.FixtureRequest) -> None:
    load_account(store)
    repo = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(repo)}
    if "neo4j" in store.url or "bolt" in store.url:
        service = request.getfixturevalue("neo4j_service")
        if service.auth:
            env.update(NEO4J_USER=service.auth[0], NEO4J_PASSWORD=service.auth[1])
    with http_receiver() as hook:
        alerts.subscribe(store, OP, webhook=hook.url, secret_env=SECRET_ENV)
        _killed_run(store, "before", REF.isoformat(), env)  # killed inside the unit of work: nothing written
        assert alerts.list_alerts(store, OP, status="all") == []
        assert store.documents.list("alert_outbox") == []
        _killed_run(store, "after", REF.isoformat(), env)  # killed after the commit, before any delivery
        assert len(alerts.list_alerts(store, OP)) == 1 and hook.deliveries == []
        deliver = subprocess.run(
            [sys.executable, "-m", "accountgraph", "alerts", "deliver", "--store", store.url],
            capture_output=True,
            text=True,
            env={**env, "ACCOUNTGRAPH_ALERT_BACKOFF_SECONDS": "0"},
            timeout=120,
        )
        assert deliver.returncode == 0, deliver.stderr
        assert "1 delivered" in deliver.stdout
    assert len(hook.deliveries) == 1 and hook.deliveries[0].verified
    assert hook.deliveries[0].body["subject"] == "eve"


# ---- e-mail over STARTTLS with authentication -------------------------------------------------------------------


def _certificate(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def test_email_over_starttls_with_authentication(store: GraphStore, tmp_path: Path) -> None:
    from aiosmtpd.smtp import AuthResult, LoginPassword

    cert, key = _certificate(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    logins: list[str] = []

    def authenticator(server: object, session: object, envelope: object, mechanism: str, data: object) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"planner", b"pw-123")
        logins.append("ok" if ok else "refused")
        return AuthResult(success=ok)

    load_account(store)
    options = {"tls_context": context, "require_starttls": True, "authenticator": authenticator, "auth_required": True}
    with smtp_receiver(**options) as mailbox:
        alerts.subscribe(store, OP, email="planner@example.com", language="zh_CN")
        alerts.run(store, OP, reference=REF)
        good = delivery.SmtpSettings(
            host=mailbox.host, port=mailbox.port, user="planner", password="pw-123", ca_file=str(cert)
        )
        wrong = delivery.SmtpSettings(
            host=mailbox.host, port=mailbox.port, user="planner", password="x", ca_file=str(cert)
        )
        untrusted = delivery.SmtpSettings(host=mailbox.host, port=mailbox.port, user="planner", password="pw-123")
        assert delivery.deliver(store, OP, settings=FAST, smtp=untrusted).retrying  # the certificate is checked
        assert delivery.deliver(store, OP, settings=FAST, smtp=wrong).retrying  # so is the password
        assert delivery.deliver(store, OP, settings=FAST, smtp=good).delivered
    assert logins == ["refused", "ok"]
    assert len(mailbox.messages) == 1
    mail = mailbox.messages[0]
    assert mail["To"] == "planner@example.com"
    assert "Eve Buyer" in mail.get_content() and "下一步" in mail.get_content()
    outbox = [d.data for d in store.documents.list("alert_outbox")]
    assert outbox[0]["attempts"] == 2 and "pw-123" not in str(outbox)  # two failures kept, no password


def test_the_other_rules_neutral_turn_coverage_drop_overdue_invoice_stalled_deal(store: GraphStore) -> None:
    from decimal import Decimal

    from accountgraph.ledger import service as ledger
    from accountgraph.ledger.models import Money, Product
    from accountgraph.opportunities.service import create_opportunity
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
    create_opportunity(store, "acme", "Big deal", id="o1", amount="1000", at=_day(0))
    assert {a.rule for a in alerts.run(store, OP, reference=REF).raised} == {"thin_coverage"}

    store.upsert_person(  # a supporter turns neutral
        Person(id="cara", name="Cara Champion", company="acme", roles=["champion"], stance="neutral"),
        on=REF + timedelta(days=1),
    )
    for member, person in (("t1", "dan"), ("t2", "dan")):  # Dan is no longer reached: coverage falls
        store.end_tie("knows", member, person, until=REF + timedelta(days=1))
    soon = {(a.rule, a.subject): a.reason for a in alerts.run(store, OP, reference=REF + timedelta(days=2)).raised}
    assert soon[("stance_turned", "cara")].startswith("Cara Champion turned from supporter to neutral")
    assert ("coverage_drop", "acme") in soon
    assert not {r for r, _ in soon} & {"invoice_overdue", "deal_stalled"}  # not late enough yet

    late = {(a.rule, a.subject) for a in alerts.run(store, OP, reference=invoice.due + timedelta(days=31)).raised}
    assert ("invoice_overdue", invoice.id) in late
    assert ("deal_stalled", "o1") in late  # more than 60 days in its first stage
    ledger.record_payment(store, invoice.id, invoice.amount, idempotency_key="pay-1", on=invoice.due)
    closed = alerts.run(store, OP, reference=invoice.due + timedelta(days=31)).closed
    assert alerts.alert_id("invoice_overdue", "acme", invoice.id, "overdue") in closed


# ---- the server's worker evaluates the accounts a write touched ------------------------------------------------


def _wait(predicate: Callable[[], bool], seconds: float = 180.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_the_worker_evaluates_only_the_accounts_a_write_touched(store: GraphStore) -> None:
    """A write to acme makes the worker evaluate acme, not globex (its result lists the accounts evaluated); a write
    that belongs to no account (a team member) evaluates them all, as does the first look."""
    load_account(store)
    store.load_bundle(
        Bundle(
            companies=[Company(id="globex", name="Globex")],
            people=[Person(id="gus", name="Gus", company="globex", roles=["champion"], stance="supporter")],
        )
    )
    worker = delivery.AlertWorker(store, interval=0.05)
    worker.start()

    def evaluated(runs: int) -> list[str]:
        assert _wait(lambda: worker.runs >= runs), f"no evaluation number {runs}"
        assert worker.runs == runs and worker.last is not None
        return worker.last.accounts

    try:
        assert evaluated(1) == ["acme", "globex"]  # the first look: every account
        store.upsert_person(
            Person(id="dan", name="Dan Decider", company="acme", roles=["decision_maker"], stance="opponent"),
            on=REF,
        )
        assert evaluated(2) == ["acme"]
        store.upsert_person(Person(id="gus", name="Gus G", company="globex", roles=["champion"]))
        assert evaluated(3) == ["globex"]
        store.upsert_risk(RiskEvent(id="r1", company="acme-eu", kind="litigation", severity=5, at=REF))
        assert evaluated(4) == ["acme"]  # a subsidiary's record: its account
        store.upsert_team_member(TeamMember(id="t3", name="Tara Ours"))  # of no account: every account
        assert evaluated(5) == ["acme", "globex"]
        time.sleep(0.5)
        assert worker.runs == 5  # no write, no evaluation
    finally:
        worker.stop()


def test_a_subscription_made_while_an_evaluation_runs_gets_the_alerts_of_the_data_it_saw(
    store: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server's worker starts evaluating; meanwhile a planner subscribes and then the champion leaves, and the
    evaluation's read of the account sees the leave: its alert is queued for the new subscription (it was raised
    and never sent when the subscriptions were read once before the accounts)."""
    load_account(store)
    alerts.run(store, OP, reference=REF)
    real = alerts._findings

    def concurrent_writes_then_read(context: object, watch: object) -> object:
        alerts.subscribe(store, OP, email="planner@example.com", accounts=["acme"], rules=["key_person_left"])
        _leave(store, "cara", "Cara Champion", ["champion"], 1)
        return real(context, watch)  # type: ignore[arg-type]

    monkeypatch.setattr(alerts, "_findings", concurrent_writes_then_read)
    ran = alerts.run(store, OP, reference=REF + timedelta(days=2))
    assert [(a.rule, a.subject) for a in ran.raised] == [("key_person_left", "cara")]
    assert ran.queued == 1
