"""The workspace's pages and JSON endpoints, one router the API's app factory includes (`router`).

Pages: `/signin` (GET the form, POST a key), `/signout` (POST), `/` (the portfolio), `/accounts/{id}` (an
account's map and cards), `/accounts/{id}/tree` (its customer tree), `/accounts/{id}/plan` (the printable plan),
`/import` (planners: an export or mail and calendars previewed, then imported; `web/upload.py`),
and `/accounts/{id}/deals`, `/plans` and `/compare` (its deals with their health and committee maps, its plans
with their progress, its map on two dates compared). Every page, its scripts' words and the JSON they read are
in the workspace's language: the switch in the header (`POST /language`, a cookie) or else the browser's
`Accept-Language`; English or Chinese (`<html lang>` says which). JSON for
the pages' scripts under `/web/` (the map, the tree, a person's card, the edits) and their assets under
`/web/static/`. `AuthMiddleware` leaves these paths (`owns`) to the session checked here.

* The session cookie is HttpOnly, SameSite=Strict, Path=/, and Secure when the request came over TLS.
* Signing in opens a new session (a new id) and revokes the one the browser held: no fixation. The sign-in form
  carries a token also set in a short-lived cookie (double submit), so another site cannot sign a browser in.
  Failed sign-ins spend the app's `FailureLimiter` like a failed API key.
* Every write (an edit, sign-out) must carry the session's CSRF token: the `X-CSRF-Token` header of a script's
  request, the `csrf` field of a form. Without it: 403, nothing done. A viewer's edit is refused by the use case
  (403), however it was made.
"""

from __future__ import annotations

import hmac
import math
import re
import secrets
from collections.abc import Callable
from datetime import date, timedelta
from functools import cache
from importlib import resources
from typing import Annotated, Any, Literal
from urllib.parse import parse_qs

import anyio.to_thread
import jinja2
from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from accountgraph import i18n
from accountgraph.api.errors import error_json
from accountgraph.api.security import FailureLimiter
from accountgraph.errors import AccountGraphError, InvalidArgument, NotFoundError
from accountgraph.graph.store import GraphStore
from accountgraph.i18n import _
from accountgraph.i18n.phrase import said
from accountgraph.schema.models import MAX_ID_LENGTH, ApiRole, InteractionKind, Stance, TieType
from accountgraph.services import (
    alerts,
    changes,
    compare,
    opportunities,
    plans,
    records,
    report,
    search,
    sessions,
    workspace,
)
from accountgraph.services.analysis import AnalysisCache
from accountgraph.services.keys import key_id_of
from accountgraph.services.sessions import SESSION_LIFETIME, Session
from accountgraph.web.texts import page_texts, script_texts

__all__ = ["LANG_COOKIE", "PAGE_CSP", "SESSION_COOKIE", "owns", "router"]

SESSION_COOKIE = "ag_session"
SIGNIN_COOKIE = "ag_signin"
LANG_COOKIE = "ag_lang"
"""The workspace's language switch (`POST /language`): a preference of the browser, not of the session."""
CSRF_HEADER = "X-CSRF-Token"
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
"""The pages' policy: scripts and styles of this server only (no inline script; vis-network sets `style`
attributes as it draws), requests to this server only, never framed."""
_STATIC = re.compile(r"[a-z0-9][a-z0-9_.-]*\.(js|css)")
ALERTS_SHOWN = 20
"""The open alerts the home and account pages list (newest first)."""
_TYPES = {"js": "text/javascript; charset=utf-8", "css": "text/css; charset=utf-8"}
VIS_SCRIPT = "vis-network.min.js"
LANGUAGE_CHOICES = (("en", "English"), ("zh-CN", "中文"))
"""The language switch's choices, each named in its own language."""

router = APIRouter(include_in_schema=False)


def owns(path: str) -> bool:
    """True for the paths of the workspace (served with a session, not an API key)."""
    return path in ("/", "/signin", "/signout", "/search", "/language", "/import") or path.startswith(
        ("/accounts/", "/web/")
    )


# ---- rendering ------------------------------------------------------------------------------------
@cache
def _templates() -> jinja2.Environment:
    loader = jinja2.FunctionLoader(
        lambda name: resources.files("accountgraph.web").joinpath("templates", name).read_text(encoding="utf-8")
    )
    return jinja2.Environment(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined)


