"""Search: the people of every account the key sees, by name, title, e-mail, company name and (for Chinese names)
pinyin, best first.

A thin adapter of `accountgraph.services.search.find_people` (the same use case as `accountgraph find` and the
workspace's search page). It is its own resource rather than a `q` on `GET /v1/people`: that list is in id
order and answers `Person` records, a search is ranked and answers hits (the person with their company, account
and what matched).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from accountgraph.api.deps import Cursor, ReadAccess, ViewsDep
from accountgraph.services.paging import Page
from accountgraph.services.search import MAX_QUERY, PersonHit, find_people

router = APIRouter(prefix="/search", tags=["search"])

SearchQuery = Annotated[
    str,
    Query(
        min_length=1,
        max_length=MAX_QUERY,
        description="what to look for: a name (or part of one; Chinese names also by pinyin, full or initials, "
        "e.g. `wangxm`), a title, an e-mail or a company name; case and accents are ignored",
    ),
]
SearchLimit = Annotated[int, Query(ge=1, le=1000, description="hits per page")]


@router.get(
    "/people",
    summary="Find people across accounts",
    description="Ranked: the name exactly, the name's start, a later word's start, inside the name, the name's "
    "pinyin, then title, e-mail and company name. Each hit names the person's company, title and account, and "
    "what matched. A key limited to accounts finds only their people.",
    response_model=Page[PersonHit],
)
def search_people(
    access: ReadAccess, views: ViewsDep, q: SearchQuery, limit: SearchLimit = 20, cursor: Cursor = None
) -> Page[PersonHit]:
    return find_people(access.store, access.scope, q, limit=limit, cursor=cursor, cache=views)
