"""Real local receivers for the alert delivery tests (no tests here): an HTTP server on loopback that checks the
signatures and records the deliveries, an SMTP server (aiosmtpd) that records the messages, and the account the
tests start from."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast

from aiosmtpd.controller import Controller

from accountgraph.graph.store import GraphStore
from accountgraph.schema import Bundle, Company, Person, TeamMember, Tie
from accountgraph.services.alert_delivery import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify_signature

REF = date(2026, 6, 1)
SECRET = "s3cr3t-for-tests"
SECRET_ENV = "ALERT_TEST_SECRET"


@dataclass
class Delivery:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    raw: bytes
    verified: bool


@dataclass
class Receiver:
    """An HTTP receiver on loopback: answers the statuses queued in `answers` (then 200), records every request."""

    url: str
    secret: str | None
    deliveries: list[Delivery] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def accepted(self) -> list[Delivery]:
        return [d for d in self.deliveries if d.headers.get("x-answer") == "200"]


@contextmanager
def http_receiver(secret: str | None = SECRET) -> Iterator[Receiver]:
    receiver = Receiver(url="", secret=secret)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            headers = {k.lower(): v for k, v in self.headers.items()}
            verified = receiver.secret is not None and verify_signature(
                receiver.secret, headers.get(TIMESTAMP_HEADER.lower()), raw, headers.get(SIGNATURE_HEADER.lower())
            )
            with receiver.lock:
                status = receiver.answers.pop(0) if receiver.answers else 200
                headers["x-answer"] = str(status)
                receiver.deliveries.append(Delivery(self.path, headers, json.loads(raw), raw, verified))
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"errcode":0}' if status == 200 else b'{"error":"down"}')

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Mailbox:
    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)


@contextmanager
def smtp_receiver(**controller: Any) -> Iterator[Mailbox]:
    """An aiosmtpd server on loopback recording each message (extra `controller` options: TLS, authentication)."""
    with socket.socket() as probe:  # aiosmtpd's controller needs its port named: a free one
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    box = Mailbox("127.0.0.1", port)

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            mail = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
            box.messages.append(cast(EmailMessage, mail))
            return "250 OK"

    ctl = Controller(Handler(), hostname="127.0.0.1", port=port, **controller)
    ctl.start()
    try:
        yield box
    finally:
        ctl.stop()


def load_account(store: GraphStore) -> None:
    """acme (root) and acme-eu (its subsidiary); Cara the champion and Dan the decision maker, both supporters,
    reached by t1 and t2 through fresh ties; Eve, an economic buyer, reached by t1 only."""
    fresh = REF - timedelta(days=10)
    store.load_bundle(
        Bundle(
            companies=[Company(id="acme", name="Acme"), Company(id="acme-eu", name="Acme EU", parent="acme")],
            people=[
                Person(id="cara", name="Cara Champion", company="acme", roles=["champion"], stance="supporter"),
                Person(id="dan", name="Dan Decider", company="acme", roles=["decision_maker"], stance="supporter"),
                Person(id="eve", name="Eve Buyer", company="acme-eu", roles=["economic_buyer"], stance="neutral"),
            ],
            team=[TeamMember(id="t1", name="Tom Ours"), TeamMember(id="t2", name="Tina Ours")],
            ties=[
                Tie.model_validate({"from": m, "to": p, "type": "knows", "strength": 0.9, "last_contact": fresh})
                for m, p in (("t1", "cara"), ("t2", "cara"), ("t1", "dan"), ("t2", "dan"), ("t1", "eve"))
            ],
        ),
        on=REF - timedelta(days=100),
    )
