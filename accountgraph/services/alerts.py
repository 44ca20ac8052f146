"""Alerts (issue 17 items 2 and 3): the rules, their evaluation on a reference date, and the alerts it raises.

A **rule** looks at one account on a reference date (default today) and finds *causes*, each about a subject (a
person, an invoice, a deal, a risk event, the account). The rules and their parameters (`RULES`, defaults in
`RuleParams`) can be changed for all accounts or for one (`set_rule`; an `alert_rules` document, `*` for all):

- `key_person_left`: a key person (a decision maker, economic buyer or champion, or one of the coverage's key layer
  `days` earlier) left (their `until` passed, within the last `days`) or was removed from the records;
- `stance_turned`: a person turned opponent, or a supporter turned neutral, within the last `days`;
- `thin_coverage`: a decision maker, economic buyer or champion is reached only by ties whose last contact is more
  than `days` old, or by one of our people only (`services.analysis`' ties and strengths);
- `coverage_drop`: the coverage fell by more than `points` within `days`;
- `risk_event`: a risk event of severity `severity` or more, of the last `days`, anywhere in the company tree
  (`algorithms.risk`, rolled up);
- `invoice_overdue`: an invoice with an open balance more than `days` past its due date;
- `deal_stalled`: an open deal in the same stage for more than `days`;
- `deal_win_drop`: an open deal's win probability (`opportunities.health`) fell by more than `points` within `days`.

**Evaluation** (`run`): every cause found becomes an alert whose id is stable (a hash of rule, account, subject
and cause), so re-running raises nothing new; an open alert whose cause is no longer found is closed; a closed
alert whose cause comes back is raised again. Causes older than the rule's window (a departure, a stance turn, a
risk event of long ago) keep an open alert open but do not raise one. Raising an alert and queuing its deliveries
to the matching subscriptions (`alert_outbox` documents) happen in one unit of work: what is raised is delivered,
even when the process stops right after (`services.alert_delivery` drains the outbox). Alerts, subscriptions, the
outbox and dead letters are store documents that no derived data depends on (`moves_data_version` False), so
evaluating never invalidates the analysis caches, nor wakes the server's worker again.

Each alert keeps its message as a template and its fields (rendered in English or Chinese, `render`), an
explanation and the next best action that answers it (`algorithms.actions`, the deal's health actions).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, ClassVar, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field

from accountgraph.algorithms import account_risk, next_best_actions
from accountgraph.algorithms import coverage as coverage_alg
from accountgraph.algorithms.prepared import AccountView
from accountgraph.algorithms.results import ActionPlan
from accountgraph.errors import InvalidArgument, NotFoundError
from accountgraph.graph.store import GraphStore, ListFilter, UnitOfWork
from accountgraph.i18n import N_, _, use
from accountgraph.i18n.phrase import Num, Phrase, Seq, Term, restored, say, stored
from accountgraph.ledger.service import list_invoices
from accountgraph.opportunities.health import OpportunityHealth, opportunity_health
from accountgraph.opportunities.service import list_opportunities
from accountgraph.schema.documents import DocumentModel
from accountgraph.schema.models import ApiRole, Person, Stance, today
from accountgraph.services import analysis, webhook_targets
from accountgraph.services.analysis import AnalysisCache
from accountgraph.services.scope import Scope, writes

__all__ = [
    "FORMATS",
    "RULES",
    "AlertRecord",
    "AlertView",
    "DeadLetter",
    "OutboxItem",
    "RuleParams",
    "RunResult",
    "Subscription",
    "SubscriptionView",
    "acknowledge",
    "alert_id",
    "get_alert",
    "list_alerts",
    "list_dead_letters",
    "list_rules",
    "list_subscriptions",
    "mute",
    "render",
    "rule_params",
    "run",
    "set_rule",
    "subscribe",
    "unsubscribe",
]

RULES: tuple[str, ...] = (
    "key_person_left",
    "stance_turned",
    "thin_coverage",
    "coverage_drop",
    "risk_event",
    "invoice_overdue",
    "deal_stalled",
    "deal_win_drop",
)
"""The rules, in the order they are evaluated and listed."""

FORMATS = ("generic", "slack", "teams", "wecom", "dingtalk", "feishu")
"""The webhook message formats (`services.alert_delivery`)."""

KEY_ROLES = ("decision_maker", "economic_buyer", "champion")
"""The roles that make a person key for the rules `key_person_left` and `thin_coverage`."""

_EVERY = "*"
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")
_EMAIL = re.compile(r"[^@\s<>,;]{1,64}@[^@\s<>,;]{1,255}")


class RuleParams(BaseModel):
    """A rule's parameters; each rule reads the ones it names (module docstring). Defaults are the product's."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    enabled: bool = True
    days: Annotated[int, Field(ge=1, le=3650)] = 30
    points: Annotated[int, Field(ge=1, le=100)] = 10
    severity: Annotated[int, Field(ge=1, le=5)] = 4


DEFAULTS: dict[str, RuleParams] = {
    "key_person_left": RuleParams(days=30),
    "stance_turned": RuleParams(days=30),
    "thin_coverage": RuleParams(days=90),
    "coverage_drop": RuleParams(days=30, points=10),
    "risk_event": RuleParams(days=30, severity=4),
    "invoice_overdue": RuleParams(days=30),
    "deal_stalled": RuleParams(days=60),
    "deal_win_drop": RuleParams(days=30, points=15),
}
"""Each rule's defaults: `days` is its window or age limit, `points` a drop, `severity` the least severity."""

