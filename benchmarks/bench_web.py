"""Load of the web app through a real server: client timeline and dashboard against a trivial view.

For SQLite and for PostgreSQL (a fresh database on ``postgres://postgres@127.0.0.1:5432``,
created and dropped here; ``PINPOINT_BENCH_POSTGRES`` names another server; skipped with the
reason when none answers): build 1,000 clients with 50 sessions each (``web_bench_data.py``),
start gunicorn on a free port of 127.0.0.1 with the project's WSGI app (2 workers x 2 threads,
development profile with DEBUG off), sign in through the sign-in page, then, at each level of
``CONCURRENCY`` (4 and 20 client threads), load in turn for ``SECONDS`` each after a warm-up:

- a trivial view (``web_bench_urls``) through the same middleware: the baseline (the middleware
  already reads the session and the user with her memberships: two queries);
- the floor of a signed-in page (``web_bench_urls.floor_actor``): the project's page guard with
  the timeline's permission and the actor, a few bytes of text;
- the floor of a client record page (``web_bench_urls.floor_view_log``): the same, plus the client
  read and its view logged and sealed as the timeline does (``get_client``, ``record_view``), a
  different client on each request (the timeline's);
- the first page of a client's timeline (20 of its 53 entries; the course summed up; screening
  today and for the next session; one audit row written per view), a different client on each
  request: its body is kept under the organization's data version once a worker has shown it;
- the same timelines computed afresh (``web_bench_urls.timeline_afresh``: the kept body dropped
  before each request), as the first view after any write to the organization's records;
- the dashboard (the first 25 of today's sessions, those due, screening alerts for today's and up
  to 100 coming sessions): nothing is written during the load, so after each worker's first request
  it is the page kept under the organization's data version (ADR 0015);
- the dashboard computed afresh (``web_bench_urls.dashboard_afresh``: the kept page dropped before
  each request), as the first request after any write to what it shows computes it;
- the trivial view again: the baseline is the mean of the two, so a neighbour's load that comes or
  goes during the run weighs on both sides.

Figures per page and level: requests/s, p50 and p99 latency in ms, and against the baseline of the
same level: ``req_per_s_pct`` (page req/s as a percentage of trivial req/s), ``p99_ratio`` (page
p99 ÷ trivial p99) and whether the goals of issue 13 are met (``GOAL_PCT`` and ``GOAL_P99``).

``run(tiny=True)`` (the test suite) builds 20 clients in SQLite only and loads each URL for a
fraction of a second: it checks the script still runs, not the figures.
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
CONCURRENCY = (4, 20)
WARMUP_SECONDS = 2.0
SECONDS = float(os.environ.get("PINPOINT_BENCH_SECONDS", "10"))
GOAL_PCT = 50.0  # page req/s at least this percentage of the trivial view's
GOAL_P99 = 3.0  # page p99 at most this many times the trivial view's
TIMELINE_SHOWN = 20  # entries on the first page of a timeline (records.clients.TIMELINE_PAGE)
START_SECONDS = 180  # a shared machine under load can take minutes to import the app
PG_SERVER = os.environ.get("PINPOINT_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
TRIVIAL = "/bench/trivial/"
FLOOR_ACTOR = "/bench/floor-actor/"
FLOOR_VIEW_LOG = "/bench/floor-view-log/{pk}/"
DASHBOARD_AFRESH = "/bench/dashboard-afresh/"
TIMELINE_AFRESH = "/bench/timeline-afresh/{pk}/"
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


def _answers(port: int) -> bool:
    """True when the server answers the sign-in page."""
    conn = http.client.HTTPConnection(HOST, port, timeout=2)
    try:
        conn.request("GET", "/accounts/login/")
        response = conn.getresponse()
        response.read()
    except (OSError, http.client.HTTPException):
        return False
    else:
        return response.status == 200
    finally:
        conn.close()


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
            if _answers(port):
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


def _load(port: int, cookie: str, paths: list[str], seconds: float, concurrency: int) -> dict[str, Any]:
    """``concurrency`` threads, each on its own keep-alive connection, for ``seconds``; latencies in s."""
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    errors: list[str] = []
    stop = time.perf_counter() + seconds

    def worker(k: int) -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=60)
        i = k
        while time.perf_counter() < stop and len(errors) < 10:
            path = paths[i % len(paths)]
            i += concurrency
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
    threads = [threading.Thread(target=worker, args=(k,)) for k in range(concurrency)]
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
        ("dashboard_afresh", DASHBOARD_AFRESH, rb'id="today-sessions"'),
        ("timeline_afresh", TIMELINE_AFRESH.format(pk=client_id), rb'class="entry-session"'),
        ("trivial", TRIVIAL, b"ok"),
        ("floor_actor", FLOOR_ACTOR, b"ok "),
        ("floor_view_log", FLOOR_VIEW_LOG.format(pk=client_id), b"ok "),
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
        if name.startswith("timeline") and (shown != TIMELINE_SHOWN or b'id="timeline-page-next"' not in body):
            msg = f"{path} shows {shown} sessions, not {TIMELINE_SHOWN} and a link to the next page"
            raise RuntimeError(msg)
        sizes[f"{name}_bytes"] = len(body)
    return sizes


def _against(page: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    """A page's figures beside the baseline's: req/s as a percentage, p99 as a ratio, and the goals."""
    pct = round(100 * page["req_per_s"] / base["req_per_s"], 1)
    p99 = round(page["p99_ms"] / base["p99_ms"], 2)
    return page | {
        "req_per_s_pct": pct,
        "p99_ratio": p99,
        "goal_pct_met": pct >= GOAL_PCT,
        "goal_p99_met": p99 <= GOAL_P99,
    }


def _level(port: int, cookie: str, pages: dict[str, list[str]], seconds: float, concurrency: int) -> dict[str, Any]:
    """The trivial view, each page, the trivial view again; each page against the mean of the two baselines."""
    out: dict[str, Any] = {}
    for name, paths in [("trivial", pages["trivial"]), *pages.items(), ("trivial_after", pages["trivial"])]:
        if name == "trivial" and "trivial" in out:
            continue
        _load(port, cookie, paths, min(WARMUP_SECONDS, seconds), concurrency)
        out[name] = _load(port, cookie, paths, seconds, concurrency)
    before, after = out["trivial"], out.pop("trivial_after")
    out["trivial"] = {
        "req_per_s": round((before["req_per_s"] + after["req_per_s"]) / 2, 1),
        "p50_ms": round((before["p50_ms"] + after["p50_ms"]) / 2, 1),
        "p99_ms": round((before["p99_ms"] + after["p99_ms"]) / 2, 1),
        "requests": before["requests"] + after["requests"],
        "req_per_s_before_after": [before["req_per_s"], after["req_per_s"]],
    }
    for name in pages:
        if name != "trivial":
            out[name] = _against(out[name], out["trivial"])
    return out


def _backend(
    database_url: str | None, work: Path, clients: int | None = None, seconds: float = SECONDS
) -> dict[str, Any]:
    env = _env(database_url, work)
    today = dt.datetime.now(dt.UTC).date()
    size = [] if clients is None else [str(clients)]
    built = subprocess.run(
        [sys.executable, str(HERE / "web_bench_data.py"), today.isoformat(), *size],
        cwd=work, env=env, check=False, capture_output=True, text=True,
    )  # fmt: skip
    if built.returncode != 0:
        msg = f"building the data set failed:\n{built.stderr[-2000:]}"
        raise RuntimeError(msg)
    data = json.loads(built.stdout.strip().splitlines()[-1])
    rng = random.Random(20261125)  # noqa: S311 - which clients to show, not security
    ids = data["client_ids"]
    shown = rng.sample(ids, min(200, len(ids)))
    timeline = [f"/clients/{pk}/" for pk in shown]
    out: dict[str, Any] = {k: v for k, v in data.items() if k not in {"client_ids", "email", "password"}}
    with _gunicorn(env, work) as port:
        cookie = _sign_in(port, data["email"], data["password"])
        out |= _check_pages(port, cookie, ids[0])
        pages = {
            "trivial": [TRIVIAL],
            "floor_actor": [FLOOR_ACTOR],
            "floor_view_log": [FLOOR_VIEW_LOG.format(pk=pk) for pk in shown],
            "timeline": timeline,
            "timeline_afresh": [TIMELINE_AFRESH.format(pk=pk) for pk in shown],
            "dashboard": ["/"],
            "dashboard_afresh": [DASHBOARD_AFRESH],
        }
        for concurrency in CONCURRENCY:
            out[f"concurrency_{concurrency}"] = _level(port, cookie, pages, seconds, concurrency)
    return out


def _postgres(work: Path, clients: int | None = None, seconds: float = SECONDS) -> dict[str, Any]:
    import psycopg  # noqa: PLC0415 - only when PostgreSQL is measured

    name = f"pinpoint_bench_{os.getpid()}"
    try:
        admin = psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        return {"skipped": f"no PostgreSQL server answers at {PG_SERVER}: {str(exc).strip().splitlines()[0]}"}
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            url = f"{PG_SERVER}/{name}"
            return _backend(url, work, clients, seconds) | {"server_version": admin.info.server_version}
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(*, tiny: bool = False) -> dict[str, Any]:
    """SQLite and PostgreSQL, one after the other, each in its own temporary directory; ``tiny``: SQLite, small."""
    clients, seconds = (20, 0.3) if tiny else (None, SECONDS)
    levels = " and ".join(str(c) for c in CONCURRENCY)
    out: dict[str, Any] = {
        "server": f"gunicorn gthread, {WORKERS} workers x {THREADS} threads, DEBUG off",
        "load": f"{levels} client threads, keep-alive, {seconds:g} s per URL after a warm-up",
        "goals": f"page req/s >= {GOAL_PCT:g} % of the trivial view's, page p99 <= {GOAL_P99:g} x the trivial view's",
    }
    for name in ("sqlite",) if tiny else ("sqlite", "postgresql"):
        work = Path(tempfile.mkdtemp(prefix=f"pinpoint-bench-{name}-"))
        try:
            out[name] = _backend(None, work, clients, seconds) if name == "sqlite" else _postgres(work, None, seconds)
        except RuntimeError as exc:  # the other database's figures are kept
            out[name] = {"failed": str(exc)}
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return out


if __name__ == "__main__":
    sys.stdout.write(json.dumps(run(), indent=2) + "\n")
