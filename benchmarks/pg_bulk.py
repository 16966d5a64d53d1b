# ruff: noqa: S608 - the SQL is built from table names and ids the benchmarks read from the database
"""Helpers the PostgreSQL benchmarks share: the server, a database prepared with the demo, rows copied in bulk.

``export_bench.py`` and ``scale_pg.py`` build their large organizations with plain SQL (``INSERT
... SELECT`` over ``generate_series``, never the ORM), copying demo rows with new ids. The
benchmarks are run as scripts and also loaded by path (``make bench``, the test suite), so each
puts this folder on ``sys.path`` before importing this module.

``PINPOINT_BENCH_POSTGRES`` names the server (default ``postgres://postgres@127.0.0.1:5432/postgres``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

__all__ = ["PG_URL", "bench_env", "clone", "columns", "one", "prepare"]

PG_URL = os.environ.get("PINPOINT_BENCH_POSTGRES") or "postgres://postgres@127.0.0.1:5432/postgres"


def one(cur: Any, sql: str) -> Any:
    """The first column of the first row ``sql`` returns, or ``None`` when it returns none."""
    cur.execute(sql)
    row = cur.fetchone()
    return row[0] if row else None


def columns(cur: Any, table: str) -> list[str]:
    """The columns of ``table`` but ``id``, in their order."""
    cur.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s AND column_name <> 'id' "
        "ORDER BY ordinal_position",
        (table,),
    )
    return [r[0] for r in cur.fetchall()]


def clone(cur: Any, table: str, source: str, **overrides: str) -> int:
    """``INSERT INTO table`` the rows of ``source`` (aliased ``t``), columns from ``t`` unless overridden."""
    cols = columns(cur, table)
    select = ", ".join(overrides.get(c, f"t.{c}") for c in cols)
    cur.execute(f"INSERT INTO {table} ({', '.join(cols)}) SELECT {select} FROM {source}")
    return int(cur.rowcount)


def bench_env(url: str, data_dir: str) -> dict[str, str]:
    """The environment of a ``pinpoint`` child on database ``url`` with its files under ``data_dir``.

    The seal key is left out: the copied rows carry no seals and nothing here checks them.
    """
    env = {k: v for k, v in os.environ.items() if k != "PINPOINT_SEAL_KEY"}
    env.update(DATABASE_URL=url, PINPOINT_DATA_DIR=data_dir, DJANGO_SETTINGS_MODULE="pinpoint.web.settings")
    return env


def prepare(env: dict[str, str]) -> None:
    """Migrate the database of ``env`` and give it the demo (``pinpoint serve --prepare-only``)."""
    done = subprocess.run(
        [sys.executable, "-m", "pinpoint.cli", "serve", "--prepare-only"],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip().splitlines()[-1])
