# ruff: noqa: RUF012 - class attributes of a migration are lists by convention
"""An index for "who got lot X" now that the lot number is matched whatever its case, on PostgreSQL.

``outcomes.selectors.lot_recipients`` filters ``lot_number__iexact``, which PostgreSQL runs as
``UPPER(lot_number::text) = UPPER(...)``: the plain ``device_lot_number`` index cannot serve it, so
at a million clients the planner scanned every unit of the organization, expected thousands of
rows and hashed the whole client table (449 ms against 78 ms at 1,000 clients). This expression
index serves it again. SQLite runs ``iexact`` as ``LIKE`` and gets none: its files are not that large.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

NAME = "device_lot_number_upper"


def create(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX {NAME} ON devices_deviceunit (organization_id, UPPER(lot_number::text))")


def drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [
        ("devices", "0002_lot_units_recall_and_cleaning"),
        ("records", "0001_scale_indexes"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
