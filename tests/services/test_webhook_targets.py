"""Where webhooks may point (`services.webhook_targets`): by default https to public addresses only, checked after
DNS resolution when subscribing and again at each delivery; the operator widens it with ACCOUNTGRAPH_WEBHOOK_ALLOW.
Refusals name the field and store nothing; a delivery to a target no longer allowed reaches nobody (a real loopback
receiver records what arrives)."""

from __future__ import annotations

import pytest

from accountgraph.errors import InvalidArgument
from accountgraph.graph.store import GraphStore
from accountgraph.services import alert_delivery as delivery
from accountgraph.services import alerts
from accountgraph.services.scope import Scope
from accountgraph.services.webhook_targets import ALLOW_ENV, WebhookPolicy
from tests.services.alert_support import REF, SECRET, SECRET_ENV, http_receiver, load_account

OP = Scope.operator()
FAST = delivery.DeliverySettings(attempts=2, backoff=0.0)


@pytest.fixture(autouse=True)
def default_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ALLOW_ENV, raising=False)  # the documented default
    monkeypatch.setenv(SECRET_ENV, SECRET)


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://10.0.0.1/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]:8443/hook",
        "https://localhost/hook",  # a name resolving to loopback
        "https://[::ffff:127.0.0.1]/hook",  # loopback dressed as IPv6
        "https://192.168.1.10/hook",
        "https://224.0.0.1/hook",  # multicast
        "https://0.0.0.0/hook",
    ],
)
def test_the_default_refuses_internal_targets(store: GraphStore, url: str) -> None:
    load_account(store)
    with pytest.raises(InvalidArgument) as refused:
        alerts.subscribe(store, OP, webhook=url)
    assert refused.value.field == "webhook"
    assert "not a public address" in refused.value.message and ALLOW_ENV in refused.value.message
    assert alerts.list_subscriptions(store, OP) == []


def test_the_default_needs_https_and_allows_public_addresses(store: GraphStore) -> None:
    load_account(store)
    with pytest.raises(InvalidArgument, match="https:// is required") as refused:
        alerts.subscribe(store, OP, webhook="http://93.184.216.34/hook")
    assert refused.value.field == "webhook"
    with pytest.raises(InvalidArgument, match="cannot be resolved"):
        alerts.subscribe(store, OP, webhook="https://no-such-host.invalid/hook")
    assert alerts.list_subscriptions(store, OP) == []
    made = alerts.subscribe(store, OP, webhook="https://93.184.216.34/hook")  # public: allowed, nothing sent
    assert [s.id for s in alerts.list_subscriptions(store, OP)] == [made.id]


def test_the_operator_allows_hosts_and_networks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ALLOW_ENV, " hooks.corp , *.chat.corp, 10.20.0.0/16, ::1 ")
    policy = WebhookPolicy.from_env()
    assert policy.names("hooks.corp") and policy.names("a.chat.corp") and not policy.names("chat.corp.evil")
    assert policy.names("10.20.3.4") and policy.names("[::1]") and not policy.names("10.21.0.1")
    monkeypatch.setenv(ALLOW_ENV, "10.0.0.0/8, not a host!")
    with pytest.raises(InvalidArgument, match="not a host name, address or network") as bad:
        WebhookPolicy.from_env()
    assert bad.value.field == ALLOW_ENV


def test_a_target_is_checked_again_at_delivery(store: GraphStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """Allowed when subscribed, refused when delivering once it is no longer allowed (as a name that resolves to
    an internal address later would be): the receiver gets nothing and the item ends as a dead letter."""
    load_account(store)
    with http_receiver() as hook:
        monkeypatch.setenv(ALLOW_ENV, "127.0.0.1")
        alerts.subscribe(store, OP, webhook=hook.url, secret_env=SECRET_ENV)  # http to loopback: allowed
        monkeypatch.setenv(ALLOW_ENV, "localhost")  # by name: what `localhost` resolves to does not matter
        alerts.subscribe(store, OP, webhook=hook.url.replace("127.0.0.1", "localhost"), secret_env=SECRET_ENV)
        assert alerts.run(store, OP, reference=REF).queued == 2
        monkeypatch.delenv(ALLOW_ENV)  # back to the default: loopback is refused when delivering
        for _ in range(FAST.attempts):
            assert delivery.deliver(store, OP, settings=FAST).delivered == []
        assert hook.deliveries == []
        dead = alerts.list_dead_letters(store, OP)
        assert len(dead) == 2 and all("not a public address" in d.last_error for d in dead)
