"""Schemathesis over every operation of the API: 0 server errors, 0 schema violations, 0 undocumented codes.

In-process against the Django WSGI app with a read-and-write owner token (25 examples per
operation), and once against a live ``pinpoint serve`` on 127.0.0.1 with a token made by
``pinpoint token create``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from pinpoint.web.api.tokens import create_token
from tests.web.conftest import World

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 25
LIVE_EXAMPLES = 8


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Iterator[None]:
    """Calling the WSGI app directly sends request_started/finished, whose close_old_connections would close
    the test's PostgreSQL connection mid-transaction; Django's own test client leaves them out the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def owner_token(world: World) -> str:
    """A read-and-write token of the demo clinic's owner."""
    return create_token(world.owner, world.clinic, name="fuzz", scope="write", days=5).text


schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())
"""The API's OpenAPI schema, served by the Django app in this process (no database needed to read it)."""


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_every_operation_in_process(case: Any, owner_token: str) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {owner_token}"}, checks=CHECKS)


# --------------------------------------------------------------------------- a live pinpoint serve


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pinpoint() -> str:
    return str(Path(sys.executable).with_name("pinpoint"))


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """``pinpoint serve`` on a free port with its own data directory, and a token from ``pinpoint token create``."""
    data = tmp_path_factory.mktemp("serve")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env["PINPOINT_DATA_DIR"] = str(data)
    subprocess.run([_pinpoint(), "serve", "--prepare-only"], env=env, check=True, capture_output=True, timeout=180)
    made = subprocess.run(
        [_pinpoint(), "token", "create", "--user", "owner@demo-clinic.example", "--scope", "write", "--days", "1"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    token = made.stdout.strip()
    port = _free_port()
    proc = subprocess.Popen(
        [_pinpoint(), "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.3)
        yield base, token
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_token_create_prints_the_token_once(live: tuple[str, str]) -> None:
    _, token = live
    assert token.startswith("pp_")
    assert len(token) == 46


def _fuzz(strategy: Any, base: str, token: str) -> None:
    @given(case=strategy)
    @settings(max_examples=LIVE_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def run(case: Any) -> None:
        case.call_and_validate(base_url=base, headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)

    run()


def test_every_operation_against_a_live_server(live: tuple[str, str]) -> None:
    base, token = live
    live_schema = schemathesis.openapi.from_url(f"{base}/api/openapi.json")
    failures: list[str] = []
    count = 0
    for result in live_schema.get_all_operations():
        operation = result.ok()
        count += 1
        try:
            _fuzz(operation.as_strategy(), base, token)
        except Exception as exc:  # noqa: BLE001 - collect every operation's failure, then report them together
            failures.append(f"{operation.method.upper()} {operation.path}: {str(exc).splitlines()[0]}")
    assert failures == []
    assert count == 30 + 3 + 7 + 7 + 7  # as the docs page: photos 3, follow-up 7, electrolysis 7, schedule 7
