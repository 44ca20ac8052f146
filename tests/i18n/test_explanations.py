"""The algorithms' sentences (a gap's detail, an action's plan and reasons, a path's explanation, the explanation of
a score) in both languages: English as it always was (the `str` itself, JSON unchanged), Chinese through the
catalog with the fields rendered for it (`accountgraph.i18n.phrase.say` / `said`), in the CLI and in the API
(`Accept-Language`). Each expectation is computed from the result's own fields and the catalog, never pasted."""

from __future__ import annotations

import json
import pickle
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from accountgraph import i18n
from accountgraph.algorithms.results import ActionPlan, Coverage, PathResult, Ranking
from accountgraph.graph.store import GraphStore
from accountgraph.i18n import _
from accountgraph.i18n.glossary import term
from accountgraph.i18n.phrase import Num, Phrase, Seq, Term, said, say
from accountgraph.samples.zh_sample import ZH_ACCOUNT_ID, zh_sample_bundle
from accountgraph.schema.models import ApiRole
from accountgraph.services import analysis
from accountgraph.services.scope import Scope
from tests.api.support import api, new_key
from tests.conftest import sqlite_store

HAN = re.compile(r"[\u4e00-\u9fff]")
ENGLISH_WORDS = re.compile(r"\b(?:of ours|knows|strength|stated|reaches|supporter|ranked|asks|introduction)\b")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GraphStore]:
    s = sqlite_store(tmp_path_factory.mktemp("explanations"))
    s.load_bundle(zh_sample_bundle())
    try:
        yield s
    finally:
        s.close()


@pytest.fixture(scope="module")
def cov(store: GraphStore) -> Coverage:
    return analysis.coverage(store, Scope.operator(), ZH_ACCOUNT_ID)


@pytest.fixture(scope="module")
def plan(store: GraphStore) -> ActionPlan:
    return analysis.actions(store, Scope.operator(), ZH_ACCOUNT_ID)


def zh(text: object) -> str:
    with i18n.use("zh_CN"):
        return say(text)


def test_a_phrase_is_its_english_text_and_keeps_its_message() -> None:
    p = Phrase(
        "{who}: only {member} reaches them (at {strength})",
        who=Phrase("rank {rank}, {roles}", rank=3, roles=Seq((Term("decision_maker", "decision maker"),), ", ")),
        member="王小明",
        strength=Num(0.456),
    )
    assert p == "rank 3, decision maker: only 王小明 reaches them (at 0.46)"
    assert say(p) == str(p) and type(say(p)) is str  # English: the text as it is
    assert pickle.loads(pickle.dumps(p)) == p and pickle.loads(pickle.dumps(p)).fields == p.fields
    with i18n.use("zh_CN"):
        expected = _("{who}: only {member} reaches them (at {strength})").format(
            who=_("rank {rank}, {roles}").format(rank=3, roles=term("decision_maker")), member="王小明", strength="0.46"
        )
        assert say(p) == expected and "决策者" in expected and "王小明" in expected
    assert say("a stored note") == "a stored note" and zh("a stored note") == "a stored note"


def test_plural_phrases_and_numbers_for_the_locale() -> None:
    one, many = Phrase.ngettext("{n} hop", "{n} hops", 1), Phrase.ngettext("{n} hop", "{n} hops", 1234)
    assert (one, many) == ("1 hop", "1234 hops")
    with i18n.use("zh_CN"):
        assert say(many) == i18n.ngettext("{n} hop", "{n} hops", 1234).format(n="1,234")


def test_gap_details_in_both_languages(cov: Coverage) -> None:
    kinds = {g.kind for g in cov.gaps}
    assert {"uncovered_person", "role_without_supporter"} <= kinds
    for gap in cov.gaps:
        assert isinstance(gap.detail, Phrase), gap
        assert say(gap.detail) == gap.detail  # English unchanged
        chinese = zh(gap.detail)
        assert HAN.search(chinese) and not ENGLISH_WORDS.search(chinese), chinese
    role_gap = next(g for g in cov.gaps if g.kind == "role_without_supporter")
    with i18n.use("zh_CN"):
        assert zh(role_gap.detail).startswith(f"{role_gap.detail.fields['n']} 名{term(role_gap.subject)}")
    # a person nobody of ours knows: the rank and the roles said as the glossary says them
    nobody = [g for g in cov.gaps if g.detail.endswith("nobody of ours knows them")]
    assert nobody
    for gap in nobody:
        with i18n.use("zh_CN"):
            who = gap.detail.fields["who"]
            assert say(gap.detail) == say(who) + _("{who}: nobody of ours knows them").format(who="")
            assert say(who).startswith(_("rank {rank}").format(rank=who.fields["rank"]))


def test_coverage_explanation_and_reasons(cov: Coverage) -> None:
    with i18n.use("zh_CN"):
        expected = _(
            "{score} of 100: {covered} of {chain} decision-chain people are known by one of ours "
            "at an effective strength of at least {threshold}, weighted by their rank score"
        ).format(
            score=i18n.number(cov.score, 1),
            covered=i18n.number(cov.covered_count, 0),
            chain=i18n.number(cov.chain_size, 0),
            threshold=i18n.number(cov.threshold, 2),
        )
        assert say(cov.explanation) == expected
    for p in cov.people:
        for why in p.why:
            assert say(why) == why
            assert HAN.search(zh(why)), why


