"""Where alert webhooks may point (a guard against server-side request forgery).

A planner names a webhook's URL; the server then POSTs to it. Without a guard, a URL such as
``http://169.254.169.254/…`` (a cloud's metadata service), ``http://10.0.0.5/…`` or ``http://localhost:…`` would
make the server reach its own network for whoever holds a planner key. So, by default:

- the URL must be ``https://``;
- its host is resolved (DNS) and EVERY address it resolves to must be a public one: loopback, private, link-local,
  shared (100.64/10), multicast, reserved and unspecified addresses are refused (IPv4-mapped IPv6 addresses are
  judged as the IPv4 address they carry).

The operator widens this with the environment variable ``ACCOUNTGRAPH_WEBHOOK_ALLOW``: a comma-separated list of
host names (``hooks.internal``, or ``*.corp.example`` for its subdomains), addresses (``127.0.0.1``, ``::1``) and
networks (``10.20.0.0/16``). A URL whose host is listed by name, or whose every address lies in a listed address or
network, is allowed, over ``http://`` too.

The check is made when a subscription is made (`check`, a refusal is an `InvalidArgument` naming the field
``webhook``: nothing is stored) and again at every delivery (`resolve_for_delivery`), where the connection is then
made to the very address that was checked (`PinnedTarget`), so that a name that resolves to a public address when
subscribed and to an internal one later (DNS rebinding) is refused too. Redirects are not followed.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from accountgraph.errors import InvalidArgument
from accountgraph.i18n import N_
from accountgraph.i18n.phrase import Phrase

__all__ = ["ALLOW_ENV", "PinnedTarget", "WebhookPolicy", "check", "resolve_for_delivery"]

ALLOW_ENV = "ACCOUNTGRAPH_WEBHOOK_ALLOW"
URL_NEEDED = N_("webhook: an http:// or https:// URL is needed")
"""The refusal of a webhook that is no http(s) URL (here and in `alerts.subscribe`)."""
"""The operator's list of webhook hosts, addresses and networks allowed besides public https targets."""

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _plain(ip: Address) -> Address:
    """An IPv4-mapped IPv6 address as the IPv4 address it carries."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def public(ip: Address) -> bool:
    """True for an address on the public Internet (not loopback, private, link-local, multicast, reserved...)."""
    ip = _plain(ip)
    return ip.is_global and not (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or (isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local)
    )


def _ip(text: str) -> Address | None:
    try:
        return ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return None


@dataclass(frozen=True)
class WebhookPolicy:
    """The operator's allow list (`ALLOW_ENV`): host names (a `*.` prefix: any subdomain) and networks."""

    hosts: frozenset[str] = frozenset()
    networks: tuple[Network, ...] = ()

    @classmethod
    def from_env(cls) -> WebhookPolicy:
        """The policy of `ALLOW_ENV` (unset or empty: public https targets only).

        Raises:
            InvalidArgument: an entry that is neither a host name, an address nor a network.
        """
        hosts: set[str] = set()
        networks: list[Network] = []
        for raw in (os.environ.get(ALLOW_ENV) or "").split(","):
            entry = raw.strip().lower()
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
                continue
            except ValueError:
                pass
            name = entry.removeprefix("*.")
            if not name or any(
                not part or not part.replace("-", "").replace("_", "").isalnum() for part in name.split(".")
            ):
                raise InvalidArgument(
                    f"{ALLOW_ENV}: not a host name, address or network: {raw.strip()!r}", field=ALLOW_ENV
                )
            hosts.add(entry)
        return cls(frozenset(hosts), tuple(networks))

    def names(self, host: str) -> bool:
        """True when the operator allows `host` by name (or, for an address literal, by address)."""
        host = host.lower().rstrip(".")
        if host in self.hosts or any(h.startswith("*.") and host.endswith(h[1:]) for h in self.hosts):
            return True
        literal = _ip(host)
        return literal is not None and self.lists(literal)

    def lists(self, ip: Address) -> bool:
        """True when `ip` lies in an allowed address or network."""
        ip = _plain(ip)
        return any(ip.version == n.version and ip in n for n in self.networks)


@dataclass(frozen=True)
class PinnedTarget:
    """A checked webhook URL: where to connect (`address`, one of those checked) and what to ask for."""

    scheme: str
    host: str
    port: int
    path: str  # path and query
    address: str


def _resolve(host: str, port: int) -> list[Address]:
    literal = _ip(host)
    if literal is not None:
        return [literal]
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return []
    found: list[Address] = []
    for info in infos:
        ip = _ip(str(info[4][0]).split("%")[0])
        if ip is not None and ip not in found:
            found.append(ip)
    return found


def _judge(url: str, policy: WebhookPolicy) -> PinnedTarget:
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:
        raise InvalidArgument(Phrase(N_("webhook: not a valid URL")), field="webhook") from None
    if parts.scheme not in ("http", "https") or not host:
        raise InvalidArgument(Phrase(URL_NEEDED), field="webhook")
    port = port or (443 if parts.scheme == "https" else 80)
    addresses = _resolve(host, port)
    if not addresses:
        raise InvalidArgument(Phrase(N_("webhook: the host {host} cannot be resolved"), host=host), field="webhook")
    by_name = policy.names(host)
    listed = by_name or all(policy.lists(ip) for ip in addresses)
    if not by_name:
        for ip in addresses:
            if not public(ip) and not policy.lists(ip):
                message = (
                    N_(
                        "webhook: {host} is not a public address (loopback, private, link-local, multicast or "
                        "reserved); the operator may allow it in {setting}"
                    )
                    if str(ip) == host.strip("[]")
                    else N_(
                        "webhook: {host} is resolved to {ip}, not a public address (loopback, private, link-local, "
                        "multicast or reserved); the operator may allow it in {setting}"
                    )
                )
                raise InvalidArgument(Phrase(message, host=host, ip=str(ip), setting=ALLOW_ENV), field="webhook")
    if parts.scheme != "https" and not listed:
        raise InvalidArgument(
            Phrase(
                N_("webhook: https:// is required (the operator may allow http:// for {host} in {setting})"),
                host=host,
                setting=ALLOW_ENV,
            ),
            field="webhook",
        )
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return PinnedTarget(parts.scheme, host, port, path, str(addresses[0]))


def check(url: str) -> None:
    """Refuse a webhook URL the operator's policy does not allow (`InvalidArgument`, field ``webhook``)."""
    _judge(url, WebhookPolicy.from_env())


def resolve_for_delivery(url: str) -> PinnedTarget:
    """The checked address to send a webhook to now, resolved afresh (`InvalidArgument` when refused now)."""
    return _judge(url, WebhookPolicy.from_env())
