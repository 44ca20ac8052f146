"""Finding people across accounts: by name, title, e-mail and company name, and Chinese names by pinyin.

`find_people(store, scope, q)` looks through every account the scope sees (a key limited to one account finds
only that account's people; the others' are never read into an answer). Matching is case-insensitive and
accent-insensitive (`sato` finds `Emi Satō`, `muller` finds `Müller`); a name in Chinese characters is also
found by its pinyin, in full, by initials or mixed (`wangxiaoming`, `wangxm`, `wxm` and `xiaoming` find 王小明;
a polyphonic family name by each of its readings, 曾 as `zeng` or `ceng`).

Hits are ranked: the name exactly, the name starting with the query, one of its later words starting with it, the
name holding it, the name's pinyin, then the other fields (title, e-mail, company name); within a rank by name,
then id. Each hit
carries the person's company, title and account, and what matched, so that people sharing a name are told
apart. The list is paged (`services.paging`): the cursor is the last hit's place in that order.

The people and companies are read once per store data version when the caller hands an `AnalysisCache` (the
API's app, the workspace, one CLI run); a write to the store makes the next search read them afresh.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from accountgraph.errors import InvalidArgument
from accountgraph.graph.store import GraphStore, ListFilter
from accountgraph.i18n import N_
from accountgraph.i18n.phrase import Phrase
from accountgraph.schema.models import ApiRole, Company, Person, today
from accountgraph.services.analysis import AnalysisCache
from accountgraph.services.paging import Page, decode_cursor, page_of
from accountgraph.services.scope import Scope

__all__ = ["MAX_QUERY", "PersonHit", "find_people", "fold", "pinyin_matches", "syllables"]

MAX_QUERY = 200
"""The longest query taken (characters)."""
_PAGE = 1000

Matched = Literal["name", "title", "email", "company"]
How = Literal["exact", "prefix", "contains", "pinyin"]


class PersonHit(BaseModel):
    """One person found: who they are, where they work, and what matched the query."""

    id: str = Field(description="the person's id")
    name: str
    title: str | None = None
    company: str = Field(description="the id of the person's company")
    company_name: str
    account: str = Field(description="the account (root company id) the person belongs to")
    account_name: str
    email: str | None = None
    present: bool = Field(description="at the company today (false: left, or not joined yet)")
    matched: Matched = Field(description="the field that matched: name, title, email or company (its name)")
    how: How = Field(description="how: the whole name, its start (or a word's), inside it, or its pinyin")


# ---- text ----------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Text as it is compared: accents dropped, case folded, runs of spaces made one (`Satō` -> `sato`)."""
    if text.isascii():
        return " ".join(text.lower().split())
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(unicodedata.normalize("NFKC", bare).casefold().split())


_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_PINYIN_QUERY = re.compile(r"[a-z]+")
_SEPARATORS = re.compile(r"[\s'’-]+")


@functools.lru_cache(maxsize=65536)
def syllables(name: str) -> tuple[tuple[str, ...], ...]:
    """The pinyin of the Chinese characters in a name, one tuple of readings per character (empty without any):
    the reading in context (pypinyin's phrase data), and for the family name (the first character) every
    reading (曾: `zeng`, `ceng`). A pure function of the name, remembered."""
    chars = _HAN.findall(name)
    if not chars:
        return ()
    from pypinyin import Style, lazy_pinyin, pinyin

    hanzi = "".join(chars)
    readings = [[r] for r in lazy_pinyin(hanzi, style=Style.NORMAL, errors="ignore")]
    if len(readings) != len(chars):  # pypinyin gave no reading for a rare character: no pinyin match
        return ()
    family = pinyin(chars[0], style=Style.NORMAL, heteronym=True)[0]
    readings[0] += [r for r in family if r not in readings[0]]
    return tuple(tuple(r.lower() for r in rs) for rs in readings)


def pinyin_matches(query: str, readings: tuple[tuple[str, ...], ...]) -> bool:
    """True when `query` (lower-case letters) spells consecutive characters of the name, each by the start of one
    of its readings: full pinyin, initials or a mix (`wangxiaoming`, `wxm`, `wangxm`, `xiaoming` for 王小明)."""
    if not query or not readings:
        return False

    @functools.cache
    def rest(at: int, char: int) -> bool:
        if at == len(query):
            return True
        if char == len(readings):
            return False
        return any(
            query.startswith(reading[:n], at) and rest(at + n, char + 1)
            for reading in readings[char]
            for n in range(len(reading), 0, -1)
        )

    return any(rest(0, start) for start in range(len(readings)))


# ---- the index ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Entry:
    person: Person
    company: Company
    account: Company
    name: str  # folded
    words: tuple[str, ...]
    title: str
    email: str
    company_name: str
    readings: tuple[tuple[str, ...], ...]
    text: str  # the folded fields, one a line
    initials: str  # the first letters of the pinyin readings (a pinyin query starts with one of them)