def test_action_plans_and_reasons_in_both_languages(plan: ActionPlan) -> None:
    assert plan.actions
    for a in plan.actions:
        assert say(a.plan) == a.plan and [say(w) for w in a.why] == a.why
        assert HAN.search(zh(a.plan)) and not ENGLISH_WORDS.search(zh(a.plan)), zh(a.plan)
        if a.path is not None and len(a.path.hops) > 1:  # an introduction: who of ours asks whom
            via = "，再经 ".join(h.target_name for h in a.path.hops[:-1])
            with i18n.use("zh_CN"):
                expected = _("{member} asks {via} for an introduction to {person}").format(
                    member=a.path.member_name, via=via, person=a.target_name
                )
            assert zh(a.plan) == expected
    with i18n.use("zh_CN"):
        shown = say(plan.explanation)
        assert shown.startswith(
            i18n.ngettext("{n} action", "{n} actions", len(plan.actions)).format(n=len(plan.actions))
        )
    for c in plan.overloaded:
        assert HAN.search(zh(c.explanation))


def test_path_and_score_explanations(store: GraphStore) -> None:
    ranking: Ranking = analysis.rank(store, Scope.operator(), ZH_ACCOUNT_ID, top=5)
    for p in ranking.people:
        assert say(p.explanation) == p.explanation
        made = p.explanation
        assert isinstance(made, Phrase) and Phrase(made.message, **made.fields) == made  # `known`: the same text
        chinese = zh(p.explanation)
        assert chinese.startswith(f"权威 {i18n.number(p.authority.value, 2)}") and "影响力" in chinese
    found: PathResult = analysis.path(store, Scope.operator(), ZH_ACCOUNT_ID, ranking.people[0].id, k=2)
    assert found.reachable
    for route in found.paths:
        assert HAN.search(zh(route.explanation)) and f"{route.strength:.3f}" in zh(route.explanation)
        for hop in route.hops:
            assert zh(hop.explanation).startswith(zh(hop.explanation.fields["tie"]))
    assert zh(found.reason).startswith("最佳：")


def test_said_leaves_the_json_fields_and_translates_the_sentences(cov: Coverage, plan: ActionPlan) -> None:
    assert said(cov) is cov  # English: the result itself
    with i18n.use("zh_CN"):
        chinese = said(cov)
    assert chinese.score == cov.score and [g.kind for g in chinese.gaps] == [g.kind for g in cov.gaps]
    assert [g.detail for g in chinese.gaps] == [zh(g.detail) for g in cov.gaps]
    assert cov.gaps[0].detail != chinese.gaps[0].detail  # the cached result is left in English
    english = json.loads(cov.model_dump_json())
    assert english["gaps"][0]["detail"] == str(cov.gaps[0].detail)


def test_the_api_follows_accept_language_for_explanations(store: GraphStore, cov: Coverage) -> None:
    with api(store) as client:
        viewer = new_key(store, ApiRole.VIEWER)
        url = f"/v1/accounts/{ZH_ACCOUNT_ID}/coverage"
        english = client.get(url, headers=viewer)
        assert english.status_code == 200
        assert client.get(url, headers={**viewer, "Accept-Language": "en-GB"}).json() == english.json()
        chinese = client.get(url, headers={**viewer, "Accept-Language": "zh-CN,zh;q=0.9"}).json()
        body = english.json()
        assert body["explanation"] == str(cov.explanation) and body["gaps"][0]["detail"] == str(cov.gaps[0].detail)
        assert chinese["explanation"] == zh(cov.explanation)
        assert [g["detail"] for g in chinese["gaps"]] == [zh(g.detail) for g in cov.gaps]
        assert [(g["kind"], g["subject"], g["importance"]) for g in chinese["gaps"]] == [
            (g["kind"], g["subject"], g["importance"]) for g in body["gaps"]
        ]
        acts = client.get(f"/v1/accounts/{ZH_ACCOUNT_ID}/actions", headers={**viewer, "Accept-Language": "zh"})
        assert acts.status_code == 200 and all(HAN.search(a["plan"]) for a in acts.json()["actions"])
        assert all(a["kind"] in ("reach", "reengage", "second_thread") for a in acts.json()["actions"])


def test_the_cli_shows_explanations_in_chinese(tmp_path: Path, cov: Coverage) -> None:
    from tests.cli.support import invoke

    bundle = tmp_path / "zh.json"
    bundle.write_text(zh_sample_bundle().model_dump_json(by_alias=True), encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert invoke(url, "import", str(bundle)).exit_code == 0
    done = invoke(url, "--lang", "zh-CN", "coverage", ZH_ACCOUNT_ID, "--gaps", "3")
    assert done.exit_code == 0, done.stderr
    flat = re.sub(r"[\s│┃]+", "", done.stdout)
    assert re.sub(r"\s+", "", zh(cov.explanation)) in flat
    for gap in cov.gaps[:3]:
        assert re.sub(r"\s+", "", zh(gap.detail))[:20] in flat
