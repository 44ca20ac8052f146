"""Settings of the HTTP API, from environment variables (`ACCOUNTGRAPH_*`), read when the app is built."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from accountgraph import i18n
from accountgraph.graph.settings import DEFAULT_STORE_URL

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


class ApiSettings(BaseSettings):
    """What `create_app` needs. Every field is read from `ACCOUNTGRAPH_<FIELD>` (case-insensitive).

    Neo4j credentials are read by the store itself from `NEO4J_USER`, `NEO4J_PASSWORD` and
    `NEO4J_DATABASE` (see `accountgraph.graph.settings.open_store`).
    """

    model_config = SettingsConfigDict(env_prefix="ACCOUNTGRAPH_", extra="ignore", frozen=True)

    store: str = Field(
        default=DEFAULT_STORE_URL,
        description="the store: sqlite:///path/to/file.db, or neo4j://host:7687 / bolt://host:7687",
    )
    max_body_bytes: int = Field(
        default=64 * 1024 * 1024,
        ge=1,
        description="largest request body accepted, in bytes; larger ones get 413",
    )
    log_level: LogLevel = Field(default="INFO", description="level of the `accountgraph.api` logger")
    log_format: Literal["json", "text"] = Field(default="json", description="one JSON object per log line, or text")
    cache_accounts: int = Field(
        default=16,
        ge=0,
        description="account graphs kept in memory for the analyses (each keyed by the store's data version)",
    )
    cache_responses: int = Field(
        default=4096,
        ge=0,
        description="rendered answers of the analyses kept by each worker for the store's current data version "
        "(the same request then costs no routing or computation; 0: none)",
    )
    exact_cache: str = Field(
        default="",
        description="directory of the exact betweenness values the workers share (computed once per account "
        "structure in the background; the ranking says `sampled` until they are ready); default "
        "$XDG_CACHE_HOME/accountgraph/exact",
    )

    auth_failure_limit: int = Field(
        default=10,
        ge=0,
        description="failed authentications (a wrong, unknown or revoked key) allowed at once per client address and "
        "per key id before 429 with Retry-After; 0 turns the limit off (benchmarks). Kept in the process: each worker "
        "of a multi-worker deployment limits on its own",
    )
    auth_failure_refill_seconds: float = Field(
        default=6.0, gt=0, le=86_400, description="one more failed authentication is allowed every this many seconds"
    )
    alerts_worker: bool = Field(
        default=False,
        description="evaluate the alert rules in a background thread after each write and drain the alert outbox "
        "(`accountgraph serve` turns it on unless ACCOUNTGRAPH_ALERTS_WORKER=0)",
    )
    alerts_interval_seconds: float = Field(
        default=2.0, gt=0, le=3600, description="how often the alert worker looks for a write or a due delivery"
    )

    lang: str | None = Field(
        default=None,
        description="the workspace's language for a browser that has not chosen one with its switch (en or zh-CN; "
        "default: the browser's Accept-Language); `accountgraph --lang zh-CN serve` sets it",
    )

    @field_validator("lang")
    @classmethod
    def _known_language(cls, value: str | None) -> str | None:
        return i18n.language(value) if value else None  # an unknown one is refused with the languages there are

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value