def _lang(request: Request) -> str:
    """The workspace's language for this request: the switch's cookie, else the server's (`ApiSettings.lang`:
    `ACCOUNTGRAPH_LANG`, `accountgraph --lang ... serve`), else the browser's `Accept-Language`."""
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen:
        try:
            return i18n.language(chosen)
        except ValueError:  # a cookie of another version or hand-made: the server's or the browser's instead
            pass
    served: str | None = request.app.state.settings.lang  # create_app sets it, as every route's settings
    return served or i18n.negotiate(request.headers.get("accept-language"))


def _page(
    request: Request,
    name: str,
    status: int = 200,
    more_texts: Callable[[], dict[str, str]] | None = None,
    **context: Any,
) -> HTMLResponse:
    """A page in the workspace's language: its words (`t`, with the page's own `more_texts` if it has any),
    `lang` for `<html lang>`, the scripts' words as JSON (`texts`) and the path the language switch returns to."""
    lang = _lang(request)
    with i18n.use(lang):
        context.setdefault("lang", lang.replace("_", "-"))
        context.setdefault("number", i18n.number)
        html = (
            _templates()
            .get_template(name)
            .render(
                t={**page_texts(), **(more_texts() if more_texts else {})},
                texts=script_texts(),
                here=request.url.path + (f"?{request.url.query}" if request.url.query else ""),
                languages=LANGUAGE_CHOICES,
                **context,
            )
        )
    response = HTMLResponse(html, status_code=status)
    response.headers["Content-Security-Policy"] = PAGE_CSP
    response.headers["Content-Language"] = lang.replace("_", "-")
    return response


def _error_page(request: Request, status: int, heading: str, text: str, session: Session | None = None) -> HTMLResponse:
    csrf = session.csrf if session is not None else None
    return _page(request, "error.html", status, heading=heading, text=text, session=session, csrf=csrf)


def _not_found(request: Request, id: str, session: Session) -> HTMLResponse:
    with i18n.use(_lang(request)):
        heading, text = _("Not found"), _("There is no account {id} you may see.").format(id=repr(id))
    return _error_page(request, 404, heading, text, session)


def _redirect(to: str) -> RedirectResponse:
    return RedirectResponse(to, status_code=303)


def _cookie(response: Response, request: Request, name: str, value: str, *, max_age: int, path: str = "/") -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=path,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


# ---- what every request needs ---------------------------------------------------------------------
def _store(request: Request) -> GraphStore:
    store: GraphStore = request.state.store
    return store


def _views(request: Request) -> AnalysisCache:
    views: AnalysisCache = request.state.views
    return views


def _current(request: Request) -> Session | None:
    """The live session of the request's cookie (run in a worker thread: it reads the store)."""
    secret = request.cookies.get(SESSION_COOKIE)
    return sessions.find_session(_store(request), secret) if secret else None


class _NoSession(Exception):
    pass


def _json_session(request: Request) -> Session:
    session = _current(request)
    if session is None:
        raise _NoSession
    return session


def _writer(request: Request, session: Annotated[Session, Depends(_json_session)]) -> Session:
    """The session of a write: 403 unless the request carries its CSRF token."""
    if not sessions.check_csrf(session, request.headers.get(CSRF_HEADER)):
        raise _CsrfRefused
    return session


class _CsrfRefused(Exception):
    pass


ReadSession = Annotated[Session, Depends(_json_session)]
WriteSession = Annotated[Session, Depends(_writer)]


def install(app: FastAPI) -> None:
    """Include the router and answer its own refusals (no session: 401, no CSRF token: 403) as the API does."""

    async def no_session(request: Request, exc: Exception) -> Response:
        return error_json(401, "unauthorized", "sign in first: no live session")

    async def csrf_refused(request: Request, exc: Exception) -> Response:
        return error_json(403, "forbidden", f"a write needs the session's CSRF token (header {CSRF_HEADER})")

    app.add_exception_handler(_NoSession, no_session)
    app.add_exception_handler(_CsrfRefused, csrf_refused)
    app.include_router(router)
    from accountgraph.web import upload  # the import page (it uses this module's helpers)

    app.include_router(upload.router)


# ---- sign in and out ------------------------------------------------------------------------------
def _signin_form(request: Request, status: int = 200, error: str | None = None) -> HTMLResponse:
    token = secrets.token_urlsafe(24)
    response = _page(request, "signin.html", status, token=token, error=error, session=None, csrf=None)
    _cookie(response, request, SIGNIN_COOKIE, token, max_age=900, path="/signin")
    return response


