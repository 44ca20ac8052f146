"""The analysis commands in Chinese (`--lang zh-CN`, `ACCOUNTGRAPH_LANG`) on the Chinese sample account, read back;
English stays the default and unchanged."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from accountgraph import i18n
from accountgraph.cli import app
from accountgraph.graph.store import GraphStore
from accountgraph.samples.zh_sample import ZH_ACCOUNT_ID, ZH_NAME, zh_sample_bundle
from tests.cli.support import env_of, invoke, run_process


@pytest.fixture(scope="module")
def store_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("zh")
    path = folder / "huakang.json"
    path.write_text(zh_sample_bundle().model_dump_json(by_alias=True), encoding="utf-8")
    url = f"sqlite:///{folder / 'cli.db'}"
    done = invoke(url, "import", str(path))
    assert done.exit_code == 0, done.stderr
    return url


def ok(done: Result) -> str:
    assert done.exit_code == 0, done.stderr
    assert "Traceback" not in done.stderr
    return done.stdout


def in_chinese(store_url: str, *args: str) -> str:
    return ok(invoke(store_url, "--lang", "zh-CN", *args))


def test_rank_in_chinese(store_url: str) -> None:
    out = in_chinese(store_url, "rank", ZH_ACCOUNT_ID, "--top", "5")
    assert f"{ZH_ACCOUNT_ID} 的关键人物（截至 " in out
    for header in ("编号", "姓名", "公司", "职务", "得分", "权威", "影响力", "桥梁作用", "决策角色", "立场"):
        assert header in out, header
    assert "李志强" in out and "总裁" in out and ZH_NAME in out  # the names and titles verbatim
    assert "决策者、经济决策者" in out  # the roles through the glossary, joined by 、
    assert "0.854" in out and "得分 = 0.40·权威 + 0.35·影响力 + 0.25·桥梁作用；PageRank 经" in out
    assert "key people of" not in out and "authority" not in out


def test_coverage_in_chinese(store_url: str) -> None:
    out = in_chinese(store_url, "coverage", ZH_ACCOUNT_ID, "--gaps", "5")
    assert f"{ZH_ACCOUNT_ID} 的覆盖度：" in out and " / 100" in out
    assert "名决策链成员未覆盖" in out and "条单线联系（仅有一名我方成员联系）" in out
    for title in ("按关系层级", "按决策角色", "按公司（最大的 10 家）", "按部门（最大的 10 个）", "缺口（共 "):
        assert title in out, title
    for words in ("关键客户关系", "组织客户关系", "普遍客户关系", "人数", "已覆盖", "类型", "对象", "重要性"):
        assert words in out, words
    assert "华康影像设备有限公司" in out and "财务部" in out
    assert "by layer" not in out and "gaps (" not in out


def test_path_in_chinese(store_url: str) -> None:
    out = in_chinese(store_url, "path", ZH_ACCOUNT_ID, "--to", "huakang-p02", "-k", "2", "--avoid-opponents")
    assert f"{ZH_ACCOUNT_ID} 中从 我方团队 到 李志强（huakang-p02）的引荐路径" in out
    assert "引荐路径 1：" in out and "可发起人：" in out and "已从路径中排除：" in out
    for header in ("从", "关系", "到", "强度", "原因"):
        assert header in out, header
    assert "paths from" not in out and "can start it" not in out


def test_actions_in_chinese_through_the_environment(store_url: str) -> None:
    env = {**env_of(store_url), "ACCOUNTGRAPH_LANG": "zh"}
    done = CliRunner().invoke(app, ["actions", ZH_ACCOUNT_ID], env=env, catch_exceptions=False)
    out = ok(done)
    assert f"{ZH_ACCOUNT_ID} 的下一步最佳行动（覆盖度 " in out
    for header in ("类型", "目标", "我方负责人", "覆盖增益", "成功率", "预期增益", "计划", "原因", "过载的联系人（"):
        assert header in out, header
    assert "建立接触" in out  # the action's kind through the glossary
    assert "next best actions" not in out


def test_the_option_wins_over_the_environment(store_url: str) -> None:
    env = {**env_of(store_url), "ACCOUNTGRAPH_LANG": "zh-CN"}
    done = CliRunner().invoke(app, ["--lang", "en", "coverage", ZH_ACCOUNT_ID], env=env, catch_exceptions=False)
    assert f"coverage of {ZH_ACCOUNT_ID}: " in ok(done)


def test_english_is_the_default_and_unchanged(store_url: str) -> None:
    for command in (
        ["rank", ZH_ACCOUNT_ID],
        ["coverage", ZH_ACCOUNT_ID],
        ["path", ZH_ACCOUNT_ID, "--to", "huakang-p02"],
        ["actions", ZH_ACCOUNT_ID],
    ):
        default = ok(invoke(store_url, *command))
        assert ok(invoke(store_url, "--lang", "en", *command)) == default, command
        assert not any(w in default for w in ("关键人物", "覆盖度", "引荐路径", "下一步最佳行动", "编号", "原因"))
    rank = ok(invoke(store_url, "rank", ZH_ACCOUNT_ID))
    assert f"key people of {ZH_ACCOUNT_ID} (as of " in rank and "decision_maker, economic_buyer" in rank
    assert "score = 0.40·authority + 0.35·influence + 0.25·brokerage; PageRank converged in" in rank


def test_the_json_does_not_change_with_the_language(store_url: str) -> None:
    english = ok(invoke(store_url, "coverage", ZH_ACCOUNT_ID, "--json"))
    assert ok(invoke(store_url, "--lang", "zh-CN", "coverage", ZH_ACCOUNT_ID, "--json")) == english


def test_an_unknown_language_is_an_error_not_a_traceback(store_url: str) -> None:
    done = invoke(store_url, "--lang", "xx-nope", "rank", ZH_ACCOUNT_ID)
    assert done.exit_code == 1 and "unknown language 'xx-nope'" in done.stderr and "Traceback" not in done.stderr


def test_a_real_process_in_chinese(tmp_path: Path) -> None:
    path = tmp_path / "huakang.json"
    path.write_text(zh_sample_bundle().model_dump_json(by_alias=True), encoding="utf-8")
    assert run_process(tmp_path, "import", str(path)).returncode == 0
    done = run_process(tmp_path, "--lang", "zh-CN", "coverage", ZH_ACCOUNT_ID)
    assert done.returncode == 0, done.stderr
    assert f"{ZH_ACCOUNT_ID} 的覆盖度：" in done.stdout and "按决策角色" in done.stdout


_COMMAND = re.compile(r"`[^`]*`|accountgraph [a-z-]+(?: [\w-]+)*|(?:file|https?|sqlite):/+\S+|curl .*")
"""What a line of the demo may hold in Latin letters besides ids: commands, URLs, files."""
_ENGLISH = re.compile(r"[A-Za-z]{2,}(?:[ ,;:'’]+[A-Za-z]{2,})+")
"""Two English words in a row: a sentence (or part of one) left in English."""


def test_the_demo_in_chinese_end_to_end(tmp_path: Path) -> None:
    """`ACCOUNTGRAPH_LANG=zh-CN accountgraph demo`: the Chinese sample account analysed, every line of the demo in
    Chinese (its own lines, the tables, the explanations); no English sentence left, only ids, names, commands."""
    done = run_process(
        tmp_path, "demo", "--views", str(tmp_path / "views"), "--no-serve", env={"ACCOUNTGRAPH_LANG": "zh-CN"}
    )
    assert done.returncode == 0, done.stderr
    out, err = done.stdout, done.stderr
    assert "已加载中文示例客户：公司数 6、人数 56" in err and "已加载示例客户：" in err and "已加载数据集 " in err
    assert f"{ZH_ACCOUNT_ID} 的关键人物（截至 " in out and f"{ZH_ACCOUNT_ID} 的覆盖度：" in out
    assert "李志强" in out and "华康影像设备有限公司" in out  # the Chinese sample's people and companies
    assert "通往排名最高的未覆盖决策者 " in out and "引荐路径 1：" in out
    assert f"{ZH_ACCOUNT_ID} 的回款情况（EUR）：已开票 " in out
    assert "商机 苏州工厂影像平台升级（DEMO-huakang-suzhou，propose）：赢单概率 " in out
    assert "（据此建立跟踪计划：accountgraph plan from-opportunity DEMO-huakang-suzhou）" in out
    assert "视图已写入：" in out and "（英文示例客户，medtech）" in out and "工作台：运行 `accountgraph serve" in out
    for line in (out + err).splitlines():
        left = _COMMAND.sub(" ", line)
        assert not _ENGLISH.search(left), line
    assert "华康医疗集团" in (tmp_path / "views" / f"{ZH_ACCOUNT_ID}-power-map.html").read_text(encoding="utf-8")
    assert (tmp_path / "views" / f"{ZH_ACCOUNT_ID}-tree.html").exists()
    assert (tmp_path / "views" / "DEMO-huakang-suzhou-committee.html").exists()
    assert (tmp_path / "views" / "medtech-power-map.html").exists()


def test_a_services_error_in_chinese_and_in_english(store_url: str) -> None:
    """An error a service raises (an empty query, a bad cursor) in the chosen language on stderr; English as it
    was, byte for byte."""
    english = invoke(store_url, "find", " ")
    assert english.exit_code == 1
    assert " ".join(english.stderr.split()) == (
        "error: the query is empty: give a name, title, e-mail or company to look for"
    )
    chinese = invoke(store_url, "--lang", "zh-CN", "find", " ")
    assert chinese.exit_code == 1 and "Traceback" not in chinese.stderr
    assert " ".join(chinese.stderr.split()) == "错误： 查询为空：请输入要查找的姓名、职务、电子邮件或公司"
    cursor = invoke(store_url, "--lang", "zh-CN", "find", "wang", "--cursor", "bm90LWpzb24")
    assert cursor.exit_code == 1 and "游标无效：请原样传入上一页的 `next_cursor`" in cursor.stderr
    missing = invoke(store_url, "--lang", "zh-CN", "plan", "show", "nowhere")
    assert missing.exit_code == 1 and "未找到计划 'nowhere'" in missing.stderr and "not found" not in missing.stderr


def test_a_fields_reason_in_chinese_on_import(store_url: str, tmp_path: Path) -> None:
    """A refused bundle's reasons (pydantic's and the record rules') in the chosen language; nothing written."""
    path = tmp_path / "bad.json"
    path.write_text('{"companies": [{"id": "q1", "name": ""}, {"id": "q2", "name": "Q", "parent": " p"}]}')
    english = invoke(store_url, "import", str(path))
    assert english.exit_code == 1
    assert "String should have at least 1 character" in english.stderr
    assert "must not start or end with whitespace" in english.stderr
    chinese = invoke(store_url, "--lang", "zh-CN", "import", str(path))
    assert chinese.exit_code == 1 and "Traceback" not in chinese.stderr
    assert "至少应有 1 个字符" in chinese.stderr and "开头和结尾不能有空白" in chinese.stderr
    assert "String should" not in chinese.stderr and "whitespace" not in chinese.stderr
    assert ok(invoke(store_url, "find", "q1")).count("q1") == 0  # nothing was written


