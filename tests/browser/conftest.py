"""Fixtures of the browser suite: a real Pinpoint server and Debian's chromium driven by Playwright.

The server is what a user starts: ``pinpoint serve`` (migrate, load the demo, serve) on a free
port of 127.0.0.1, with its own SQLite file in a temporary directory, so the browser tests never
touch the test database of the rest of the suite. Chromium must be installed (``.ci/run``
installs it); without it the browser tests fail with a message saying so, they do not skip.

Screenshots go to ``var/screenshots/`` (ignored by git); ``PINPOINT_SCREENSHOTS_DIR`` moves them elsewhere
(``make screenshots`` writes the ones the documentation shows, in ``docs/screenshots/``).
"""

from __future__ import annotations

import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("PINPOINT_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
START_SECONDS = 120  # first start migrates a new database; slow CI machines need the margin
TIMEOUT_MS = 15_000


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """A running ``pinpoint serve``: its address and its database file."""

    url: str
    database: Path
    log: Path

    def mail_link(self, to: str, path: str) -> str:
        """The last link to ``path`` in a mail to ``to``: the development server prints its mails to its log."""
        pattern = re.compile(rf"^To: {re.escape(to)}$.*?^({re.escape(self.url + path)}\S+)$", re.MULTILINE | re.DOTALL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            found = pattern.findall(self.log.read_text(errors="replace"))
            if found:
                return str(found[-1])
            time.sleep(0.2)
        pytest.fail(f"no mail to {to} with a link to {path} in the server log:\n{self.log.read_text()[-3000:]}")

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        """Read the server's database directly (to check what the pages claim)."""
        with sqlite3.connect(f"file:{self.database}?mode=ro", uri=True) as db:
            return db.execute(sql, params).fetchall()


def _wait_ready(proc: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"pinpoint serve exited with {proc.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(url + "/accounts/login/", timeout=2) as r:  # noqa: S310 - our own 127.0.0.1 server
                if r.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    pytest.fail(f"pinpoint serve did not answer within {START_SECONDS} s:\n{log.read_text(errors='replace')[-3000:]}")


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``pinpoint serve`` with the demo on a fresh SQLite database, on a free port of 127.0.0.1."""
    data = tmp_path_factory.mktemp("pinpoint-serve")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env |= {"PINPOINT_DATA_DIR": str(data), "PINPOINT_PROFILE": "development", "PYTHONUNBUFFERED": "1"}
    log = data / "server.log"
    cmd = [sys.executable, "-m", "pinpoint.cli.main", "serve", "--host", "127.0.0.1", "--port", str(port)]
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=data, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(proc, url, log)
        yield Server(url=url, database=data / "pinpoint.sqlite3", log=log)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session")
def shots_dir() -> Path:
    """Where screenshots go: var/screenshots (ignored by git) unless PINPOINT_SCREENSHOTS_DIR says otherwise."""
    path = Path(os.environ.get("PINPOINT_SCREENSHOTS_DIR") or ROOT / "var" / "screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Any]:
    """Playwright's sync API, started once; fails (never skips) when chromium is missing."""
    if not CHROMIUM.is_file():
        pytest.fail(
            f"chromium not found at {CHROMIUM}: the browser tests need it "
            "(apt-get install chromium, as .ci/run does, or set PINPOINT_CHROMIUM to its path)"
        )
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as p:
        yield p


@pytest.fixture
def open_browser(playwright_driver: Any, tmp_path: Path) -> Iterator[Callable[[str], Any]]:
    """Open a fresh headless chromium (its own user-data directory, desk-screen size) in a time zone.

    Each call starts a new browser, so nothing (cookies, storage) is shared; all close at the end.
    Every console message of every page is kept: a Content-Security-Policy violation (an inline
    script or style the policy blocks) fails the test that caused it.
    """
    opened: list[Any] = []
    console: list[str] = []

    def launch(time_zone: str = "UTC") -> Any:
        context = playwright_driver.chromium.launch_persistent_context(
            str(tmp_path / f"profile-{len(opened)}"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport=DESKTOP,
            timezone_id=time_zone,
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
        opened.append(context)
        return context

    yield launch
    for context in opened:
        context.close()
    blocked = [m for m in console if "Content Security Policy" in m or "Content-Security-Policy" in m]
    assert blocked == [], "the page needs something the Content-Security-Policy blocks"
