"""The workspace's import page, `/import` (planners only): pick a file, see the dry run, confirm the import.

What a planner may upload: another CRM's export (CSV or XLSX) read with a built-in profile or with a mapping file
of their own (`services.crm_import.import_file`), or calendars and mailboxes (`.ics`, mbox, `.eml`, told apart by
their content) captured for an account (`services.capture.capture`) — the same use cases as
`accountgraph import|capture` and `POST /v1/import/mapped|/v1/capture`.

`POST /import` (a multipart form, its CSRF token in the `csrf` field) runs the use case as a dry run and answers
the page with the preview: for an export, the mapping as read against the file, the first rows as they would
land, every problem with file, row and column, the people it would add and the companies it would create; for
mail and calendars, the counts, what was not counted, the unknown addresses on the account's domains and the
ties that would change. The preview carries the files back in its confirm form (hidden, base64); confirming
posts them again with `confirm=1`, and the use case checks and writes them in one transaction (or refuses them,
writing nothing). Viewers get no page and no link, and their POST is refused (403) before anything is read;
a POST without the session's CSRF token is refused (403). Everything shown is escaped by the templates.
"""

from __future__ import annotations

import base64
import binascii
import functools
import io
import json
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

import anyio.to_thread
from fastapi import APIRouter, Request
from fastapi.responses import Response

from accountgraph import i18n
from accountgraph.errors import AccountGraphError, BundleRejected, InvalidArgument, NotFoundError, said_issue
from accountgraph.graph.store import GraphStore
from accountgraph.i18n import _
from accountgraph.schema.models import ApiRole, BundleIssue
from accountgraph.services import capture, crm_import, mapping, records, sessions
from accountgraph.services.capture import Source
from accountgraph.services.scope import Scope

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

MODES = ("profile", "mapping", "capture")
PREVIEW_ROWS = 20
"""The rows of an export the preview shows as they would land (all of them are counted and checked)."""
MAX_PARTS = 200
"""The most form fields and files one POST may hold."""


def _texts() -> dict[str, str]:
    return {
        "title": _("Import"),
        "intro": _(
            "Import another CRM's export (CSV or XLSX) through a profile or a mapping file, or capture "
            "relationships from mail and calendars. You see what would change first; nothing is written until "
            "you confirm."
        ),
        "what": _("What is it?"),
        "mode_profile": _("An export read with a built-in profile"),
        "mode_mapping": _("An export read with my mapping file (YAML or JSON)"),
        "mode_capture": _("Mail and calendars (mbox, .eml, .ics), for an account"),
        "profile": _("Profile"),
        "mapping_file": _("Mapping file"),
        "account": _("Account"),
        "files": _("File(s)"),
        "preview": _("Preview"),
        "confirm": _("Import"),
        "again": _("Choose another file"),
        "problems": _("Problems"),
        "nothing_written": _("Nothing was written. Fix the file and preview it again."),
        "where": _("Where"),
        "column": _("Column"),
        "reason": _("Problem"),
        "mapping": _("Mapping"),
        "mapping_of": _("{mapping} reads {file} as one {record} per row"),
        "field": _("Field"),
        "source": _("From"),
        "in_file": _("Column in the file"),
        "not_in_file": _("not in the file"),
        "unused": _("Columns not read: {columns}"),
        "first_rows": _("The first rows as they would land"),
        "rows_shown": _("{shown} of {total} rows"),
        "row": _("Row"),
        "record": _("Record"),
        "action": _("Action"),
        "matched_by": _("Matched by"),
        "row_values": _("Values"),
        "people_added": _("People it would add"),
        "no_people_added": _("It adds no one."),
        "companies_created": _("Companies it would create"),
        "notes": _("Notes"),
        "counts": _("What would change"),
        "capture_counts": _(
            "{files} files: {messages} messages, {meetings} meetings; interactions {new} new, {known} already stored"
        ),
        "ignored": _("Not counted"),
        "why": _("Why"),
        "how_many": _("How many"),
        "people_to_add": _("Unknown addresses on the account's domains (people to add)"),
        "address": _("Address"),
        "company": _("Company"),
        "seen": _("Seen"),
        "ties": _("Ties that would change"),
        "member": _("Our member"),
        "person": _("Person"),
        "before": _("Before"),
        "after": _("After"),
        "ties_unchanged": _("Ties unchanged: {n}"),
        "ready": _("Nothing has been written yet. Import it?"),
        "done": _("Imported"),
        "written": _("Written: {counts}"),
        "nothing_new": _("Nothing new: everything was already stored."),
        "open_account": _("Open the account"),
        "viewers": _("Only planners may import; this key is a viewer's."),
        "refused": _("Refused"),
        "expired": _("The form had expired; reload the page and try again."),
    }