def test_a_run_in_chinese_leaves_the_callers_language_as_it_was(store_url: str) -> None:
    in_chinese(store_url, "rank", ZH_ACCOUNT_ID, "--top", "1")
    assert i18n.current() == "en"


# ---- the other commands in Chinese: headings and messages computed from the same services ----------------------


def _open(store_url: str) -> Iterator[GraphStore]:
    from accountgraph.graph.settings import open_store

    s = open_store(store_url)
    try:
        yield s
    finally:
        s.close()


def test_whatif_and_risk_in_chinese(store_url: str) -> None:
    from accountgraph.services import analysis, records
    from accountgraph.services.scope import Scope

    for s in _open(store_url):
        member = records.list_records(s, Scope.operator(), "team", {}).data[0].id
        w = analysis.whatif(s, Scope.operator(), ZH_ACCOUNT_ID, member)
        r = analysis.risk(s, Scope.operator(), ZH_ACCOUNT_ID)
    out = "".join(in_chinese(store_url, "whatif", ZH_ACCOUNT_ID, "--remove", member).split())  # titles wrap
    assert f"将失去所有路径的人员（{len(w.lost_people)}人）" in out and "without" not in out
    assert f"不再被覆盖的决策链成员（{len(w.newly_uncovered)}人）" in out and "单点故障（关节人物）" in out
    out = "".join(in_chinese(store_url, "risk", ZH_ACCOUNT_ID).split())
    with i18n.use("zh_CN"):
        assert f"{ZH_ACCOUNT_ID}的风险：{i18n.number(r.score, 1)}/100" in out
    assert f"预警（{len(r.alerts)}条）" in out and "严重程度" in out and "peoplewewouldlose" not in out