@router.get("/signin")
def signin_page(request: Request) -> Response:
    """The form, also to a signed-in browser: signing in again replaces its session."""
    return _signin_form(request)


async def _form(request: Request) -> dict[str, str]:
    body = (await request.body()).decode("utf-8", errors="replace")
    return {k: v[0] for k, v in parse_qs(body, max_num_fields=20).items()}


@router.post("/signin")
async def signin(request: Request) -> Response:
    form = await _form(request)
    expected = request.cookies.get(SIGNIN_COOKIE, "")
    if not expected or not hmac.compare_digest(expected.encode(), form.get("csrf", "").encode()):
        with i18n.use(_lang(request)):
            expired = _("The sign-in form had expired; please sign in again.")
        return _signin_form(request, 403, expired)
    token = form.get("key", "").strip()
    client = (request.client.host if request.client else "") or ""
    key_id = key_id_of(token)
    buckets = [("client", client), *([("key", key_id)] if key_id else [])]
    limiter: FailureLimiter | None = getattr(request.app.state, "limiter", None)
    if limiter is not None:
        wait = limiter.retry_after(buckets)
        if wait > 0:
            with i18n.use(_lang(request)):
                again = _("Too many failed sign-ins; try again in {seconds} s.").format(seconds=math.ceil(wait))
            response = _signin_form(request, 429, again)
            response.headers["Retry-After"] = str(math.ceil(wait))
            return response
    store = _store(request)
    session = await anyio.to_thread.run_sync(sessions.start_session, store, token) if token else None
    if session is None:
        if limiter is not None:
            limiter.failed(buckets)
        with i18n.use(_lang(request)):
            unknown = _("Unknown or revoked API key.")
        return _signin_form(request, 401, unknown)
    old = request.cookies.get(SESSION_COOKIE)
    if old:  # the id the browser held before is never the signed-in one (no fixation)
        await anyio.to_thread.run_sync(sessions.end_session, store, old)
    done = _redirect("/")
    _cookie(done, request, SESSION_COOKIE, session.secret, max_age=int(SESSION_LIFETIME.total_seconds()))
    done.delete_cookie(SIGNIN_COOKIE, path="/signin")
    return done


@router.post("/signout")
async def signout(request: Request) -> Response:
    form = await _form(request)
    session = await anyio.to_thread.run_sync(_current, request)
    if session is None:
        return _redirect("/signin")
    if not sessions.check_csrf(session, form.get("csrf") or request.headers.get(CSRF_HEADER)):
        with i18n.use(_lang(request)):
            refused, why = _("Refused"), _("Sign-out needs the page's CSRF token; reload the page.")
        return _error_page(request, 403, refused, why, session)
    await anyio.to_thread.run_sync(sessions.end_session, _store(request), session.secret)
    response = _redirect("/signin")
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")
    return response


@router.post("/language")
async def choose_language(request: Request) -> Response:
    """The workspace's language switch: remembers the choice in a cookie (a year) and returns to the page it was
    made on. It changes nothing stored, so it needs neither a session nor a CSRF token (the form's origin is
    this site: `form-action 'self'`); an unknown language or a return path off this site is refused (400)."""
    form = await _form(request)
    back = form.get("next") or "/"
    try:
        lang = i18n.language(form.get("lang", ""))
    except ValueError as refused:
        return error_json(400, "bad_request", str(refused))
    if not back.startswith("/") or back.startswith("//") or "\\" in back:
        return error_json(400, "bad_request", "next must be a path of this site")
    done = _redirect(back)
    _cookie(done, request, LANG_COOKIE, lang.replace("_", "-"), max_age=365 * 24 * 3600)
    return done


# ---- pages ----------------------------------------------------------------------------------------
def _common(session: Session) -> dict[str, Any]:
    return {
        "session": session,
        "csrf": session.csrf,
        "role": session.scope.role.value,
        "can_edit": session.scope.may(ApiRole.PLANNER),
    }


@router.get("/")
def home(request: Request) -> Response:
    session = _current(request)
    if session is None:
        return _redirect("/signin")
    with i18n.use(_lang(request)):  # the alerts' titles and reasons, the accounts' status reasons
        rows = said(workspace.portfolio(_store(request), session.scope, cache=_views(request)))
        shown = alerts.list_alerts(_store(request), session.scope)[:ALERTS_SHOWN]
    return _page(request, "home.html", rows=rows, alerts=shown, **_common(session))


