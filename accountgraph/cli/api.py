"""The commands of the HTTP API: `serve` and the `keys` group (create, list, revoke)."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from accountgraph import i18n
from accountgraph.cli.common import Operation, StoreOption, article, call, err, grid, out, renders
from accountgraph.i18n import N_, _, ngettext
from accountgraph.schema.models import ApiKey, ApiRole

APP_FACTORY = "accountgraph.api.app:create_app"

app = typer.Typer()


@app.command(
    "serve", help=N_("Serve the HTTP API (uvicorn): OpenAPI docs at /docs, a key needed for everything but /healthz.")
)
def serve(
    host: Annotated[
        str, typer.Option("--host", envvar="ACCOUNTGRAPH_HOST", help=N_("interface to listen on"))
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", envvar="ACCOUNTGRAPH_PORT", min=0, max=65535)] = 8000,
    workers: Annotated[int, typer.Option("--workers", min=1, max=64, help=N_("worker processes"))] = 1,
    store: StoreOption = None,
) -> None:
    import uvicorn

    from accountgraph.api.settings import ApiSettings

    if store:
        os.environ["ACCOUNTGRAPH_STORE"] = store  # the workers build their app from the environment
    os.environ.setdefault("ACCOUNTGRAPH_ALERTS_WORKER", "1")  # the served app evaluates alerts after writes
    if os.environ.get(i18n.ENV) or i18n.current() != i18n.DEFAULT:  # --lang or ACCOUNTGRAPH_LANG: the workspace's
        os.environ[i18n.ENV] = i18n.current()
    settings = call(ApiSettings)
    err().print(
        ngettext(
            "serving {store} on http://{host}:{port} (docs: /docs with a key, {n} worker)",
            "serving {store} on http://{host}:{port} (docs: /docs with a key, {n} workers)",
            workers,
        ).format(store=settings.store, host=host, port=port, n=workers),
        highlight=False,
        soft_wrap=True,
    )
    # the app is built by uvicorn from its factory's name in each worker: the CLI does not import the routes
    uvicorn.run(APP_FACTORY, factory=True, host=host, port=port, workers=workers, access_log=False)


keys_app = typer.Typer(
    help=N_("Manage API keys (shown once at creation; only a hash is stored)."), no_args_is_help=True
)


def _created(made: tuple[ApiKey, str]) -> None:
    record, key = made
    scope = ", ".join(record.accounts) or _("all accounts")
    message = (
        f"created {article(record.role.value)} key {record.id} for {scope}; it is shown only this once:"
        if i18n.current() == i18n.DEFAULT
        else _("created a {role} key {id} for {scope}; it is shown only this once:").format(
            role=record.role.value, id=record.id, scope=scope
        )
    )
    err().print(
        message,
        highlight=False,
        soft_wrap=True,
    )
    typer.echo(key)


@keys_app.command("create", help=N_("Create an API key and print it, once."))
@renders(_created, json_option=False)
def keys_create(
    role: Annotated[
        ApiRole, typer.Option("--role", help=N_("viewer reads, planner also writes, admin also manages keys"))
    ],
    name: Annotated[str | None, typer.Option("--name", help=N_("a label, e.g. who uses it"))] = None,
    account: Annotated[
        list[str] | None, typer.Option("--account", help=N_("limit the key to this account (repeatable); default all"))
    ] = None,
) -> Operation[tuple[ApiKey, str]]:
    from accountgraph.services.keys import create_key
    from accountgraph.services.scope import Scope

    return lambda s: create_key(s, Scope.operator(), role, name=name, accounts=account or [])


def _show_keys(keys: list[ApiKey]) -> None:
    rows = (
        (
            k.id,
            k.role.value,
            k.name or "",
            ", ".join(k.accounts) or _("all"),
            k.created_at.isoformat(timespec="seconds"),
            k.revoked_at.isoformat(timespec="seconds") if k.revoked_at else "",
        )
        for k in keys
    )
    columns = (N_("id"), N_("role"), N_("name"), N_("accounts"), N_("created"), N_("revoked"))
    out().print(grid(_("API keys"), [_(c) for c in columns], rows))


@keys_app.command("list", help=N_("List API keys (never their secrets), revoked ones included."))
@renders(_show_keys, json_option=False)
def keys_list() -> Operation[list[ApiKey]]:
    from accountgraph.services.keys import list_keys
    from accountgraph.services.scope import Scope

    return lambda s: list_keys(s, Scope.operator())


def _revoked(record: ApiKey) -> None:
    out().print(_("revoked key {id}").format(id=record.id), highlight=False, soft_wrap=True)


@keys_app.command("revoke", help=N_("Revoke an API key: it stops working at once and stays listed."))
@renders(_revoked, json_option=False)
def keys_revoke(
    key_id: Annotated[str, typer.Argument(help=N_("the key's id (the part after `ag_`)"))],
) -> Operation[ApiKey]:
    from accountgraph.services.keys import revoke_key
    from accountgraph.services.scope import Scope

    return lambda s: revoke_key(s, Scope.operator(), key_id)
