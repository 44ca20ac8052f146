"""The change log on both backends: every write path (API, CLI, workspace, imports, a ledger document) records
its author, its interface and what changed, in the transaction of the write; a write that fails records nothing;
no secret ever lands in it; reading it is paged and limited to what a key sees."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from accountgraph.cli import app as cli_app
from accountgraph.errors import BundleRejected, ConflictError, VersionConflict
from accountgraph.graph.changelog import Author, Change, writing_as
from accountgraph.graph.store import DocumentWrite, GraphStore
from accountgraph.schema.models import ApiRole, Bundle, Company, Person, Role, TeamMember, Tie, TieType
from accountgraph.services import changes, records
from accountgraph.services.keys import KEY_PREFIX, authenticate, mint_key
from accountgraph.services.scope import Scope
from tests.api.support import api, bearer, store_env
from tests.ledger.support import no_volume_discount, unit_product
from tests.web.support import sign_in, workspace

OPERATOR = Scope.operator().author.id  # the CLI's user@host


def _bundle() -> Bundle:
    return Bundle(
        companies=[
            Company(id="acme", name="Acme"),
            Company(id="acme-eu", name="Acme EU", parent="acme"),
            Company(id="globex", name="Globex"),
        ],
        people=[
            Person(id="ann", name="Ann", company="acme", roles=[Role.DECISION_MAKER]),
            Person(id="bob", name="Bob", company="acme-eu"),
            Person(id="gus", name="Gus", company="globex"),
        ],
        team=[TeamMember(id="tm", name="Tess", function="account_manager")],
        ties=[Tie.model_validate({"from": "tm", "to": "ann", "type": "knows", "strength": 0.6})],
    )


@pytest.fixture
def loaded(store: GraphStore) -> GraphStore:
    store.load_bundle(_bundle())
    return store


@pytest.fixture
def client(loaded: GraphStore) -> Iterator[TestClient]:
    with api(loaded) as c:
        yield c


def _key(store: GraphStore, role: str, accounts: tuple[str, ...] = ()) -> tuple[str, str]:
    """A new key's id and token."""
    record, token = mint_key(store, role, name=f"change {role}", accounts=accounts)
    return record.id, token


def _everything(store: GraphStore) -> list[Change]:
    found: list[Change] = []
    after: tuple[str, str] | None = None
    while True:
        page = store.changes(limit=1000, after=after)
        found += page
        if len(page) < 1000:
            return found
        after = (page[-1].row()["at"], page[-1].id)


def _latest(store: GraphStore, **filters: Any) -> Change:
    entries = store.changes(limit=1, **filters)
    assert entries, filters
    return entries[0]


def _cli(store: GraphStore, request: pytest.FixtureRequest, *args: str, input: str | None = None) -> str:
    env = {**store_env(store, request), "COLUMNS": "250"}
    result = CliRunner().invoke(cli_app, list(args), env=env, input=input)
    assert result.exit_code == 0, result.output
    return result.output


# ---- every write path records its author ------------------------------------------------------------------
def test_an_api_record_edit_records_the_key_its_label_and_the_fields_changed(
    loaded: GraphStore, client: TestClient
) -> None:
    key_id, token = _key(loaded, "planner")
    ann = client.get("/v1/people/ann", headers=bearer(token)).json()
    put = client.put("/v1/people/ann", headers=bearer(token), json={**ann, "title": "CFO", "stance": "supporter"})
    assert put.status_code == 200, put.text
    entry = _latest(loaded, record="ann")
    assert (entry.author, entry.label, entry.interface) == (key_id, "change planner", "api")
    assert (entry.kind, entry.action, entry.account) == ("person", "update", "acme")
    assert entry.fields == {"title": [None, "CFO"], "stance": ["unknown", "supporter"]}

    created = client.put("/v1/companies/acme-us", headers=bearer(token), json={"id": "acme-us", "name": "Acme US",
                                                                                "parent": "acme"})  # fmt: skip
    assert created.status_code == 200, created.text
    entry = _latest(loaded, record="acme-us")
    assert (entry.action, entry.account, entry.author) == ("create", "acme", key_id)
    assert entry.fields["name"] == [None, "Acme US"]

    assert client.delete("/v1/people/bob", headers=bearer(token)).status_code == 204
    entry = _latest(loaded, record="bob")
    assert (entry.action, entry.account, entry.interface) == ("delete", "acme", "api")
    assert entry.fields["name"] == ["Bob", None]


