"""Cursor pagination of every list: an opaque, signed cursor and a capped page size.

The cursor holds the last primary key of the page, signed for the list it came from, so a
tampered cursor or one from another list is refused (400, field ``cursor``). Rows are
returned in primary-key order, so a page never repeats or skips a row added meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Any, Generic, TypeVar

from django.core import signing
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from ninja import Path, Query, Schema

from pinpoint.core.errors import InputError

__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT", "CursorQ", "LimitQ", "Page", "PkPath", "page", "page_of_ids"]

DEFAULT_LIMIT = 50
MAX_LIMIT = 100
"""The largest page the API returns (a server guard)."""

CursorQ = Annotated[str | None, Query(max_length=300, description="The next_cursor of the previous page.")]
LimitQ = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"Rows per page, 1 to {MAX_LIMIT}.")]
PkPath = Annotated[int, Path(ge=1, le=2**31 - 1)]
"""A record id in a path (a 32-bit positive key)."""

T = TypeVar("T")
M = TypeVar("M", bound=Model)


class Page(Schema, Generic[T]):
    """One page of a list; pass ``next_cursor`` as ``cursor`` to get the next (``null`` on the last page)."""

    items: list[T]
    next_cursor: str | None


def _salt(request: HttpRequest) -> str:
    return f"pinpoint.api.cursor:{request.path}"


def _after(request: HttpRequest, cursor: str | None) -> Any:
    if not cursor:
        return None
    try:
        return signing.loads(cursor, salt=_salt(request))["after"]
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise InputError("cursor", "this cursor is not one this list returned; start again without it") from None


def _next(request: HttpRequest, last: Any) -> str:
    return signing.dumps({"after": last}, salt=_salt(request))


def page(
    request: HttpRequest, qs: QuerySet[M], cursor: str | None, limit: int, out: Callable[[M], Any]
) -> dict[str, Any]:
    """One page of ``qs`` in primary-key order after ``cursor``, each row through ``out``."""
    after = _after(request, cursor)
    if after is not None and not isinstance(after, int):
        raise InputError("cursor", "this cursor is not one this list returned; start again without it")
    rows = qs.order_by("pk")
    if after is not None:
        rows = rows.filter(pk__gt=after)
    got = list(rows[: limit + 1])
    more = len(got) > limit
    got = got[:limit]
    return {"items": [out(r) for r in got], "next_cursor": _next(request, got[-1].pk) if more else None}


def page_of_ids(
    request: HttpRequest, items: Sequence[tuple[str, Any]], cursor: str | None, limit: int
) -> dict[str, Any]:
    """One page of ``(id, item)`` pairs sorted by id (the evidence base's lists), after ``cursor``."""
    after = _after(request, cursor)
    ordered = sorted(items, key=lambda pair: pair[0])
    if after is not None:
        ordered = [p for p in ordered if p[0] > str(after)]
    chunk = ordered[:limit]
    more = len(ordered) > limit
    return {"items": [item for _, item in chunk], "next_cursor": _next(request, chunk[-1][0]) if more else None}
