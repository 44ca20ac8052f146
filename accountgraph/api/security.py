"""What every answer carries for the browser's protection, and the rate limit of failed authentications.

* Every response: `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer`, `X-Frame-Options: DENY`
  and, unless it sets its own, `Content-Security-Policy: default-src 'none'; frame-ancestors 'none'` (a JSON
  answer needs nothing). API answers (all but the docs' static assets) are `Cache-Control: no-store`.
* HTML pages (`HtmlPage`: the views and the docs) get a policy that lets exactly their own inline scripts run,
  by their SHA-256 hashes, and nothing else (no other origin, no `eval`, no plugins, no framing). Styles are
  allowed inline (`style-src 'unsafe-inline'`): the pages carry their style sheet inline and vis-network and
  Swagger UI set `style` attributes as they draw; styles cannot run code.
* `FailureLimiter`: a token bucket per client address and per key id, spent by failed authentications only.
"""

from __future__ import annotations

import base64
import hashlib
import re
import time
from collections.abc import Callable, Iterable

from fastapi.responses import HTMLResponse

__all__ = ["API_CSP", "SECURITY_HEADERS", "FailureLimiter", "HtmlPage", "page_csp"]

API_CSP = "default-src 'none'; frame-ancestors 'none'"
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
)
_SCRIPT = re.compile(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.DOTALL | re.IGNORECASE)
_DATA_BLOCK = re.compile(r"""type\s*=\s*["']?application/(?:ld\+)?json""", re.IGNORECASE)
_SRC = re.compile(r"\ssrc\s*=", re.IGNORECASE)


def page_csp(html: str, *, same_origin: bool = False) -> str:
    """The policy of one HTML page: its inline scripts by hash (data blocks are not scripts); with
    `same_origin`, also scripts, styles, images and requests of this server (the docs)."""
    hashes = sorted(
        {
            "'sha256-" + base64.b64encode(hashlib.sha256(m["body"].encode("utf-8")).digest()).decode() + "'"
            for m in _SCRIPT.finditer(html)
            if not _DATA_BLOCK.search(m["attrs"]) and not _SRC.search(m["attrs"])
        }
    )
    own = ["'self'"] if same_origin else []
    parts = [
        "default-src 'none'",
        "script-src " + (" ".join([*own, *hashes]) or "'none'"),
        "style-src " + " ".join([*own, "'unsafe-inline'"]),
        "img-src " + " ".join([*own, "data:", "blob:"]),
        *(["connect-src 'self'", "font-src 'self' data:"] if same_origin else []),
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
    return "; ".join(parts)


class HtmlPage(HTMLResponse):
    """An HTML answer with its own Content-Security-Policy (`page_csp`)."""

    def __init__(
        self, html: str, *, same_origin: bool = False, status_code: int = 200, language: str | None = None
    ) -> None:
        super().__init__(html, status_code=status_code)
        self.headers["Content-Security-Policy"] = page_csp(html, same_origin=same_origin)
        if language is not None:
            self.headers["Content-Language"] = language.replace("_", "-")


class FailureLimiter:
    """A token bucket per key (a client address, a key id): `limit` failures at once, one more every
    `refill_seconds`. Only failures spend tokens; a key whose bucket is empty waits `retry_after` seconds.

    In-process and not locked: it is used from the event loop only (no await between a check and a spend).
    """

    MAX_KEYS = 100_000

    def __init__(self, limit: int, refill_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.refill_seconds = refill_seconds
        self.clock = clock
        self._buckets: dict[tuple[str, str], tuple[float, float]] = {}

    def _tokens(self, key: tuple[str, str], now: float) -> float:
        tokens, at = self._buckets.get(key, (float(self.limit), now))
        return min(float(self.limit), tokens + (now - at) / self.refill_seconds)

    def retry_after(self, keys: Iterable[tuple[str, str]]) -> float:
        """Seconds until every one of `keys` may fail again (0: they may now)."""
        now = self.clock()
        return max((max(0.0, 1 - self._tokens(k, now)) * self.refill_seconds for k in keys), default=0.0)

    def failed(self, keys: Iterable[tuple[str, str]]) -> None:
        """Spend one token of each key."""
        now = self.clock()
        for key in keys:
            self._buckets[key] = (self._tokens(key, now) - 1, now)
        if len(self._buckets) > self.MAX_KEYS:  # forget the buckets that are full again
            self._buckets = {k: v for k, v in self._buckets.items() if self._tokens(k, now) < self.limit}