USES: dict[str, tuple[str, ...]] = {
    "key_person_left": ("days",),
    "stance_turned": ("days",),
    "thin_coverage": ("days",),
    "coverage_drop": ("points", "days"),
    "risk_event": ("severity", "days"),
    "invoice_overdue": ("days",),
    "deal_stalled": ("days",),
    "deal_win_drop": ("points", "days"),
}
"""The parameters each rule reads (besides `enabled`)."""

TITLES: dict[str, str] = {
    "key_person_left": N_("A key person left"),
    "stance_turned": N_("A stance turned"),
    "thin_coverage": N_("A key person is thinly covered"),
    "coverage_drop": N_("Coverage fell"),
    "risk_event": N_("A new risk event"),
    "invoice_overdue": N_("An invoice is overdue"),
    "deal_stalled": N_("A deal stalled"),
    "deal_win_drop": N_("A deal's win probability fell"),
}


# ---- documents -----------------------------------------------------------------------------------------------


class _Doc(DocumentModel):
    moves_data_version: ClassVar[bool] = False  # no derived data depends on alerts


class AlertRecord(_Doc):
    """One alert: a cause of a rule about a subject of an account, open or closed."""

    kind: ClassVar[str] = "alert"
    id: str
    rule: str
    account: str
    subject: str
    subject_name: str
    cause: str
    severity: Literal["high", "medium"]
    message: str = Field(description="the message's template (English; translated by `render`)")
    fields: dict[str, str] = Field(description="the values filling the template")
    explanation: str
    action: str = Field(description="the next best action that answers it (English)")
    action_member: str | None = None
    phrases: dict[str, Any] = Field(
        default_factory=dict,
        description="the explanation and action as messages with fields (`i18n.phrase.stored`), said in each "
        "reader's language by `render`; an alert raised before they were kept shows its text as stored",
    )
    status: Literal["open", "closed"] = "open"
    raised_at: datetime
    reference: date = Field(description="the reference date of the evaluation that raised it")
    closed_at: datetime | None = None
    occurrence: int = Field(default=1, description="how many times it was raised (again after closing)")
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    muted: bool = False
    muted_by: str | None = None


class Subscription(_Doc):
    """Where alerts go: a webhook (URL, format, the name of the environment variable holding its secret) or an
    e-mail address, limited to some accounts and rules (empty: all)."""

    kind: ClassVar[str] = "alert_subscription"
    id: str
    channel: Literal["webhook", "email"]
    url: str | None = None
    format: Literal["generic", "slack", "teams", "wecom", "dingtalk", "feishu"] = "generic"
    secret_env: str | None = None
    email: str | None = None
    accounts: list[str] = Field(default_factory=list)
    rules: list[str] = Field(default_factory=list)
    language: Literal["en", "zh_CN"] = "en"
    created_at: datetime
    created_by: str

    def wants(self, alert: AlertRecord) -> bool:
        return (not self.accounts or alert.account in self.accounts) and (not self.rules or alert.rule in self.rules)


class OutboxItem(_Doc):
    """One delivery of one alert to one subscription, waiting, delivered or given up (then a `DeadLetter`)."""

    kind: ClassVar[str] = "alert_outbox"
    id: str
    alert: str
    subscription: str
    state: Literal["pending", "delivered", "dead"] = "pending"
    attempts: int = 0
    next_attempt_at: datetime
    claimed_until: datetime | None = None
    last_error: str | None = None
    created_at: datetime
    delivered_at: datetime | None = None


class DeadLetter(_Doc):
    """A delivery given up after its last attempt."""

    kind: ClassVar[str] = "alert_dead_letter"
    id: str
    alert: str
    subscription: str
    attempts: int
    last_error: str
    failed_at: datetime


class RuleSettings(_Doc):
    """Rule parameters changed for all accounts (`*`) or for one."""

    kind: ClassVar[str] = "alert_rules"
    id: str
    rules: dict[str, RuleParams] = Field(default_factory=dict)


class Watch(_Doc):
    """What the last evaluation of an account saw: its key people (to tell a removal), and those removed."""

    kind: ClassVar[str] = "alert_watch"
    id: str
    key_people: dict[str, str] = Field(default_factory=dict)  # id -> "name|roles"
    removed: dict[str, str] = Field(default_factory=dict)  # id -> "name|roles|date"


# ---- views ---------------------------------------------------------------------------------------------------


class AlertView(BaseModel):
    """An alert as the interfaces show it, its message rendered in the language of the moment."""

    id: str
    rule: str
    account: str
    subject: str
    subject_name: str
    severity: str
    status: str
    title: str
    reason: str
    explanation: str
    action: str
    raised_at: datetime
    reference: date
    closed_at: datetime | None
    occurrence: int
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    muted: bool


class SubscriptionView(BaseModel):
    """A subscription as answered: the webhook's address without its path and query (they may carry a token),
    the secret's variable name only."""

    id: str
    channel: str
    target: str
    format: str
    secret_env: str | None
    accounts: list[str]
    rules: list[str]
    language: str
    created_at: datetime