# ---- the form ---------------------------------------------------------------------------------------
@dataclass
class Upload:
    """What a POST of the page holds."""

    csrf: str = ""
    mode: str = "profile"
    profile: str = ""
    account: str = ""
    confirm: bool = False
    files: list[tuple[str, bytes]] = field(default_factory=list)
    mapping: tuple[str, bytes] | None = None

    def carried(self) -> str:
        """The files as the confirm form carries them back (JSON of names and base64)."""
        files = [[n, base64.b64encode(d).decode("ascii")] for n, d in self.files]
        mapping_file = None if self.mapping is None else [self.mapping[0], base64.b64encode(self.mapping[1]).decode()]
        return json.dumps({"files": files, "mapping": mapping_file})


def _text(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def _filename(raw: str) -> str:
    """A part's file name: browsers send UTF-8 bytes, which the parser keeps as escapes."""
    try:
        return raw.encode("ascii", "surrogateescape").decode("utf-8")
    except UnicodeError:
        return raw


def parse_form(content_type: str, body: bytes) -> Upload:
    """The fields and files of a multipart form (read with the standard library's MIME parser)."""
    if not content_type.lower().startswith("multipart/form-data"):
        raise InvalidArgument("send the page's form (multipart/form-data)", field="content-type")
    head = b"Content-Type: " + content_type.encode("latin-1", "replace") + b"\r\n\r\n"
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    if not message.is_multipart():
        raise InvalidArgument("not a multipart form", field="content-type")
    upload = Upload()
    carried: str | None = None
    for n, part in enumerate(message.iter_parts()):
        if n >= MAX_PARTS:
            raise InvalidArgument(f"more than {MAX_PARTS} fields and files", field="body")
        name = part.get_param("name", header="content-disposition")
        raw_filename = part.get_filename()
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        if name == "files" and raw_filename:
            upload.files.append((_filename(raw_filename), data))
        elif name == "mapping_file" and raw_filename:
            upload.mapping = (_filename(raw_filename), data)
        elif name == "csrf":
            upload.csrf = _text(data).strip()
        elif name == "mode":
            upload.mode = _text(data).strip()
        elif name == "profile":
            upload.profile = _text(data).strip()
        elif name == "account":
            upload.account = _text(data).strip()
        elif name == "confirm":
            upload.confirm = _text(data).strip() == "1"
        elif name == "carried":
            carried = _text(data)
    if carried and not upload.files:
        _uncarry(upload, carried)
    return upload


def _uncarry(upload: Upload, text: str) -> None:
    try:
        held = json.loads(text)
        upload.files = [(str(n), base64.b64decode(d, validate=True)) for n, d in held["files"]]
        if held.get("mapping") is not None:
            name, data = held["mapping"]
            upload.mapping = (str(name), base64.b64decode(data, validate=True))
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise InvalidArgument("the confirm form's files are damaged; choose the file again", field="carried") from None


# ---- the use cases ----------------------------------------------------------------------------------
def run(store: GraphStore, scope: Scope, upload: Upload) -> dict[str, Any]:
    """Preview (a dry run) or import the upload through the services; the page's context."""
    context: dict[str, Any] = {"kind": "capture" if upload.mode == "capture" else "mapped", "plan": None,
                               "problems": [], "error": None, "accounts": [], "people_added": []}  # fmt: skip
    dry_run = not upload.confirm
    try:
        if upload.mode not in MODES:
            raise InvalidArgument(f"'mode' must be one of {', '.join(MODES)}", field="mode")
        if not upload.files:
            raise InvalidArgument("choose a file", field="files")
        if upload.mode == "capture":
            if not upload.account:
                raise InvalidArgument("choose the account whose people to match", field="account")
            sources = [Source(n, functools.partial(io.BytesIO, d)) for n, d in upload.files]
            plan: Any = capture.capture(store, scope, upload.account, sources, dry_run=dry_run)
            touched = [upload.account]
        else:
            if len(upload.files) != 1:
                raise InvalidArgument("an export is one file: choose one", field="files")
            mappings = _mappings(upload)
            name, data = upload.files[0]
            plan = crm_import.import_file(store, scope, name, data, mappings, dry_run=dry_run)
            context["people_added"] = [r for r in plan.rows if r.kind == "person" and r.action == "create"]
            touched = _accounts_of(store, plan) if not dry_run else []
        context["plan"] = plan
        context["problems"] = [said_issue(i) for i in getattr(plan, "problems", [])]
    except BundleRejected as refused:
        context["problems"] = [said_issue(i) for i in refused.issues]
        return context
    except (InvalidArgument, NotFoundError) as refused:
        context["error"] = refused.said()
        return context
    if not dry_run:
        visible = {a.id: a for a in records.list_accounts(store, scope)}
        context["accounts"] = [visible[a] for a in dict.fromkeys(touched) if a in visible]
    return context


def _mappings(upload: Upload) -> list[mapping.Mapping]:
    if upload.mode == "profile":
        if not upload.profile:
            raise InvalidArgument("choose a profile", field="profile")
        return mapping.profile(upload.profile)
    if upload.mapping is None:
        raise InvalidArgument("choose the mapping file", field="mapping_file")
    name, data = upload.mapping
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BundleRejected([BundleIssue(record=name, reason="not UTF-8 text")]) from None
    return [mapping.read_mapping_text(text, name)]


def _accounts_of(store: GraphStore, plan: crm_import.ImportPlan) -> list[str]:
    """The accounts the export's records landed in (the roots of their companies)."""
    companies = [r.id for r in [*plan.companies, *plan.rows] if r.kind == "company"]
    companies += [str(r.record["company"]) for r in plan.rows if r.kind == "person" and r.record.get("company")]
    found: list[str] = []
    for company in dict.fromkeys(companies):
        try:
            found.append(store.account_of(company))
        except NotFoundError:
            continue
    return found


# ---- the routes -------------------------------------------------------------------------------------
def _render(request: Request, session: Any, status: int = 200, **context: Any) -> Response:
    from accountgraph.web.app import _common, _page

    accounts = records.list_accounts(request.state.store, session.scope)
    return _page(
        request,
        "import.html",
        status,
        more_texts=_texts,
        profiles=mapping.profile_names(),
        account_list=accounts,
        **{"upload": Upload(), "plan": None, "kind": None, "problems": [], "error": None, "accounts": [],
           "people_added": [], "preview_rows": PREVIEW_ROWS, **context},
        **_common(session),
    )  # fmt: skip


def _refused(request: Request, session: Any, text_key: str) -> Response:
    from accountgraph.web.app import _error_page, _lang

    with i18n.use(_lang(request)):
        texts = _texts()
    return _error_page(request, 403, texts["refused"], texts[text_key], session)


@router.get("/import")
async def import_page(request: Request) -> Response:
    from accountgraph.web.app import _current, _redirect

    session = await anyio.to_thread.run_sync(_current, request)
    if session is None:
        return _redirect("/signin")
    if not session.scope.may(ApiRole.PLANNER):
        return _refused(request, session, "viewers")
    return await anyio.to_thread.run_sync(lambda: _render(request, session))


@router.post("/import")
async def import_post(request: Request) -> Response:
    from accountgraph.web.app import _current, _lang, _redirect

    session = await anyio.to_thread.run_sync(_current, request)
    if session is None:
        return _redirect("/signin")
    if not session.scope.may(ApiRole.PLANNER):  # before reading anything
        return _refused(request, session, "viewers")
    try:
        upload = parse_form(request.headers.get("content-type", ""), await request.body())
    except InvalidArgument as bad:  # nothing is done: the page says what is wrong
        with i18n.use(_lang(request)):
            message = bad.said()
        return await anyio.to_thread.run_sync(lambda: _render(request, session, 400, error=message))
    if not sessions.check_csrf(session, upload.csrf):
        return _refused(request, session, "expired")

    def work() -> Response:
        try:
            with i18n.use(_lang(request)):  # its errors and problems said in the page's language
                context = run(request.state.store, session.scope, upload)
        except AccountGraphError as refused:  # Forbidden (a limited scope creating an account) and the like
            with i18n.use(_lang(request)):
                error = refused.said()
            return _render(request, session, 403, upload=upload, error=error)
        status = 422 if context["problems"] or context["error"] else 200
        return _render(request, session, status, upload=upload, **context)

    return await anyio.to_thread.run_sync(work)
