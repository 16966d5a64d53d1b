# ruff: noqa: S608 - the SQL is built from numbers and table names this script chose
"""A million clients on PostgreSQL: the client pages at 1,000 clients and at 1,000,000, side by side.

For each size a new PostgreSQL database is migrated and given the demo (``pinpoint serve
--prepare-only``); plain SQL (``INSERT ... SELECT`` over ``generate_series``, never the ORM) then
adds a "Scale clinic" of ``clients`` clients, each with one course of 10 sessions and one zone
record per signed session, and three other clinics of ``clients // 100`` clients (so tenant
scoping is in every plan). The build numbers its clients ``g`` = 1, 2, ... across the four clinics
and draws each one's name from ``g`` (see :func:`name_of`): 100 first names and 40,000 surnames of
three syllables, so every full name is used once up to 4,000,000 clients, and the searched client's
two name words find her alone at both sizes, as on a real clinic's page. Emails and phone numbers
are unique too. Every row copies a demo row with new ids (no seals: nothing
here checks them), loaded with triggers and foreign-key checks off (``session_replication_role``).

The clinic's diary is the same size at both sizes: 1,000 clients have their tenth session booked,
spread from 10 days ago to 39 days ahead (20 a day); every other session is signed, spread over the
past ten years. What grows a thousand times is the history, which is what the pages must not
read. Lots hold 100 zone uses each, so there are ``sessions / 100`` lots. Every tenth client also
has a needle electrolysis course of six sessions 35 days apart, each signed session with one area
record (100,000 courses at a million clients); 100 courses are under way whatever the size, 20 of
them with their sixth session today, in progress (the dashboard's electrolysis list), the others
with their last session 1 to 59 days ago (its electrolysis courses due); the rest ended long ago.

A child process then serves each page through Django's test client, signed in as the clinic's
owner with the real views: the client list (first page and the page after it), the search by two
name words in reverse order, by phone digits without spaces and by part of an email, a client's
timeline, the dashboard and "who got lot X". It reports the median of ``REPEAT`` requests after a
warm-up and the page's query count, and writes ``EXPLAIN (ANALYZE, BUFFERS)`` of each page's three
slowest queries and of every query it makes of the electrolysis tables beside the figures
(``--out``, default ``var/bench/scale``). The ratio per page is
the large size's median over the small one's (target: at most 1.5).

``PINPOINT_BENCH_POSTGRES`` names the server (default ``postgres://postgres@127.0.0.1:5432/postgres``).
Usage: ``python benchmarks/scale_pg.py [--tiny] [--large N] [--out DIR] [--keep]``; ``--keep`` leaves
the large database for ``--measure DBNAME`` runs (the large pages alone) and ``--again`` runs (the
large pages measured again between two measurements of a new small database, whose mean is the
baseline: ``figures.json`` rewritten, the large size's build figures kept).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # pg_bulk beside this script, however it is loaded
from pg_bulk import PG_URL, bench_env, clone, one, prepare

SMALL, LARGE = 1_000, 1_000_000
TINY = (60, 240)
SESSIONS = 10
BOOKED = 1_000
"""Clients with a booked session (the diary), whatever the size."""
USES_PER_LOT = 100
EL_SHARE = 10
"""Every tenth client has a needle electrolysis course beside her microneedling one."""
EL_SESSIONS = 6
EL_SPACING = 35
"""Days between two electrolysis sessions of a course."""
EL_RECENT = 100
"""Electrolysis courses still under way (their last session 0 to 59 days ago), whatever the size."""
EL_TODAY_EVERY = 5
"""Every fifth course under way has its sixth session today, in progress (20 a day)."""
OTHER_CLINICS = 3
REPEAT = 9
FIRST = [
    "Ada",
    "Grace",
    "Alan",
    "Edsger",
    "Barbara",
    "Donald",
    "Frances",
    "Margaret",
    "Katherine",
    "Dorothy",
    "Hedy",
    "Radia",
    "Sophie",
    "Tim",
    "Linus",
    "Guido",
    "Rosalind",
    "Marie",
    "Lise",
    "Emmy",
    "Srinivasa",
    "Chien",
    "Mary",
    "Annie",
    "Jean",
    "Valerie",
    "Lynn",
    "Carol",
    "Ruth",
    "Joan",
    "Evelyn",
    "Hilda",
    "Alice",
    "Betty",
    "Kathleen",
    "Susan",
    "Ida",
    "Nora",
    "Olga",
    "Vera",
    "Agnes",
    "Beatrice",
    "Cecilia",
    "Clara",
    "Edith",
    "Elsa",
    "Florence",
    "Gertrude",
    "Harriet",
    "Irene",
    "Johanna",
    "Lillian",
    "Mabel",
    "Nettie",
    "Ottilie",
    "Pauline",
    "Rachel",
    "Sybil",
    "Thelma",
    "Ursula",
    "Winifred",
    "Yvonne",
    "Zelda",
    "Hans",
    "Kurt",
    "Niels",
    "Ernest",
    "Felix",
    "Gustav",
    "Henri",
    "Isaac",
    "James",
    "Karl",
    "Leon",
    "Max",
    "Otto",
    "Richard",
    "Samuel",
    "Theo",
    "Victor",
    "Werner",
    "Blaise",
    "Carl",
    "Edmund",
    "Fritz",
    "George",
    "Hermann",
    "Pierre",
    "Bruno",
    "Wolfgang",
    "Konrad",
    "Enrico",
    "Niklaus",
    "Claude",
    "Augusta",
    "Emil",
    "Rudolf",
    "Ludwig",
    "Bertha",
    "Louis",
]
SYLLABLES = (
    "Love Hop Tur Dijk Lis Knu Alle Ham John Vau Lam Perl Wil Ber Tor Ross Frank Cur Meit Noe"
    " Bab Cam Dun Ell Fair Gil Hal Kem Mor Nash Pem Quen Rad Shel Thorn Ush Wren Yar Ash Bram",
    "la ber ing stra ko th en il son gh ar ner ker mer ton val ley wood ford sen"
    " bel car den dle fen gar hol lin mar nel pen ring sel tel vin win bur der cot wick",
    "ce per ns ra v lace ry ock field well man rick dale worth more hurst by stone ridge ward gate mont ham ley ton",
)


def _array(words: list[str] | tuple[str, ...]) -> str:
    return "(ARRAY[" + ",".join(f"'{w}'" for w in words) + "])"


_SYLLABLES = [s.split() for s in SYLLABLES]
S1, S2, S3 = (len(s) for s in _SYLLABLES)
SURNAMES = S1 * S2 * S3
"""40 x 40 x 25 surnames; with 100 first names (which divides it), 4,000,000 full names."""


def name_of(g: int) -> tuple[str, str]:
    """The first name and surname of the ``g``-th client (as the SQL below writes them).

    The surname is ``g % SURNAMES`` in mixed radix over the three syllable lists; the first name is
    ``(g + g // SURNAMES) % len(FIRST)``: the surname's own number shifted by how many times the
    surnames have come round, so no two ``g`` of ``SURNAMES * len(FIRST)`` in a row share a full name.
    """
    s1, s2, s3 = _SYLLABLES
    surname = s1[g % S1] + s2[(g // S1) % S2] + s3[(g // (S1 * S2)) % S3]
    return FIRST[(g + g // SURNAMES) % len(FIRST)], surname


def phone_of(g: int) -> str:
    digits = f"{g:08d}"
    return f"+44 20 {digits[:4]} {digits[4:]}"


def build_clinic(cur: Any, demo: int, name: str, clients: int, today: str, start: int = 0) -> int:
    """Add clinic ``name`` of ``clients`` clients (one course of 10 sessions each); its id.

    Its clients are numbers ``start + 1`` to ``start + clients`` of the build (``g``), whose name,
    email, phone number and birth date are drawn from that number.
    """
    t_session = one(
        cur,
        "SELECT s.id FROM treatments_session s JOIN treatments_zonerecord z ON z.session_id = s.id "
        f"WHERE s.organization_id = {demo} AND s.status = 'signed' ORDER BY s.id LIMIT 1",
    )
    t_course = one(cur, f"SELECT course_id FROM treatments_session WHERE id = {t_session}")
    t_client = one(cur, f"SELECT client_id FROM treatments_session WHERE id = {t_session}")
    t_zone = one(cur, f"SELECT min(id) FROM treatments_zonerecord WHERE session_id = {t_session}")
    t_unit = one(cur, f"SELECT min(id) FROM devices_deviceunit WHERE organization_id = {demo}")
    t_quest = one(cur, f"SELECT max(id) FROM clients_questionnaire WHERE client_id = {t_client}")
    clone(cur, "accounts_organization", f"accounts_organization t WHERE t.id = {demo}", name=f"'{name}'")
    org = int(one(cur, "SELECT max(id) FROM accounts_organization"))
    clone(cur, "accounts_membership", f"accounts_membership t WHERE t.organization_id = {demo}",
           organization_id=str(org))  # fmt: skip
    s1, s2, s3 = (_array(s.split()) for s in SYLLABLES)
    first = f"{_array(FIRST)}[1 + (g + g / {SURNAMES}) % {len(FIRST)}]"
    surname = f"{s1}[1 + g % {S1}] || {s2}[1 + (g / {S1}) % {S2}] || {s3}[1 + (g / {S1 * S2}) % {S3}]"
    clone(cur, "clients_client",
           f"clients_client t, generate_series({start + 1}, {start + clients}) g WHERE t.id = {t_client}",
           organization_id=str(org), is_self="false", notes="''", full_name=f"{first} || ' ' || {surname}",
           email=f"lower({surname}) || '.' || g || '@example.org'",
           phone="'+44 20 ' || substr(lpad(g::text, 8, '0'), 1, 4) || ' ' || substr(lpad(g::text, 8, '0'), 5, 4)",
           birth_date="date '1950-01-01' + (g * 37) % 18000")  # fmt: skip
    first_client = int(one(cur, f"SELECT min(id) FROM clients_client WHERE organization_id = {org}"))
    clone(cur, "treatments_course",
           f"treatments_course t, clients_client c WHERE t.id = {t_course} AND c.organization_id = {org}",
           organization_id=str(org), client_id="c.id")  # fmt: skip
    step = max(1, clients // BOOKED)
    g = f"(co.client_id - {first_client} + 1)::int"
    booked = f"(n = {SESSIONS} AND {g} % {step} = 0)"
    day = f"date '{today}' - ({g} * 7) % 3650 - 28 * ({SESSIONS} - n) - 1"
    signed = {c: f"CASE WHEN {booked} THEN NULL ELSE t.{c} END" for c in ("started_at", "started_by_id", "signed_at",
                                                                         "signed_by_id")}  # fmt: skip
    clone(cur, "treatments_session",
           f"treatments_session t, treatments_course co, generate_series(1, {SESSIONS}) n "
           f"WHERE t.id = {t_session} AND co.organization_id = {org}",
           organization_id=str(org), course_id="co.id", client_id="co.client_id", number="n",
           status=f"CASE WHEN {booked} THEN 'booked' ELSE 'signed' END",
           scheduled_on=f"CASE WHEN {booked} THEN date '{today}' + ({g} / {step}) % 50 - 10 ELSE {day} END",
           performed_on=f"CASE WHEN {booked} THEN NULL ELSE {day} END", **signed)  # fmt: skip
    signed_count = int(one(cur, f"SELECT count(*) FROM treatments_session WHERE organization_id = {org}"
                                 " AND status = 'signed'"))  # fmt: skip
    lots = max(1, signed_count // USES_PER_LOT)
    clone(cur, "devices_deviceunit", f"devices_deviceunit t, generate_series(0, {lots - 1}) k WHERE t.id = {t_unit}",
           organization_id=str(org), label="'Lot unit ' || k", lot_number="'LOT-' || lpad(k::text, 6, '0')",
           units_total="1000", recalled_on="NULL", recall_reason="''", retired_on="NULL")  # fmt: skip
    first_unit = int(one(cur, f"SELECT min(id) FROM devices_deviceunit WHERE organization_id = {org}"))
    clone(cur, "treatments_zonerecord",
           f"treatments_zonerecord t, treatments_session s WHERE t.id = {t_zone} "
           f"AND s.organization_id = {org} AND s.status = 'signed'",
           organization_id=str(org), session_id="s.id", treated="true",
           device_unit_id=f"{first_unit} + s.id % {lots}",
           lot_number=f"'LOT-' || lpad((s.id % {lots})::text, 6, '0')")  # fmt: skip
    clone(cur, "clients_questionnaire",
           f"clients_questionnaire t, treatments_session s WHERE t.id = {t_quest} "
           f"AND s.organization_id = {org} AND s.status = 'booked'",
           organization_id=str(org), client_id="s.client_id", taken_on=f"date '{today}' - 20")  # fmt: skip
    build_electrolysis(cur, demo, org, clients, first_client, today)
    return org


def build_electrolysis(cur: Any, demo: int, org: int, clients: int, first_client: int, today: str) -> None:
    """Give every ``EL_SHARE``-th client of clinic ``org`` a course of ``EL_SESSIONS`` electrolysis sessions.

    ``EL_RECENT`` courses are under way whatever the size: their last session was 1 to 59 days ago
    (so some are overdue and some fall due this week on the dashboard), or, every
    ``EL_TODAY_EVERY``-th, is today and in progress. The others ended 90 days to ten years ago.
    """
    t_session = one(
        cur,
        "SELECT s.id FROM electrolysis_session s JOIN electrolysis_arearecord a ON a.session_id = s.id "
        f"WHERE s.organization_id = {demo} AND s.status = 'signed' ORDER BY s.id LIMIT 1",
    )
    t_course = one(cur, f"SELECT course_id FROM electrolysis_session WHERE id = {t_session}")
    t_area = one(cur, f"SELECT min(id) FROM electrolysis_arearecord WHERE session_id = {t_session}")
    courses = clients // EL_SHARE
    if courses == 0:
        return
    step = max(1, courses // EL_RECENT)
    k = f"((c.id - {first_client} + 1) / {EL_SHARE})::int"
    r = f"({k} / {step})"
    day = f"date '{today}'"
    last = (f"CASE WHEN {k} % {step} <> 0 THEN {day} - 90 - ({k} * 7) % 3650 "
            f"WHEN {r} % {EL_TODAY_EVERY} = 0 THEN {day} ELSE {day} - 1 - ({r} * 7) % 59 END")  # fmt: skip
    clone(cur, "electrolysis_course",
           f"electrolysis_course t, clients_client c WHERE t.id = {t_course} AND c.organization_id = {org} "
           f"AND (c.id - {first_client} + 1) % {EL_SHARE} = 0",
           organization_id=str(org), client_id="c.id",
           start_on=f"{last} - {EL_SPACING * (EL_SESSIONS - 1)}")  # fmt: skip
    on = f"co.start_on + {EL_SPACING} * (n - 1)"
    held = f"({on} < date '{today}')"
    signed = {c: f"CASE WHEN {held} THEN t.{c} ELSE NULL END" for c in ("signed_at", "signed_by_id")}
    clone(cur, "electrolysis_session",
           f"electrolysis_session t, electrolysis_course co, generate_series(1, {EL_SESSIONS}) n "
           f"WHERE t.id = {t_session} AND co.organization_id = {org}",
           organization_id=str(org), course_id="co.id", client_id="co.client_id", number="n", performed_on=on,
           status=f"CASE WHEN {held} THEN 'signed' ELSE 'in_progress' END",
           signed_content=f"CASE WHEN {held} THEN t.signed_content ELSE '' END",
           content_hash=f"CASE WHEN {held} THEN t.content_hash ELSE '' END", **signed)  # fmt: skip
    clone(cur, "electrolysis_arearecord",
           f"electrolysis_arearecord t, electrolysis_session s WHERE t.id = {t_area} "
           f"AND s.organization_id = {org} AND s.status = 'signed'",
           organization_id=str(org), session_id="s.id")  # fmt: skip


def build(url: str, clients: int) -> dict[str, Any]:
    """The Scale clinic of ``clients`` clients and three small clinics; what the child needs to know."""
    import datetime as dt  # noqa: PLC0415

    import psycopg  # noqa: PLC0415 - PostgreSQL only

    today = dt.date.today().isoformat()  # noqa: DTZ011 - the server's date, as the pages read it
    with psycopg.connect(url) as con, con.cursor() as cur:
        # A bulk load of rows built to be consistent: no trigger fires, foreign keys included (checking
        # 30 million references at commit took longer than the inserts on this 2-core machine). Nor do
        # the data-version triggers: the new clinics have no data version, so their dashboard is never
        # kept and is measured as computed afresh, which is what this benchmark compares across sizes.
        cur.execute("SET session_replication_role = replica")
        demo = one(cur, "SELECT id FROM accounts_organization WHERE kind = 'clinic' ORDER BY id LIMIT 1")
        org = build_clinic(cur, demo, "Scale clinic", clients, today)
        other = max(10, clients // 100)
        for i in range(OTHER_CLINICS):  # numbered after the Scale clinic's clients, so no name is used twice
            build_clinic(cur, demo, f"Other clinic {i + 1}", other, today, start=clients + i * other)
        con.commit()
    with psycopg.connect(url, autocommit=True) as con:
        con.execute("VACUUM ANALYZE")
        size = one(con.cursor(), "SELECT pg_size_pretty(pg_database_size(current_database()))")
        el_courses = one(con.cursor(), f"SELECT count(*) FROM electrolysis_course WHERE organization_id = {org}")
        el_sessions = one(con.cursor(), f"SELECT count(*) FROM electrolysis_session WHERE organization_id = {org}")
    step = max(1, clients // BOOKED)
    g = step * (BOOKED // 2) if clients >= BOOKED else clients // 2
    first, surname = name_of(g)
    return {
        "org": org,
        "database_size": size,
        "electrolysis_courses": el_courses,
        "electrolysis_sessions": el_sessions,
        "search_words": f"{surname.lower()} {first.lower()}",
        "search_phone": phone_of(g).replace(" ", "").replace("+44", "0")[-10:],
        "search_email": f"{surname.lower()}.{g}@",
        "client_offset": g,
        "lot": "LOT-000042",
    }


CHILD = r"""
import json, statistics, sys, time, django
django.setup()
from django.test.utils import setup_test_environment
setup_test_environment()  # the test client then keeps each response's context
from pathlib import Path
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pinpoint.web.accounts.models import Membership
from pinpoint.web.base.tenancy import ORG_SESSION_KEY
from pinpoint.web.clients.models import Client

spec = json.loads(sys.argv[1])
out = Path(spec["out"])
out.mkdir(parents=True, exist_ok=True)
m = Membership.objects.select_related("user").filter(organization_id=spec["org"], role="owner").first()
http = HttpClient()
http.force_login(m.user)
s = http.session
s[ORG_SESSION_KEY] = spec["org"]
s.save()
client = Client.objects.filter(organization_id=spec["org"]).order_by("pk")[spec["client_offset"] - 1]
first = http.get(reverse("clients:list"))
after = first.context["page"].next_after
pages = {
    "client_list": (reverse("clients:list"), {}),
    "client_list_page_2": (reverse("clients:list"), {"after": after}),
    "search_name_words": (reverse("clients:list"), {"q": spec["search_words"]}),
    "search_phone_digits": (reverse("clients:list"), {"q": spec["search_phone"]}),
    "search_email_part": (reverse("clients:list"), {"q": spec["search_email"]}),
    "timeline": (reverse("clients:detail", args=[client.pk]), {}),
    "dashboard": (reverse("dashboard"), {}),
    "lot_search": (reverse("outcomes:lot_search"), {"lot": spec["lot"]}),
}
figures = {}
for name, (url, params) in pages.items():
    for _ in range(2):
        assert http.get(url, params).status_code == 200, name
    times = []
    for _ in range(spec["repeat"]):
        t0 = time.perf_counter()
        response = http.get(url, params)
        times.append((time.perf_counter() - t0) * 1000)
    with CaptureQueriesContext(connection) as ctx:
        response = http.get(url, params)
    rows = response.context.get("page") if response.context else None
    figures[name] = {"median_ms": round(statistics.median(times), 1), "queries": len(ctx.captured_queries)}
    if name.startswith(("client_list", "search")):
        figures[name]["shown"] = len(rows)
        figures[name]["count_text"] = rows.count_text
    if name == "dashboard":  # the electrolysis sessions of the day and the courses due it lists
        c = response.context
        figures[name]["electrolysis_today"] = len(c["el_todays"])
        figures[name]["electrolysis_due"] = len(c["el_overdue"]) + len(c["el_soon"])
    slowest = sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))[:3]
    slowest += [q for q in ctx.captured_queries if "electrolysis_" in q["sql"] and q not in slowest]
    lines = [f"{name} at {spec['label']}: median {figures[name]['median_ms']} ms, "
             f"{figures[name]['queries']} queries; {url} {params}", ""]
    with connection.cursor() as cur:
        for q in slowest:
            if not q["sql"].lstrip().upper().startswith("SELECT"):
                continue
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + q["sql"])
            lines += [f"-- {q['time']} s", q["sql"], ""] + [r[0] for r in cur.fetchall()] + [""]
    (out / f"{spec['label']}-{name}.txt").write_text("\n".join(lines))