def test_find_records_and_info_in_chinese(store_url: str) -> None:
    from accountgraph.services import records
    from accountgraph.services.scope import Scope
    from accountgraph.services.search import find_people

    for s in _open(store_url):
        found = find_people(s, Scope.operator(), "王")
        companies = records.list_records(s, Scope.operator(), "company", {}, limit=100)
        counts = s.counts()
    out = in_chinese(store_url, "find", "王")
    assert f"{found.count} 人" in out and "匹配字段" in out and "姓名" in out
    out = in_chinese(store_url, "company", "list")
    assert f"公司记录（{companies.count} 条）" in out and "上级公司" in out and "行业" in out
    out = in_chinese(store_url, "info")
    assert "存储 sqlite:///" in out and "关系（含已结束）" in out and str(counts["people"]) in out
    assert "ties (ended too)" not in out and "records (" not in out
    english = ok(invoke(store_url, "company", "list"))
    assert f"company records ({companies.count})" in english and "parent" in english


def test_errors_in_chinese_and_english(store_url: str) -> None:
    done = invoke(store_url, "--lang", "zh-CN", "plan", "show", "nowhere")
    assert done.exit_code == 1 and done.stderr.startswith("错误：") and "Traceback" not in done.stderr
    english = invoke(store_url, "plan", "show", "nowhere")
    assert english.exit_code == 1 and english.stderr.startswith("error:")
    bad_day = invoke(store_url, "--lang", "zh-CN", "alerts", "run", "--on", "2026-13-40")
    assert bad_day.exit_code != 0 and "Traceback" not in bad_day.stderr


