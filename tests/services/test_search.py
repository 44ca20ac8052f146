"""Finding people across accounts (`services.search.find_people`), on both backends: names, titles, e-mails and
company names, accents ignored, Chinese names by pinyin, people sharing a name told apart, a limited scope
finding only its accounts' people, ranking and paging."""

from __future__ import annotations

import pytest

from accountgraph.errors import BadCursor, InvalidArgument
from accountgraph.graph.store import GraphStore
from accountgraph.schema.models import ApiRole, Bundle
from accountgraph.services.analysis import AnalysisCache
from accountgraph.services.scope import Scope
from accountgraph.services.search import find_people

OPERATOR = Scope.operator()
NORD_ONLY = Scope("k1", ApiRole.VIEWER, frozenset({"nord"}))


def two_accounts() -> Bundle:
    """Two accounts; "Nils Jensen" works in both (different companies and titles); Chinese names in one."""
    return Bundle.model_validate(
        {
            "companies": [
                {"id": "nord", "name": "Nordwerk Healthcare Group"},
                {"id": "nord-dk", "name": "Nordwerk Danmark A/S", "parent": "nord"},
                {"id": "kest", "name": "Kestrel Medtech"},
                {"id": "kest-cn", "name": "苏州医疗器械有限公司", "parent": "kest"},
            ],
            "people": [
                {"id": "n1", "name": "Nils Jensen", "company": "nord-dk", "title": "Head of Procurement"},
                {"id": "k1", "name": "Nils Jensen", "company": "kest", "title": "Plant Manager"},
                {
                    "id": "n2",
                    "name": "Emi Satō",
                    "company": "nord",
                    "title": "CFO",
                    "email": "emi.sato@nordwerk.example",
                },
                {"id": "n3", "name": "Anders Nilsen", "company": "nord", "title": "Buyer"},
                {"id": "n4", "name": "Maria García", "company": "nord", "title": "Nils's assistant"},
                {"id": "k2", "name": "王小明", "company": "kest-cn", "title": "总经理"},
                {"id": "k3", "name": "曾晓", "company": "kest-cn", "title": "采购经理"},
                {"id": "k4", "name": "Wang Xiaoming", "company": "kest", "title": "Engineer"},
            ],
        }
    )


@pytest.fixture
def loaded(store: GraphStore) -> GraphStore:
    store.load_bundle(two_accounts())
    return store


def ids(store: GraphStore, q: str, scope: Scope = OPERATOR, **kw: object) -> list[str]:
    return [h.id for h in find_people(store, scope, q, **kw).data]  # type: ignore[arg-type]


def test_people_sharing_a_name_are_told_apart(loaded: GraphStore) -> None:
    hits = find_people(loaded, OPERATOR, "nils jensen").data
    assert [h.id for h in hits] == ["k1", "n1"]  # same name: by id
    by_id = {h.id: h for h in hits}
    assert (by_id["n1"].company, by_id["n1"].company_name, by_id["n1"].account) == (
        "nord-dk",
        "Nordwerk Danmark A/S",
        "nord",
    )
    assert by_id["n1"].title == "Head of Procurement" and by_id["n1"].account_name == "Nordwerk Healthcare Group"
    assert (by_id["k1"].company, by_id["k1"].account, by_id["k1"].title) == ("kest", "kest", "Plant Manager")
    assert all(h.matched == "name" and h.how == "exact" and h.present for h in hits)


def test_ranking_exact_prefix_contains_then_other_fields(loaded: GraphStore) -> None:
    hits = find_people(loaded, OPERATOR, "nils").data
    # prefix of a name (both Nils Jensen), inside a name (Anders Nilsen), then a title (the assistant)
    assert [(h.id, h.how, h.matched) for h in hits] == [
        ("k1", "prefix", "name"),
        ("n1", "prefix", "name"),
        ("n3", "prefix", "name"),
        ("n4", "contains", "title"),
    ]
    assert ids(loaded, "ILSEN") == ["n3"]
    assert [(h.id, h.how) for h in find_people(loaded, OPERATOR, "lsen").data] == [("n3", "contains")]


