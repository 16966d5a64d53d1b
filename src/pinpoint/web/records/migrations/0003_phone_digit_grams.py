# ruff: noqa: RUF012, S608 - class attributes of a migration are lists by convention; the SQL is built from constants
"""The client search's phone digits in runs of five, on PostgreSQL: one long number among a million.

The trigram index of 0001 (``client_phone_trgm``) serves a search of phone digits badly at scale:
digits make only 1,000 trigrams, and numbers of one country share many of them (its code, its
operators' prefixes), so each of a query's trigrams is in a large share of all numbers and the
index reads them all. At a million clients a 10-digit number read 640 index pages and rechecked
1,200 rows for one match (56 ms against 31 ms at 1,000 clients). This adds
``pinpoint_digit_grams(text)``, the runs of ``GRAM`` consecutive characters of a text (100,000
possible runs of digits, most of them in few numbers), and a GIN index of the runs of each
client's phone digits (the expression of 0001). ``clients.selectors.client_search`` asks, beside
the substring match, that the number hold every run of the query's digits: implied by the match,
so the results are the same, and the index finds the few numbers that do. A query of fewer than
``GRAM`` digits keeps the trigram index. SQLite has neither and scans.
"""

from __future__ import annotations

import importlib
from typing import Any

from django.db import migrations

PHONE_DIGITS: str = importlib.import_module("pinpoint.web.records.migrations.0001_scale_indexes").PHONE_DIGITS
GRAM = 5
FUNCTION = "pinpoint_digit_grams"
INDEX = "client_phone_grams"
CREATE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}(digits text) RETURNS text[] LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT substr(digits, i, {GRAM})), '{{}}')
    FROM generate_series(1, length(digits) - {GRAM - 1}) AS i
$$
"""


def create(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_FUNCTION)
        schema_editor.execute(f"CREATE INDEX {INDEX} ON clients_client USING gin ({FUNCTION}({PHONE_DIGITS}))")


def drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}(text)")


class Migration(migrations.Migration):
    dependencies = [("records", "0002_lot_number_any_case")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
