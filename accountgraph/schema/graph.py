"""The graph's fixed vocabulary: labels, relationship types, constraints and indexes.

Labels and relationship types are only ever taken from these tables, never from user text.
"""

from __future__ import annotations

from enum import StrEnum

from accountgraph.schema.models import NodeKind


class Label(StrEnum):
    ENTITY = "Entity"  # every Company, Person and TeamMember: one id space for tie endpoints
    COMPANY = "Company"
    PERSON = "Person"
    TEAM_MEMBER = "TeamMember"
    INTERACTION = "Interaction"
    RISK_EVENT = "RiskEvent"
    META = "AccountGraphMeta"  # the node holding the store's data version, and the change feed's (`change:<version>`)
    API_KEY = "ApiKey"  # an API key record (hash of the secret, role, scope)
    DOCUMENT = "LedgerRecord"  # a document (quote, invoice, plan...), keyed by (kind, id); the label's first name
    COMMIT_GATE = "CommitGate"  # open while a bundle's transaction commits (readers wait; see write.cypher)
    STAGED = "Staged"  # a record of a large import not yet visible (no other label; see staging.cypher)
    IMPORT_STAGE = "ImportStage"  # the lease of a large import being staged
    CHANGE = "ChangeEntry"  # one entry of the change log (who wrote what, when, how; see graph/changelog.py)


class RelType(StrEnum):
    PARENT_OF = "PARENT_OF"  # Company -> Company
    WORKS_AT = "WORKS_AT"  # Person -> Company
    REPORTS_TO = "REPORTS_TO"  # Person -> Person (manager)
    INFLUENCES = "INFLUENCES"  # Person -> Person, `from` sways `to`
    KNOWS = "KNOWS"  # Person/TeamMember <-> Person/TeamMember, stored once (from < to)
    WITH_MEMBER = "WITH_MEMBER"  # Interaction -> TeamMember
    WITH_PERSON = "WITH_PERSON"  # Interaction -> Person
    CONCERNS = "CONCERNS"  # RiskEvent -> Company


NODE_LABEL: dict[NodeKind, Label] = {
    NodeKind.COMPANY: Label.COMPANY,
    NodeKind.PERSON: Label.PERSON,
    NodeKind.TEAM: Label.TEAM_MEMBER,
}

COMPOSITE_KEYS: tuple[tuple[Label, tuple[str, ...]], ...] = (
    (Label.DOCUMENT, ("kind", "id")),
    (Label.STAGED, ("staged_import", "staged_kind", "id")),
)
"""Labels keyed by several properties together (a composite uniqueness constraint each)."""

UNIQUE_IDS: tuple[Label, ...] = tuple(label for label in Label if label not in dict(COMPOSITE_KEYS))
"""Labels whose `id` property is unique (a uniqueness constraint each)."""

INDEXES: tuple[tuple[Label, str], ...] = (
    (Label.PERSON, "company"),
    (Label.COMPANY, "parent"),
    (Label.INTERACTION, "at"),
    (Label.RISK_EVENT, "at"),
    (Label.STAGED, "staged_import"),
    (Label.CHANGE, "at"),
    (Label.CHANGE, "account"),
    (Label.CHANGE, "record"),
    (Label.CHANGE, "author"),
)
"""Property indexes beyond the unique ids."""

COMPOSITE_INDEXES: tuple[tuple[Label, tuple[str, ...]], ...] = ((Label.DOCUMENT, ("kind", "account")),)
"""Indexes on several properties together."""