class RunResult(BaseModel):
    reference: date
    accounts: list[str]
    raised: list[AlertView]
    closed: list[str]
    queued: int = Field(description="deliveries queued in the outbox")


# ---- rendering -----------------------------------------------------------------------------------------------


def render(alert: AlertRecord, lang: str | None = None) -> AlertView:
    """The alert's title and reason in `lang` (default: the language of the moment)."""

    def build() -> AlertView:
        fields = dict(alert.fields)
        if "roles" in fields:
            fields["roles"] = ", ".join(_(r.replace("_", " ")) for r in fields["roles"].split(",") if r) or "—"
        return AlertView(
            id=alert.id,
            rule=alert.rule,
            account=alert.account,
            subject=alert.subject,
            subject_name=alert.subject_name,
            severity=alert.severity,
            status=alert.status,
            title=_(TITLES.get(alert.rule, alert.rule)),
            reason=_(alert.message).format(**fields),
            explanation=say(restored(alert.phrases.get("explanation"), alert.explanation)),
            action=say(restored(alert.phrases.get("action"), alert.action)),
            raised_at=alert.raised_at,
            reference=alert.reference,
            closed_at=alert.closed_at,
            occurrence=alert.occurrence,
            acknowledged_at=alert.acknowledged_at,
            acknowledged_by=alert.acknowledged_by,
            muted=alert.muted,
        )

    if lang is None:
        return build()
    with use(lang):
        return build()


def alert_id(rule: str, account: str, subject: str, cause: str) -> str:
    """The stable id of a cause: the same rule, account, subject and cause give the same alert."""
    digest = hashlib.sha256("\x1f".join((rule, account, subject, cause)).encode("utf-8")).hexdigest()
    return f"al-{digest[:24]}"


# ---- rules ---------------------------------------------------------------------------------------------------


@dataclass
class Finding:
    """A cause found by a rule (`fresh`: recent enough to raise an alert; an old one only keeps one open)."""

    rule: str
    subject: str
    subject_name: str
    cause: str
    severity: Literal["high", "medium"]
    message: str
    fields: dict[str, str]
    explanation: str
    action: str
    action_member: str | None = None
    fresh: bool = True


@dataclass
class _Context:
    store: GraphStore
    account: str
    name: str
    ref: date
    params: dict[str, RuleParams]
    cache: AnalysisCache | None
    _views: dict[date, AccountView] = field(default_factory=dict)
    _plan: ActionPlan | None = None
    _people: list[Person] | None = None

    def view(self, on: date) -> AccountView:
        if on not in self._views:
            self._views[on] = analysis.account_view(
                self.store, self.account, as_of=on, reference=on + timedelta(days=1), cache=self.cache
            )
        return self._views[on]

    def plan(self) -> ActionPlan:
        if self._plan is None:
            self._plan = next_best_actions(self.view(self.ref))
        return self._plan

    def people(self) -> list[Person]:
        if self._people is None:  # every person of the account's companies, those who left too
            people: list[Person] = []
            after: tuple[str, ...] | None = None
            while True:
                page = self.store.list_records("person", ListFilter(account=self.account), limit=1000, after=after)
                people += page
                if len(page) < 1000:
                    break
                after = (page[-1].id,)
            self._people = people
        return self._people

    def action_for(self, person: str | None, fallback: str, *, general: bool = False) -> tuple[str, str | None]:
        """The next best action about `person` (with `general`, else the plan's first one), as (plan text,
        member); `fallback` when the plan has none. The text is a `Phrase` where it is one (kept with the alert
        to be said in each reader's language)."""
        actions = self.plan().actions
        chosen = next((a for a in actions if a.target == person), None) if person else None
        if chosen is None and general and actions:
            chosen = actions[0]
        if chosen is None:
            return fallback, None
        return chosen.plan, chosen.member


def _roles(roles: Iterable[str]) -> str:
    return ",".join(sorted(str(r) for r in roles))