def test_a_cli_edit_and_a_cli_import_record_the_user_on_this_host(
    loaded: GraphStore, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    person = {"id": "ann", "name": "Ann", "company": "acme", "roles": ["decision_maker"], "stance": "opponent"}
    _cli(loaded, request, "person", "put", "-", input=json.dumps(person))
    entry = _latest(loaded, record="ann")
    assert "@" in OPERATOR and (entry.author, entry.interface, entry.label) == (OPERATOR, "cli", "")
    assert entry.fields == {"stance": ["unknown", "opponent"]}

    file = tmp_path / "more.json"
    more = Bundle(
        people=[Person(id="cat", name="Cat", company="acme-eu"), Person(id="dan", name="Dan", company="globex")],
        companies=[Company(id="acme-asia", name="Acme Asia", parent="acme")],
    )
    file.write_text(more.model_dump_json(by_alias=True), encoding="utf-8")
    _cli(loaded, request, "import", str(file))
    imports = [c for c in _everything(loaded) if c.kind == "import"]
    # one summary entry per account the import touched, named by the file, counts by list
    by_account = {c.account: c for c in imports if c.record == "more.json"}
    assert set(by_account) == {"acme", "globex"}
    assert by_account["acme"].fields == {"companies": [None, 1], "people": [None, 1]}
    assert by_account["globex"].fields == {"people": [None, 1]}
    assert all((c.author, c.interface, c.action) == (OPERATOR, "cli", "import") for c in by_account.values())


def test_an_api_import_records_the_key(loaded: GraphStore, client: TestClient) -> None:
    key_id, token = _key(loaded, "planner")
    body = {
        "format": "accountgraph-bundle",
        "version": 1,
        "people": [{"id": "eve", "name": "Eve", "company": "acme"}, {"id": "fay", "name": "Fay", "company": "acme"}],
    }
    answer = client.post("/v1/import", headers=bearer(token), json=body)
    assert answer.status_code == 200, answer.text
    entry = _latest(loaded, account="acme")
    assert (entry.kind, entry.action, entry.author, entry.interface) == ("import", "import", key_id, "api")
    assert entry.fields == {"people": [None, 2]}


def test_a_workspace_edit_records_the_signed_in_key_and_shows_on_the_card(loaded: GraphStore) -> None:
    key_id, token = _key(loaded, "planner")
    with workspace(loaded) as browser:
        csrf = sign_in(browser, token)
        edit = {"account": "acme", "person": "ann", "stance": "neutral", "on": date.today().isoformat()}
        answer = browser.post("/web/stance", json=edit, headers={"X-CSRF-Token": csrf})
        assert answer.status_code == 200, answer.text
        entry = _latest(loaded, record="ann")
        assert (entry.author, entry.label, entry.interface) == (key_id, "change planner", "workspace")
        assert entry.fields == {"stance": ["unknown", "neutral"]}
        card = browser.get("/web/person", params={"account": "acme", "person": "ann"})
        assert card.status_code == 200, card.text
        shown = card.json()["changes"]
        assert shown["heading"] == "Changes" and shown["entries"][0]["id"] == entry.id
        assert "change planner" in shown["lines"][0] and "workspace" in shown["lines"][0]
        assert "unknown → neutral" in shown["lines"][0]
        chinese = browser.get(
            "/web/person", params={"account": "acme", "person": "ann"}, headers={"Accept-Language": "zh-CN"}
        ).json()["changes"]
        assert chinese["heading"] != "Changes" and chinese["lines"][0] != shown["lines"][0]


def test_a_ledger_document_write_records_its_author_and_fields(loaded: GraphStore, client: TestClient) -> None:
    no_volume_discount(loaded)
    unit_product(loaded)
    key_id, token = _key(loaded, "planner")
    body = {"account": "acme-eu", "number": "Q-1", "lines": [{"product": "unit", "quantity": "3"}]}
    answer = client.post("/v1/quotes", json=body, headers=bearer(token))
    assert answer.status_code == 201, answer.text
    entry = _latest(loaded, record="Q-1-v1")
    assert (entry.kind, entry.action, entry.account) == ("quote", "create", "acme")
    assert (entry.author, entry.interface) == (key_id, "api")
    assert entry.fields["number"] == [None, "Q-1"]
    sent = client.post("/v1/quotes/Q-1-v1/send", headers=bearer(token))
    assert sent.status_code == 200, sent.text
    entry = _latest(loaded, record="Q-1-v1")
    assert entry.action == "update" and entry.fields["status"] == ["draft", "sent"]
    # the product written with no author at all: the store says so
    product = _latest(loaded, record="unit")
    assert (product.author, product.interface, product.account) == ("system", "store", None)


def test_ties_and_tie_deletes_are_logged_with_their_account(loaded: GraphStore) -> None:
    scope = Scope("k1", ApiRole.PLANNER, label="bot")
    records.put_tie(loaded, scope, Tie.model_validate({"from": "ann", "to": "bob", "type": "influences"}))
    entry = _latest(loaded, record="influences:ann->bob")
    assert (entry.action, entry.account, entry.author, entry.label) == ("create", "acme", "k1", "bot")
    records.delete_tie(loaded, scope, TieType.KNOWS, "ann", "tm")
    entry = _latest(loaded, record="knows:ann->tm")
    assert (entry.action, entry.account) == ("delete", "acme")


# ---- a write that fails records nothing -------------------------------------------------------------------
def test_a_refused_write_records_nothing(loaded: GraphStore, client: TestClient) -> None:
    _, token = _key(loaded, "planner")
    before = len(_everything(loaded))
    bad = client.put("/v1/people/zed", headers=bearer(token), json={"id": "zed", "name": "Zed", "company": "nowhere"})
    assert bad.status_code == 422, bad.text
    refused = client.post("/v1/import", headers=bearer(token), json={"people": [{"id": "x", "company": "acme"}]})
    assert refused.status_code == 422, refused.text
    scope = Scope("k1", ApiRole.PLANNER)
    with pytest.raises(BundleRejected):  # a cycle, found inside the write transaction
        records.put_record(loaded, scope, Company(id="acme", name="Acme", parent="acme-eu"))
    with pytest.raises(ConflictError):  # a company that still has people
        records.delete_record(loaded, scope, "company", "globex")
    assert len(_everything(loaded)) == before


def test_a_version_conflict_records_nothing(loaded: GraphStore) -> None:
    no_volume_discount(loaded)
    product = unit_product(loaded)
    before = len(_everything(loaded))
    with writing_as(Author("k9", "racer", "api")), pytest.raises(VersionConflict):
        stale = DocumentWrite("product", product.id, None, {**product.data(), "name": "renamed"}, expected_version=7)
        loaded.documents.commit([stale])
    with writing_as(Author("k9", "racer", "api")), pytest.raises(VersionConflict):
        with loaded.documents.unit_of_work() as uow:
            uow.get("product", product.id)
            loaded.documents.commit([DocumentWrite.of(product, 1)])  # another writer gets there first
            uow.write("product", product.id, None, {**product.data(), "name": "late"})
    after = _everything(loaded)
    assert len(after) == before + 1  # only the other writer's commit
    assert not [c for c in after if c.author == "k9" and "late" in json.dumps(c.fields)]


# ---- no secret in the log ---------------------------------------------------------------------------------
def _secret(token: str) -> str:
    """The secret part of a key, as the server reads it (`ag_<id>_<secret>`; the secret may hold `_`)."""
    return token.removeprefix(KEY_PREFIX).partition("_")[2]


def test_no_key_secret_hash_or_session_token_appears_in_the_log(loaded: GraphStore, client: TestClient) -> None:
    _, admin = _key(loaded, "admin")
    made = client.post("/v1/keys", headers=bearer(admin), json={"role": "planner", "name": "ci bot"})
    assert made.status_code == 201, made.text
    token = made.json()["key"]
    stored = loaded.get_api_key(made.json()["id"])
    assert stored is not None
    assert client.delete(f"/v1/keys/{stored.id}", headers=bearer(admin)).status_code == 200
    with workspace(loaded) as browser:
        csrf = sign_in(browser, admin)
        session = next(c.value for c in browser.cookies.jar if c.name == "ag_session")
    text = json.dumps([c.row() for c in _everything(loaded)])
    for secret in (token, _secret(token), stored.secret_hash, _secret(admin), csrf, session):
        assert secret not in text
    logged = [c for c in _everything(loaded) if c.record == stored.id]
    assert [c.action for c in logged] == ["update", "create"]  # revoked, created
    assert logged[1].fields["name"] == [None, "ci bot"] and "secret_hash" not in logged[1].fields
    assert "revoked_at" in logged[0].fields


# ---- reading: paged, by record and author, limited to what a key sees -------------------------------------
def test_the_log_is_paged_newest_first_and_filtered_by_record_and_author(loaded: GraphStore) -> None:
    a = Scope("ka", ApiRole.PLANNER, label="A")
    b = Scope("kb", ApiRole.PLANNER, label="B")
    for n in range(5):
        who = a if n % 2 == 0 else b
        records.put_record(loaded, who, Person(id="ann", name=f"Ann {n}", company="acme"))
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        page = changes.list_changes(loaded, Scope.operator(), "acme", record="ann", limit=2, cursor=cursor)
        seen += [e.fields["name"][1] for e in page.data]
        pages += 1
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == [f"Ann {n}" for n in (4, 3, 2, 1, 0)] and pages >= 3
    mine = changes.list_changes(loaded, Scope.operator(), "acme", author="kb", limit=50)
    assert [e.fields["name"][1] for e in mine.data] == ["Ann 3", "Ann 1"]


def test_the_api_and_cli_read_the_log_and_a_limited_key_sees_only_its_account(
    loaded: GraphStore, client: TestClient, request: pytest.FixtureRequest
) -> None:
    scope = Scope("k1", ApiRole.PLANNER, label="bot <b>")
    records.put_record(loaded, scope, Person(id="ann", name="Ann", company="acme", title="CEO"))
    records.put_record(loaded, scope, Person(id="gus", name="Gus", company="globex", title="CTO"))
    _, limited = _key(loaded, "viewer", ("acme",))
    page = client.get("/v1/accounts/acme/changes", headers=bearer(limited), params={"limit": 1})
    assert page.status_code == 200, page.text
    body = page.json()
    assert body["count"] == 1 and body["data"][0]["record"] == "ann" and body["next_cursor"]
    rest = client.get(
        "/v1/accounts/acme/changes", headers=bearer(limited), params={"limit": 1000, "cursor": body["next_cursor"]}
    ).json()
    assert {e["account"] for e in rest["data"]} == {"acme"}  # the import's summary of acme
    assert client.get("/v1/accounts/globex/changes", headers=bearer(limited)).status_code == 404
    assert client.get("/v1/accounts/acme/changes", headers=bearer(limited), params={"cursor": "x!"}).status_code == 400
    assert scope.author == Author("k1", "bot <b>", "api")

    shown = _cli(loaded, request, "changes", "acme", "--record", "ann")
    assert "bot <b> (k1)" in shown and "CEO" in shown and "Gus" not in shown
    data = json.loads(_cli(loaded, request, "changes", "globex", "--author", "k1", "--json"))
    assert [e["record"] for e in data["data"]] == ["gus"]


def test_a_key_authenticated_carries_its_label_for_the_log(loaded: GraphStore) -> None:
    key_id, token = _key(loaded, "planner")
    scope = authenticate(loaded, token)
    assert scope is not None and scope.author == Author(key_id, "change planner", "api")


def test_a_large_import_is_one_summary_entry_landing_with_it_or_not_at_all(store: GraphStore) -> None:
    if hasattr(store, "import_batch"):
        store.import_batch = 3  # Neo4j: staged in bounded transactions, the entry written in the switch
    people = [Person(id=f"p{n}", name=f"P{n}", company="big") for n in range(7)]
    bundle = Bundle(companies=[Company(id="big", name="Big")], people=people)
    with writing_as(Author("k7", "loader", "api")):
        store.load_bundle(bundle, source="big.csv")
        entries = store.changes(account="big")
        assert [(e.kind, e.record, e.author, e.fields) for e in entries] == [
            ("import", "big.csv", "k7", {"companies": [None, 1], "people": [None, 7]})
        ]
        broken = Bundle(people=[*people, Person(id="lost", name="Lost", company="nowhere")])
        with pytest.raises(BundleRejected):
            store.load_bundle(broken, source="broken.csv")
    assert len(_everything(store)) == 1


# ---- reading across accounts, per author, record and kind; the person card's related records --------------
def test_the_log_across_accounts_by_author_record_and_kind_as_each_key_sees_it(
    loaded: GraphStore, client: TestClient, request: pytest.FixtureRequest
) -> None:
    ka = Scope("ka", ApiRole.PLANNER, label="A")
    records.put_record(loaded, ka, TeamMember(id="tm", name="Tess B", function="account_manager"))  # no account
    records.put_record(loaded, ka, Person(id="ann", name="Ann B", company="acme"))
    records.put_record(loaded, ka, Person(id="gus", name="Gus B", company="globex"))
    admin_id, admin = _key(loaded, "admin")
    _, planner = _key(loaded, "planner")
    _, limited = _key(loaded, "viewer", ("acme",))

    def listed(token: str, **params: Any) -> list[dict[str, Any]]:
        answer = client.get("/v1/changes", headers=bearer(token), params={"limit": 1000, **params})
        assert answer.status_code == 200, answer.text
        assert set(answer.json()) == {"data", "count", "next_cursor"}
        return list(answer.json()["data"])

    by_admin = listed(admin, author="ka")
    assert [(e["kind"], e["record"], e["account"]) for e in by_admin] == [
        ("person", "gus", "globex"),
        ("person", "ann", "acme"),
        ("team", "tm", None),
    ]
    assert [e["record"] for e in listed(admin, author="ka", kind="team")] == ["tm"]
    assert [(e["record"], e["account"]) for e in listed(admin, record="tm")] == [("tm", None)]
    keys = listed(admin, kind="api_key")
    assert len(keys) == 3 and "secret_hash" not in json.dumps(keys)  # admins see the keys' entries, no secret
    # any other key: only the entries of the accounts it may see, never those of no account
    assert [e["record"] for e in listed(planner, author="ka")] == ["gus", "ann"]
    assert listed(planner, kind="api_key") == [] and listed(planner, record="tm") == []
    assert [e["record"] for e in listed(limited, author="ka")] == ["ann"]
    assert {e["account"] for e in listed(limited)} == {"acme"}
    # paged as every list of the API
    first = client.get("/v1/changes", headers=bearer(admin), params={"author": "ka", "limit": 2}).json()
    assert first["count"] == 2 and first["next_cursor"]
    rest = client.get(
        "/v1/changes", headers=bearer(admin), params={"author": "ka", "limit": 2, "cursor": first["next_cursor"]}
    ).json()
    assert [e["record"] for e in rest["data"]] == ["tm"] and rest["next_cursor"] is None
    assert client.get("/v1/changes", headers=bearer(admin), params={"cursor": "x!"}).status_code == 400
    assert client.get("/v1/changes", headers=bearer(admin), params={"kind": "k" * 65}).status_code == 422
    assert client.get("/v1/changes").status_code == 401
    assert admin_id not in json.dumps(listed(limited))  # the keys' entries stay with the admins

    # the CLI: the operator sees everything, the same filters
    shown = _cli(loaded, request, "changes", "--author", "ka", "--kind", "team")
    assert "Tess B" in shown and "Ann B" not in shown
    data = json.loads(_cli(loaded, request, "changes", "--record", "tm", "--json"))
    assert [(e["kind"], e["author"]) for e in data["data"]] == [("team", "ka")]
    assert [e["record"] for e in json.loads(_cli(loaded, request, "changes", "--author", "ka", "--json"))["data"]] == [
        "gus",
        "ann",
        "tm",
    ]


def test_the_person_card_shows_changes_of_their_ties_and_interactions_with_more(loaded: GraphStore) -> None:
    from datetime import UTC, datetime

    from accountgraph.schema.models import Interaction

    key_id, token = _key(loaded, "planner")
    scope = Scope(key_id, ApiRole.PLANNER, label="change planner", interface="workspace")
    records.put_record(loaded, scope, Person(id="ann", name="Ann B", company="acme", roles=[Role.CHAMPION]))
    records.put_tie(loaded, scope, Tie.model_validate({"from": "tm", "to": "ann", "type": "knows", "strength": 0.9}))
    for n in range(22):
        records.put_record(
            loaded,
            scope,
            Interaction(id=f"i{n}", member="tm", person="ann", kind="meeting", at=datetime(2026, 1, 1 + n, tzinfo=UTC)),
        )
    records.put_record(loaded, scope, Person(id="bob", name="Bob B", company="acme-eu"))  # not about Ann
    with workspace(loaded) as browser:
        sign_in(browser, token)
        card = browser.get("/web/person", params={"account": "acme", "person": "ann"})
        assert card.status_code == 200, card.text
        shown = card.json()["changes"]
        assert len(shown["lines"]) == 20 and shown["next_cursor"] and shown["more"]
        first = [(e["kind"], e["record"]) for e in shown["entries"]]
        assert first[:2] == [("interaction", "i21"), ("interaction", "i20")]  # newest first
        more = browser.get(
            "/web/person/changes", params={"account": "acme", "person": "ann", "cursor": shown["next_cursor"]}
        )
        assert more.status_code == 200, more.text
        rest = [(e["kind"], e["record"]) for e in more.json()["entries"]]
        assert more.json()["next_cursor"] is None
        assert first + rest == [
            *[("interaction", f"i{n}") for n in range(21, -1, -1)],
            ("tie", "knows:ann->tm"),
            ("person", "ann"),
        ]  # Ann's own record, her tie and her interactions; not Bob's record
        chinese = browser.get(
            "/web/person", params={"account": "acme", "person": "ann"}, headers={"Accept-Language": "zh-CN"}
        ).json()["changes"]
        assert chinese["more"] == "更多变更记录" and shown["more"] == "more changes"
        gone = browser.get("/web/person/changes", params={"account": "globex", "person": "ann"})
        assert gone.status_code == 404