def _account_page(request: Request, id: str, template: str) -> Response:
    session = _current(request)
    if session is None:
        return _redirect("/signin")
    account = next((a for a in records.list_accounts(_store(request), session.scope) if a.id == id), None)
    if account is None:
        return _not_found(request, id, session)
    with i18n.use(_lang(request)):
        shown = (
            alerts.list_alerts(_store(request), session.scope, account=id)[:ALERTS_SHOWN]
            if template == "account.html"
            else []
        )
    return _page(request, template, account=account, alerts=shown, **_common(session))


@router.get("/accounts/{id:path}/tree")
def tree_page(request: Request, id: str) -> Response:
    return _account_page(request, id, "tree.html")


@router.get("/accounts/{id:path}/plan")
def plan_page(request: Request, id: str) -> Response:
    """The account plan as one printable document (`services.report`; the browser prints it on A4)."""
    session = _current(request)
    if session is None:
        return _redirect("/signin")
    lang = _lang(request)
    try:
        with i18n.use(lang):
            html = report.plan_html(_store(request), session.scope, id, cache=_views(request), lang=lang)
    except NotFoundError:
        return _not_found(request, id, session)
    response = HTMLResponse(html)
    response.headers["Content-Security-Policy"] = PAGE_CSP
    response.headers["Content-Language"] = lang.replace("_", "-")
    return response


def _translated_page(request: Request, id: str, template: str, gather: Any) -> Response:
    """An account's page in the workspace's language: `gather(store, scope)` gives its context (it checks the
    scope; NotFoundError: the account is not there for this key, 404)."""
    session = _current(request)
    if session is None:
        return _redirect("/signin")
    account = next((a for a in records.list_accounts(_store(request), session.scope) if a.id == id), None)
    if account is None:
        return _not_found(request, id, session)
    with i18n.use(_lang(request)):
        context, status = gather(_store(request), session.scope)
        context = said(context)  # the services' sentences (a deal's health, a plan's progress) in that language
    return _page(request, template, status, account=account, **context, **_common(session))


@router.get("/accounts/{id:path}/deals")
def deals_page(request: Request, id: str) -> Response:
    """The account's open deals, each with its health (win probability, risks, best actions) and its buying
    committee, then its closed ones (latest first); a committee's power map is drawn on request
    (`/web/map?deal=`)."""

    def gather(store: GraphStore, scope: Any) -> tuple[dict[str, Any], int]:
        deals = opportunities.list_opportunities(store, scope, id, limit=None).data
        rows = []
        opened = sorted((d for d in deals if d.closed_at is None), key=lambda d: (d.name.casefold(), d.id))
        closed = [d for d in deals if d.closed_at is not None]
        closed.sort(key=lambda d: d.closed_at or d.created_at, reverse=True)
        for deal in [*opened, *closed]:  # open ones by name, then the latest closed first
            health, why = None, None
            if deal.closed_at is None:
                try:
                    health = opportunities.health(store, scope, deal.id, cache=_views(request))
                except AccountGraphError as refused:  # a deal the model cannot score says why
                    why = refused.said()
            rows.append({"deal": deal, "health": health, "why": why})
        return {"rows": rows}, 200

    return _translated_page(request, id, "deals.html", gather)


@router.get("/accounts/{id:path}/plans")
def plans_page(request: Request, id: str) -> Response:
    """The account's relationship plans, each with its progress measured from the graph today."""

    def gather(store: GraphStore, scope: Any) -> tuple[dict[str, Any], int]:
        found = plans.list_plans(store, scope, id).data
        rows = [said(plans.plan_progress(store, scope, p.id, cache=_views(request))) for p in found]
        return {"rows": sorted(rows, key=lambda r: (r.name.casefold(), r.plan))}, 200

    return _translated_page(request, id, "plans.html", gather)


@router.get("/accounts/{id:path}/compare")
def compare_page(request: Request, id: str, before: str | None = None, after: str | None = None) -> Response:
    """The account's power map on two dates compared (default: 90 days ago and today): who joined and left,
    stance and role changes, ties of ours gained, lost and changed, coverage and rank moves."""

    def gather(store: GraphStore, scope: Any) -> tuple[dict[str, Any], int]:
        today = date.today()
        dates = {"before": before or (today - timedelta(days=90)).isoformat(), "after": after or today.isoformat()}
        try:
            first, second = (_day(dates[k], k) for k in ("before", "after"))
            result = compare.compare(store, scope, id, first, second, cache=_views(request))
        except InvalidArgument as refused:
            return {"dates": dates, "result": None, "error": refused.said()}, 422
        return {"dates": dates, "result": result, "error": None}, 200

    return _translated_page(request, id, "compare.html", gather)