def test_money_is_grouped_for_the_locale() -> None:
    from decimal import Decimal

    from accountgraph.cli.common import money

    assert money(Decimal("1662000"), "EUR") == "1662000.00 EUR"  # English as it always was
    with i18n.use("zh_CN"):
        assert money(Decimal("1662000"), "EUR") == "1,662,000.00 EUR"
        assert money(Decimal("1662000.125"), "EUR") == "1,662,000.125 EUR"  # never rounded
        assert money(Decimal("500"), "JPY") == "500 JPY"


def test_deals_alert_rules_and_portfolio_in_chinese(store_url: str) -> None:
    from accountgraph.services import alerts
    from accountgraph.services.portfolio import key_accounts
    from accountgraph.services.scope import Scope

    for s in _open(store_url):
        rules = alerts.list_rules(s, Scope.operator(), None)
        keys = key_accounts(s, Scope.operator())
    out = in_chinese(store_url, "opp", "list")
    assert "商机（0 个）" in out and "预计成交" in out and "opportunities (" not in out
    out = in_chinese(store_url, "alerts", "rules")
    assert "预警规则" in out and "严重程度" in out
    assert all(name in out for name in rules)
    with i18n.use("zh_CN"):
        assert out.count(f" {i18n._('on')} ") == sum(p.enabled for p in rules.values())
    out = in_chinese(store_url, "portfolio", "keys")
    assert "大客户" in out and "收入（12 个月）" in out and "key accounts" not in out
    assert keys and all(k.account in out and str(k.grade) in out for k in keys)
