"""``kill -9`` of a running ``pinpoint serve`` while people save questionnaires: nothing acknowledged is lost.

A real server on 127.0.0.1 (``pinpoint serve``, a fresh data directory, SQLite in WAL mode), a few
threads each signed in and posting questionnaires (sealed records) through the page's form. Once
some writes are acknowledged the server is killed with SIGKILL mid-stream, then started again:
``pinpoint verify`` passes and every questionnaire the server acknowledged (a redirect to it) is
there. Loopback only; bounded in writes per thread and in time.
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import os
import re
import signal
import socket
import sqlite3
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

from pinpoint.web.demo import DEMO_PASSWORD, LOGINS
from tests.web.test_web_backup import VENV_BIN, _env, _pinpoint
from tests.web.test_web_clients import QUESTIONNAIRE

THREADS = 4
WRITES_PER_THREAD = 60
KILL_AFTER = 12  # acknowledged writes before the kill
DEADLINE_S = 120


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextlib.contextmanager
def _server(env: dict[str, str], port: int) -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen(
        [str(VENV_BIN / "pinpoint"), "serve", "--no-demo", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=5):
                    break
            except OSError:
                assert proc.poll() is None, "the server stopped while starting"
                assert time.monotonic() < deadline, "the server did not answer within 60 s"
                time.sleep(0.2)
        yield proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=30)


def _token(html: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


class Writer(threading.Thread):
    """Signs in, then posts questionnaires for one client until told to stop; keeps what was acknowledged."""

    def __init__(self, base: str, client_id: int, stop: threading.Event, killing: threading.Event) -> None:
        super().__init__(daemon=True)
        self.base, self.client_id, self.stop, self.killing = base, client_id, stop, killing
        self.acknowledged: list[int] = []  # questionnaire ids the server redirected to
        self.statuses: list[int] = []
        jar = http.cookiejar.CookieJar()
        self.http = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)

    def _open(self, path: str, data: dict[str, object] | None = None) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(  # noqa: S310 - http://127.0.0.1 only
            self.base + path, data=body, headers={"Referer": self.base + path}
        )
        try:
            with self.http.open(request, timeout=10) as r:
                return r.status, r.headers.get("Location", ""), r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.headers.get("Location", ""), e.read().decode()

    def run(self) -> None:
        with contextlib.suppress(OSError):  # the server is killed under us: stop at the first refused request
            _, _, page = self._open("/accounts/login/")
            email = LOGINS[1][0]
            status, _, _ = self._open(
                "/accounts/login/",
                {"username": email, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": _token(page)},
            )
            assert status == 302
            path = f"/clients/{self.client_id}/questionnaire/"
            _, _, form = self._open(path)
            token = _token(form)
            for _ in range(WRITES_PER_THREAD):
                if self.stop.is_set():
                    return
                data = {**QUESTIONNAIRE, "csrfmiddlewaretoken": token, "submission_id": str(uuid.uuid4())}
                status, location, _ = self._open(path, data)
                self.statuses.append(status)
                if 200 <= status < 400:
                    found = re.fullmatch(rf"/clients/{self.client_id}/questionnaires/(\d+)/", location)
                    if found is None and self.killing.is_set():
                        # The kill cut the answer off after its status line, before its Location header:
                        # not an acknowledgement (the client never learnt where the record is).
                        return
                    assert found is not None, (status, location)
                    self.acknowledged.append(int(found.group(1)))


def test_kill_9_during_concurrent_writes_loses_nothing_acknowledged_and_the_chains_hold(tmp_path: Path) -> None:
    env = _env(PINPOINT_DATA_DIR=str(tmp_path))
    assert _pinpoint(env, "serve", "--prepare-only").returncode == 0
    db = tmp_path / "pinpoint.sqlite3"
    with contextlib.closing(sqlite3.connect(db)) as con:
        (mary,) = con.execute("SELECT id FROM clients_client WHERE full_name = 'Mary Seacole'").fetchone()
        (before,) = con.execute("SELECT count(*) FROM clients_questionnaire").fetchone()

    port = _free_port()
    stop, killing = threading.Event(), threading.Event()
    with _server(env, port) as server:
        writers = [Writer(f"http://127.0.0.1:{port}", mary, stop, killing) for _ in range(THREADS)]
        for w in writers:
            w.start()
        deadline = time.monotonic() + DEADLINE_S
        while sum(len(w.acknowledged) for w in writers) < KILL_AFTER and time.monotonic() < deadline:
            assert any(w.is_alive() for w in writers), [w.statuses for w in writers]
            time.sleep(0.05)
        killing.set()
        os.kill(server.pid, signal.SIGKILL)  # mid-stream: the other threads are still posting
        server.wait(timeout=30)
        stop.set()
        for w in writers:
            w.join(timeout=30)
    acknowledged = sorted(q for w in writers for q in w.acknowledged)
    assert len(acknowledged) >= KILL_AFTER, [w.statuses for w in writers]
    assert len(acknowledged) < THREADS * WRITES_PER_THREAD, "the server was killed after every write"

    with _server(env, port):  # started again on the same data: it serves
        pass
    verified = _pinpoint(env, "verify")
    assert (verified.returncode, verified.stderr) == (0, ""), verified.stdout
    with contextlib.closing(sqlite3.connect(db)) as con:
        stored = {r[0] for r in con.execute("SELECT id FROM clients_questionnaire WHERE client_id = ?", [mary])}
        (after,) = con.execute("SELECT count(*) FROM clients_questionnaire").fetchone()
        sealed = {r[0] for r in con.execute("SELECT record_id FROM audit_seal WHERE kind = 'questionnaire'")}
    assert set(acknowledged) <= stored
    assert set(acknowledged) <= sealed
    assert len(acknowledged) <= after - before  # a write may land without its answer reaching the client
