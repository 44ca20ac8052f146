"""The sentences the services build (a deal's health, a plan's goals and progress, a comparison, the portfolio's
reasons and revenue at risk, the risk report) in both languages, on the Chinese sample account: English is the
`str` itself as it always was, Chinese has none of the English words of the message that built it (`say`,
`said`), in the services' results, the CLI (`--lang zh-CN`) and the API (`Accept-Language`)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from accountgraph import i18n
from accountgraph.graph.store import GraphStore, ListFilter
from accountgraph.i18n import N_, _
from accountgraph.i18n.phrase import Num, Pct, Phrase, Seq, Term, restored, said, say, stored
from accountgraph.ledger import service as ledger
from accountgraph.opportunities import service as deals
from accountgraph.opportunities.health import OpportunityHealth
from accountgraph.opportunities.models import CommitteeMember
from accountgraph.plans.models import PlanProgress
from accountgraph.samples.ledger import DEMO_PRODUCTS, seed_portfolio_ledger
from accountgraph.samples.zh_sample import ZH_ACCOUNT_ID, zh_sample_bundle
from accountgraph.schema.models import ApiRole
from accountgraph.services import alerts, analysis, compare, opportunities, plans, portfolio
from accountgraph.services.scope import Scope
from tests.api.support import api, new_key
from tests.cli.support import invoke
from tests.conftest import sqlite_store

HAN = re.compile(r"[\u4e00-\u9fff]")
ON = date(2026, 12, 1)
DEAL = f"DEMO-{ZH_ACCOUNT_ID}-suzhou"
OP = Scope.operator()


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("service-sentences") / "store.db"  # where `sqlite_store` keeps it


@pytest.fixture(scope="module")
def store(db: Path) -> Iterator[GraphStore]:
    s = sqlite_store(db.parent)
    s.load_bundle(zh_sample_bundle())
    for product in DEMO_PRODUCTS:  # the catalogue the sales are of
        ledger.save_product(s, product)
    seed_portfolio_ledger(s, [ZH_ACCOUNT_ID], ON)
    deciding = [  # the demo deal's committee: the account's people in a decision role, and its opponents
        x.id
        for x in s.list_records("person", ListFilter(account=ZH_ACCOUNT_ID), limit=1000)
        if {"decision_maker", "economic_buyer", "champion", "blocker"} & set(x.roles) or x.stance == "opponent"
    ]
    assert len(deciding) >= 3
    deals.set_committee(s, DEAL, [CommitteeMember(person=x) for x in deciding[:8]])
    try:
        yield s
    finally:
        s.close()


def zh(text: object) -> str:
    with i18n.use("zh_CN"):
        return say(text)


def english_words(phrase: Phrase) -> set[str]:
    """The English words of the messages a phrase was built from (its own and its nested phrases'), without
    their fields."""
    words = set(re.findall(r"[A-Za-z]{3,}", re.sub(r"\{[^}]*\}", "", phrase.message)))
    for value in phrase.fields.values():
        items = value.items if hasattr(value, "items") and isinstance(value.items, tuple) else (value,)  # a Seq
        for item in items:
            if isinstance(item, Phrase):
                words |= english_words(item)
    return words


def assert_said_in_chinese(text: object) -> str:
    """`text` is a Phrase whose English is itself, and whose Chinese holds Han characters and none of its
    messages' English words."""
    assert isinstance(text, Phrase), repr(text)
    assert say(text) == str(text)  # English: the text as it is
    chinese = zh(text)
    assert HAN.search(chinese), chinese
    left = sorted(w for w in english_words(text) if re.search(rf"\b{w}\b", chinese))
    assert not left, (chinese, left)
    return chinese


def test_the_risk_report_in_chinese(store: GraphStore) -> None:
    r = analysis.risk(store, OP, ZH_ACCOUNT_ID, as_of=ON)
    assert r.alerts
    assert str(r.explanation).endswith(f"; {len(r.alerts)} alert" + ("s" if len(r.alerts) != 1 else ""))
    chinese = assert_said_in_chinese(r.explanation)
    assert f"{len(r.alerts)} 条预警" in chinese
    for a in r.alerts:
        text = assert_said_in_chinese(a.message)
        assert r.events[0].company_name in text


def test_a_deals_health_in_chinese(store: GraphStore) -> None:
    h = opportunities.health(store, OP, DEAL, cache=None)
    assert h.risks and h.actions
    assert str(h.explanation).startswith(f"win probability {100 * h.probability:.0f}% by ")
    assert_said_in_chinese(h.explanation)
    for c in h.contributions:
        assert_said_in_chinese(c.statement)
        assert HAN.search(zh(c.label))
    for r in h.risks:
        assert_said_in_chinese(r.description)
    for a in h.actions:
        assert_said_in_chinese(a.description)
    with i18n.use("zh_CN"):
        shown = said(h)
    assert isinstance(shown, OpportunityHealth) and shown.probability == h.probability
    assert shown.explanation == zh(h.explanation) and shown.risks[0].description == zh(h.risks[0].description)
    assert said(h) is h  # English: the result itself


def test_a_plans_goals_and_progress_in_chinese(store: GraphStore) -> None:
    plan = plans.create_plan_from_actions(store, OP, ZH_ACCOUNT_ID, on=ON)
    progress = plans.plan_progress(store, OP, plan.id, on=ON)
    assert progress.goals
    assert_said_in_chinese(progress.explanation)
    assert zh(progress.explanation).startswith(f"{ON.isoformat()} {_zh(progress.status.replace('_', ' '))}：")
    for g in progress.goals:
        assert_said_in_chinese(g.detail)
    for goal in plan.goals:
        generated = goal.model_copy(update={"title": None}).describe()
        assert_said_in_chinese(generated)
    for a in progress.action_progress:
        for flag in a.flags:
            assert_said_in_chinese(flag)
    with i18n.use("zh_CN"):
        shown = said(progress)
    assert isinstance(shown, PlanProgress) and shown.goals[0].detail == zh(progress.goals[0].detail)


def test_an_alert_raised_in_one_language_is_read_in_each_readers(store: GraphStore) -> None:
    """An alert keeps its action and explanation as message and fields, so whoever reads it sees it in
    their language whatever the language of the evaluation that raised it (the alert worker's is English; a
    Chinese evaluation used to keep Chinese text, an English one English text, for every reader)."""
    with i18n.use("zh_CN"):  # the evaluation's language must not matter
        raised = alerts.run(store, OP, account=ZH_ACCOUNT_ID, reference=ON).raised
    assert raised
    records = [alerts.AlertRecord.model_validate(d.data) for d in store.documents.list("alert", ZH_ACCOUNT_ID)]
    assert {r.id for r in records} >= {a.id for a in raised}
    for record in records:
        action = restored(record.phrases["action"])
        assert isinstance(action, Phrase) and str(action) == record.action  # kept in English
        assert not HAN.search(record.action) or HAN.search(record.subject_name), record.action
        assert_said_in_chinese(action)
        explanation = restored(record.phrases["explanation"])
        assert str(explanation) == record.explanation
        assert_said_in_chinese(explanation)
    with i18n.use("en"):
        english = {a.id: a for a in alerts.list_alerts(store, OP, account=ZH_ACCOUNT_ID)}
    with i18n.use("zh_CN"):
        chinese = {a.id: a for a in alerts.list_alerts(store, OP, account=ZH_ACCOUNT_ID)}
    for record in records:
        assert english[record.id].action == record.action
        assert chinese[record.id].action == zh(restored(record.phrases["action"])) != record.action
        assert chinese[record.id].explanation == zh(restored(record.phrases["explanation"]))
    # an alert stored before its phrases were kept (or with a kept form that is not one) shows its text as stored
    old = records[0].model_copy(update={"phrases": {"action": {"message": "{gone}", "fields": {}}}})
    with i18n.use("zh_CN"):
        assert alerts.render(old).action == old.action
        assert alerts.render(old.model_copy(update={"phrases": {}})).action == old.action


def _floats(value: object) -> bool:
    if isinstance(value, dict):
        return any(_floats(v) for v in value.values())
    if isinstance(value, list):
        return any(_floats(v) for v in value)
    return isinstance(value, float)


def test_a_stored_phrase_comes_back_as_it_was() -> None:
    inner = Phrase(N_("{member} asks {via} for an introduction to {person}"), member="M", via="V", person="P")
    phrase = Phrase(
        N_("{actions} of the plan's actions{single}"),
        actions=Seq((Num(1.5, ".1f"), Pct(0.25), Term("supporter", "supporter"), inner, 3, 2.0, True), "; "),
        single="",
    )
    kept = json.loads(json.dumps(stored(phrase)))
    assert not _floats(kept)  # a document keeps no float
    back = restored(kept)
    assert isinstance(back, Phrase) and str(back) == str(phrase) and back.fields == phrase.fields
    assert zh(back) == zh(phrase)
    assert stored("plain text") == "plain text" and restored("plain text") == "plain text"
    assert restored({"message": 3}, "as stored") == "as stored"


def test_a_comparison_in_chinese(store: GraphStore) -> None:
    c = compare.compare(store, OP, ZH_ACCOUNT_ID, date(2025, 1, 1), ON)
    assert str(c.explanation).startswith(f"{ZH_ACCOUNT_ID} from 2025-01-01 to {ON.isoformat()}: coverage ")
    assert_said_in_chinese(c.explanation)


def test_the_portfolio_in_chinese(store: GraphStore) -> None:
    keys = portfolio.key_accounts(store, OP, on=ON)
    reasons = [r for k in keys for r in k.reasons]
    assert reasons
    for reason in reasons:
        assert_said_in_chinese(reason)
    risk = portfolio.revenue_risk(store, OP, on=ON)
    assert_said_in_chinese(risk.explanation)
    for account in risk.accounts:
        assert_said_in_chinese(account.explanation)
        for threat in account.threats:
            assert_said_in_chinese(threat.detail)
    for row in portfolio.attention(store, OP, on=ON):
        assert_said_in_chinese(row.explanation)
        for change in row.changes:
            assert_said_in_chinese(change)
    assert_said_in_chinese(portfolio.value_distribution(store, OP, on=ON).explanation)
    for kpi in portfolio.operating_kpis(store, OP, on=ON).kpis:
        assert zh(kpi.definition) == _zh(str(kpi.definition)) and HAN.search(zh(kpi.definition))


def _zh(message: str) -> str:
    with i18n.use("zh_CN"):
        return _(message)


def test_the_cli_says_them_in_chinese_and_english_as_before(store: GraphStore, db: Path) -> None:
    url = f"sqlite:///{db}"
    h = opportunities.health(store, OP, DEAL, cache=None)
    for args, english in (
        (("opp", "health", DEAL), str(h.risks[0].description)),
        (("risk", ZH_ACCOUNT_ID, "--as-of", ON.isoformat()), "of 100 from"),
        (("portfolio", "risk", "--on", ON.isoformat()), "of next year's revenue at risk"),
    ):
        done = invoke(url, "--lang", "zh-CN", *args)
        assert done.exit_code == 0, done.stderr
        flat = re.sub(r"[\s│┃]+", "", done.stdout)
        assert re.sub(r"\s+", "", english) not in flat
        assert HAN.search(done.stdout)
        plain = invoke(url, *args)
        assert plain.exit_code == 0, plain.stderr
        assert re.sub(r"\s+", "", english) in re.sub(r"[\s│┃]+", "", plain.stdout)
    done = invoke(url, "--lang", "zh-CN", "opp", "health", DEAL)
    assert re.sub(r"\s+", "", zh(h.risks[0].description)) in re.sub(r"[\s│┃]+", "", done.stdout)


def test_the_api_answers_them_in_the_requests_language(store: GraphStore) -> None:
    h = opportunities.health(store, OP, DEAL, cache=None)
    plan = plans.create_plan_from_actions(store, OP, ZH_ACCOUNT_ID, on=ON, id="plan-api")
    progress = plans.plan_progress(store, OP, plan.id, on=ON)
    risk = portfolio.revenue_risk(store, OP, on=ON)
    with api(store) as client:
        viewer = new_key(store, ApiRole.VIEWER)
        for url, field, english in (
            (f"/v1/opportunities/{DEAL}/health", "risks.0.description", h.risks[0].description),
            (f"/v1/plans/{plan.id}/progress?on={ON}", "explanation", progress.explanation),
            (f"/v1/portfolio/risk?on={ON}", "explanation", risk.explanation),
        ):
            plain = client.get(url, headers=viewer)
            assert plain.status_code == 200, plain.text
            assert at(plain.json(), field) == str(english)
            chinese = client.get(url, headers={**viewer, "Accept-Language": "zh-CN,zh;q=0.9"})
            assert chinese.status_code == 200, chinese.text
            assert at(chinese.json(), field) == zh(english) != str(english)


def at(data: Any, dotted: str) -> Any:
    """The value at a dotted path of a JSON answer (`risks.0.description`)."""
    for part in dotted.split("."):
        data = data[int(part)] if isinstance(data, list) else data[part]
    return data
