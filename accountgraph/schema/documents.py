"""The base of every document: a versioned JSON record kept by the store (`GraphStore.documents`).

Quotes, contracts, orders, invoices, payments, products, opportunities, plans... are documents. Each has
a `kind` (one of the store's `DOCUMENT_KINDS`), an `id` unique within its kind, and may belong to an
account (the store lists the documents of an account). What is stored is `data()`: a JSON object with money
as decimal strings, never a float. The store adds the version (1 when created, +1 on every write) that
its optimistic concurrency checks.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

__all__ = ["DocumentModel"]


class DocumentModel(BaseModel):
    """A document's model: its kind, its id and its stored JSON (see the module docstring)."""

    model_config = ConfigDict(extra="forbid")
    kind: ClassVar[str]
    moves_data_version: ClassVar[bool] = True
    """Whether writing it moves the store's data version (emptying caches of derived data): False for a kind
    no derived data depends on (browser sessions), whose writes leave caches and account snapshots alone."""
    id: str  # (narrowed by each kind)

    def data(self) -> dict[str, Any]:
        """The stored JSON object (decimals and dates as strings)."""
        return self.model_dump(mode="json")

    def document_account(self) -> str | None:
        """The account the document belongs to (its `account` field), or None for a store-wide one."""
        value = getattr(self, "account", None)
        return value if isinstance(value, str) else None
