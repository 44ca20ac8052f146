"""The `alerts` group: evaluate the rules (`run`, for a scheduler), list, acknowledge and mute alerts, subscribe a
webhook or an e-mail address, drain the outbox (`deliver`), send a sample (`test`), tune the rules (`rules`,
`rule`), and read the dead letters (`dead`).

Thin adapters of `accountgraph.services.alerts` and `accountgraph.services.alert_delivery`, as the operator
(`Scope.operator()`); `--json` prints the service's result. A secret is never given on the command line: name the
environment variable that holds it (`--secret-env NAME`).
"""

from __future__ import annotations

from typing import Annotated

import typer

from accountgraph.cli.common import Operation, out, parse_date, renders, table, text
from accountgraph.i18n import N_, _
from accountgraph.services import alert_delivery as delivery
from accountgraph.services import alerts as service
from accountgraph.services.analysis import AnalysisCache
from accountgraph.services.scope import Scope

alerts_app = typer.Typer(
    help=N_("Alerts: run the rules (run), list / ack / mute alerts, subscribe channels, deliver the outbox, test."),
    no_args_is_help=True,
)

AccountOption = Annotated[str | None, typer.Option("--account", help=N_("one account (default: every account)"))]
IdArg = Annotated[str, typer.Argument(help=N_("the alert's id"))]


def show_alerts(alerts: list[service.AlertView]) -> None:
    if not alerts:
        out().print(text("no alerts"))
        return
    rows = [
        (
            a.id,
            a.status + (", muted" if a.muted else "") + (", acknowledged" if a.acknowledged_at else ""),
            a.account,
            a.title,
            a.reason,
            a.action,
        )
        for a in alerts
    ]
    columns = [(_("id"), "left"), (_("status"), "left"), (_("account"), "left"), (_("alert"), "left")]
    out().print(table(_("alerts"), [*columns, (_("reason"), "left"), (_("next step"), "left")], rows))


def show_run(result: service.RunResult) -> None:
    console = out()
    console.print(
        text(
            _(
                "evaluated {accounts} account(s) on {day}: {raised} raised, {closed} closed, "
                "{queued} delivery(ies) queued"
            ).format(
                accounts=len(result.accounts),
                day=result.reference.isoformat(),
                raised=len(result.raised),
                closed=len(result.closed),
                queued=result.queued,
            )
        )
    )
    if result.raised:
        show_alerts(result.raised)


def show_alert(alert: service.AlertView) -> None:
    show_alerts([alert])


@alerts_app.command(
    "run",
    help=N_(
        "Evaluate the rules now (for a scheduler): raise new causes and queue their deliveries, close cleared ones."
    ),
)
@renders(show_run)
def alerts_run(
    account: AccountOption = None,
    reference: Annotated[
        str | None, typer.Option("--reference", help=N_("evaluate as of this day (default today)"))
    ] = None,
) -> Operation[service.RunResult]:
    day = parse_date(reference)
    cache = AnalysisCache()
    return lambda s: service.run(s, Scope.operator(), account=account, reference=day, cache=cache)


@alerts_app.command("list", help=N_("The alerts, newest first."))
@renders(show_alerts, data=lambda rows: [r.model_dump(mode="json") for r in rows])
def alerts_list(
    account: AccountOption = None,
    status: Annotated[str, typer.Option("--status", help=N_("open, closed or all"))] = "open",
) -> Operation[list[service.AlertView]]:
    if status not in ("open", "closed", "all"):
        raise typer.BadParameter("open, closed or all", param_hint="--status")
    return lambda s: service.list_alerts(s, Scope.operator(), account=account, status=status)  # type: ignore[arg-type]


@alerts_app.command("ack", help=N_("Acknowledge an alert."))
@renders(show_alert)
def alerts_ack(id: IdArg) -> Operation[service.AlertView]:
    return lambda s: service.acknowledge(s, Scope.operator(), id)


@alerts_app.command(
    "mute", help=N_("Mute an alert: no more deliveries, even when it is raised again (`--off` unmutes it).")
)
@renders(show_alert)
def alerts_mute(
    id: IdArg,
    off: Annotated[bool, typer.Option("--off", help=N_("unmute it"))] = False,
) -> Operation[service.AlertView]:
    return lambda s: service.mute(s, Scope.operator(), id, muted=not off)


def show_subscriptions(subs: list[service.SubscriptionView]) -> None:
    rows = [
        (
            s.id,
            s.channel,
            s.target,
            s.format,
            s.secret_env or "—",
            ", ".join(s.accounts) or _("all"),
            ", ".join(s.rules) or _("all"),
            s.language,
        )
        for s in subs
    ]
    columns = [
        N_("id"),
        N_("channel"),
        N_("target"),
        N_("format"),
        N_("secret from"),
        N_("accounts"),
        N_("rules"),
        N_("language"),
    ]
    out().print(table(_("subscriptions"), [(_(c), "left") for c in columns], rows))


def show_subscription(sub: service.SubscriptionView) -> None:
    show_subscriptions([sub])


