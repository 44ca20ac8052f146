"""The opportunity commands: the `opp` group (create, show, list, update, stage, committee, health, view,
history). Thin: each calls one function of `accountgraph.services.opportunities` (as the operator) and
prints its result (a table, or JSON with `--json`, amounts as decimal strings). A committee member is
given as `PERSON[:ROLES[:STANCE]]`: ROLES comma-separated (empty: the person's account-level roles),
STANCE one of supporter, neutral, opponent, unknown (empty: the account-level stance), e.g.
`-m medtech-p00002:champion:supporter` or `-m medtech-p00007::opponent`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from accountgraph import i18n
from accountgraph.cli.common import (
    Named,
    Operation,
    StoreOption,
    fail,
    grid,
    money,
    out,
    parse_date,
    renders,
    renders_named,
    run,
)
from accountgraph.i18n import N_, _, number, percent
from accountgraph.i18n.glossary import joined, term
from accountgraph.i18n.phrase import say
from accountgraph.opportunities import health as health_mod
from accountgraph.opportunities.models import CommitteeMember, Opportunity
from accountgraph.schema.models import Role, Stance
from accountgraph.services import opportunities
from accountgraph.services.analysis import AnalysisCache
from accountgraph.services.scope import Scope

MemberOption = Annotated[
    list[str] | None,
    typer.Option("--member", "-m", help=N_("PERSON[:ROLES[:STANCE]], repeatable (e.g. -m p7:champion:supporter)")),
]
_ROLES = {r.value for r in Role}
_STANCES = {s.value for s in Stance}


def parse_member(spec: str) -> CommitteeMember:
    """`PERSON[:ROLES[:STANCE]]` as a committee member (ids may hold colons: parsed from the right)."""
    parts = spec.rsplit(":", 2)

    def roles_of(text: str) -> list[str] | None:
        names = [r.strip() for r in text.split(",") if r.strip()]
        return names if all(n in _ROLES for n in names) else None

    person, roles, stance = spec, "", ""
    if len(parts) == 3 and roles_of(parts[1]) is not None and (parts[2] in _STANCES or parts[2] == ""):
        person, roles, stance = parts
    elif len(parts) >= 2 and roles_of(parts[-1]) is not None:
        person, roles = spec.rsplit(":", 1)
    if not person:
        raise fail(_("a committee member is PERSON[:ROLES[:STANCE]], not {spec}").format(spec=repr(spec)))
    role_list = roles_of(roles) or []
    return CommitteeMember(
        person=person,
        roles=[Role(r) for r in role_list] if role_list else None,
        stance=Stance(stance) if stance else None,
    )


def _members(specs: list[str] | None) -> list[CommitteeMember]:
    return [parse_member(s) for s in specs or []]


def _opp_table(n: Named[Opportunity]) -> Table:
    o = n.value
    table = Table(
        title=f"{o.id} · {o.name} · {n.of(o.account)} · {o.stage} · {money(o.amount, o.currency)}",
        caption=_("owner {owner} · expected close {close} · quotes {quotes}").format(
            owner=n.of(o.owner) or "—", close=o.expected_close or "—", quotes=", ".join(o.quotes) or "—"
        ),
    )
    table.add_column(_("committee member"))
    table.add_column(_("roles in this deal"))
    table.add_column(_("stance in this deal"))
    for m in o.committee:
        table.add_row(
            n.of(m.person),
            joined([term(r.value) for r in m.roles]) if m.roles is not None else _("(account-level)"),
            term(m.stance.value) if m.stance is not None else _("(account-level)"),
        )
    return table


def _history_table(o: Opportunity) -> Table:
    return grid(
        _("stage history"),
        (_("stage"), _("at"), _("note")),
        ((h.stage, h.at.isoformat(), h.note or "") for h in o.stage_history),
    )


def _show(n: Named[Opportunity]) -> None:
    console = out()
    console.print(_opp_table(n))
    console.print(_history_table(n.value))


def _named_in(o: Opportunity) -> list[str | None]:
    return [o.account, o.owner, *(m.person for m in o.committee)]


renders_opportunity = renders_named(_show, _named_in, data=Opportunity.data)


def _health_tables(h: health_mod.OpportunityHealth) -> list[Table]:
    probability = percent(h.probability) if i18n.current() != i18n.DEFAULT else f"{100 * h.probability:.0f}%"
    head = Table(
        title=_("{id} · {name} · {stage}: win probability {probability}").format(
            id=h.opportunity, name=h.name, stage=h.stage, probability=probability
        )
    )
    head.caption = say(h.explanation)
    head.add_column(_("feature"))
    head.add_column(_("value"), justify="right")
    head.add_column(_("typical"), justify="right")
    head.add_column(_("log-odds"), justify="right")
    for c in h.contributions:
        head.add_row(say(c.label), number(c.value, 2), number(c.baseline, 2), f"{c.contribution:+.2f}")
    risks = Table(title=_("risks (most serious first)"))
    risks.add_column("#", justify="right")
    risks.add_column(_("risk"))
    for n, r in enumerate(h.risks, 1):
        risks.add_row(str(n), say(r.description))
    committee = Table(title=_("committee (this deal's roles and stances; * set for this deal)"))
    for column in (
        N_("person"),
        N_("roles"),
        N_("stance"),
        N_("covered"),
        N_("best tie"),
        N_("our people"),
        N_("days since contact"),
    ):
        committee.add_column(_(column))
    for m in h.committee:
        committee.add_row(
            f"{m.name} ({m.person})" if m.in_account else _("{id} (not in the account)").format(id=m.person),
            (joined([term(r) for r in m.roles]) or "—") + (" *" if m.overridden else ""),
            term(m.stance),
            _("yes") if m.covered else _("no"),
            number(m.best_strength, 2),
            ", ".join(m.threads),
            "—" if m.days_since_contact is None else f"{m.days_since_contact:.0f}",
        )
    actions = Table(title=_("actions that raise it most"))
    actions.add_column("#", justify="right")
    actions.add_column(_("action"))
    actions.add_column(_("then"), justify="right")
    actions.add_column(_("gain"), justify="right")
    for n, a in enumerate(h.actions, 1):
        then = percent(a.probability) if i18n.current() != i18n.DEFAULT else f"{100 * a.probability:.0f}%"
        actions.add_row(str(n), say(a.description), then, _("+{points} pts").format(points=number(100 * a.gain, 1)))
    return [head, risks, committee, actions]


opp_app = typer.Typer(
    help=N_("Opportunities with buying committees: create, show, list, update, stage, committee, health, view."),
    no_args_is_help=True,
)
OppArg = Annotated[str, typer.Argument(help=N_("the opportunity"))]


@opp_app.command("create", help=N_("Create an opportunity with its buying committee."))
@renders_opportunity
def opp_create(
    account: Annotated[str, typer.Argument(help=N_("the account (or one of its companies)"))],
    name: Annotated[str, typer.Argument(help=N_("the deal's name"))],
    id: Annotated[str | None, typer.Option("--id", help=N_("the opportunity's id (default generated)"))] = None,
    stage: Annotated[str | None, typer.Option("--stage", help=N_("an open stage (default the first)"))] = None,
    amount: Annotated[str, typer.Option("--amount", help=N_("decimal amount, e.g. 250000.00"))] = "0",
    currency: Annotated[str, typer.Option("--currency")] = "EUR",
    close: Annotated[str | None, typer.Option("--close", help=N_("expected close date YYYY-MM-DD"))] = None,
    owner: Annotated[str | None, typer.Option("--owner", help=N_("our team member who owns the deal"))] = None,
    quote: Annotated[list[str] | None, typer.Option("--quote", "-q", help=N_("a ledger quote, repeatable"))] = None,
    member: MemberOption = None,
) -> Operation[Opportunity]:
    day = parse_date(close)
    members = _members(member)
    return lambda s: opportunities.create_opportunity(
        s,
        Scope.operator(),
        account,
        name,
        id=id,
        stage=stage,
        amount=amount,
        currency=currency,
        expected_close=day,
        owner=owner,
        quotes=quote or [],
        committee=members,
    )


@opp_app.command("show", help=N_("Show an opportunity, its committee and its stage history."))
@renders_opportunity
def opp_show(id: OppArg) -> Operation[Opportunity]:
    return lambda s: opportunities.get_opportunity(s, Scope.operator(), id)


def _show_opportunities(n: Named[list[Opportunity]]) -> None:
    opps = n.value
    rows = (
        (
            o.id,
            o.account,
            o.name,
            o.stage,
            money(o.amount, o.currency),
            str(o.expected_close or "—"),
            n.of(o.owner) or "—",
            str(len(o.committee)),
        )
        for o in opps
    )
    columns = (
        N_("id"),
        N_("account"),
        N_("name"),
        N_("stage"),
        N_("amount"),
        N_("close"),
        N_("owner"),
        N_("committee"),
    )
    out().print(grid(_("opportunities ({n})").format(n=len(opps)), [_(c) for c in columns], rows))


def _opportunities_data(opps: list[Opportunity]) -> Any:
    keys = ("id", "account", "name", "stage", "amount", "currency", "expected_close", "owner")
    return [{k: o.data()[k] for k in keys} for o in opps]


@opp_app.command("list", help=N_("List opportunities."))
@renders_named(_show_opportunities, lambda opps: [o.owner for o in opps], data=_opportunities_data)
def opp_list(
    account: Annotated[str | None, typer.Option("--account", help=N_("only this account's"))] = None,
    stage: Annotated[str | None, typer.Option("--stage", help=N_("only those in this stage"))] = None,
    open_only: Annotated[bool, typer.Option("--open", help=N_("only open deals"))] = False,
) -> Operation[list[Opportunity]]:
    return lambda s: (
        opportunities.list_opportunities(
            s, Scope.operator(), account, stage=stage, open_only=open_only, limit=None
        ).data
    )


@opp_app.command(
    "update", help=N_("Change an open opportunity's name, amount, currency, expected close, owner or quotes.")
)
@renders_opportunity
def opp_update(
    id: OppArg,
    name: Annotated[str | None, typer.Option("--name")] = None,
    amount: Annotated[str | None, typer.Option("--amount")] = None,
    currency: Annotated[str | None, typer.Option("--currency")] = None,
    close: Annotated[str | None, typer.Option("--close", help=N_("expected close date YYYY-MM-DD"))] = None,
    owner: Annotated[str | None, typer.Option("--owner")] = None,
    quote: Annotated[list[str] | None, typer.Option("--quote", "-q", help=N_("replaces the quotes"))] = None,
) -> Operation[Opportunity]:
    changes: dict[str, Any] = {
        k: v
        for k, v in {"name": name, "amount": amount, "currency": currency, "owner": owner, "quotes": quote}.items()
        if v is not None
    }
    if close is not None:
        changes["expected_close"] = parse_date(close)
    if not changes:
        raise fail(_("nothing to change: give at least one option"))
    return lambda s: opportunities.update_opportunity(s, Scope.operator(), id, **changes)


@opp_app.command(
    "stage", help=N_("Move an opportunity to another stage (the change is added to its history with the time).")
)
@renders_opportunity
def opp_stage(
    id: OppArg,
    stage: Annotated[str, typer.Argument(help=N_("the new stage (won / lost close it for good)"))],
    note: Annotated[str | None, typer.Option("--note")] = None,
) -> Operation[Opportunity]:
    return lambda s: opportunities.move_stage(s, Scope.operator(), id, stage, note=note)


@opp_app.command(
    "committee", help=N_("Replace the buying committee (roles and stances given here hold for this deal only).")
)
@renders_opportunity
def opp_committee(id: OppArg, member: MemberOption = None) -> Operation[Opportunity]:
    members = _members(member)
    return lambda s: opportunities.set_committee(s, Scope.operator(), id, members)


def _show_health(h: health_mod.OpportunityHealth) -> None:
    for table in _health_tables(h):
        out().print(table)


@opp_app.command(
    "health", help=N_("Win probability with each feature's contribution, the risks and the actions that raise it most.")
)
@renders(_show_health, data=lambda h: h.model_dump(mode="json"))
def opp_health(
    id: OppArg,
    use_scorecard: Annotated[bool, typer.Option("--scorecard", help=N_("the fixed scorecard, not a fit"))] = False,
) -> Operation[health_mod.OpportunityHealth]:
    cache = AnalysisCache()  # this run's
    return lambda s: opportunities.health(
        s, Scope.operator(), id, model="scorecard" if use_scorecard else "auto", cache=cache
    )


@opp_app.command(
    "view", help=N_("Write the power map of the opportunity's buying committee (its roles and stances) as HTML.")
)
def opp_view(
    id: OppArg,
    out_file: Annotated[Path, typer.Option("--out", "-o", help=N_("the HTML file to write"))],
    store: StoreOption = None,
) -> None:

    def write(html: str) -> None:
        try:
            out_file.write_text(html, encoding="utf-8")
        except OSError as e:
            raise fail(_("cannot write {path}: {reason}").format(path=out_file, reason=e.strerror or e)) from None
        out().print(_("wrote {path}").format(path=out_file))

    run(store, lambda s: opportunities.power_map(s, Scope.operator(), id), write)


@opp_app.command(
    "history",
    help=N_("Generate closed deals on an account (outcomes driven by relationship quality), for demos and fits."),
)
def opp_history(
    account: Annotated[str, typer.Argument(help=N_("the account"))],
    deals: Annotated[int, typer.Option("--deals", min=1, max=100_000, help=N_("closed deals to generate"))] = 60,
    seed: Annotated[int, typer.Option("--seed")] = 1,
    store: StoreOption = None,
) -> None:
    from accountgraph.samples.deals import store_history

    def report(written: list[Opportunity]) -> None:
        won = sum(1 for o in written if o.stage == "won")
        out().print(
            _("wrote {n} closed opportunities of {account} ({won} won) at {day}").format(
                n=len(written), account=account, won=won, day=f"{datetime.now(UTC):%Y-%m-%d}"
            )
        )

    run(store, lambda s: store_history(s, account, deals, seed), report, refusals=True)