def _key_people_left(c: _Context, p: RuleParams, watch: Watch) -> list[Finding]:
    earlier = c.ref - timedelta(days=p.days)
    before = coverage_alg(c.view(earlier))
    key_before = {x.id for x in before.people if x.layer == "key"}
    out: list[Finding] = []
    present: dict[str, Person] = {x.id: x for x in c.people()}
    now_key: dict[str, str] = {}
    for person in present.values():
        state = person.state_on(c.ref)
        if person.present_on(c.ref) and (set(state.roles) & set(KEY_ROLES) or person.id in key_before):
            now_key[person.id] = f"{person.name}|{_roles(state.roles)}"
        if person.until is None or person.until > c.ref:
            continue
        last = person.state_on(person.until - timedelta(days=1))
        if not (set(last.roles) & set(KEY_ROLES) or person.id in key_before):
            continue
        action, member = c.action_for(
            None,
            Phrase(
                N_("Find who took over from {person} and reach them through our strongest remaining tie"),
                person=person.name,
            ),
            general=True,
        )
        out.append(
            Finding(
                rule="key_person_left",
                subject=person.id,
                subject_name=person.name,
                cause=f"left:{person.until.isoformat()}",
                severity="high",
                message=N_("{person} ({roles}) left {account} on {date}"),
                fields={
                    "person": person.name,
                    "roles": _roles(last.roles),
                    "account": c.name,
                    "date": person.until.isoformat(),
                },
                explanation=Phrase(
                    N_("{person}'s `until` ({until}) has passed on {date}"),
                    person=person.name,
                    until=person.until.isoformat(),
                    date=c.ref.isoformat(),
                ),
                action=action,
                action_member=member,
                fresh=person.until > earlier,
            )
        )
    removed = dict(watch.removed)
    for pid, text in watch.key_people.items():
        if pid not in present and pid not in removed:
            removed[pid] = f"{text}|{c.ref.isoformat()}"
    for pid, text in list(removed.items()):
        name, roles, on = [*text.split("|"), "", "", c.ref.isoformat()][:3]
        if pid in present or date.fromisoformat(on) <= earlier:
            del removed[pid]
            continue
        action, member = c.action_for(
            None,
            Phrase(
                N_("Find who took over from {person} and reach them through our strongest remaining tie"),
                person=name,
            ),
            general=True,
        )
        out.append(
            Finding(
                rule="key_person_left",
                subject=pid,
                subject_name=name,
                cause="removed",
                severity="high",
                message=N_("{person} ({roles}) was removed from the records of {account}"),
                fields={"person": name, "roles": roles, "account": c.name},
                explanation=Phrase(
                    N_("{person} ({id}) was a key person at the last evaluation and is no longer recorded"),
                    person=name,
                    id=pid,
                ),
                action=action,
                action_member=member,
            )
        )
    watch.key_people = now_key
    watch.removed = removed
    return out


def _stance_turned(c: _Context, p: RuleParams) -> list[Finding]:
    earlier = c.ref - timedelta(days=p.days)
    out: list[Finding] = []
    for person in c.people():
        if not person.present_on(c.ref) or len(person.history) < 2:
            continue
        now = person.state_on(c.ref)
        k = next((i for i, s in enumerate(person.history) if s == now), None)
        if not k or now.since is None:
            continue
        was = person.history[k - 1].stance
        if now.stance == Stance.OPPONENT and was != Stance.OPPONENT:
            message = N_("{person} turned from {before} to opponent on {date}")
        elif now.stance == Stance.NEUTRAL and was == Stance.SUPPORTER:
            message = N_("{person} turned from supporter to neutral on {date}")
        else:
            continue
        action, member = c.action_for(
            person.id,
            Phrase(
                N_("Meet {person} to learn what changed, and win another supporter in the same decision"),
                person=person.name,
            ),
        )
        out.append(
            Finding(
                rule="stance_turned",
                subject=person.id,
                subject_name=person.name,
                cause=f"{now.stance}:{now.since.isoformat()}",
                severity="high" if now.stance == Stance.OPPONENT else "medium",
                message=message,
                fields={"person": person.name, "before": str(was), "date": now.since.isoformat()},
                explanation=Phrase(
                    N_("{person}'s stance was {before} until {date}, {now} since"),
                    person=person.name,
                    before=Term(str(was), str(was)),
                    date=now.since.isoformat(),
                    now=Term(str(now.stance), str(now.stance)),
                ),
                action=action,
                action_member=member,
                fresh=now.since > earlier,
            )
        )
    return out


def _thin_coverage(c: _Context, p: RuleParams) -> list[Finding]:
    view = c.view(c.ref)
    out: list[Finding] = []
    for i, pid in enumerate(view.people):
        row = view.attrs[i]
        roles = sorted(set(row.get("roles") or []) & set(KEY_ROLES))
        ties = view.ties_of_person.get(pid, [])
        if not roles or not ties:
            continue  # a key person nobody of ours reaches is a coverage gap, not a thin thread
        name = str(row.get("name") or pid)
        ages = [t.core.age_days for t in ties]
        members = sorted({t.member for t in ties})
        if all(a is None or a > p.days for a in ages):
            known = [round(a) for a in ages if a is not None]
            cause, message = (
                "stale",
                N_("{person} ({roles}) is reached only by ties last in contact over {days} days ago"),
            )
            ours = Seq(tuple(view.name(m) for m in members), N_(", "))
            detail = (
                Phrase(
                    N_("{person}'s ties with {members}: last contact {days} days ago at the latest"),
                    person=name,
                    members=ours,
                    days=min(known),
                )
                if known
                else Phrase(N_("{person}'s ties with {members}: last contact unknown"), person=name, members=ours)
            )
        elif len(members) == 1:
            cause, message = "single", N_("{person} ({roles}) is reached only through {member}")
            detail = Phrase(N_("{person} has a tie with {member} only"), person=name, member=view.name(members[0]))
        else:
            continue
        fallback = Phrase(
            N_("Re-engage {person}: ask {member} for a meeting soon")
            if cause == "stale"
            else N_("Build a second relationship with {person}, introduced by {member}"),
            person=name,
            member=view.name(members[0]),
        )
        action, member = c.action_for(pid, fallback)
        out.append(
            Finding(
                rule="thin_coverage",
                subject=pid,
                subject_name=name,
                cause=cause,
                severity="medium",
                message=message,
                fields={"person": name, "roles": _roles(roles), "days": str(p.days), "member": view.name(members[0])},
                explanation=detail,
                action=action,
                action_member=member,
            )
        )
    return out


