"""The catalog: every message marked in the code has its Chinese translation with the same format fields, the
template is what the code marks today, the glossary's words are the catalog's, and the language choice."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from accountgraph import i18n
from accountgraph.i18n.glossary import TERMS, joined, term

REPO = Path(__file__).resolve().parents[2]
PO = REPO / "accountgraph/i18n/locale/zh_CN/LC_MESSAGES/accountgraph.po"
POT = REPO / "accountgraph/i18n/locale/accountgraph.pot"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}  # babel.cfg's, as the README's `pybabel extract` gives them


def marked() -> set[str | tuple[str, ...]]:
    """Every message the code marks (`_`, `N_`, `ngettext`), read by Babel's extractor."""
    found: set[str | tuple[str, ...]] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(REPO / "accountgraph"), method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        found.add(message if isinstance(message, str) else tuple(message))
    return found


def catalog(path: Path) -> Catalog:
    with path.open("rb") as f:
        return read_po(f)


def fields(text: str) -> list[str]:
    """The format fields of a message, sorted (`{account}`, `{n}`)."""
    return sorted(name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None)


def key(message_id: str | tuple[str, ...] | list[str]) -> str | tuple[str, ...]:
    return message_id if isinstance(message_id, str) else tuple(message_id)


def test_every_marked_message_has_a_chinese_translation() -> None:
    code = marked()
    assert len(code) > 50
    zh = {key(m.id): m for m in catalog(PO) if m.id}
    missing = sorted(map(str, code - set(zh)))
    assert not missing, f"not in the zh_CN catalog (run pybabel extract and update, README 'Languages'): {missing}"
    for message_id in code:
        m = zh[message_id]
        strings = [m.string] if isinstance(m.string, str) else list(m.string)
        assert all(s.strip() for s in strings), f"untranslated: {message_id!r}"
        assert not m.fuzzy, f"fuzzy: {message_id!r}"


def test_no_stale_messages_and_the_template_is_current() -> None:
    code = marked()
    assert {key(m.id) for m in catalog(PO) if m.id} == code, "the catalog holds messages the code no longer marks"
    assert {key(m.id) for m in catalog(POT) if m.id} == code, "the template is stale: run pybabel extract"


def test_format_fields_match_between_message_and_translation() -> None:
    for m in catalog(PO):
        if not m.id:
            continue
        ids = [m.id] if isinstance(m.id, str) else list(m.id)
        strings = [m.string] if isinstance(m.string, str) else list(m.string)
        for s in strings:
            assert fields(s) == fields(ids[-1]), (m.id, s)
        assert fields(ids[0]) == fields(ids[-1]), m.id
        assert "%" not in "".join(strings) or "%" in "".join(ids), m.id  # no printf fields sneak in


def test_the_catalog_compiles_and_translates() -> None:
    t = i18n.translations("zh_CN")
    assert t.gettext("coverage of {account}: {score} / 100") == "{account} 的覆盖度：{score} / 100"
    assert t.ngettext("{n} single thread", "{n} single threads", 5) == "{n} 条单线联系"
    assert i18n.translations("en").gettext("by role") == "by role"
    # Babel's checks, as `pybabel compile` (the README's check after translating) runs them: no errors
    problems = [(m.id, [str(e) for e in errors]) for m, errors in catalog(PO).check() if errors]
    assert problems == []


GLOSSARY = {
    "power map": "权力地图",
    "customer tree": "客户树",
    "decision chain": "决策链",
    "key relationship": "关键客户关系",
    "broad relationship": "普遍客户关系",
    "organisational relationship": "组织客户关系",
    "iron triangle": "铁三角",
    "account manager": "客户经理",
    "solution expert": "解决方案专家",
    "delivery manager": "交付经理",
    "coverage": "覆盖度",
    "warm path": "引荐路径",
    "supporter": "支持者",
    "neutral": "中立",
    "opponent": "反对者",
    "unknown": "未知",
    "decision maker": "决策者",
    "economic buyer": "经济决策者",
    "technical evaluator": "技术评估者",
    "champion": "内线",
    "user": "使用者",
    "key people": "关键人物",
    "next best action": "下一步最佳行动",
    "gap": "缺口",
}


def test_the_glossary_document_and_the_catalog_agree() -> None:
    doc = (REPO / "docs/glossary.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| ([^|]+?) \| ([^|]+?) \|", doc, flags=re.MULTILINE))
    for english, chinese in GLOSSARY.items():
        assert rows.get(english) == chinese, english
    zh = {m.id: m.string for m in catalog(PO) if isinstance(m.id, str)}
    for words in TERMS.values():  # every glossary word the code shows is translated as the document says
        if words in rows:
            assert zh[words] == rows[words], words
    catalog_text = PO.read_text(encoding="utf-8")
    for chinese in ("覆盖度", "引荐路径", "关键人物", "下一步最佳行动", "缺口", "决策链"):
        assert chinese in catalog_text, chinese


def test_terms_keep_english_as_stored_and_translate_in_chinese() -> None:
    assert term("decision_maker") == "decision_maker" and term("single_threaded", "single threaded") == (
        "single threaded"
    )
    assert joined(["a", "b"]) == "a, b"
    with i18n.use("zh_CN"):
        assert term("decision_maker") == "决策者"
        assert term("not a term") == "not a term"
        assert joined(["a", "b"]) == "a、b"
    assert i18n.current() == "en"


@pytest.mark.parametrize(
    ("tag", "lang"),
    [("zh-CN", "zh_CN"), ("zh", "zh_CN"), ("zh-Hans", "zh_CN"), ("zh_CN.UTF-8", "zh_CN"), ("en", "en"), ("", "en")],
)
def test_language_tags(tag: str, lang: str) -> None:
    assert i18n.language(tag) == lang


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown language"):
        i18n.language("klingon-x-1")
    with pytest.raises(ValueError, match="unsupported language"):
        i18n.language("fr")


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        (None, "en"),
        ("", "en"),
        ("zh-CN", "zh_CN"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh_CN"),
        ("zh-Hans", "zh_CN"),
        ("zh", "zh_CN"),
        ("en-US,en;q=0.9,zh-CN;q=0.5", "en"),
        ("zh-CN;q=0.4, en;q=0.9", "en"),
        ("fr-FR, zh;q=0.5", "zh_CN"),
        ("de-DE", "en"),
        ("zh-CN;q=0", "en"),
    ],
)
def test_accept_language_negotiation(header: str | None, lang: str) -> None:
    assert i18n.negotiate(header) == lang


def test_numbers_for_the_locale() -> None:
    assert i18n.number(1234.5, 1) == "1234.5" and i18n.percent(0.25) == "25%"  # English: the code's own format
    with i18n.use("zh_CN"):
        assert i18n.number(1234.5, 1) == "1,234.5"
        assert i18n.number(0.8536, 3) == "0.854"
        assert i18n.percent(0.25) == "25%"


def test_the_catalog_ships_as_package_data() -> None:
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert '"i18n/locale/*/LC_MESSAGES/*.po"' in text and '"babel>=' in text