def _day(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidArgument(f"{field} must be a date (YYYY-MM-DD), not {text!r}", field=field) from None


@router.get("/accounts/{id:path}")
def account_page(request: Request, id: str) -> Response:
    return _account_page(request, id, "account.html")


@router.get("/search")
def search_page(request: Request, q: str = "", cursor: str | None = None) -> Response:
    """People of every account the key sees who match `q`, each linking to their card on the account page
    (`/accounts/ID#person=PERSON`: the account page's script opens that card)."""
    session = _current(request)
    if session is None:
        return _redirect("/signin")
    try:
        page = search.find_people(_store(request), session.scope, q, limit=50, cursor=cursor, cache=_views(request))
    except InvalidArgument as refused:
        return _page(request, "search.html", 422, q=q, page=None, error=refused.said(), **_common(session))
    return _page(request, "search.html", q=q, page=page, error=None, **_common(session))


@router.get("/web/static/{name}")
def static(name: str) -> Response:
    if name == VIS_SCRIPT:
        text = workspace.vis_network_script()
    elif _STATIC.fullmatch(name):
        try:
            text = resources.files("accountgraph.web").joinpath("static", name).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise NotFoundError("file", name) from None
    else:
        raise NotFoundError("file", name)
    return Response(text, media_type=_TYPES[name.rsplit(".", 1)[1]], headers={"Cache-Control": "no-cache"})


# ---- JSON for the pages' scripts ------------------------------------------------------------------
AccountQuery = Annotated[str, Query(min_length=1, max_length=MAX_ID_LENGTH)]


@router.get("/web/map")
def map_json(
    request: Request,
    session: ReadSession,
    account: AccountQuery,
    everyone: bool = False,
    path_to: Annotated[str | None, Query(min_length=1, max_length=MAX_ID_LENGTH)] = None,
    deal: Annotated[str | None, Query(min_length=1, max_length=MAX_ID_LENGTH)] = None,
) -> Any:
    with i18n.use(_lang(request)):  # the map's legend, tooltips and path in the workspace's language
        return workspace.account_map(
            _store(request),
            session.scope,
            account,
            everyone=everyone,
            path_to=path_to,
            deal=deal,
            cache=_views(request),
        )


@router.get("/web/tree")
def tree_json(request: Request, session: ReadSession, account: AccountQuery) -> Any:
    with i18n.use(_lang(request)):
        return workspace.account_tree(_store(request), session.scope, account, cache=_views(request))


@router.get("/web/person")
def person_json(
    request: Request, session: ReadSession, account: AccountQuery, person: AccountQuery
) -> workspace.PersonCard:
    with i18n.use(_lang(request)):  # the card's words made by the server (change lines, gap kinds)
        return workspace.person_card(_store(request), session.scope, account, person, cache=_views(request))


@router.get("/web/person/changes")
def person_changes_json(
    request: Request,
    session: ReadSession,
    account: AccountQuery,
    person: AccountQuery,
    cursor: Annotated[str | None, Query(max_length=400)] = None,
) -> changes.ChangeLines:
    """The next changes of a person card's change log (its "more" link)."""
    with i18n.use(i18n.negotiate(request.headers.get("accept-language"))):
        return changes.person_changes(_store(request), session.scope, account, person, cursor=cursor)


class StanceEdit(BaseModel):
    account: str = Field(min_length=1, max_length=MAX_ID_LENGTH)
    person: str = Field(min_length=1, max_length=MAX_ID_LENGTH)
    stance: Stance
    on: date = Field(default_factory=date.today, description="from when the stance holds")


class InteractionEdit(BaseModel):
    account: str = Field(min_length=1, max_length=MAX_ID_LENGTH)
    person: str = Field(min_length=1, max_length=MAX_ID_LENGTH)
    member: str = Field(min_length=1, max_length=MAX_ID_LENGTH)
    kind: InteractionKind
    on: date = Field(default_factory=date.today)
    sentiment: int = Field(default=0, ge=-1, le=1)
    note: str | None = Field(default=None, max_length=2000)


class AlertEdit(BaseModel):
    id: str = Field(min_length=1, max_length=MAX_ID_LENGTH)
    action: Literal["ack", "mute", "unmute"]


@router.post("/web/alerts")
def alert_edit(request: Request, session: WriteSession, edit: AlertEdit) -> dict[str, Any]:
    store, scope = _store(request), session.scope
    if edit.action == "ack":
        done = alerts.acknowledge(store, scope, edit.id)
    else:
        done = alerts.mute(store, scope, edit.id, muted=edit.action == "mute")
    return {"alert": done.id, "muted": done.muted, "acknowledged": done.acknowledged_at is not None}


@router.post("/web/stance")
def stance_edit(request: Request, session: WriteSession, edit: StanceEdit) -> dict[str, Any]:
    person = workspace.set_stance(_store(request), session.scope, edit.account, edit.person, edit.stance, edit.on)
    return {"person": person.id, "stance": person.stance.value}


@router.post("/web/interactions")
def interaction_edit(request: Request, session: WriteSession, edit: InteractionEdit) -> dict[str, Any]:
    made = workspace.log_interaction(
        _store(request),
        session.scope,
        edit.account,
        edit.person,
        edit.member,
        edit.kind,
        edit.on,
        sentiment=edit.sentiment,
        note=edit.note,
    )
    return {"interaction": made.id}


class RolesEdit(BaseModel):
    account: str = Field(min_length=1, max_length=MAX_ID_LENGTH)
    person: str = Field(min_length=1, max_length=MAX_ID_LENGTH)
    roles: Any = Field(description="the roles from `on` (checked by the person record's rules)")
    on: Any = Field(default_factory=lambda: date.today().isoformat(), description="from when the roles hold")


class TieAdd(BaseModel):
    account: str = Field(min_length=1, max_length=MAX_ID_LENGTH)
    person: str = Field(min_length=1, max_length=MAX_ID_LENGTH, description="the person of the account")
    tie: dict[str, Any] = Field(description="the tie as `PUT /v1/ties` takes it (checked by its rules)")


class TieEnd(BaseModel):
    account: str = Field(min_length=1, max_length=MAX_ID_LENGTH)
    person: str = Field(min_length=1, max_length=MAX_ID_LENGTH)
    type: TieType
    from_: str = Field(alias="from", min_length=1, max_length=MAX_ID_LENGTH)
    to: str = Field(min_length=1, max_length=MAX_ID_LENGTH)
    until: Any = Field(default_factory=lambda: date.today().isoformat())


class PersonAdd(BaseModel):
    account: str = Field(min_length=1, max_length=MAX_ID_LENGTH)
    person: dict[str, Any] = Field(description="the person as `PUT /v1/people/{id}` takes it, without the id")


class MemberAdd(BaseModel):
    account: str = Field(min_length=1, max_length=MAX_ID_LENGTH)
    person: str = Field(min_length=1, max_length=MAX_ID_LENGTH, description="the person of the account they know")
    member: dict[str, Any] = Field(description="the team member as `PUT /v1/team/{id}` takes it, without the id")
    tie: dict[str, Any] = Field(description="their `knows` tie to the person: strength, since, note")


@router.post("/web/roles")
def roles_edit(request: Request, session: WriteSession, edit: RolesEdit) -> dict[str, Any]:
    person = workspace.set_roles(_store(request), session.scope, edit.account, edit.person, edit.roles, edit.on)
    return {"person": person.id, "roles": [r.value for r in person.roles]}


@router.post("/web/ties")
def tie_add(request: Request, session: WriteSession, edit: TieAdd) -> dict[str, Any]:
    tie = workspace.add_tie(_store(request), session.scope, edit.account, edit.person, edit.tie)
    return tie.model_dump(mode="json", by_alias=True)


@router.post("/web/ties/end")
def tie_end(request: Request, session: WriteSession, edit: TieEnd) -> dict[str, Any]:
    tie = workspace.end_tie(
        _store(request), session.scope, edit.account, edit.person, edit.type, edit.from_, edit.to, edit.until
    )
    return tie.model_dump(mode="json", by_alias=True)


@router.post("/web/people")
def person_add(request: Request, session: WriteSession, edit: PersonAdd) -> dict[str, Any]:
    person = workspace.add_person(_store(request), session.scope, edit.account, edit.person)
    return {"person": person.id, "name": person.name}


@router.post("/web/team")
def member_add(request: Request, session: WriteSession, edit: MemberAdd) -> dict[str, Any]:
    member = workspace.add_team_member(_store(request), session.scope, edit.account, edit.person, edit.member, edit.tie)
    return {"member": member.id, "name": member.name}