def _coverage_drop(c: _Context, p: RuleParams) -> list[Finding]:
    now = coverage_alg(c.view(c.ref)).score
    before = coverage_alg(c.view(c.ref - timedelta(days=p.days))).score
    if before - now <= p.points:
        return []
    action, member = c.action_for(
        None,
        Phrase(N_("Find the relationships that were lost and re-engage the key people they reached")),
        general=True,
    )
    return [
        Finding(
            rule="coverage_drop",
            subject=c.account,
            subject_name=c.name,
            cause="drop",
            severity="high",
            message=N_("Coverage of {account} fell from {before} to {after} in {days} days"),
            fields={"account": c.name, "before": f"{before:.0f}", "after": f"{now:.0f}", "days": str(p.days)},
            explanation=Phrase(
                N_("coverage {before} on {then}, {now} on {date}: down {points} points (more than {limit})"),
                before=Num(before, ".1f"),
                then=(c.ref - timedelta(days=p.days)).isoformat(),
                now=Num(now, ".1f"),
                date=c.ref.isoformat(),
                points=Num(before - now, ".1f"),
                limit=Num(p.points, "g"),
            ),
            action=action,
            action_member=member,
        )
    ]


def _risk_events(c: _Context, p: RuleParams) -> list[Finding]:
    report = account_risk(c.view(c.ref))
    out: list[Finding] = []
    for e in report.events:
        if e.severity < p.severity:
            continue
        summary = e.summary or e.kind
        action, member = c.action_for(
            None, Phrase(N_("Review the exposure to {company} with the account team"), company=e.company_name)
        )
        out.append(
            Finding(
                rule="risk_event",
                subject=e.id,
                subject_name=summary,
                cause="event",
                severity="high",
                message=N_("New risk event at {company}: {summary} (severity {severity})"),
                fields={"company": e.company_name, "summary": summary, "severity": str(e.severity)},
                explanation=Phrase(
                    N_(
                        "{kind} at {company} on {date}, severity {severity}, {depth} level(s) below {account}; "
                        "the account's risk score is {score} of 100"
                    ),
                    kind=Term(str(e.kind), str(e.kind)),
                    company=e.company_name,
                    date=e.at.isoformat(),
                    severity=e.severity,
                    depth=e.depth,
                    account=c.name,
                    score=Num(report.score, ".0f"),
                ),
                action=action,
                action_member=member,
                fresh=(c.ref - e.at).days <= p.days,
            )
        )
    return out


def _invoices(c: _Context, p: RuleParams) -> list[Finding]:
    out: list[Finding] = []
    for invoice in list_invoices(c.store, c.account):
        late = (c.ref - invoice.due).days
        if invoice.balance <= 0 or late <= p.days or invoice.issued > c.ref:
            continue
        amount = f"{invoice.balance} {invoice.currency}"
        out.append(
            Finding(
                rule="invoice_overdue",
                subject=invoice.id,
                subject_name=invoice.id,
                cause="overdue",
                severity="medium",
                message=N_("Invoice {invoice} of {account} is {late} days overdue ({amount} open)"),
                fields={"invoice": invoice.id, "account": c.name, "late": str(late), "amount": amount},
                explanation=Phrase(
                    N_("invoice {invoice} of order {order}, due {due}, {amount} unpaid on {date}"),
                    invoice=invoice.id,
                    order=invoice.order,
                    due=invoice.due.isoformat(),
                    amount=amount,
                    date=c.ref.isoformat(),
                ),
                action=Phrase(
                    N_("Chase the payment of invoice {invoice} ({amount}) with the buyer"),
                    invoice=invoice.id,
                    amount=amount,
                ),
            )
        )
    return out


def _deal_action(health: OpportunityHealth, deal: str) -> tuple[str, str | None]:
    """What answers a deal's alert: its health's first action (and who takes it), else agreeing the next step."""
    if health.actions and health.actions[0].description:
        return health.actions[0].description, health.actions[0].member
    return Phrase(N_("Agree the next step of {deal} with its champion"), deal=deal), None


def _deals(c: _Context, stalled: RuleParams, drop: RuleParams) -> list[Finding]:
    out: list[Finding] = []
    ref_time = datetime.combine(c.ref, datetime.min.time(), tzinfo=UTC) + timedelta(days=1)
    for opp in list_opportunities(c.store, c.account, open_only=True):
        entered = opp.stage_entered()
        days = (c.ref - entered.date()).days
        health = None
        if stalled.enabled and days > stalled.days:
            health = opportunity_health(c.store, opp.id, reference=ref_time, cache=c.cache)
            action, member = _deal_action(health, opp.name)
            out.append(
                Finding(
                    rule="deal_stalled",
                    subject=opp.id,
                    subject_name=opp.name,
                    cause=f"stalled:{opp.stage}:{entered.date().isoformat()}",
                    severity="medium",
                    message=N_("Deal {deal} has been in stage {stage} for {days} days"),
                    fields={"deal": opp.name, "stage": opp.stage, "days": str(days)},
                    explanation=Phrase(
                        N_("{deal} entered {stage} on {date}; the limit is {days} days"),
                        deal=opp.name,
                        stage=opp.stage,
                        date=entered.date().isoformat(),
                        days=stalled.days,
                    ),
                    action=action,
                    action_member=member,
                )
            )
        if drop.enabled:
            health = health or opportunity_health(c.store, opp.id, reference=ref_time, cache=c.cache)
            before = opportunity_health(
                c.store, opp.id, reference=ref_time - timedelta(days=drop.days), cache=c.cache
            ).probability
            fell = 100 * (before - health.probability)
            if fell > drop.points:
                action, member = _deal_action(health, opp.name)
                out.append(
                    Finding(
                        rule="deal_win_drop",
                        subject=opp.id,
                        subject_name=opp.name,
                        cause="win_drop",
                        severity="high",
                        message=N_("Win probability of {deal} fell from {before} to {after} in {days} days"),
                        fields={
                            "deal": opp.name,
                            "before": f"{100 * before:.0f} %",
                            "after": f"{100 * health.probability:.0f} %",
                            "days": str(drop.days),
                        },
                        explanation=health.explanation,
                        action=action,
                        action_member=member,
                    )
                )
    return out


