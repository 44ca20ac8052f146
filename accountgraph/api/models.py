"""Shapes that exist only in the HTTP API: key views, import results, health.

The records themselves (Company, Person, ...) are the models of `accountgraph.schema`, used as they are.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from accountgraph.schema.models import ApiKey, ApiRole, Company, Id, Text

T = TypeVar("T")


class CompanyTree(Company):
    """A company of an account's tree with its number of people and its subsidiaries (by id)."""

    people: int = Field(description="people of this company (not its subsidiaries)")
    children: list[CompanyTree] = Field(default_factory=list)


class ImportResult(BaseModel):
    imported: dict[str, int] = Field(description="records written per list (upserts, so re-imports count again)")


class KeyCreate(BaseModel):
    """A new API key: its role, an optional name and the accounts it is limited to (none: all)."""

    model_config = ConfigDict(extra="forbid")

    role: ApiRole
    name: Text | None = None
    accounts: list[Id] = Field(default_factory=list, max_length=1000)


class ApiKeyInfo(BaseModel):
    """A stored key as the API shows it: everything but the hash of its secret."""

    id: str
    name: str | None
    role: ApiRole
    accounts: list[str]
    created_at: datetime
    revoked_at: datetime | None

    @classmethod
    def of(cls, key: ApiKey) -> ApiKeyInfo:
        return cls.model_validate(key.model_dump(exclude={"secret_hash"}))


class CreatedKey(ApiKeyInfo):
    key: str = Field(description="the key itself: shown once, never stored; send it as `Authorization: Bearer`")


class Status(BaseModel):
    status: Literal["ok", "ready"]
    details: dict[str, Any] | None = None
