"""One page of a list, the same for every list of every interface: `{data, count, next_cursor}`.

Lists are read in key order (`id`, for ties `(type, from, to)`) and continued after a key: the cursor is that
key, encoded. A page whose source could not tell whether more follow (a store read of `limit` rows) carries a
cursor when it is full, so the next page may be empty; a page cut from a whole list knows.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from pydantic import BaseModel, Field

from accountgraph.errors import BadCursor
from accountgraph.i18n import N_
from accountgraph.i18n.phrase import Phrase

__all__ = ["CURSOR_PATTERN", "Page", "decode_cursor", "encode_cursor", "page_of"]

T = TypeVar("T")

CURSOR_PATTERN = r"^[A-Za-z0-9_-]*$"
"""Every cursor handed out matches this (URL-safe base64 without padding); an empty one is the first page."""
_BAD = Phrase(N_("bad cursor: pass the `next_cursor` of the previous page as it is"))


class Page(BaseModel, Generic[T]):
    """One page of a list: the records, how many are on this page, and the cursor of the next page."""

    data: list[T]
    count: int = Field(description="records on this page")
    next_cursor: str | None = Field(
        default=None, description="pass as `cursor` for the next page; null when this is the last page"
    )


def encode_cursor(key: tuple[str, ...]) -> str:
    """The cursor of the page after the record with this key."""
    raw = json.dumps(list(key), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str, size: int) -> tuple[str, ...]:
    """The key a cursor stands for (`size` parts); BadCursor for anything that is not a cursor of this list."""
    if not re.fullmatch(CURSOR_PATTERN, cursor):
        raise BadCursor(_BAD, field="cursor")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key = json.loads(raw.decode("utf-8"))
    except (binascii.Error, UnicodeDecodeError, ValueError) as err:
        raise BadCursor(_BAD, field="cursor") from err
    if not isinstance(key, list) or len(key) != size or not all(isinstance(k, str) for k in key):
        raise BadCursor(_BAD, field="cursor")
    return tuple(key)


def page_of(rows: Sequence[T], limit: int, key: Callable[[T], tuple[str, ...]], *, more: bool | None = None) -> Page[T]:
    """The first `limit` of `rows` (in key order, after the cursor) as a page.

    `more` says whether records follow the rows given; None: the rows are the whole rest of the list.
    """
    data = list(rows[:limit])
    follows = len(rows) > limit if more is None else more
    next_cursor = encode_cursor(key(data[-1])) if data and follows else None
    return Page[T](data=data, count=len(data), next_cursor=next_cursor)
