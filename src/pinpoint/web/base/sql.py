"""Helpers of the reads and writes written in SQL (where building the ORM query costs more than the query)."""

from __future__ import annotations

from typing import Any

from django.db import connection

__all__ = ["table"]


def table(model: type[Any]) -> str:
    """``model``'s table name, quoted for the default database (to put in SQL; values are always bound)."""
    return str(connection.ops.quote_name(model._meta.db_table))