@alerts_app.command(
    "subscribe",
    help=N_("Subscribe a webhook or an e-mail address to the alerts (of some accounts and rules; default all)."),
)
@renders(show_subscription)
def alerts_subscribe(
    webhook: Annotated[str | None, typer.Option("--webhook", help=N_("an http(s) URL to POST to"))] = None,
    email: Annotated[str | None, typer.Option("--email", help=N_("an e-mail address (SMTP settings: README)"))] = None,
    format: Annotated[
        str, typer.Option("--format", help=N_("generic, slack, teams, wecom, dingtalk or feishu"))
    ] = "generic",
    secret_env: Annotated[
        str | None, typer.Option("--secret-env", help=N_("the NAME of the environment variable holding the secret"))
    ] = None,
    account: Annotated[list[str] | None, typer.Option("--account", help=N_("only this account (repeatable)"))] = None,
    rule: Annotated[list[str] | None, typer.Option("--rule", help=N_("only this rule (repeatable)"))] = None,
    language: Annotated[str, typer.Option("--language", help=N_("en or zh_CN"))] = "en",
) -> Operation[service.SubscriptionView]:
    return lambda s: service.subscribe(
        s,
        Scope.operator(),
        webhook=webhook,
        email=email,
        format=format,
        secret_env=secret_env,
        accounts=account or (),
        rules=rule or (),
        language=language,
    )


@alerts_app.command(
    "subscriptions", help=N_("The subscriptions (webhook addresses shown without their path, which may hold a token).")
)
@renders(show_subscriptions, data=lambda rows: [r.model_dump(mode="json") for r in rows])
def alerts_subscriptions() -> Operation[list[service.SubscriptionView]]:
    return lambda s: service.list_subscriptions(s, Scope.operator())


@alerts_app.command("unsubscribe", help=N_("Remove a subscription."))
@renders(lambda _result: out().print(text(_("unsubscribed"))), json_option=False)
def alerts_unsubscribe(id: Annotated[str, typer.Argument(help=N_("the subscription's id"))]) -> Operation[None]:
    return lambda s: service.unsubscribe(s, Scope.operator(), id)


def show_delivery(result: delivery.DeliveryResult) -> None:
    out().print(
        text(
            _("{delivered} delivered, {retrying} to retry, {dead} dead letter(s)").format(
                delivered=len(result.delivered), retrying=len(result.retrying), dead=len(result.dead)
            )
        )
    )


@alerts_app.command(
    "deliver",
    help=N_("Send the outbox's deliveries that are due (retries with backoff; dead letters after the last attempt)."),
)
@renders(show_delivery)
def alerts_deliver() -> Operation[delivery.DeliveryResult]:
    return lambda s: delivery.deliver(s, Scope.operator())


@alerts_app.command("test", help=N_("Send a sample alert to a subscription now."))
@renders(lambda message: out().print(text(message)), json_option=False)
def alerts_test(
    channel: Annotated[str, typer.Option("--channel", help=N_("the subscription's id (see `alerts subscriptions`)"))],
) -> Operation[str]:
    return lambda s: delivery.send_test(s, Scope.operator(), channel)


def show_rules(rules: dict[str, service.RuleParams]) -> None:
    def used(name: str, field: str, value: object) -> object:
        return value if field in service.USES[name] else "—"

    rows = [
        (
            name,
            _("on") if p.enabled else _("off"),
            used(name, "days", p.days),
            used(name, "points", p.points),
            used(name, "severity", p.severity),
        )
        for name, p in rules.items()
    ]
    columns = [
        (_("rule"), "left"),
        (_("enabled"), "left"),
        (_("days"), "right"),
        (_("points"), "right"),
        (_("severity"), "right"),
    ]
    out().print(table(_("alert rules"), columns, rows))


@alerts_app.command("rules", help=N_("The rules and their parameters (for one account, or for all)."))
@renders(show_rules, data=lambda rules: {k: v.model_dump() for k, v in rules.items()})
def alerts_rules(account: AccountOption = None) -> Operation[dict[str, service.RuleParams]]:
    return lambda s: service.list_rules(s, Scope.operator(), account)


@alerts_app.command("rule", help=N_("Change a rule's parameters for one account (`--account`) or for all."))
@renders(show_rules, data=lambda rules: {k: v.model_dump() for k, v in rules.items()})
def alerts_rule(
    name: Annotated[str, typer.Argument(help=N_("the rule (see `alerts rules`)"))],
    account: AccountOption = None,
    days: Annotated[int | None, typer.Option("--days", min=1, max=3650)] = None,
    points: Annotated[int | None, typer.Option("--points", min=1, max=100)] = None,
    severity: Annotated[int | None, typer.Option("--severity", min=1, max=5)] = None,
    enabled: Annotated[bool | None, typer.Option("--on/--off", help=N_("turn the rule on or off"))] = None,
) -> Operation[dict[str, service.RuleParams]]:
    return lambda s: service.set_rule(
        s, Scope.operator(), name, account=account, days=days, points=points, severity=severity, enabled=enabled
    )


def show_dead(letters: list[service.DeadLetter]) -> None:
    rows = [(d.id, d.alert, d.subscription, d.attempts, d.last_error, d.failed_at.isoformat()) for d in letters]
    columns = [N_("delivery"), N_("alert"), N_("subscription"), N_("attempts"), N_("last error"), N_("failed at")]
    out().print(table(_("dead letters"), [(_(c), "left") for c in columns], rows))


@alerts_app.command("dead", help=N_("Deliveries given up after their last attempt."))
@renders(show_dead, data=lambda rows: [r.data() for r in rows])
def alerts_dead() -> Operation[list[service.DeadLetter]]:
    return lambda s: service.list_dead_letters(s, Scope.operator())