def _findings(c: _Context, watch: Watch) -> list[Finding]:
    p = c.params
    out: list[Finding] = []
    if p["key_person_left"].enabled:
        out += _key_people_left(c, p["key_person_left"], watch)
    if p["stance_turned"].enabled:
        out += _stance_turned(c, p["stance_turned"])
    if p["thin_coverage"].enabled:
        out += _thin_coverage(c, p["thin_coverage"])
    if p["coverage_drop"].enabled:
        out += _coverage_drop(c, p["coverage_drop"])
    if p["risk_event"].enabled:
        out += _risk_events(c, p["risk_event"])
    if p["invoice_overdue"].enabled:
        out += _invoices(c, p["invoice_overdue"])
    if p["deal_stalled"].enabled or p["deal_win_drop"].enabled:
        out += _deals(c, p["deal_stalled"], p["deal_win_drop"])
    return out


# ---- rule settings -------------------------------------------------------------------------------------------


def rule_params(store: GraphStore, account: str) -> dict[str, RuleParams]:
    """The parameters of every rule for `account`: its own settings over those for all over the defaults."""
    out = dict(DEFAULTS)
    for key in (_EVERY, account):
        doc = store.documents.get(RuleSettings.kind, key)
        if doc is not None:
            out.update(RuleSettings.model_validate(doc.data).rules)
    return out


def list_rules(store: GraphStore, scope: Scope, account: str | None = None) -> dict[str, RuleParams]:
    """The rules' parameters in force for `account` (or for all accounts)."""
    if account is not None:
        _check_account(store, scope, account)
    return rule_params(store, account or _EVERY)


@writes
def set_rule(
    store: GraphStore, scope: Scope, /, rule: str, *, account: str | None = None, **changes: Any
) -> dict[str, RuleParams]:
    """Change a rule's parameters (`enabled`, `days`, `points`, `severity`) for one account or for all."""
    scope.require_role(ApiRole.PLANNER)
    if rule not in RULES:
        raise InvalidArgument(f"unknown rule {rule!r}; one of {', '.join(RULES)}")
    if account is None:
        scope.require_unscoped("change the rules of every account")
    else:
        _check_account(store, scope, account)
    key = account or _EVERY
    given = {k: v for k, v in changes.items() if v is not None}

    def work(uow: UnitOfWork) -> None:
        settings = uow.load(RuleSettings, key) or RuleSettings(id=key)
        current = rule_params(store, key)[rule]
        merged = RuleParams.model_validate({**current.model_dump(), **given})
        uow.save(settings.model_copy(update={"rules": {**settings.rules, rule: merged}}))

    store.documents.retrying(work)
    return rule_params(store, key)


# ---- evaluation ----------------------------------------------------------------------------------------------


def _check_account(store: GraphStore, scope: Scope, account: str) -> str:
    scope.require_account(account)
    root = store.get_company(account)
    if root.parent is not None:
        raise InvalidArgument(
            f"{account!r} is not an account (a root company): its account is {store.account_of(account)!r}"
        )
    return root.name


def _outbox(alert: AlertRecord, subscriptions: list[Subscription], now: datetime) -> list[OutboxItem]:
    if alert.muted:
        return []
    return [
        OutboxItem(
            id=f"{alert.id}.{s.id}.{alert.occurrence}",
            alert=alert.id,
            subscription=s.id,
            next_attempt_at=now,
            created_at=now,
        )
        for s in subscriptions
        if s.wants(alert)
    ]