print(json.dumps(figures))
"""


def measure(url: str, built: dict[str, Any], label: str, out: Path, repeat: int) -> dict[str, Any]:
    """Serve every page in a child process; its figures (and the plans written under ``out``)."""
    with tempfile.TemporaryDirectory(prefix="pinpoint-scale-") as tmp:
        spec = {**built, "out": str(out), "label": label, "repeat": repeat}
        child = subprocess.run(
            [sys.executable, "-c", CHILD, json.dumps(spec)], env=bench_env(url, tmp), capture_output=True, text=True,
            check=False,
        )  # fmt: skip
    if child.returncode != 0:
        raise RuntimeError(child.stderr.strip()[-2000:])
    figures: dict[str, Any] = json.loads(child.stdout.strip().splitlines()[-1])
    return figures


def size(
    clients: int, label: str, out: Path, repeat: int, keep: bool = False, beside: Callable[[], Any] | None = None
) -> dict[str, Any]:
    """A new database with ``clients`` clients: build, measure, drop (unless ``keep``).

    With ``beside``, the pages are measured before and after calling it, and each median is the
    mean of the two (both kept as ``before_ms`` and ``after_ms``): a baseline on both sides of
    another measurement, so load that comes or goes meanwhile weighs on both.
    """
    import psycopg  # noqa: PLC0415

    admin = psycopg.connect(PG_URL, autocommit=True, connect_timeout=3)
    name = f"pinpoint_scale_{label}_{uuid.uuid4().hex[:8]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    url = PG_URL.rsplit("/", 1)[0] + "/" + name
    try:
        with tempfile.TemporaryDirectory(prefix="pinpoint-scale-") as tmp:
            prepare(bench_env(url, tmp))
        t0 = time.perf_counter()
        built = build(url, clients)
        build_s = round(time.perf_counter() - t0, 1)
        (out / f"{label}-spec.json").write_text(json.dumps({**built, "database": name}))
        pages = measure(url, built, label, out, repeat)
        if beside is not None:
            beside()
            after = measure(url, built, label, out, repeat)
            pages = {
                page: {
                    **after[page],
                    "median_ms": round((pages[page]["median_ms"] + after[page]["median_ms"]) / 2, 1),
                    "before_ms": pages[page]["median_ms"],
                    "after_ms": after[page]["median_ms"],
                }
                for page in pages
            }
    finally:
        if not keep:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
    return {
        "clients": clients,
        "sessions": clients * SESSIONS,
        "build_seconds": build_s,
        "database_size": built["database_size"],
        "electrolysis_courses": built["electrolysis_courses"],
        "electrolysis_sessions": built["electrolysis_sessions"],
        "pages": pages,
    }


def run(tiny: bool = False, large: int = LARGE, out: Path | None = None, keep: bool = False) -> dict[str, Any]:
    """Both sizes, each in its own database; per page the large median over the small one."""
    small_n, large_n = TINY if tiny else (SMALL, large)
    repeat = 3 if tiny else REPEAT
    with tempfile.TemporaryDirectory(prefix="pinpoint-scale-plans-") as spare:
        folder = out or Path(spare)
        folder.mkdir(parents=True, exist_ok=True)
        small = size(small_n, "small", folder, repeat)
        big = size(large_n, "large", folder, repeat, keep=keep)
    ratios = {
        page: round(big["pages"][page]["median_ms"] / small["pages"][page]["median_ms"], 2) for page in small["pages"]
    }
    return {"small": small, "large": big, "ratios": ratios, "within_1_5": all(r <= 1.5 for r in ratios.values())}


def again(folder: Path, repeat: int = REPEAT, clients: int = SMALL) -> dict[str, Any]:
    """The kept large database (``folder/large-spec.json``) measured again beside a new small one.

    The small size is built afresh and measured before and after the large one (see :func:`size`);
    the large size's build figures are kept from ``folder/figures.json``.
    """
    previous = json.loads((folder / "figures.json").read_text())
    spec = json.loads((folder / "large-spec.json").read_text())
    large_url = PG_URL.rsplit("/", 1)[0] + "/" + spec["database"]
    big: dict[str, Any] = {}

    def measure_large() -> None:
        big.update(measure(large_url, spec, "large", folder, repeat))

    small = size(clients, "small", folder, repeat, beside=measure_large)
    large = {**previous["large"], "pages": big}
    ratios = {page: round(big[page]["median_ms"] / small["pages"][page]["median_ms"], 2) for page in small["pages"]}
    return {"small": small, "large": large, "ratios": ratios, "within_1_5": all(r <= 1.5 for r in ratios.values())}


def _arg(flag: str, default: str) -> str:
    return sys.argv[sys.argv.index(flag) + 1] if flag in sys.argv else default


if __name__ == "__main__":
    folder = Path(_arg("--out", "var/bench/scale"))
    if "--again" in sys.argv:
        result = again(folder)
        (folder / "figures.json").write_text(json.dumps(result, indent=2))
        print(json.dumps(result, indent=2))
    elif "--measure" in sys.argv:
        spec = json.loads((folder / "large-spec.json").read_text())
        db_url = PG_URL.rsplit("/", 1)[0] + "/" + _arg("--measure", spec["database"])
        print(json.dumps(measure(db_url, spec, _arg("--label", "large"), folder, REPEAT), indent=2))
    else:
        result = run(tiny="--tiny" in sys.argv, large=int(_arg("--large", str(LARGE))), out=folder,
                     keep="--keep" in sys.argv)  # fmt: skip
        (folder / "figures.json").write_text(json.dumps(result, indent=2))
        print(json.dumps(result, indent=2))
