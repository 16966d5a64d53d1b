"""Numbered pages of a list whose length is known: which rows a page holds, and what it says about them.

The page asked for comes from the address (``?page=2``). Anything that is not a page of the
list (not a number, zero, past the end) shows the nearest page that is, and says so, rather than
failing: a bookmark kept from yesterday's longer list still opens.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PageInfo", "page_of"]

_DIGITS_MAX = 16  # a page number this long is past the end of any list


@dataclass(frozen=True)
class PageInfo:
    """Page ``number`` of ``pages`` over ``total`` rows, ``size`` a page.

    ``start`` and ``end`` are the 1-based positions of its first and last rows (``0`` and ``0``
    when the list is empty); ``asked`` is what the address asked for when it was not a page of
    the list (shown to say which page is shown instead), else ``""``.
    """

    number: int
    pages: int
    size: int
    total: int
    asked: str = ""

    @property
    def offset(self) -> int:
        """How many rows come before this page."""
        return (self.number - 1) * self.size

    @property
    def start(self) -> int:
        """Position of the page's first row (1-based), 0 when the list is empty."""
        return self.offset + 1 if self.total else 0

    @property
    def end(self) -> int:
        """Position of the page's last row (1-based), 0 when the list is empty."""
        return min(self.offset + self.size, self.total)

    @property
    def shown(self) -> int:
        """How many rows the page holds."""
        return self.end - self.offset if self.total else 0

    @property
    def more(self) -> int:
        """How many rows come after this page."""
        return self.total - self.end

    @property
    def previous(self) -> int | None:
        """The previous page's number, or ``None`` on the first page."""
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        """The next page's number, or ``None`` on the last page."""
        return self.number + 1 if self.number < self.pages else None

    @property
    def several(self) -> bool:
        """True when the list takes more than one page."""
        return self.pages > 1


def page_of(total: int, size: int, asked: str | None) -> PageInfo:
    """The page ``asked`` (text from the address; empty or ``None`` for the first) of ``total`` rows.

    A number past the last page shows the last page; anything else that is not a page number
    (``"abc"``, ``"0"``, ``"-1"``, ``"2.5"``) shows the first. Either way ``asked`` is kept on the
    result so the page can say what it shows instead.
    """
    pages = max(1, -(-total // size))
    text = (asked or "").strip()
    if not text:
        return PageInfo(1, pages, size, total)
    digits = text.isascii() and text.isdigit()
    number = (int(text) if len(text) < _DIGITS_MAX else pages + 1) if digits else 0
    if number < 1:
        return PageInfo(1, pages, size, total, asked=text[:20])
    if number > pages:
        return PageInfo(pages, pages, size, total, asked=text[:20])
    return PageInfo(number, pages, size, total)
