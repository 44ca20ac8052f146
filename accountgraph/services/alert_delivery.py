"""Delivering alerts (issue 17 item 4): the outbox drained to webhooks and e-mail, with retries and dead letters.

`run` (`services.alerts`) queues one `OutboxItem` per alert and matching subscription in the unit of work that
raises the alert; `deliver` sends the items that are due. An item is first *claimed* (its `claimed_until` written
with optimistic concurrency, so two deliverers never send the same item at once), then sent, then marked
delivered; a failure counts an attempt and waits `backoff × 2^(attempts − 1)` seconds before the next one; after
`attempts` failures the item becomes a `DeadLetter`. A process that stops between sending and marking leaves the
claim to expire (`LEASE`), and the item is sent again: delivery is at least once, and every message carries the
delivery's id (`X-AccountGraph-Delivery`, the e-mail's Message-ID) for the receiver to drop a repeat.

Webhooks are POSTed as JSON (http.client) to a target the operator's policy allows, checked again at each
delivery and connected to at the very address checked (`services.webhook_targets`: https to public addresses
by default, ACCOUNTGRAPH_WEBHOOK_ALLOW for more; redirects are not followed). With a secret (its environment
variable named by the subscription):

- every format carries ``X-AccountGraph-Timestamp`` (Unix seconds) and ``X-AccountGraph-Signature:
  sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>``; a receiver recomputes it over the raw body and refuses
  a timestamp more than `REPLAY_WINDOW` seconds from its clock (`verify_signature`);
- DingTalk also gets its own ``timestamp`` (milliseconds) and ``sign`` query parameters (base64 of HMAC-SHA256 of
  ``"<timestamp>\\n<secret>"`` keyed by the secret), Feishu its ``timestamp`` and ``sign`` body fields (base64 of
  HMAC-SHA256 of an empty message keyed by ``"<timestamp>\\n<secret>"``), as those services check.

E-mail goes over SMTP (smtplib) with STARTTLS and authentication when configured (`SmtpSettings`, from the
environment). Secrets are read from the environment when sending; they are never stored, logged, or answered.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import os
import smtplib
import socket
import ssl
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

from pydantic import BaseModel

from accountgraph.errors import InvalidArgument, NotFoundError, VersionConflict
from accountgraph.graph.changelog import Change, at_text
from accountgraph.graph.store import GraphStore, UnitOfWork
from accountgraph.i18n import _, use
from accountgraph.schema.models import ApiRole
from accountgraph.services import alerts, webhook_targets
from accountgraph.services.alerts import AlertRecord, AlertView, DeadLetter, OutboxItem, Subscription
from accountgraph.services.analysis import AnalysisCache
from accountgraph.services.scope import Scope

__all__ = [
    "LEASE",
    "REPLAY_WINDOW",
    "AlertWorker",
    "DeliveryResult",
    "DeliverySettings",
    "SmtpSettings",
    "deliver",
    "message",
    "send",
    "send_test",
    "sign",
    "verify_signature",
]

REPLAY_WINDOW = 300
"""Seconds a receiver accepts between a webhook's timestamp and its own clock."""
LEASE = timedelta(seconds=60)
"""How long a claimed delivery is left to its deliverer before another may send it again."""
TIMEOUT = 10.0
SIGNATURE_HEADER = "X-AccountGraph-Signature"
TIMESTAMP_HEADER = "X-AccountGraph-Timestamp"
DELIVERY_HEADER = "X-AccountGraph-Delivery"


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class SmtpSettings:
    """SMTP from the environment: ACCOUNTGRAPH_SMTP_HOST, _PORT (587), _USER, _PASSWORD, _FROM, _STARTTLS (true),
    _CA_FILE (a CA bundle to trust besides the system's, e.g. a company CA)."""

    host: str | None
    port: int = 587
    user: str | None = None
    password: str | None = None
    sender: str = "accountgraph@localhost"
    starttls: bool = True
    ca_file: str | None = None

    @classmethod
    def from_env(cls) -> SmtpSettings:
        port = os.environ.get("ACCOUNTGRAPH_SMTP_PORT", "587")
        if not port.isdigit():
            raise InvalidArgument(f"ACCOUNTGRAPH_SMTP_PORT: not a port number: {port!r}")
        return cls(
            host=os.environ.get("ACCOUNTGRAPH_SMTP_HOST") or None,
            port=int(port),
            user=os.environ.get("ACCOUNTGRAPH_SMTP_USER") or None,
            password=os.environ.get("ACCOUNTGRAPH_SMTP_PASSWORD") or None,
            sender=os.environ.get("ACCOUNTGRAPH_SMTP_FROM") or "accountgraph@localhost",
            starttls=_env_bool("ACCOUNTGRAPH_SMTP_STARTTLS", True),
            ca_file=os.environ.get("ACCOUNTGRAPH_SMTP_CA_FILE") or None,
        )


