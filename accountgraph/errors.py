"""One exception root for the package. HTTP status mapping lives only in `api/`; the CLI prints the message.

The tree of the errors this package raises on purpose::

    AccountGraphError
     +-- InvalidArgument        a request or parameter the package cannot act on (also a ValueError)
     |    +-- BadCursor         a list's cursor that is not one it handed out
     +-- NotFoundError          a record that does not exist (or that the caller may not see)
     +-- Forbidden              the caller's role or scope does not allow this
     +-- ConflictError          a write that would break the graph's invariants
     |    +-- VersionConflict   a document changed meanwhile (optimistic concurrency)
     |    +-- RuleViolation     a business rule of the ledger, deals or plans
     +-- BundleRejected         a bundle or record failed validation; every issue is listed
     +-- StoreError             the store cannot be opened or reached (bad URL, server down, damaged file)
          +-- StoreDamaged      the store's file is damaged: restore a backup (`accountgraph check`)
          +-- StoreResourceError  the store ran out of a resource (memory, disk) for this request

Anything else that escapes (a plain ValueError, KeyError, ...) is a defect, not bad input.

A message is an English sentence (`str(error)`, what logs and English output show, byte for byte); one made as a
`Phrase` (`Phrase(N_("... {field} ..."), field=...)`, marked for the catalog) is shown to a person with
`error.said()`, in the language of the moment (the CLI's `--lang`, the API's `Accept-Language`).
"""

from __future__ import annotations

from accountgraph.i18n import _
from accountgraph.i18n.phrase import Phrase, say
from accountgraph.schema.models import Bundle, BundleIssue


class AccountGraphError(Exception):
    """Root of every error this package raises on purpose."""

    def said(self) -> str:
        """The message in the language of the moment: one made as a `Phrase` translated with its fields, any other
        as it is (its English)."""
        message = self.args[0] if len(self.args) == 1 else None
        return say(message) if isinstance(message, Phrase) else str(self)


class InvalidArgument(AccountGraphError, ValueError):
    """A request or parameter the package cannot act on; `field` names it when known. Nothing was written.

    It is also a `ValueError`, so pydantic validators may raise it and callers that catch `ValueError` keep
    working.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class BadCursor(InvalidArgument):
    """A list's `cursor` that is not the `next_cursor` of one of its pages."""


class Forbidden(AccountGraphError):
    """The caller's role or scope does not allow this request; nothing was done."""


class NotFoundError(AccountGraphError):
    """A record that does not exist was asked for."""

    def __init__(self, kind: str, id: str) -> None:
        super().__init__(f"{kind} {id!r} not found")
        self.kind = kind
        self.id = id

    def said(self) -> str:
        from accountgraph.i18n.glossary import term

        kind = say(self.kind) if isinstance(self.kind, Phrase) else term(self.kind)
        return _("{kind} {id} not found").format(kind=kind, id=repr(self.id))


class ConflictError(AccountGraphError):
    """A write that would break the graph's invariants (e.g. deleting a company that has subsidiaries)."""


class VersionConflict(ConflictError):
    """A ledger write expected another version of a record (someone else wrote first); nothing was written."""


class RuleViolation(ConflictError):
    """A ledger request that breaks a business rule (an illegal transition, an overpayment, an order above
    its contract, a product cycle); nothing was written."""


def said_issue(issue: BundleIssue) -> BundleIssue:
    """An issue with its reason in the language of the moment (a copy; the issue itself stays English)."""
    if not isinstance(issue.reason, Phrase) or say(issue.reason) == issue.reason:
        return issue
    return issue.model_copy(update={"reason": say(issue.reason)})


class BundleRejected(AccountGraphError):
    """A bundle (or a single write) was refused; nothing was written. Every issue is listed."""

    def __init__(
        self,
        issues: list[BundleIssue],
        *,
        partial: Bundle | None = None,
        positions: dict[str, list[int]] | None = None,
    ) -> None:
        self.issues = issues
        self.partial = partial  # the structurally valid records of a refused document, if any
        self.positions = positions or {}  # for each list of `partial`, the records' indices in the document
        shown = "; ".join(str(i) for i in issues[:5])
        more = f" (and {len(issues) - 5} more)" if len(issues) > 5 else ""
        super().__init__(f"{len(issues)} error(s): {shown}{more}")

    @property
    def is_conflict(self) -> bool:
        """True when every issue is a conflict with the stored graph (a cycle, an id clash)."""
        return all(i.code == "conflict" for i in self.issues)


class StoreError(AccountGraphError):
    """The store could not be opened or used (bad URL, unreachable server, incompatible schema)."""


class StoreDamaged(StoreError):
    """The store's file is damaged (a failed integrity check, or a query that met a malformed page): restore
    a backup; `accountgraph check` says what is wrong. The message names the file."""


class StoreResourceError(StoreError):
    """The store ran out of a resource (the server's transaction memory, disk space) for this request;
    nothing was written."""
