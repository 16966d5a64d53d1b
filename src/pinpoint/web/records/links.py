"""Addresses of many records of one kind on a page, built without resolving the URL map for each.

``reverse()`` walks the URL map on every call; a timeline page links 20 to 30 records, a few
kinds of them. :func:`link` reverses each URL name once per process (and script prefix), with
marker numbers for its arguments, and fills in the numbers of each record: the same address
``reverse()`` gives, for names whose arguments are all whole numbers (``<int:pk>``).
"""

from __future__ import annotations

import functools
import re

from django.urls import get_script_prefix, get_urlconf, reverse

__all__ = ["link"]

_MARK = 987654320  # the first marker; argument i is marked by _MARK + i


@functools.lru_cache(maxsize=128)
def _parts(name: str, count: int, prefix: str, urlconf: str | None) -> tuple[str, ...]:
    marks = [_MARK + i for i in range(count)]
    url = reverse(name, args=marks, urlconf=urlconf)
    parts = re.split("|".join(str(m) for m in marks), url) if marks else [url]
    if len(parts) != count + 1:
        msg = f"the address of {name!r} does not hold each of its {count} arguments once"
        raise ValueError(msg)
    return tuple(parts)


def link(name: str, *args: int) -> str:
    """``reverse(name, args=args)`` for whole-number arguments, from the address reversed once."""
    parts = _parts(name, len(args), get_script_prefix(), get_urlconf())
    out = [parts[0]]
    for arg, part in zip(args, parts[1:], strict=True):
        out += [str(int(arg)), part]
    return "".join(out)
