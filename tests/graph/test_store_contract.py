"""The storage contract: every test runs against a real SQLite file and a real Neo4j server."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from accountgraph.errors import BundleRejected, ConflictError, InvalidArgument, NotFoundError, StoreError
from accountgraph.graph.store import GraphStore, ListFilter
from accountgraph.graph.validation import parse_bundle
from accountgraph.schema import Bundle, Company, Person, Role, Stance, TeamMember, Tie, TieType
from accountgraph.schema.models import ApiKey, ApiRole
from accountgraph.services.bundles import read_csv_dir, read_json, to_graphml, write_csv_dir, write_json


def tie(a: str, b: str, type: str = "knows", **kw: Any) -> Tie:
    return Tie.model_validate({"from": a, "to": b, "type": type, **kw})


def group_bundle() -> Bundle:
    """A small group with a subsidiary, people in both, our team, history and non-ASCII text."""
    return parse_bundle(
        {
            "companies": [
                {"id": "grp", "name": "Grüne Medizintechnik AG", "industry": "medical devices", "region": "EMEA"},
                {"id": "sub", "name": "上海医疗器械有限公司", "parent": "grp", "country": "CN"},
                {"id": "sub2", "name": "Sub Two", "parent": "sub"},
            ],
            "people": [
                {
                    "id": "ceo",
                    "name": "Jürgen Groß",
                    "company": "grp",
                    "level": 1,
                    "title": "CEO",
                    "roles": ["decision_maker", "economic_buyer"],
                    "stance": "neutral",
                },
                {
                    "id": "cfo",
                    "name": "Åsa Ñúñez",
                    "company": "grp",
                    "level": 2,
                    "reports_to": "ceo",
                    "roles": ["economic_buyer"],
                    "stance": "opponent",
                    "history": [
                        {"since": None, "roles": ["economic_buyer"], "stance": "neutral"},
                        {"since": "2025-06-01", "roles": ["economic_buyer"], "stance": "opponent"},
                    ],
                },
                {
                    "id": "gm",
                    "name": "王伟",
                    "company": "sub",
                    "level": 2,
                    "reports_to": "ceo",
                    "department": "管理层",
                    "roles": ["decision_maker"],
                    "stance": "supporter",
                },
                {
                    "id": "eng",
                    "name": "Ольга Петрова",
                    "company": "sub2",
                    "level": 3,
                    "reports_to": "gm",
                    "roles": ["technical_buyer", "champion"],
                    "stance": "supporter",
                    "email": "o@example.com",
                },
            ],
            "team": [
                {"id": "am", "name": "Alex Account", "function": "account_manager"},
                {"id": "se", "name": "Sam Solution", "function": "solution_expert"},
            ],
            "ties": [
                {
                    "from": "am",
                    "to": "ceo",
                    "type": "knows",
                    "strength": 0.8,
                    "since": "2024-01-10",
                    "last_contact": "2026-09-01",
                },
                {"from": "se", "to": "eng", "type": "knows", "strength": 0.6},
                {
                    "from": "am",
                    "to": "cfo",
                    "type": "knows",
                    "strength": 0.4,
                    "since": "2023-01-01",
                    "until": "2025-01-01",
                    "note": "left the project",
                },
                {"from": "am", "to": "se", "type": "knows", "strength": 1.0},
                {"from": "gm", "to": "ceo", "type": "influences", "strength": 0.9},
                {"from": "eng", "to": "gm", "type": "influences", "strength": 0.5},
                {"from": "ceo", "to": "cfo", "type": "knows", "strength": 0.7},
            ],
            "interactions": [
                {
                    "id": "i1",
                    "member": "am",
                    "person": "ceo",
                    "kind": "meeting",
                    "at": "2026-09-01T09:30:00Z",
                    "sentiment": 1,
                    "note": "QBR – très bien",
                },
                {"id": "i2", "member": "se", "person": "eng", "kind": "call", "at": "2026-08-15T14:00:00+02:00"},
            ],
            "risks": [
                {
                    "id": "r1",
                    "company": "sub2",
                    "kind": "litigation",
                    "severity": 4,
                    "amount": "1250000.10",
                    "currency": "EUR",
                    "at": "2026-03-01",
                    "summary": "patent suit",
                },
            ],
        }
    )


def other_account() -> Bundle:
    return parse_bundle(
        {
            "companies": [{"id": "oth", "name": "Other Corp"}],
            "people": [{"id": "x1", "name": "Xavier", "company": "oth"}],
            "ties": [
                {"from": "x1", "to": "ceo", "type": "influences", "strength": 0.3},
                {"from": "am", "to": "x1", "type": "knows", "strength": 0.5},
            ],
        }
    )


def snapshot(store: GraphStore) -> tuple[dict[str, int], list[Bundle]]:
    return store.counts(), [store.export_bundle(a.id) for a in store.list_accounts()]


def test_round_trip_exact(store: GraphStore) -> None:
    bundle = group_bundle()
    store.load_bundle(bundle)
    exported = store.export_bundle("grp")
    assert exported == bundle.sorted()
    assert exported.risks[0].amount == Decimal("1250000.10")
    assert store.get_person("gm").name == "王伟"
    assert store.get_company("sub").name == "上海医疗器械有限公司"
    # and the JSON document round-trips through a second store state too
    again = parse_bundle(exported.model_dump(mode="json", by_alias=True))
    assert again == exported


def test_reimport_is_idempotent(store: GraphStore) -> None:
    store.load_bundle(group_bundle())
    before = snapshot(store)
    store.load_bundle(group_bundle())
    store.load_bundle(group_bundle())
    assert snapshot(store) == before
    assert before[0] == {"accounts": 1, "companies": 3, "people": 4, "team": 2, "ties": 7,
                         "interactions": 2, "risks": 1}  # fmt: skip


def test_bad_record_at_the_end_changes_nothing(store: GraphStore) -> None:
    store.load_bundle(group_bundle())
    before = snapshot(store)
    bad = group_bundle()
    bad.people.append(Person(id="new", name="New Person", company="grp"))
    bad.companies[0] = bad.companies[0].model_copy(update={"name": "Renamed"})
    bad.ties.append(tie("new", "ghost", "influences"))  # unknown person: the whole bundle must be refused
    with pytest.raises(BundleRejected) as info:
        store.load_bundle(bad)
    assert [(i.record, i.field, i.code) for i in info.value.issues] == [("ties", "to", "reference")]
    assert info.value.issues[0].index == len(bad.ties) - 1
    assert snapshot(store) == before
    with pytest.raises(NotFoundError):
        store.get_person("new")


def test_every_error_is_listed(store: GraphStore) -> None:
    raw = {
        "companies": [{"id": "a", "name": "A"}, {"id": "", "name": "Blank"}],
        "people": [
            {"id": "p1", "name": "P", "company": "missing"},
            {"id": "p2", "name": "Q", "company": "a", "stance": "hostile"},
            {"id": "p3", "name": "R", "company": "a", "reports_to": "p3"},
        ],
        "ties": [{"from": "p1", "to": "a", "type": "knows", "strength": 1.5}],
    }
    with pytest.raises(BundleRejected) as info:
        store.load_bundle(parse_bundle(raw))
    found = {(i.record, i.index, i.field) for i in info.value.issues}
    assert ("companies", 1, "id") in found
    assert ("people", 1, "stance") in found
    assert ("people", 2, None) in found  # reports to themselves
    assert ("ties", 0, "strength") in found
    # structure is fine here, references are not: each one named
    with pytest.raises(BundleRejected) as info:
        store.load_bundle(
            parse_bundle(
                {
                    "companies": [{"id": "a", "name": "A", "parent": "nowhere"}],
                    "people": [{"id": "p1", "name": "P", "company": "missing", "reports_to": "nobody"}],
                    "ties": [{"from": "a", "to": "p1", "type": "knows"}],
                    "interactions": [
                        {"id": "i", "member": "p1", "person": "p1", "kind": "call", "at": "2026-01-01T00:00:00Z"}
                    ],
                    "risks": [{"id": "r", "company": "p1", "kind": "news", "at": "2026-01-01"}],
                }
            )
        )
    found = {(i.record, i.field, i.code) for i in info.value.issues}
    assert found == {
        ("companies", "parent", "reference"),
        ("people", "company", "reference"),
        ("people", "reports_to", "reference"),
        ("ties", "from", "reference"),  # "a" is a company, not a person or team member
        ("interactions", "member", "reference"),
        ("risks", "company", "reference"),
    }
    assert store.counts()["companies"] == 0


def test_cycles_are_refused(store: GraphStore) -> None:
    store.load_bundle(group_bundle())
    before = snapshot(store)
    with pytest.raises(BundleRejected) as info:  # grp under its own grandchild, against the store
        store.set_parent("grp", "sub2")
    assert info.value.is_conflict
    assert "cycle" in info.value.issues[0].reason
    with pytest.raises(BundleRejected):  # the CEO reporting to someone who reports to them
        store.set_reports_to("ceo", "eng")
    with pytest.raises(BundleRejected) as info:  # a cycle inside one bundle
        store.load_bundle(
            Bundle(
                companies=[
                    Company(id="c1", name="C1", parent="c2"),
                    Company(id="c2", name="C2", parent="c3"),
                    Company(id="c3", name="C3", parent="c1"),
                ]
            )
        )
    assert len(info.value.issues) == 1
    assert snapshot(store) == before


def test_ids_are_one_space_across_kinds(store: GraphStore) -> None:
    store.load_bundle(group_bundle())
    with pytest.raises(BundleRejected) as info:
        store.upsert_team_member(TeamMember(id="ceo", name="Clash"))
    assert info.value.issues[0].reason == "id is already used by a person"


def test_delete_person_removes_ties_and_interactions(store: GraphStore) -> None:
    store.load_bundle(group_bundle())
    store.delete("person", "gm")
    with pytest.raises(NotFoundError):
        store.get_person("gm")
    with pytest.raises(NotFoundError):
        store.get_tie("influences", "gm", "ceo")
    assert store.get_person("eng").reports_to is None
    exported = store.export_bundle("grp")
    assert all("gm" not in (t.from_, t.to) for t in exported.ties)
    assert store.counts()["ties"] == 7 - 2  # gm->ceo and eng->gm influences gone
    store.delete("team", "se")
    assert store.counts()["interactions"] == 1
    with pytest.raises(NotFoundError):
        store.delete("person", "gm")


def test_delete_company_with_dependants_is_a_conflict(store: GraphStore) -> None:
    store.load_bundle(group_bundle())
    with pytest.raises(ConflictError):
        store.delete("company", "sub")
    store.delete("person", "eng")
    store.delete("company", "sub2")  # its risk event goes with it
    assert store.counts()["risks"] == 0
    assert [c.company.id for c in store.company_tree("grp").walk()] == ["grp", "sub"]


def test_account_subgraph_scope(store: GraphStore) -> None:
    store.load_bundle(group_bundle())
    store.load_bundle(other_account())
    g = store.account_subgraph("grp", as_of=date(2026, 10, 1))
    people = {n for n, d in g.nodes(data=True) if d["kind"] == "person"}
    team = {n for n, d in g.nodes(data=True) if d["kind"] == "team"}
    companies = {n for n, d in g.nodes(data=True) if d["kind"] == "company"}
    assert people == {"ceo", "cfo", "gm", "eng"}  # the subsidiaries' people are in
    assert team == {"am", "se"}
    assert companies == {"grp", "sub", "sub2"}
    assert "x1" not in g and "oth" not in g  # other accounts and cross-account ties are out
    assert g.has_edge("grp", "sub", "PARENT_OF") and g.has_edge("sub", "sub2", "PARENT_OF")
    assert g.has_edge("eng", "sub2", "WORKS_AT") and g.has_edge("eng", "gm", "REPORTS_TO")
    assert g.has_edge("gm", "ceo", "INFLUENCES") and not g.has_edge("ceo", "gm", "INFLUENCES")
    assert g.has_edge("am", "ceo", "KNOWS") and g.has_edge("ceo", "am", "KNOWS")
    assert g.edges["am", "ceo", "KNOWS"]["strength"] == 0.8
    assert g.edges["am", "ceo", "KNOWS"]["team"] is True
    assert not g.has_edge("am", "cfo", "KNOWS")  # ended in 2025: history, not a live tie
    assert g.has_edge("am", "se", "KNOWS")
    assert g.nodes["eng"]["roles"] == ["champion", "technical_buyer"]
    assert [i["id"] for i in g.graph["interactions"]] == ["i1", "i2"]
    assert [r["id"] for r in g.graph["risks"]] == ["r1"]
    other = store.account_subgraph("oth")
    assert set(other) == {"oth", "x1", "am"}
    with pytest.raises(NotFoundError):
        store.account_subgraph("sub")  # a subsidiary is not an account


def test_account_subgraph_as_of_a_past_date(store: GraphStore) -> None:
    store.load_bundle(group_bundle())
    past = store.account_subgraph("grp", as_of=date(2024, 6, 1))
    assert past.has_edge("am", "cfo", "KNOWS")  # still active then
    assert past.nodes["cfo"]["stance"] == "neutral"  # before the change of 2025-06-01
    assert "i1" not in [i["id"] for i in past.graph["interactions"]]
    assert past.graph["risks"] == []
    now = store.account_subgraph("grp", as_of=date(2026, 10, 1))
    assert now.nodes["cfo"]["stance"] == "opponent"


def test_stance_change_keeps_history(store: GraphStore) -> None:
    store.load_bundle(group_bundle())
    gm = store.get_person("gm")
    store.upsert_person(gm.model_copy(update={"stance": Stance.OPPONENT}), on=date(2026, 5, 1))
    stored = store.get_person("gm")
    assert stored.stance is Stance.OPPONENT
    assert [(s.since, s.stance) for s in stored.history] == [
        (None, Stance.SUPPORTER),
        (date(2026, 5, 1), Stance.OPPONENT),
    ]
    assert store.account_subgraph("grp", as_of=date(2026, 4, 30)).nodes["gm"]["stance"] == "supporter"
    assert store.account_subgraph("grp", as_of=date(2026, 5, 1)).nodes["gm"]["stance"] == "opponent"
    store.upsert_person(stored)  # the same again: no new history
    assert len(store.get_person("gm").history) == 2


def test_end_tie_keeps_it_as_history(store: GraphStore) -> None:
    store.load_bundle(group_bundle())
    ended = store.end_tie(TieType.KNOWS, "se", "eng", until=date(2026, 10, 1))  # either orientation works
    assert ended.until == date(2026, 10, 1)
    assert store.get_tie("knows", "eng", "se").until == date(2026, 10, 1)
    assert not store.account_subgraph("grp", as_of=date(2026, 10, 2)).has_edge("se", "eng", "KNOWS")
    assert store.account_subgraph("grp", as_of=date(2026, 9, 30)).has_edge("se", "eng", "KNOWS")
    assert any(t.until == date(2026, 10, 1) for t in store.export_bundle("grp").ties)
    store.delete_tie("knows", "eng", "se")
    with pytest.raises(NotFoundError):
        store.get_tie("knows", "se", "eng")


def test_company_tree_and_accounts(store: GraphStore) -> None:
    store.load_bundle(group_bundle())
    store.load_bundle(other_account())
    assert [c.id for c in store.list_accounts()] == ["grp", "oth"]
    tree = store.company_tree("grp")
    assert tree.company.id == "grp" and tree.people == 2
    assert [c.company.id for c in tree.children] == ["sub"]
    assert [c.company.id for c in tree.children[0].children] == ["sub2"]
    assert store.account_of("sub2") == "grp"
    with pytest.raises(NotFoundError):
        store.company_tree("nope")
    # the people of each company on a date: who had joined and not yet left
    cfo = store.get_person("cfo").model_copy(update={"since": date(2024, 3, 1), "until": date(2026, 6, 30)})
    store.upsert_person(cfo)
    counts = {
        on: store.company_tree("grp", on).people for on in (date(2024, 2, 29), date(2025, 1, 1), date(2026, 6, 30))
    }
    assert counts == {date(2024, 2, 29): 1, date(2025, 1, 1): 2, date(2026, 6, 30): 1}


HOSTILE = [
    "x'); DROP TABLE person; --",
    "a`b`c",
    "MATCH (n) DETACH DELETE n",
    '"}) DETACH DELETE n //',
    "$id",
    "Robert'); DELETE FROM node; --",
    "ü" * 198,
]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_ids_are_stored_verbatim(store: GraphStore, hostile: str) -> None:
    store.load_bundle(group_bundle())
    store.upsert_company(Company(id=hostile, name=hostile, parent="grp"))
    store.upsert_person(Person(id=hostile + "-p", name=hostile, company=hostile, title=hostile))
    assert store.get_company(hostile).name == hostile
    assert store.get_person(hostile + "-p").title == hostile
    assert store.counts()["people"] == 5 and store.counts()["companies"] == 4
    assert store.account_of(hostile) == "grp"


def test_concurrent_writers_lose_and_duplicate_nothing(store: GraphStore) -> None:
    store.load_bundle(group_bundle())
    errors: list[BaseException] = []

    def writer(worker: int) -> None:
        try:
            for i in range(15):
                # every thread writes the same ids (contended) and ids of its own
                store.upsert_person(Person(id=f"shared-{i}", name=f"Shared {i}", company="sub"))
                store.upsert_person(Person(id=f"w{worker}-{i}", name=f"W{worker} {i}", company="grp"))
                store.upsert_tie(tie("am", f"shared-{i}", strength=0.1 + worker / 10))
        except BaseException as err:  # pragma: no cover - reported below
            errors.append(err)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    counts = store.counts()
    assert counts["people"] == 4 + 15 + 6 * 15
    assert counts["ties"] == 7 + 15
    exported = store.export_bundle("grp")
    assert len({p.id for p in exported.people}) == len(exported.people) == counts["people"]


def test_data_version_grows_with_every_write_only(store: GraphStore) -> None:
    start = store.data_version()
    store.load_bundle(group_bundle())
    after_load = store.data_version()
    assert after_load > start
    store.export_bundle("grp")
    store.account_subgraph("grp")
    assert store.data_version() == after_load  # reads change nothing
    with pytest.raises(BundleRejected):
        store.upsert_person(Person(id="z", name="Z", company="nowhere"))
    assert store.data_version() == after_load  # nor does a refused write
    store.end_tie(TieType.KNOWS, "am", "ceo")
    assert store.data_version() > after_load


def test_list_records_filters_and_pages(store: GraphStore) -> None:
    store.load_bundle(group_bundle())
    store.load_bundle(other_account())
    ids = lambda records: [r.id for r in records]  # noqa: E731
    assert ids(store.list_records("person")) == ["ceo", "cfo", "eng", "gm", "x1"]
    assert ids(store.list_records("person", ListFilter(account="grp"))) == ["ceo", "cfo", "eng", "gm"]
    assert ids(store.list_records("person", ListFilter(company="grp"))) == ["ceo", "cfo"]
    assert ids(store.list_records("person", ListFilter(role=Role.DECISION_MAKER))) == ["ceo", "gm"]
    assert ids(store.list_records("person", ListFilter(account="grp", stance=Stance.SUPPORTER))) == ["eng", "gm"]
    assert ids(store.list_records("company", ListFilter(account="grp"))) == ["grp", "sub", "sub2"]
    assert ids(store.list_records("team", ListFilter(account="oth"))) == ["am"]
    assert ids(store.list_records("interaction", ListFilter(account="grp", member="se"))) == ["i2"]
    assert ids(store.list_records("interaction", ListFilter(company="sub2"))) == ["i2"]
    assert ids(store.list_records("risk", ListFilter(account="oth"))) == []
    # keyset pagination walks every record once
    pages, after = [], None
    while True:
        page = store.list_records("person", limit=2, after=after)
        if not page:
            break
        pages.append(ids(page))
        after = (page[-1].id,)
    assert pages == [["ceo", "cfo"], ["eng", "gm"], ["x1"]]
    ties = store.list_records("tie", ListFilter(account="grp", type=TieType.INFLUENCES))
    assert [(t.from_, t.to) for t in ties] == [("eng", "gm"), ("gm", "ceo"), ("x1", "ceo")]
    first = store.list_records("tie", ListFilter(person="am"), limit=2)
    rest = store.list_records("tie", ListFilter(person="am"), after=first[-1].key)
    assert [t.key for t in first + rest] == sorted(t.key for t in store.list_records("tie", ListFilter(person="am")))
    assert len(first + rest) == 4
    with pytest.raises(InvalidArgument, match="cannot be filtered by role"):
        store.list_records("company", ListFilter(role=Role.CHAMPION))


def test_api_keys_are_stored_and_revoked(store: GraphStore) -> None:
    key = ApiKey(
        id="k1", name="ci", role=ApiRole.PLANNER, accounts=["grp"], secret_hash="ab" * 32,
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )  # fmt: skip
    store.save_api_key(key)
    store.save_api_key(key.model_copy(update={"id": "k0", "accounts": []}))
    assert store.get_api_key("k1") == key
    assert [k.id for k in store.list_api_keys()] == ["k0", "k1"]
    revoked = store.revoke_api_key("k1", at=datetime(2026, 2, 1, tzinfo=UTC))
    assert store.get_api_key("k1") == revoked and revoked.revoked_at is not None
    assert store.get_api_key("k0").accounts == []  # type: ignore[union-attr]
    assert store.get_api_key("missing") is None
    with pytest.raises(NotFoundError):
        store.revoke_api_key("missing")


def test_a_refused_document_lists_malformed_fields_and_bad_references_together(store: GraphStore) -> None:
    store.load_bundle(group_bundle())
    raw = {
        "people": [
            {"id": "ok", "name": "Fine", "company": "grp"},
            {"id": "bad", "name": "Bad", "company": "grp", "level": 0},
            {"id": "lost", "name": "Lost", "company": "atlantis"},
        ],
        "ties": [{"from": "ok", "to": "ghost", "type": "influences"}],
    }
    with pytest.raises(BundleRejected) as info:
        store.import_document(raw)
    found = {(i.record, i.index, i.field, i.code) for i in info.value.issues}
    assert found == {
        ("people", 1, "level", "invalid"),
        ("people", 2, "company", "reference"),  # index in the document, not in the valid subset
        ("ties", 0, "to", "reference"),
    }
    with pytest.raises(NotFoundError):
        store.get_person("ok")
    assert store.import_document({"people": [raw["people"][0]]}) == {
        "companies": 0, "people": 1, "team": 0, "ties": 0, "interactions": 0, "risks": 0,
    }  # fmt: skip


def test_a_closed_store_raises_store_error(store: GraphStore) -> None:
    store.load_bundle(group_bundle())
    store.close()
    with pytest.raises(StoreError):
        store.get_company("grp")
    with pytest.raises(StoreError):
        store.upsert_company(Company(id="late", name="Late"))


# ---- people's own dates: when they joined and left the customer company ---------------------------
JOINED, LEFT = date(2025, 1, 1), date(2026, 6, 1)


def dated_people(store: GraphStore) -> None:
    """`new` joined the sub2 company on JOINED and left on LEFT; `rep` reports to her; `t9` knows only her."""
    store.load_bundle(group_bundle())
    store.load_bundle(
        parse_bundle(
            {
                "people": [
                    {"id": "new", "name": "Nina Neu", "company": "sub2", "reports_to": "gm",
                     "since": "2025-01-01", "until": "2026-06-01", "roles": ["influencer"]},
                    {"id": "rep", "name": "Ralf Report", "company": "sub2", "reports_to": "new"},
                ],
                "team": [{"id": "t9", "name": "Tom Nine"}],
                "ties": [
                    {"from": "new", "to": "t9", "type": "knows", "strength": 0.6},
                    {"from": "new", "to": "eng", "type": "influences", "strength": 0.5},
                ],
                "interactions": [
                    {"id": "i-new", "member": "am", "person": "new", "kind": "call", "at": "2025-03-01T10:00:00Z"},
                ],
            }
        )
    )  # fmt: skip


def test_person_dates_round_trip_through_the_store_and_bundles(store: GraphStore, tmp_path: Path) -> None:
    dated_people(store)
    stored = store.get_person("new")
    assert (stored.since, stored.until) == (JOINED, LEFT)
    assert (store.get_person("rep").since, store.get_person("rep").until) == (None, None)
    listed = store.list_records("person", ListFilter(company="sub2"))
    assert [(p.id, p.since, p.until) for p in listed] == [("eng", None, None), ("new", JOINED, LEFT),
                                                          ("rep", None, None)]  # fmt: skip
    exported = store.export_bundle("grp")
    assert next(p for p in exported.people if p.id == "new") == stored
    # JSON and CSV documents carry them and import them again
    write_json(exported, tmp_path / "b.json")
    assert '"since": "2025-01-01"' in (tmp_path / "b.json").read_text(encoding="utf-8")
    write_csv_dir(exported, tmp_path / "csv")
    header, *rows = (tmp_path / "csv" / "people.csv").read_text(encoding="utf-8").splitlines()
    assert header.endswith(",since,until") and any(r.endswith(",2025-01-01,2026-06-01") for r in rows)
    for document in (read_json(tmp_path / "b.json"), read_csv_dir(tmp_path / "csv").raw):
        assert parse_bundle(document) == exported
        store.delete("person", "new")
        store.import_document(document)
        assert store.get_person("new") == stored
        assert store.export_bundle("grp") == exported
    # the change of a date replaces it; clearing it (None) removes it
    store.upsert_person(stored.model_copy(update={"until": date(2026, 7, 1)}))
    assert store.get_person("new").until == date(2026, 7, 1)
    store.upsert_person(stored.model_copy(update={"since": None, "until": None}))
    assert (store.get_person("new").since, store.get_person("new").until) == (None, None)
    # GraphML: a projected person carries her dates
    store.upsert_person(stored)
    to_graphml(store.account_subgraph("grp", as_of=date(2025, 6, 1)), tmp_path / "g.graphml")
    g = nx.read_graphml(tmp_path / "g.graphml")
    assert (g.nodes["new"]["since"], g.nodes["new"]["until"]) == ("2025-01-01", "2026-06-01")
    assert "since" not in g.nodes["rep"]


def test_until_must_be_after_since(store: GraphStore) -> None:
    store.load_bundle(group_bundle())
    before = snapshot(store)
    for until in ("2025-01-01", "2024-12-31"):
        with pytest.raises(BundleRejected) as refused:
            store.import_document(
                {"people": [{"id": "new", "name": "N", "company": "grp", "since": "2025-01-01", "until": until}]}
            )
        assert [(i.record, i.index) for i in refused.value.issues] == [("people", 0)]
        assert "`until`" in refused.value.issues[0].reason and "must be after `since`" in refused.value.issues[0].reason
    assert snapshot(store) == before
    with pytest.raises(ValueError, match="must be after"):
        Person(id="new", name="N", company="grp", since=date(2025, 1, 2), until=date(2025, 1, 1))
    assert Person(id="new", name="N", company="grp", until=date(2025, 1, 1)).until == date(2025, 1, 1)


def test_a_person_is_projected_only_while_at_the_company(store: GraphStore) -> None:
    dated_people(store)

    def on(day: date) -> nx.MultiDiGraph:
        return store.account_subgraph("grp", as_of=day)

    for day in (date(2024, 12, 31), LEFT, date(2026, 10, 1)):  # before she joined; the day she left, and after
        g = on(day)
        assert "new" not in g and "rep" in g, day
        assert not store.get_person("new").present_on(day)
        assert "t9" not in g  # our member knew only her: off the map too
        assert not g.has_edge("rep", "new", "REPORTS_TO") and not any(a == "new" or b == "new" for a, b in g.edges())
        assert "i-new" not in [i["id"] for i in g.graph["interactions"]]
        assert g.has_edge("gm", "ceo", "INFLUENCES")  # the others are unchanged
    for day in (JOINED, date(2025, 6, 1), LEFT - timedelta(days=1)):
        g = on(day)
        assert "new" in g and g.nodes["new"]["kind"] == "person", day
        assert store.get_person("new").present_on(day)
        assert (g.nodes["new"]["since"], g.nodes["new"]["until"]) == ("2025-01-01", "2026-06-01")
        assert g.has_edge("new", "sub2", "WORKS_AT") and g.has_edge("new", "gm", "REPORTS_TO")
        assert g.has_edge("rep", "new", "REPORTS_TO")
        assert g.has_edge("new", "t9", "KNOWS") and g.has_edge("t9", "new", "KNOWS") and g.nodes["t9"]["kind"] == "team"
        assert g.has_edge("new", "eng", "INFLUENCES")
        assert g.nodes["new"]["roles"] == ["influencer"]
    assert "i-new" in [i["id"] for i in on(date(2025, 6, 1)).graph["interactions"]]
    assert "i-new" not in [i["id"] for i in on(JOINED).graph["interactions"]]  # logged later


def test_sqlite_migrations_add_the_person_dates_the_snapshots_and_the_change_log(tmp_path: Path) -> None:
    from accountgraph.graph.sqlite import MIGRATIONS, SCHEMA_VERSION, SqliteStore

    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    for number, migration in enumerate(MIGRATIONS[:4], start=1):  # a store of schema version 4
        conn.executescript(migration)
        conn.execute(f"PRAGMA user_version = {number}")
    conn.execute("INSERT INTO node (id, kind) VALUES ('grp', 'company'), ('p', 'person'), ('t', 'team')")
    conn.execute("INSERT INTO company (id, name) VALUES ('grp', 'Group')")
    conn.execute("INSERT INTO person (id, name, company) VALUES ('p', 'Pia', 'grp')")
    conn.execute("INSERT INTO team_member (id, name, function, email) VALUES ('t', 'Tom', 'other', 't@x.example')")
    conn.execute(
        "INSERT INTO interaction (id, member, person, kind, at, sentiment) VALUES ('i', 't', 'p', 'email', "
        "'2026-01-01T00:00:00Z', 0)"
    )
    conn.commit()
    conn.close()
    with SqliteStore(f"sqlite:///{path}") as store:
        assert store.schema_version() == SCHEMA_VERSION == 9
        tom = store.get_team_member("t")  # migration 8: a member's other addresses, an e-mail's direction
        assert (tom.email, tom.emails, store.get_interaction("i").direction) == ("t@x.example", [], None)
        assert store._conn().execute("SELECT count(*) FROM account_snapshot").fetchone() == (0,)
        old = store.get_person("p")
        assert (old.name, old.since, old.until) == ("Pia", None, None)
        store.upsert_person(old.model_copy(update={"since": JOINED, "until": LEFT}))
        # migration 7: the change feed, which lists the write; migration 9: the change log, which says who made it
        assert store._conn().execute("SELECT kind, id FROM change_feed").fetchall() == [("person", "p")]
        assert [(c.record, c.action, c.account) for c in store.changes()] == [("p", "update", "grp")]
    with SqliteStore(f"sqlite:///{path}") as store:  # opened again: nothing to migrate, the dates kept
        assert (store.get_person("p").since, store.get_person("p").until) == (JOINED, LEFT)