def test_case_and_accents_are_ignored(loaded: GraphStore) -> None:
    assert ids(loaded, "sato") == ids(loaded, "SATŌ") == ["n2"]
    assert ids(loaded, "garcia") == ["n4"]


def test_title_email_and_company_name(loaded: GraphStore) -> None:
    procurement = find_people(loaded, OPERATOR, "procurement").data
    assert [(h.id, h.matched) for h in procurement] == [("n1", "title")]
    assert [(h.id, h.matched) for h in find_people(loaded, OPERATOR, "emi.sato@").data] == [("n2", "email")]
    danmark = find_people(loaded, OPERATOR, "danmark").data
    assert [(h.id, h.matched) for h in danmark] == [("n1", "company")]
    assert sorted(ids(loaded, "苏州医疗")) == ["k2", "k3"]
    assert ids(loaded, "总经理") == ["k2"]


@pytest.mark.parametrize("q", ["wangxiaoming", "wangxm", "wxm", "WXM", "wang xiao ming", "xiaoming", "wangx"])
def test_chinese_names_by_pinyin(loaded: GraphStore, q: str) -> None:
    hits = find_people(loaded, OPERATOR, q).data
    pinyin = [h.id for h in hits if h.how == "pinyin"]
    assert pinyin == ["k2"]


def test_pinyin_ranks_after_written_names(loaded: GraphStore) -> None:
    # "Wang Xiaoming" written in letters matches by name; 王小明 by pinyin, after it
    assert [(h.id, h.how) for h in find_people(loaded, OPERATOR, "wang xiaoming").data] == [
        ("k4", "exact"),
        ("k2", "pinyin"),
    ]
    assert ids(loaded, "wxm") == ["k2"]
    assert ids(loaded, "wm") == []  # initials must be consecutive characters
    assert ids(loaded, "wangxiaomingg") == []


def test_a_polyphonic_family_name_is_found_by_each_reading(loaded: GraphStore) -> None:
    assert ids(loaded, "zengxiao") == ["k3"]
    assert ids(loaded, "zx") == ["k3"]


def test_a_limited_scope_finds_only_its_accounts_people(loaded: GraphStore) -> None:
    assert ids(loaded, "nils jensen", NORD_ONLY) == ["n1"]
    assert ids(loaded, "wxm", NORD_ONLY) == []
    assert ids(loaded, "kestrel", NORD_ONLY) == []
    assert ids(loaded, "plant manager", NORD_ONLY) == []
    assert {h.account for h in find_people(loaded, NORD_ONLY, "n", limit=1000).data} == {"nord"}


def test_paging_walks_the_ranked_list_once(loaded: GraphStore) -> None:
    whole = ids(loaded, "n", limit=1000)
    assert len(whole) >= 5
    seen: list[str] = []
    cursor = None
    while True:
        page = find_people(loaded, OPERATOR, "n", limit=2, cursor=cursor)
        assert page.count == len(page.data) <= 2
        seen += [h.id for h in page.data]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == whole


def test_the_cache_is_refreshed_by_a_write(loaded: GraphStore) -> None:
    cache = AnalysisCache()
    assert ids(loaded, "nils jensen", cache=cache) == ["k1", "n1"]
    loaded.load_bundle(Bundle.model_validate({"people": [{"id": "n9", "name": "Nils Jensen", "company": "nord"}]}))
    assert ids(loaded, "nils jensen", cache=cache) == ["k1", "n1", "n9"]


@pytest.mark.parametrize("q", ["", "   ", "x" * 201])
def test_a_bad_query_is_refused(loaded: GraphStore, q: str) -> None:
    with pytest.raises(InvalidArgument) as refused:
        find_people(loaded, OPERATOR, q)
    assert refused.value.field == "q"


def test_a_bad_cursor_or_limit_is_refused(loaded: GraphStore) -> None:
    with pytest.raises(BadCursor):
        find_people(loaded, OPERATOR, "nils", cursor="!!")
    with pytest.raises(InvalidArgument):
        find_people(loaded, OPERATOR, "nils", limit=0)