@dataclass(frozen=True)
class DeliverySettings:
    """Retries from the environment: ACCOUNTGRAPH_ALERT_ATTEMPTS (5) attempts in all, the first retry after
    ACCOUNTGRAPH_ALERT_BACKOFF_SECONDS (30), doubling each time."""

    attempts: int = 5
    backoff: float = 30.0

    @classmethod
    def from_env(cls) -> DeliverySettings:
        try:
            attempts = int(os.environ.get("ACCOUNTGRAPH_ALERT_ATTEMPTS", "5"))
            backoff = float(os.environ.get("ACCOUNTGRAPH_ALERT_BACKOFF_SECONDS", "30"))
        except ValueError:
            raise InvalidArgument("ACCOUNTGRAPH_ALERT_ATTEMPTS and _BACKOFF_SECONDS are numbers") from None
        if attempts < 1 or backoff < 0:
            raise InvalidArgument("ACCOUNTGRAPH_ALERT_ATTEMPTS is at least 1, _BACKOFF_SECONDS at least 0")
        return cls(attempts, backoff)


class DeliveryFailed(Exception):
    """A send that did not reach its receiver (the reason names no secret)."""


# ---- signatures ----------------------------------------------------------------------------------------------


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """`sha256=<hex>`: HMAC-SHA256 of `<timestamp>.<body>` keyed by the secret."""
    mac = hmac.new(secret.encode("utf-8"), str(timestamp).encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify_signature(
    secret: str, timestamp: str | None, body: bytes, signature: str | None, *, now: float | None = None
) -> bool:
    """What a receiver checks: the timestamp within `REPLAY_WINDOW` of its clock, the signature over the raw body."""
    if not timestamp or not signature or not timestamp.isdigit():
        return False
    moment = time.time() if now is None else now
    if abs(moment - int(timestamp)) > REPLAY_WINDOW:
        return False
    return hmac.compare_digest(sign(secret, int(timestamp), body), signature)


def _dingtalk_sign(secret: str, millis: int) -> str:
    mac = hmac.new(secret.encode("utf-8"), f"{millis}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(mac).decode("ascii")


def _feishu_sign(secret: str, seconds: int) -> str:
    mac = hmac.new(f"{seconds}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(mac).decode("ascii")


# ---- messages ------------------------------------------------------------------------------------------------


def _md(text: str) -> str:
    """User text inside Markdown: the characters that would change its meaning escaped."""
    return "".join("\\" + ch if ch in "\\`*_[]<>#|" else ch for ch in text)


def _slack(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def message(alert: AlertView, fmt: str) -> dict[str, Any]:
    """The webhook body of an alert (already rendered in the subscriber's language) in a format of `FORMATS`."""
    reason_label, action_label, account_label = _("Reason"), _("Next step"), _("Account")
    title = f"AccountGraph · {alert.title}"
    if fmt == "generic":
        return {
            "id": alert.id,
            "rule": alert.rule,
            "account": alert.account,
            "subject": alert.subject,
            "subject_name": alert.subject_name,
            "severity": alert.severity,
            "status": alert.status,
            "title": alert.title,
            "reason": alert.reason,
            "explanation": alert.explanation,
            "action": alert.action,
            "raised_at": alert.raised_at.isoformat(),
            "reference": alert.reference.isoformat(),
        }
    if fmt == "slack":
        body = (
            f"*{_slack(title)}*\n*{account_label}:* {_slack(alert.account)}\n"
            f"*{reason_label}:* {_slack(alert.reason)}\n*{action_label}:* {_slack(alert.action)}"
        )
        return {
            "text": f"{title}: {alert.reason}",
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": body}}],
        }
    if fmt == "teams":
        card = {
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "type": "AdaptiveCard",
            "version": "1.4",
            "body": [
                {"type": "TextBlock", "text": title, "weight": "Bolder", "size": "Medium", "wrap": True},
                {
                    "type": "FactSet",
                    "facts": [
                        {"title": account_label, "value": alert.account},
                        {"title": reason_label, "value": alert.reason},
                        {"title": action_label, "value": alert.action},
                    ],
                },
            ],
        }
        return {
            "type": "message",
            "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "content": card}],
        }
    text = (
        f"### {_md(title)}\n\n**{account_label}**: {_md(alert.account)}\n\n**{reason_label}**: {_md(alert.reason)}\n\n"
        f"**{action_label}**: {_md(alert.action)}"
    )
    if fmt == "wecom":
        return {"msgtype": "markdown", "markdown": {"content": text}}
    if fmt == "dingtalk":
        return {"msgtype": "markdown", "markdown": {"title": title, "text": text}}
    if fmt == "feishu":
        plain = (
            f"{title}\n{account_label}: {alert.account}\n{reason_label}: {alert.reason}\n{action_label}: {alert.action}"
        )
        return {"msg_type": "text", "content": {"text": plain}}
    raise InvalidArgument(f"unknown format {fmt!r}")


def _secret(sub: Subscription) -> str | None:
    if sub.secret_env is None:
        return None
    value = os.environ.get(sub.secret_env)
    if not value:
        raise DeliveryFailed(f"the secret's environment variable {sub.secret_env} is not set")
    return value


def _post(sub: Subscription, alert: AlertView, delivery: str) -> None:
    assert sub.url is not None
    payload = message(alert, sub.format)
    secret = _secret(sub)
    url = sub.url
    now = int(time.time())
    if secret is not None and sub.format == "feishu":
        payload = {"timestamp": str(now), "sign": _feishu_sign(secret, now), **payload}
    if secret is not None and sub.format == "dingtalk":
        millis = int(time.time() * 1000)
        query = urllib.parse.urlencode({"timestamp": millis, "sign": _dingtalk_sign(secret, millis)})
        url = f"{url}{'&' if urllib.parse.urlsplit(url).query else '?'}{query}"
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        DELIVERY_HEADER: delivery,
        "User-Agent": "AccountGraph",
    }
    if secret is not None:
        headers[TIMESTAMP_HEADER] = str(now)
        headers[SIGNATURE_HEADER] = sign(secret, now, body)
    try:
        target = webhook_targets.resolve_for_delivery(url)  # again now: the name may point elsewhere since
    except InvalidArgument as e:
        raise DeliveryFailed(f"refused: {e.message}") from None
    host = target.host
    answer = _send_pinned(target, body, headers)
    if sub.format in ("wecom", "dingtalk", "feishu"):  # these answer 200 with an error code in the body
        try:
            parsed = json.loads(answer or b"{}")
        except ValueError:
            parsed = {}
        code = parsed.get("errcode", parsed.get("code", 0)) if isinstance(parsed, dict) else 0
        if code not in (0, None):
            raise DeliveryFailed(f"{host} refused the message: code {code}")


def _send_pinned(target: webhook_targets.PinnedTarget, body: bytes, headers: dict[str, str]) -> bytes:
    """POST `body` to the address that was checked (`target.address`), naming the host for TLS and `Host`; the
    answer's body (DeliveryFailed for a status other than 2xx: redirects are not followed)."""
    connection: http.client.HTTPConnection
    if target.scheme == "https":
        connection = http.client.HTTPSConnection(
            target.host, target.port, timeout=TIMEOUT, context=ssl.create_default_context()
        )
    else:
        connection = http.client.HTTPConnection(target.host, target.port, timeout=TIMEOUT)

    def pinned(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
        return socket.create_connection((target.address, address[1]), *args, **kwargs)

    connection._create_connection = pinned  # type: ignore[attr-defined]  # connect to the checked address only
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        answer = response.read(65536)
    except (OSError, http.client.HTTPException) as e:
        raise DeliveryFailed(f"cannot reach {target.host}: {e}") from None
    finally:
        connection.close()
    if not 200 <= response.status < 300:
        raise DeliveryFailed(f"HTTP {response.status} from {target.host}")
    return answer


def _mail(sub: Subscription, alert: AlertView, delivery: str, smtp: SmtpSettings) -> None:
    assert sub.email is not None
    if smtp.host is None:
        raise DeliveryFailed("ACCOUNTGRAPH_SMTP_HOST is not set")
    mail = EmailMessage()
    mail["Subject"] = f"[AccountGraph] {alert.title}: {alert.subject_name}"
    mail["From"] = smtp.sender
    mail["To"] = sub.email
    mail["Message-ID"] = make_msgid(idstring=delivery.replace(".", "-"), domain="accountgraph")
    mail[DELIVERY_HEADER] = delivery
    mail.set_content(
        f"{alert.title}\n\n{_('Account')}: {alert.account}\n{_('Reason')}: {alert.reason}\n"
        f"{_('Next step')}: {alert.action}\n\n{alert.explanation}\n\n(alert {alert.id})\n"
    )
    try:
        with smtplib.SMTP(smtp.host, smtp.port, timeout=TIMEOUT) as client:
            client.ehlo()
            if smtp.starttls:
                context = ssl.create_default_context(cafile=smtp.ca_file)
                client.starttls(context=context)
                client.ehlo()
            if smtp.user is not None:
                client.login(smtp.user, smtp.password or "")
            client.send_message(mail)
    except smtplib.SMTPAuthenticationError as e:
        raise DeliveryFailed(f"SMTP authentication refused ({e.smtp_code})") from None
    except smtplib.SMTPResponseException as e:
        raise DeliveryFailed(f"SMTP error {e.smtp_code} from {smtp.host}") from None
    except (smtplib.SMTPException, OSError) as e:
        raise DeliveryFailed(f"SMTP with {smtp.host}:{smtp.port} failed: {type(e).__name__}") from None


def send(sub: Subscription, alert: AlertRecord, delivery: str, smtp: SmtpSettings | None = None) -> None:
    """Send one alert to one subscription now, in its language (DeliveryFailed when it does not get there)."""
    with use(sub.language):
        view = alerts.render(alert)
        if sub.channel == "webhook":
            _post(sub, view, delivery)
        else:
            _mail(sub, view, delivery, smtp or SmtpSettings.from_env())


# ---- the outbox ----------------------------------------------------------------------------------------------


class DeliveryResult(BaseModel):
    delivered: list[str]
    retrying: list[str]
    dead: list[str]


def _claim(store: GraphStore, id: str, now: datetime) -> OutboxItem | None:
    def work(uow: UnitOfWork) -> OutboxItem | None:
        item = uow.load(OutboxItem, id)
        if item is None or item.state != "pending" or item.next_attempt_at > now:
            return None
        if item.claimed_until is not None and item.claimed_until > now:
            return None
        claimed = item.model_copy(update={"claimed_until": now + LEASE})
        uow.save(claimed)
        return claimed

    try:
        with store.documents.unit_of_work() as uow:
            return work(uow)
    except VersionConflict:
        return None  # another deliverer claimed it first


def _finish(store: GraphStore, item: OutboxItem, now: datetime, error: str | None, settings: DeliverySettings) -> str:
    def work(uow: UnitOfWork) -> str:
        current = uow.load(OutboxItem, item.id) or item
        if error is None:
            uow.save(current.model_copy(update={"state": "delivered", "delivered_at": now, "claimed_until": None}))
            return "delivered"
        attempts = current.attempts + 1
        if attempts >= settings.attempts:
            uow.save(current.model_copy(update={"state": "dead", "attempts": attempts, "last_error": error}))
            uow.save(
                DeadLetter(
                    id=item.id,
                    alert=item.alert,
                    subscription=item.subscription,
                    attempts=attempts,
                    last_error=error,
                    failed_at=now,
                )
            )
            return "dead"
        wait = timedelta(seconds=settings.backoff * 2 ** (attempts - 1))
        uow.save(
            current.model_copy(
                update={"attempts": attempts, "last_error": error, "next_attempt_at": now + wait, "claimed_until": None}
            )
        )
        return "retrying"

    return store.documents.retrying(work)


def deliver(
    store: GraphStore,
    scope: Scope,
    *,
    now: datetime | None = None,
    settings: DeliverySettings | None = None,
    smtp: SmtpSettings | None = None,
    clock: Callable[[], datetime] | None = None,
) -> DeliveryResult:
    """Send every outbox item that is due (see the module docstring); what was delivered, retried, given up."""
    scope.require_role(ApiRole.PLANNER)
    scope.require_unscoped("drain the whole outbox")
    settings = settings or DeliverySettings.from_env()
    result = DeliveryResult(delivered=[], retrying=[], dead=[])
    pending = [d for d in store.documents.list(OutboxItem.kind) if d.data.get("state") == "pending"]
    for doc in pending:
        moment = now or (clock or (lambda: datetime.now(UTC)))()
        item = _claim(store, doc.id, moment)
        if item is None:
            continue
        alert_doc = store.documents.get(AlertRecord.kind, item.alert)
        sub_doc = store.documents.get(Subscription.kind, item.subscription)
        error: str | None
        if alert_doc is None or sub_doc is None:
            error = "the alert or the subscription no longer exists"
            outcome = _finish(store, item, moment, error, DeliverySettings(attempts=1))
        else:
            try:
                send(
                    Subscription.model_validate(sub_doc.data), AlertRecord.model_validate(alert_doc.data), item.id, smtp
                )
                error = None
            except DeliveryFailed as e:
                error = str(e)
            outcome = _finish(store, item, moment, error, settings)
        getattr(result, outcome).append(item.id)
    return result


def send_test(store: GraphStore, scope: Scope, subscription: str, *, smtp: SmtpSettings | None = None) -> str:
    """Send a sample alert to a subscription now (nothing stored); what was sent, or InvalidArgument with why not."""
    scope.require_role(ApiRole.PLANNER)
    doc = store.documents.get(Subscription.kind, subscription)
    if doc is None:
        raise NotFoundError("subscription", subscription)
    sub = Subscription.model_validate(doc.data)
    if scope.scoped and not (sub.accounts and all(scope.sees(a) for a in sub.accounts)):
        raise NotFoundError("subscription", subscription)
    now = datetime.now(UTC)
    sample = AlertRecord(
        id="al-test",
        rule="key_person_left",
        account=sub.accounts[0] if sub.accounts else "sample-account",
        subject="sample-person",
        subject_name="Sample Person",
        cause="test",
        severity="high",
        message="{person} ({roles}) left {account} on {date}",
        fields={"person": "Sample Person", "roles": "champion", "account": "Sample", "date": now.date().isoformat()},
        explanation="a test message sent by `accountgraph alerts test`",
        action="Reach the successor through your strongest tie",
        raised_at=now,
        reference=now.date(),
    )
    try:
        send(sub, sample, f"test-{int(now.timestamp())}", smtp)
    except DeliveryFailed as e:
        raise InvalidArgument(f"the test message was not delivered: {e}") from None
    return f"sent a test message to subscription {sub.id} ({sub.channel})"


# ---- the server's worker -------------------------------------------------------------------------------------


ALERT_KINDS = frozenset(
    {AlertRecord.kind, Subscription.kind, OutboxItem.kind, DeadLetter.kind, "alert_rules", "alert_watch", "api_key"}
)
"""Change-log kinds no rule reads: the alerts' own records (the evaluation writes them) and API keys."""


class _Touched:
    """Which accounts the writes since the last look touched, read from the change log (`GraphStore.changes`).

    The log is read newest first down to `OVERLAP` before the newest entry seen last time (a write committed a
    little after a later one is still found), entries already seen are skipped by id. An entry of no account
    (our team, a product) can change any account's alerts: it asks for every account (None), as do the first look
    and more than `MAX_ENTRIES` new entries."""

    OVERLAP = timedelta(seconds=10)
    MAX_ENTRIES = 5000

    def __init__(self, store: GraphStore) -> None:
        self._store = store
        self._mark: datetime | None = None  # the newest entry seen
        self._recent: set[str] = set()  # the ids of the entries seen within OVERLAP of the mark

    def since_last(self) -> set[str] | None:
        first = self._mark is None
        floor = None if self._mark is None else self._mark - self.OVERLAP
        fresh: list[Change] = []
        seen: list[Change] = []
        after: tuple[str, str] | None = None
        while True:
            page = self._store.changes(limit=1000, after=after)
            for entry in page:
                if floor is None and seen:  # the first look: the newest entry and those within OVERLAP of it
                    floor = seen[0].at - self.OVERLAP
                if floor is not None and entry.at < floor:
                    page = []
                    break
                seen.append(entry)
                if entry.id not in self._recent:
                    fresh.append(entry)
            if len(page) < 1000 or len(fresh) > self.MAX_ENTRIES:
                break
            after = (at_text(page[-1].at), page[-1].id)
        if seen:
            self._mark = max(self._mark or seen[0].at, seen[0].at)
            self._recent = {e.id for e in seen if e.at >= self._mark - self.OVERLAP}
        if first or len(fresh) > self.MAX_ENTRIES:
            if first and not seen:
                self._mark = datetime.now(UTC)
            return None
        touched: set[str] = set()
        for entry in fresh:
            if entry.kind in ALERT_KINDS:
                continue
            if entry.account is None:
                return None
            touched.add(entry.account)
        return touched


class AlertWorker:
    """A thread that evaluates the alerts when the store's data version moves, and drains the outbox.

    It never runs inside a write: it polls `data_version()` (every `interval` seconds, or when `wake` is called)
    and works in its own thread, so a write only pays for moving the version it moves anyway. It evaluates only
    the accounts the writes since its last look touched (the change log names each write's account, `_Touched`):
    every account at its first look and after a write that belongs to no account (our team, products);
    `accountgraph alerts run` (for a scheduler) is the full pass. `last` is the result of its latest evaluation.
    """

    def __init__(
        self,
        store: GraphStore,
        *,
        interval: float = 2.0,
        log: Callable[[str], None] | None = None,
        cache: AnalysisCache | None = None,
    ) -> None:
        self._cache = cache  # the server's: the views the requests prepared are reused, and the other way round
        self._store = store
        self._interval = interval
        self._log = log or (lambda _: None)
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._seen: int | None = None
        self._touched = _Touched(store)
        self._thread = threading.Thread(target=self._loop, name="accountgraph-alerts", daemon=True)
        self.runs = 0
        self.last: alerts.RunResult | None = None

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)

    def _loop(self) -> None:
        scope = Scope.operator()
        last = ""
        self._wake.wait(self._interval)  # not during the server's start: the first look one interval later
        self._wake.clear()
        while not self._stop.is_set():
            try:
                version = self._store.data_version()
                if version != self._seen:
                    touched = self._touched.since_last()  # read before evaluating: later writes come next time
                    if touched is None or touched:
                        self.last = alerts.run(self._store, scope, accounts=touched, cache=self._cache)
                        self.runs += 1
                    self._seen = version
                deliver(self._store, scope)
            except Exception as e:  # the worker outlives a failed run; the next version or tick tries again
                said = f"alert worker: {type(e).__name__}: {e}"
                if said != last:  # once per new problem, not at every tick
                    self._log(said)
                last = said
            else:
                last = ""
            self._wake.wait(self._interval)
            self._wake.clear()
