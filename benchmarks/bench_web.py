"""Load of the web app through a real server: client timeline and dashboard against a trivial view.

For SQLite and for PostgreSQL (a fresh database on ``postgres://postgres@127.0.0.1:5432``,
created and dropped here; ``PINPOINT_BENCH_POSTGRES`` names another server; skipped with the
reason when none answers): build 1,000 clients with 50 sessions each (``web_bench_data.py``),
start gunicorn on a free port of 127.0.0.1 with the project's WSGI app (2 workers x 2 threads,
development profile with DEBUG off), sign in through the sign-in page, then load three URLs in
turn with ``CONCURRENCY`` client threads for ``SECONDS`` each after a warm-up:

- a client's timeline (50 sessions, questionnaire, consent, course; screening today and for the
  next session; one audit row written per view), a different client on each request;
- the dashboard (today's sessions, those due, screening alerts for up to 100 coming sessions);
- a trivial view (``web_bench_urls``) through the same middleware: the baseline.

Figures per page: requests/s, p50 and p99 latency in ms, and the ratios to the trivial view in
the same run (``slowdown`` = trivial req/s ÷ page req/s; ``p50_ratio`` = page p50 ÷ trivial p50).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import http.client
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
HOST = "127.0.0.1"
WORKERS, THREADS = 2, 2  # the machines have 2 cores; the client threads share them
CONCURRENCY = 4
WARMUP_SECONDS = 2.0
SECONDS = 10.0
START_SECONDS = 60
PG_SERVER = os.environ.get("PINPOINT_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
TRIVIAL = "/bench/trivial/"
SESSIONS_PER_CLIENT = 50  # as web_bench_data builds them


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _env(database_url: str | None, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env |= {
        "DJANGO_SETTINGS_MODULE": "web_bench_settings",
        "PYTHONPATH": os.pathsep.join([str(HERE), env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
        "PINPOINT_PROFILE": "development",
        "PINPOINT_DEBUG": "0",
        "PINPOINT_DATA_DIR": str(data_dir),
        "PINPOINT_LOG_LEVEL": "ERROR",
    }
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


@contextlib.contextmanager
def _gunicorn(env: dict[str, str], cwd: Path) -> Iterator[int]:
    port = _free_port()
    log = cwd / "gunicorn.log"
    cmd = [
        sys.executable, "-m", "gunicorn", "pinpoint.web.wsgi:application",
        "--bind", f"{HOST}:{port}", "--workers", str(WORKERS), "--threads", str(THREADS),
        "--worker-class", "gthread", "--log-level", "warning", "--keep-alive", "30",
    ]  # fmt: skip
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            if proc.poll() is not None or time.monotonic() > deadline:
                msg = f"gunicorn did not start:\n{log.read_text(errors='replace')[-2000:]}"
                raise RuntimeError(msg)
            with contextlib.suppress(OSError, http.client.HTTPException):
                conn = http.client.HTTPConnection(HOST, port, timeout=2)
                conn.request("GET", "/accounts/login/")
                if conn.getresponse().status == 200:
                    conn.close()
                    break
            time.sleep(0.2)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _cookies(response: http.client.HTTPResponse) -> dict[str, str]:
    out = {}
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        out[name.strip()] = rest.split(";", 1)[0]
    return out


def _sign_in(port: int, email: str, password: str) -> str:
    """Sign in through the sign-in page; the Cookie header of the signed-in session."""
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    conn.request("GET", "/accounts/login/")
    page = conn.getresponse()
    jar = _cookies(page)
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.read())
    if match is None:
        msg = "no CSRF token on the sign-in page"
        raise RuntimeError(msg)
    body = urlencode({"csrfmiddlewaretoken": match[1].decode(), "username": email, "password": password})
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"csrftoken={jar['csrftoken']}",
        "Referer": f"http://{HOST}:{port}/accounts/login/",
    }
    conn.request("POST", "/accounts/login/", body=body, headers=headers)
    done = conn.getresponse()
    done.read()
    jar |= _cookies(done)
    conn.close()
    if done.status != 302 or "sessionid" not in jar:
        msg = f"sign-in failed: HTTP {done.status}"
        raise RuntimeError(msg)
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def _load(port: int, cookie: str, paths: list[str], seconds: float) -> dict[str, Any]:
    """``CONCURRENCY`` threads, each on its own keep-alive connection, for ``seconds``; latencies in s."""
    latencies: list[list[float]] = [[] for _ in range(CONCURRENCY)]
    errors: list[str] = []
    stop = time.perf_counter() + seconds

    def worker(k: int) -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=60)
        i = k
        while time.perf_counter() < stop and len(errors) < 10:
            path = paths[i % len(paths)]
            i += CONCURRENCY
            t0 = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Cookie": cookie})
                r = conn.getresponse()
                r.read()
            except (OSError, http.client.HTTPException) as exc:
                errors.append(f"{path}: {exc!r}")
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=60)
                continue
            latencies[k].append(time.perf_counter() - t0)
            if r.status != 200:
                errors.append(f"{path}: HTTP {r.status}")
        conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(k,)) for k in range(CONCURRENCY)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    if errors:
        msg = f"errors under load: {errors[:3]}"
        raise RuntimeError(msg)
    flat = sorted(x for lat in latencies for x in lat)
    return {
        "requests": len(flat),
        "req_per_s": round(len(flat) / elapsed, 1),
        "p50_ms": round(statistics.median(flat) * 1000, 1),
        "p99_ms": round(flat[min(len(flat) - 1, int(0.99 * len(flat)))] * 1000, 1),
    }


def _check_pages(port: int, cookie: str, client_id: int) -> dict[str, int]:
    """The pages answer 200 with what they should show (so the load measures real pages)."""
    sizes = {}
    for name, path, must in (
        ("timeline", f"/clients/{client_id}/", rb'class="entry-session"'),
        ("dashboard", "/", rb'id="today-sessions"'),
        ("trivial", TRIVIAL, b"ok"),
    ):
        conn = http.client.HTTPConnection(HOST, port, timeout=60)
        conn.request("GET", path, headers={"Cookie": cookie})
        r = conn.getresponse()
        body = r.read()
        conn.close()
        if r.status != 200 or must not in body:
            msg = f"{path} answered HTTP {r.status} without {must!r}"
            raise RuntimeError(msg)
        shown = body.count(b'class="entry-session"')
        if name == "timeline" and shown != SESSIONS_PER_CLIENT:
            msg = f"{path} shows {shown} sessions, not {SESSIONS_PER_CLIENT}"
            raise RuntimeError(msg)
        sizes[f"{name}_bytes"] = len(body)
    return sizes


def _backend(database_url: str | None, work: Path) -> dict[str, Any]:
    env = _env(database_url, work)
    today = dt.datetime.now(dt.UTC).date()
    built = subprocess.run(
        [sys.executable, str(HERE / "web_bench_data.py"), today.isoformat()],
        cwd=work, env=env, check=False, capture_output=True, text=True,
    )  # fmt: skip
    if built.returncode != 0:
        msg = f"building the data set failed:\n{built.stderr[-2000:]}"
        raise RuntimeError(msg)
    data = json.loads(built.stdout.strip().splitlines()[-1])
    rng = random.Random(20261125)  # noqa: S311 - which clients to show, not security
    timeline = [f"/clients/{pk}/" for pk in rng.sample(data["client_ids"], 200)]
    out: dict[str, Any] = {k: v for k, v in data.items() if k not in {"client_ids", "email", "password"}}
    with _gunicorn(env, work) as port:
        cookie = _sign_in(port, data["email"], data["password"])
        out |= _check_pages(port, cookie, data["client_ids"][0])
        pages = {"trivial": [TRIVIAL], "timeline": timeline, "dashboard": ["/"]}
        for name, paths in pages.items():
            _load(port, cookie, paths, WARMUP_SECONDS)
            out[name] = _load(port, cookie, paths, SECONDS)
    base = out["trivial"]
    for name in ("timeline", "dashboard"):
        out[name]["slowdown"] = round(base["req_per_s"] / out[name]["req_per_s"], 1)
        out[name]["p50_ratio"] = round(out[name]["p50_ms"] / base["p50_ms"], 1)
    return out


def _postgres(work: Path) -> dict[str, Any]:
    import psycopg  # noqa: PLC0415 - only when PostgreSQL is measured

    name = f"pinpoint_bench_{os.getpid()}"
    try:
        admin = psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        return {"skipped": f"no PostgreSQL server answers at {PG_SERVER}: {str(exc).strip().splitlines()[0]}"}
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            return _backend(f"{PG_SERVER}/{name}", work) | {"server_version": admin.info.server_version}
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run() -> dict[str, Any]:
    """SQLite and PostgreSQL, one after the other; each in its own temporary directory."""
    out: dict[str, Any] = {
        "server": f"gunicorn gthread, {WORKERS} workers x {THREADS} threads, DEBUG off",
        "load": f"{CONCURRENCY} client threads, keep-alive, {SECONDS:g} s per URL after {WARMUP_SECONDS:g} s warm-up",
    }
    for name in ("sqlite", "postgresql"):
        work = Path(tempfile.mkdtemp(prefix=f"pinpoint-bench-{name}-"))
        try:
            out[name] = _backend(None, work) if name == "sqlite" else _postgres(work)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return out


if __name__ == "__main__":
    sys.stdout.write(json.dumps(run(), indent=2) + "\n")