def _apply(
    store: GraphStore,
    account: str,
    findings: list[Finding],
    watch: Watch,
    ref: date,
    now: datetime,
    subscriptions: list[Subscription],
    before: Callable[[], None] | None = None,
) -> tuple[list[AlertRecord], list[str], int]:
    """Raise, keep and close the account's alerts for `findings`, and queue the deliveries, in one unit of work."""
    by_id = {alert_id(f.rule, account, f.subject, f.cause): f for f in findings}
    known = [d.id for d in store.documents.list(AlertRecord.kind, account)]

    def work(uow: UnitOfWork) -> tuple[list[AlertRecord], list[str], int]:
        raised: list[AlertRecord] = []
        closed: list[str] = []
        queued = 0
        for aid, f in by_id.items():
            old = uow.load(AlertRecord, aid)
            if old is not None and old.status == "open":
                continue
            if not f.fresh:
                continue
            alert = AlertRecord(
                id=aid,
                rule=f.rule,
                account=account,
                subject=f.subject,
                subject_name=f.subject_name,
                cause=f.cause,
                severity=f.severity,
                message=f.message,
                fields=f.fields,
                explanation=str(f.explanation),
                action=str(f.action),
                action_member=f.action_member,
                phrases={
                    k: stored(v)
                    for k, v in (("explanation", f.explanation), ("action", f.action))
                    if isinstance(v, Phrase)
                },
                raised_at=now,
                reference=ref,
                occurrence=1 if old is None else old.occurrence + 1,
                muted=bool(old and old.muted),
                muted_by=old.muted_by if old else None,
            )
            uow.save(alert)
            raised.append(alert)
            for item in _outbox(alert, subscriptions, now):
                uow.save(item)
                queued += 1
        for aid in known:
            if aid in by_id:
                continue
            old = uow.load(AlertRecord, aid)
            if old is not None and old.status == "open":
                uow.save(old.model_copy(update={"status": "closed", "closed_at": now}))
                closed.append(aid)
        kept = uow.load(Watch, account)
        if kept is None or kept.data() != watch.data():
            uow.save(watch)
        if before is not None:
            before()
        return raised, closed, queued

    return store.documents.retrying(work)


@writes
def run(
    store: GraphStore,
    scope: Scope,
    *,
    account: str | None = None,
    accounts: Iterable[str] | None = None,
    reference: date | None = None,
    now: datetime | None = None,
    cache: AnalysisCache | None = None,
    before_commit: Callable[[], None] | None = None,
) -> RunResult:
    """Evaluate the rules on `reference` (default today) for one account, for those of `accounts` that exist (the
    server's worker: the accounts the latest writes touched), or for every account the scope sees; raise the new
    causes (queuing their deliveries), close the alerts whose cause cleared. `before_commit` runs inside each
    account's unit of work just before it commits (tests stop a process there). The result lists the accounts
    evaluated."""
    scope.require_role(ApiRole.PLANNER)
    ref = reference or today()
    now = now or datetime.now(UTC)
    if account is not None:
        names = {account: _check_account(store, scope, account)}
    else:
        wanted = None if accounts is None else set(accounts)
        names = {c.id: c.name for c in store.list_accounts() if scope.sees(c.id) and (wanted is None or c.id in wanted)}
    raised: list[AlertRecord] = []
    closed: list[str] = []
    queued = 0
    for acc in sorted(names):
        doc = store.documents.get(Watch.kind, acc)
        watch = Watch.model_validate(doc.data) if doc else Watch(id=acc)
        context = _Context(store, acc, names[acc], ref, rule_params(store, acc), cache)
        findings = _findings(context, watch)
        # the subscriptions are read AFTER the account's data: a subscription committed before a write these
        # findings saw is delivered their alerts (read once before the loop, one made while a slow evaluation
        # ran was missed, and the alert it raised was never sent to it)
        subscriptions = [Subscription.model_validate(d.data) for d in store.documents.list(Subscription.kind)]
        r, c, q = _apply(store, acc, findings, watch, ref, now, subscriptions, before_commit)
        raised += r
        closed += c
        queued += q
    return RunResult(
        reference=ref, accounts=sorted(names), raised=[render(a) for a in raised], closed=closed, queued=queued
    )


# ---- listing, acknowledging, muting --------------------------------------------------------------------------


def _visible(store: GraphStore, scope: Scope, id: str) -> AlertRecord:
    doc = store.documents.get(AlertRecord.kind, id)
    if doc is None or not scope.sees(doc.data["account"]):
        raise NotFoundError("alert", id)
    return AlertRecord.model_validate(doc.data)


def get_alert(store: GraphStore, scope: Scope, id: str) -> AlertView:
    return render(_visible(store, scope, id))


def list_alerts(
    store: GraphStore,
    scope: Scope,
    *,
    account: str | None = None,
    status: Literal["open", "closed", "all"] = "open",
    include_muted: bool = True,
) -> list[AlertView]:
    """The alerts the scope sees (of one account when given), newest first."""
    if account is not None:
        _check_account(store, scope, account)
    records = [AlertRecord.model_validate(d.data) for d in store.documents.list(AlertRecord.kind, account)]
    chosen = [
        a
        for a in records
        if scope.sees(a.account) and (status == "all" or a.status == status) and (include_muted or not a.muted)
    ]
    chosen.sort(key=lambda a: (a.raised_at, a.id), reverse=True)
    return [render(a) for a in chosen]


def _change(store: GraphStore, scope: Scope, id: str, **update: Any) -> AlertView:
    scope.require_role(ApiRole.PLANNER)
    _visible(store, scope, id)

    def work(uow: UnitOfWork) -> AlertRecord:
        alert = uow.load(AlertRecord, id)
        if alert is None:
            raise NotFoundError("alert", id)
        changed = alert.model_copy(update=update)
        uow.save(changed)
        return changed

    return render(store.documents.retrying(work))


@writes
def acknowledge(store: GraphStore, scope: Scope, id: str, *, now: datetime | None = None) -> AlertView:
    """Mark an alert as seen by the caller."""
    return _change(store, scope, id, acknowledged_at=now or datetime.now(UTC), acknowledged_by=scope.key_id)


