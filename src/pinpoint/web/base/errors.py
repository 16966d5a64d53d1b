"""Errors every page answers the same way."""

from __future__ import annotations

__all__ = ["ConflictError"]


class ConflictError(Exception):
    """The request conflicts with the state of a record (e.g. it is signed or sealed): the page answers 409.

    ``url`` is the record's page, offered as the way back; empty when there is none.
    """

    def __init__(self, message: str, *, url: str = "") -> None:
        super().__init__(message)
        self.url = url