def _read_all(store: GraphStore, kind: str) -> list[object]:
    rows: list[object] = []
    after: tuple[str, ...] | None = None
    while True:
        page = store.list_records(kind, ListFilter(), limit=_PAGE, after=after)
        rows.extend(page)
        if len(page) < _PAGE:
            return rows
        after = (str(page[-1].id),)


def _index(store: GraphStore) -> list[_Entry]:
    """Every person of the store with what is compared, each with their company and account."""
    companies = {c.id: c for c in _read_all(store, "company") if isinstance(c, Company)}

    @functools.cache
    def root(company_id: str) -> Company:
        seen: set[str] = set()
        node = companies[company_id]
        while node.parent is not None and node.parent in companies and node.id not in seen:
            seen.add(node.id)
            node = companies[node.parent]
        return node

    entries = []
    for p in _read_all(store, "person"):
        if not isinstance(p, Person) or p.company not in companies:
            continue
        company = companies[p.company]
        name, title, email, company_name = fold(p.name), fold(p.title or ""), fold(p.email or ""), fold(company.name)
        readings = syllables(p.name)
        entries.append(
            _Entry(
                person=p,
                company=company,
                account=root(company.id),
                name=name,
                words=tuple(name.split()),
                title=title,
                email=email,
                company_name=company_name,
                readings=readings,
                text="\n".join((name, title, email, company_name)),
                initials="".join({r[0] for rs in readings for r in rs if r}),
            )
        )
    return entries


def _match(entry: _Entry, q: str, spelled: str | None) -> tuple[int, Matched, How] | None:
    """The rank of a hit (0 best) and what matched, None for no match."""
    if entry.name == q:
        return 0, "name", "exact"
    if entry.name.startswith(q):
        return 1, "name", "prefix"
    if any(w.startswith(q) for w in entry.words):
        return 2, "name", "prefix"
    if q in entry.name:
        return 3, "name", "contains"
    if spelled is not None and pinyin_matches(spelled, entry.readings):
        return 4, "name", "pinyin"
    for field, text in (("title", entry.title), ("email", entry.email), ("company", entry.company_name)):
        if q in text:
            return 5, field, "contains"  # type: ignore[return-value]
    return None


def _query(q: str) -> str:
    folded = fold(q)
    if not folded:
        raise InvalidArgument(
            Phrase(N_("the query is empty: give a name, title, e-mail or company to look for")), field="q"
        )
    if len(q) > MAX_QUERY:
        raise InvalidArgument(Phrase(N_("the query is too long: at most {n} characters"), n=MAX_QUERY), field="q")
    return folded


def find_people(
    store: GraphStore,
    scope: Scope,
    q: str,
    *,
    limit: int = 20,
    cursor: str | None = None,
    cache: AnalysisCache | None = None,
) -> Page[PersonHit]:
    """The people of the accounts the scope sees who match `q`, best first (see the module), one page.

    Raises:
        InvalidArgument: an empty query (nothing but spaces), one longer than MAX_QUERY characters, or a limit
            outside 1..1000.
        BadCursor: a cursor that is not a `next_cursor` of this list.
    """
    scope.require_role(ApiRole.VIEWER)
    folded = _query(q)
    if not 1 <= limit <= 1000:
        raise InvalidArgument(Phrase(N_("limit must be between 1 and 1000")), field="limit")
    after = decode_cursor(cursor, 3) if cursor else None
    build: Callable[[], list[_Entry]] = functools.partial(_index, store)
    entries = build() if cache is None else cache.fitted((store.url, "people_search"), store.data_version(), build)
    bare = _SEPARATORS.sub("", folded)
    spelled = bare if _PINYIN_QUERY.fullmatch(bare) else None
    on = today()
    ranked: list[tuple[tuple[str, str, str], _Entry, Matched, How]] = []
    for entry in entries:
        # every match but a pinyin one holds the query in one of the fields: one test rejects most people
        if folded not in entry.text and not (spelled and spelled[0] in entry.initials):
            continue
        found = _match(entry, folded, spelled) if scope.sees(entry.account.id) else None
        if found is None:
            continue
        rank, matched, how = found
        key = (str(rank), entry.name, entry.person.id)
        if after is None or key > after:
            ranked.append((key, entry, matched, how))
    ranked.sort(key=lambda found: found[0])
    hits = [_hit(entry, matched, how, on) for _, entry, matched, how in ranked[:limit]]
    keys = dict(zip((h.id for h in hits), (k for k, *_ in ranked), strict=False))
    return page_of(hits, limit, lambda hit: keys[hit.id], more=len(ranked) > limit)


def _hit(entry: _Entry, matched: Matched, how: How, on: date) -> PersonHit:
    p = entry.person
    return PersonHit(
        id=p.id,
        name=p.name,
        title=p.title,
        company=entry.company.id,
        company_name=entry.company.name,
        account=entry.account.id,
        account_name=entry.account.name,
        email=p.email,
        present=p.present_on(on),
        matched=matched,
        how=how,
    )
