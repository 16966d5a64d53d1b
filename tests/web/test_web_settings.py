"""Settings profiles, ``pinpoint serve``, and the demo loaded once."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from pinpoint.cli.main import main
from pinpoint.web.demo import load_demo
from pinpoint.web.settings import DEVELOPMENT_SECRET_KEY
from tests.web.conftest import World, fingerprint

VENV_BIN = Path(sys.executable).parent
PRODUCTION = {
    "PINPOINT_PROFILE": "production",
    "SECRET_KEY": "k3x!9qv#s2m@f8w$z1r%t6y^u4i&o0p*l7j(h5g)d-a_s=e+c~b" * 2,
    "ALLOWED_HOSTS": "pinpoint.example",
    "PINPOINT_SEAL_KEY": "7f3a9c1e5b8d2f4a6c0e9b7d3f1a5c8e2b4d6f0a9c7e1b3d",
}


def _run(args: list[str], env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "PINPOINT_PROFILE", "SECRET_KEY"}}
    return subprocess.run(
        args,
        env=clean | {"PINPOINT_DATA_DIR": str(tmp_path)} | env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_profile_passes_the_deployment_check(tmp_path: Path) -> None:
    done = _run(
        [sys.executable, "-m", "pinpoint.web", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION, tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert "System check identified no issues (0 silenced)." in done.stdout


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"SECRET_KEY": ""}, "environment variable SECRET_KEY is required in the production profile"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY must be at least 50 characters (this one has 5)"),
        ({"SECRET_KEY": DEVELOPMENT_SECRET_KEY}, "SECRET_KEY is the published development key"),
        ({"SECRET_KEY": "django-insecure-" + "x7Gq2" * 10}, "SECRET_KEY is the published development key"),
        ({"SECRET_KEY": "abcd" * 20}, "SECRET_KEY must have at least 5 distinct characters"),
        ({"SECRET_KEY": "abcde" * 11}, "SECRET_KEY must not be a pattern of 5 characters repeated"),
        ({"ALLOWED_HOSTS": "*"}, "ALLOWED_HOSTS must name the site's host names; '*' accepts any host"),
        ({"ALLOWED_HOSTS": "pinpoint.example, *"}, "ALLOWED_HOSTS must name the site's host names; '*' accepts"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS is required in the production profile"),
        ({"PINPOINT_PROFILE": "staging"}, "PINPOINT_PROFILE must be 'development' or 'production'"),
        ({"DATABASE_URL": "nonsense://x"}, "DATABASE_URL is not a database URL Pinpoint understands"),
        ({"PINPOINT_SEAL_KEY": ""}, "PINPOINT_SEAL_KEY is required in the production profile"),
        ({"PINPOINT_SEAL_KEY": "short"}, "PINPOINT_SEAL_KEY must hold a seal key of at least 32 characters"),
    ],
)
def test_a_bad_environment_is_named_in_one_line(tmp_path: Path, change: dict[str, str], message: str) -> None:
    done = _run([str(VENV_BIN / "pinpoint"), "serve", "--prepare-only"], PRODUCTION | change, tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith("pinpoint: error: cannot start the web app: ")
    assert message in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("command", "change", "message"),
    [
        (
            [sys.executable, "-m", "pinpoint.web", "check", "--deploy"],
            {"SECRET_KEY": DEVELOPMENT_SECRET_KEY},
            "SECRET_KEY is the published development key",
        ),
        (
            [sys.executable, "-m", "pinpoint.web", "migrate"],
            {"ALLOWED_HOSTS": "*"},
            "ALLOWED_HOSTS must name the site's host names",
        ),
        (
            [str(VENV_BIN / "gunicorn"), "--bind", "127.0.0.1:0", "--workers", "1", "pinpoint.web.wsgi"],
            {"SECRET_KEY": "abcde" * 11},
            "SECRET_KEY must not be a pattern of 5 characters repeated",
        ),
    ],
    ids=["manage-check", "manage-migrate", "gunicorn"],
)
def test_manage_and_gunicorn_refuse_a_weak_production_setting(
    tmp_path: Path, command: list[str], change: dict[str, str], message: str
) -> None:
    done = _run(command, PRODUCTION | change, tmp_path)
    assert done.returncode != 0
    if command[0] == sys.executable:  # python -m pinpoint.web: one line, exit 2, as pinpoint serve
        assert done.returncode == 2
        assert done.stderr.startswith(f"pinpoint.web: error: cannot start the web app: {message}")
        assert len(done.stderr.splitlines()) == 1
    else:  # gunicorn prints its own lines around the worker's failure; one of them names the setting
        assert f"django.core.exceptions.ImproperlyConfigured: {message}" in done.stderr
    assert not (tmp_path / "pinpoint.sqlite3").exists()  # refused before anything was written


def test_serve_prepares_a_sqlite_database_in_wal_mode_and_loads_the_demo_once(tmp_path: Path) -> None:
    first = _run([str(VENV_BIN / "pinpoint"), "serve", "--prepare-only"], {}, tmp_path)
    assert first.returncode == 0, first.stderr
    assert "Demo loaded." in first.stdout
    assert "owner@demo-clinic.example" in first.stdout
    db = tmp_path / "pinpoint.sqlite3"
    tables = ("clients_client", "treatments_session", "audit_auditevent", "treatments_historicalsession")

    def counts() -> list[int]:
        with sqlite3.connect(db) as con:
            return [con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables]  # noqa: S608 - fixed names

    before = counts()
    second = _run([str(VENV_BIN / "pinpoint"), "serve", "--prepare-only"], {}, tmp_path)
    assert "Demo already present: nothing changed." in second.stdout
    assert counts() == before
    assert before[0] == 7  # six clinic clients (Ada, Dorothy, Grace, Hedy, Mae, Mary) and the home user
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_loading_the_demo_again_changes_nothing(world: World) -> None:
    before = fingerprint()
    result = load_demo(timezone.localdate())
    assert not result.created
    assert fingerprint() == before


def test_serve_in_process_prepares_without_changing_anything(world: World, capsys: Any) -> None:
    before = fingerprint()
    main(["serve", "--prepare-only"])
    out = capsys.readouterr().out
    assert "Demo already present: nothing changed." in out
    assert fingerprint() == before
    with pytest.raises(SystemExit) as exc:
        main(["serve", "--port", "0"])
    assert exc.value.code == 2


def test_no_migration_is_missing(db: Any) -> None:
    from django.core.management import call_command

    call_command("makemigrations", "--check", "--dry-run", verbosity=0)  # exits non-zero when one is missing


def test_the_production_profile_never_loads_the_demo(tmp_path: Path) -> None:
    done = _run([str(VENV_BIN / "pinpoint"), "serve", "--prepare-only"], PRODUCTION, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Production profile: the demo (with its published passwords) is not loaded." in done.stdout
    with sqlite3.connect(tmp_path / "pinpoint.sqlite3") as con:
        assert con.execute("SELECT count(*) FROM accounts_user").fetchone()[0] == 0


CSP = [
    "base-uri 'none'",
    "connect-src 'self'",
    "default-src 'none'",
    "font-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "img-src 'self' blob:",  # blob: only the photo a phone has just chosen, previewed before it is sent
    "script-src 'self'",
    "style-src 'self'",
]


def test_pages_carry_a_strict_content_security_policy(world: World) -> None:
    for client in (world.login(None), world.login(world.owner)):
        for url in ("/accounts/login/", "/"):
            response = client.get(url, follow=True)
            assert response.status_code == 200
            # django-csp writes the directives in no fixed order; the set is exact.
            assert sorted(response["Content-Security-Policy"].split("; ")) == CSP


def test_no_template_or_script_needs_what_the_policy_blocks() -> None:
    """Inline scripts, event-handler attributes and style attributes would be blocked by the policy."""
    web = Path(__file__).resolve().parents[2] / "src" / "pinpoint" / "web"
    blocked = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=|\sstyle\s*=|<style\b|javascript:", re.IGNORECASE)
    found = [
        f"{path.relative_to(web)}: {match.group(0).strip()}"
        for folder in ("templates", "static")
        for path in sorted((web / folder).rglob("*"))
        if path.suffix in {".html", ".js"}
        for match in blocked.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []
