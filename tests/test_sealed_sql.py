"""The sealed-record trigger SQL: one place for the shapes every trigger migration shares."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.exceptions import ImproperlyConfigured

from pinpoint.web.base import sealed_sql

WEB = Path(sealed_sql.__file__).parents[1]


def _editor(vendor: str, ran: list[str]) -> SimpleNamespace:
    return SimpleNamespace(connection=SimpleNamespace(vendor=vendor), execute=ran.append)


def test_the_erasure_condition_is_written_once_in_sealed_sql() -> None:
    holders = sorted(
        str(p.relative_to(WEB)) for p in WEB.rglob("*.py") if "json_each(e.fields)" in p.read_text(encoding="utf-8")
    )
    assert holders == ["base/sealed_sql.py"]


def test_statements_run_for_the_database_in_use_and_an_unsupported_one_is_refused() -> None:
    run = sealed_sql.run_per_vendor({"sqlite": ["A", "B"], "postgresql": ["C"]})
    ran: list[str] = []
    run(None, _editor("sqlite", ran))
    run(None, _editor("postgresql", ran))
    assert ran == ["A", "B", "C"]
    with pytest.raises(
        ImproperlyConfigured, match=r"^Pinpoint supports SQLite and PostgreSQL; mysql has no sealed-record triggers$"
    ):
        run(None, _editor("mysql", ran))


def test_append_only_triggers_name_the_table_and_the_refusal() -> None:
    up = sealed_sql.sqlite_append_only("t", "t is sealed: never {}", clash="id = NEW.id OR key = NEW.key")
    assert [s.split()[2] for s in up] == ["pinpoint_t_no_update", "pinpoint_t_no_delete", "pinpoint_t_no_replace"]
    assert ["never changed" in up[0], "never deleted" in up[1], "never replaced" in up[2]] == [True] * 3
    assert "WHERE id = NEW.id OR key = NEW.key" in up[2]
    assert sealed_sql.sqlite_append_only_drops("t") == [f"DROP TRIGGER IF EXISTS {s.split()[2]}" for s in up]
    assert [s.split()[2] for s in sealed_sql.postgres_append_only("t")] == [
        "pinpoint_sealed_rows",
        "pinpoint_sealed_truncate",
    ]
    assert sealed_sql.postgres_append_only_drops("t", rows=False) == [
        "DROP TRIGGER IF EXISTS pinpoint_sealed_truncate ON t"
    ]


def test_an_erase_only_update_is_refused_when_another_column_or_an_unlisted_personal_one_changes() -> None:
    refused = sealed_sql.sqlite_erase_only_refused("t", ["id", "a", "notes"], ("notes",))
    assert refused.startswith(
        "(NEW.id IS NOT OLD.id OR NEW.a IS NOT OLD.a OR (NEW.notes IS NOT OLD.notes AND NOT EXISTS"
    )
    assert "json_extract(f.value, '$.table') = 't'" in refused
    assert "json_extract(f.value, '$.field') = 'notes'" in refused