@writes
def mute(store: GraphStore, scope: Scope, id: str, *, muted: bool = True) -> AlertView:
    """Mute an alert (no more deliveries, even when it is raised again) or unmute it."""
    return _change(store, scope, id, muted=muted, muted_by=scope.key_id if muted else None)


# ---- subscriptions -------------------------------------------------------------------------------------------


def _target(s: Subscription) -> str:
    if s.channel == "email":
        return s.email or ""
    parts = urlsplit(s.url or "")
    return (
        f"{parts.scheme}://{parts.netloc}/…"
        if parts.path not in ("", "/") or parts.query
        else f"{parts.scheme}://{parts.netloc}"
    )


def _view(s: Subscription) -> SubscriptionView:
    return SubscriptionView(
        id=s.id,
        channel=s.channel,
        target=_target(s),
        format=s.format if s.channel == "webhook" else "email",
        secret_env=s.secret_env,
        accounts=s.accounts,
        rules=s.rules,
        language=s.language,
        created_at=s.created_at,
    )


@writes
def subscribe(
    store: GraphStore,
    scope: Scope,
    *,
    webhook: str | None = None,
    email: str | None = None,
    format: str = "generic",
    secret_env: str | None = None,
    accounts: Iterable[str] = (),
    rules: Iterable[str] = (),
    language: str = "en",
) -> SubscriptionView:
    """A new subscription: a webhook (http or https URL, one of `FORMATS`, the secret's environment variable) or an
    e-mail address, for some accounts and rules (none given: all). A key limited to accounts names some of them.
    A webhook's target must be one the operator's policy allows (`services.webhook_targets`: by default https to
    public addresses only); a refusal is an InvalidArgument naming the field `webhook`, and nothing is stored."""
    scope.require_role(ApiRole.PLANNER)
    if (webhook is None) == (email is None):
        raise InvalidArgument(Phrase(N_("give either a webhook URL or an e-mail address")))
    if webhook is not None:
        parts = urlsplit(webhook)
        if parts.scheme not in ("http", "https") or not parts.netloc or len(webhook) > 2000:
            raise InvalidArgument(Phrase(webhook_targets.URL_NEEDED), field="webhook")
    if email is not None and not _EMAIL.fullmatch(email):
        raise InvalidArgument(Phrase(N_("email: not an e-mail address: {email}"), email=repr(email)))
    if format not in FORMATS:
        raise InvalidArgument(
            Phrase(N_("format: one of {formats}, not {format}"), formats=", ".join(FORMATS), format=repr(format))
        )
    if secret_env is not None and not _ENV_NAME.fullmatch(secret_env):
        raise InvalidArgument(
            Phrase(N_("secret_env: the NAME of an environment variable (letters, digits, _), not a secret"))
        )
    if language not in ("en", "zh_CN"):
        raise InvalidArgument(Phrase(N_("language: en or zh_CN")))
    wanted_rules = sorted(set(rules))
    for r in wanted_rules:
        if r not in RULES:
            raise InvalidArgument(
                Phrase(N_("unknown rule {rule}; one of {rules}"), rule=repr(r), rules=", ".join(RULES))
            )
    wanted_accounts = sorted(set(accounts))
    for a in wanted_accounts:
        _check_account(store, scope, a)
    if not wanted_accounts and scope.scoped:
        wanted_accounts = sorted(scope.accounts)
    if webhook is not None:
        webhook_targets.check(webhook)  # last: it resolves the host (the operator's policy, no internal address)
    record = Subscription(
        id=f"sub-{secrets.token_hex(6)}",
        channel="webhook" if webhook is not None else "email",
        url=webhook,
        format=format if webhook is not None else "generic",
        secret_env=secret_env,
        email=email,
        accounts=wanted_accounts,
        rules=wanted_rules,
        language=language,
        created_at=datetime.now(UTC),
        created_by=scope.key_id,
    )
    store.documents.retrying(lambda uow: uow.save(record))
    return _view(record)


def _subscription(store: GraphStore, scope: Scope, id: str) -> Subscription:
    doc = store.documents.get(Subscription.kind, id)
    if doc is None:
        raise NotFoundError("subscription", id)
    sub = Subscription.model_validate(doc.data)
    if scope.scoped and not (sub.accounts and all(scope.sees(a) for a in sub.accounts)):
        raise NotFoundError("subscription", id)
    return sub


def list_subscriptions(store: GraphStore, scope: Scope) -> list[SubscriptionView]:
    out = []
    for d in store.documents.list(Subscription.kind):
        sub = Subscription.model_validate(d.data)
        if not scope.scoped or (sub.accounts and all(scope.sees(a) for a in sub.accounts)):
            out.append(_view(sub))
    return out


@writes
def unsubscribe(store: GraphStore, scope: Scope, id: str) -> None:
    scope.require_role(ApiRole.PLANNER)
    _subscription(store, scope, id)
    store.documents.delete(Subscription, [id])


def list_dead_letters(store: GraphStore, scope: Scope) -> list[DeadLetter]:
    """Deliveries given up (of alerts the scope sees), newest first."""
    out = []
    for d in store.documents.list(DeadLetter.kind):
        letter = DeadLetter.model_validate(d.data)
        alert = store.documents.get(AlertRecord.kind, letter.alert)
        if alert is not None and scope.sees(alert.data["account"]):
            out.append(letter)
    return sorted(out, key=lambda x: (x.failed_at, x.id), reverse=True)
