"""Build the data set of the web load benchmark in the database the environment names.

Run as a script by ``bench_web.py`` (one process per database, so Django is configured for that
database only): migrate, then one clinic with a practitioner, ``CLIENTS`` clients (or as many as
the second argument says), each with a questionnaire, a signed consent, one course planned by
core and ``SESSIONS_PER_CLIENT`` sessions every ``INTERVAL_DAYS`` days. Sessions before today are
signed (with the SHA-256 of their signed content, as the app computes it), the others booked.
Rows go in with ``bulk_create`` through the app's models, which seals each questionnaire,
consent and signed session in the same transaction (the chain holds: ``pinpoint verify`` passes
on the result); the organization, users and consent template go through the app's actions.
Prints one JSON object: counts, timings, the login and the client ids.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time
from typing import Any

from pinpoint.core.answers import NO_RISKS

CLIENTS = 1000
SESSIONS_PER_CLIENT = 50
INTERVAL_DAYS = 28
PAST_SESSIONS = 25  # per client, before today: signed
PASSWORD = "bench-password-0123"  # noqa: S105 - a throw-away account in a throw-away database
EMAIL = "practitioner@bench-clinic.example"
BATCH = 2000

ANSWERS: dict[str, Any] = {
    "treatment": "microneedling",
    "setting": "clinic",
    "zones": ["full_face"],
    "skin_type": "III",
    **NO_RISKS,
}


def build(today: dt.date, clients_wanted: int = CLIENTS) -> dict[str, Any]:
    """Migrate and fill the database with ``clients_wanted`` clients; return what the load needs."""
    import django  # noqa: PLC0415 - configured by the environment of this process

    django.setup()
    from django.core.management import call_command  # noqa: PLC0415
    from django.core.management.color import no_style  # noqa: PLC0415
    from django.db import connection, transaction  # noqa: PLC0415

    from pinpoint.core.answers import parse_answers  # noqa: PLC0415
    from pinpoint.core.planning import plan  # noqa: PLC0415
    from pinpoint.core.records import canonical_json, content_sha256  # noqa: PLC0415
    from pinpoint.evidence import load_evidence  # noqa: PLC0415
    from pinpoint.web.accounts.actions import OrganizationData, create_organization  # noqa: PLC0415
    from pinpoint.web.accounts.models import Membership, User  # noqa: PLC0415
    from pinpoint.web.base.permissions import Role  # noqa: PLC0415
    from pinpoint.web.base.tenancy import Actor  # noqa: PLC0415
    from pinpoint.web.clients.models import Client, Questionnaire  # noqa: PLC0415
    from pinpoint.web.consents.actions import add_template_version  # noqa: PLC0415
    from pinpoint.web.consents.models import Consent  # noqa: PLC0415
    from pinpoint.web.treatments.models import Course, Session  # noqa: PLC0415
    from pinpoint.web.treatments.signing import signed_content  # noqa: PLC0415

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    migrated = time.perf_counter()

    ev = load_evidence()
    owner = User.objects.create_user(email="owner@bench-clinic.example", password=PASSWORD, full_name="Olga Owner")
    prac = User.objects.create_user(email=EMAIL, password=PASSWORD, full_name="Pat Practitioner")
    org = create_organization(owner, OrganizationData(name="Bench Clinic", kind="clinic", time_zone="UTC"))
    Membership.objects.create(organization=org, user=prac, role=Role.PRACTITIONER)
    boss = Actor(user=owner, organization=org, role=Role.OWNER)
    template = add_template_version(boss, "microneedling", "Consent to microneedling", "I consent. " * 40)

    with transaction.atomic():
        clients = Client.objects.bulk_create(
            [
                Client(
                    organization=org,
                    full_name=f"Client {i:04d}",
                    birth_date=dt.date(1960 + i % 40, 1 + i % 12, 1 + i % 28),
                    email=f"client{i:04d}@example.org",
                    created_by=prac,
                )
                for i in range(clients_wanted)
            ],
            batch_size=BATCH,
        )
        span_days = PAST_SESSIONS * INTERVAL_DAYS
        first_day = [today - dt.timedelta(days=span_days - i % INTERVAL_DAYS) for i in range(clients_wanted)]
        taken = [d - dt.timedelta(days=7) for d in first_day]
        questionnaires = Questionnaire.objects.bulk_create(
            [
                Questionnaire(
                    organization=org,
                    client=c,
                    taken_on=taken[i],
                    answers=ANSWERS | {"birth_date": c.birth_date.isoformat()},
                    evidence_version=ev.version,
                    recorded_by=prac,
                )
                for i, c in enumerate(clients)
            ],
            batch_size=BATCH,
        )
        Consent.objects.bulk_create(
            [
                Consent(
                    organization=org,
                    client=c,
                    template=template,
                    treatment="microneedling",
                    template_version=template.version,
                    title=template.title,
                    text=template.body,
                    signed_name=c.full_name,
                    signed_at=dt.datetime.combine(taken[i], dt.time(10), tzinfo=dt.UTC),
                    recorded_by=prac,
                    photo_clinical=True,
                    photo_marketing=False,
                )
                for i, c in enumerate(clients)
            ],
            batch_size=BATCH,
        )
        plans: dict[dt.date, dict[str, Any]] = {}
        for q, d in zip(questionnaires, first_day, strict=True):  # one plan per start day (all adults)
            if d not in plans:
                answers = parse_answers(q.answers, ev)
                p = plan(ev, "acne_scars", ("full_face",), "clinic", device="pen_14", start=d, answers=answers)
                plans[d] = p.model_dump(mode="json")
        courses = Course.objects.bulk_create(
            [
                Course(
                    organization=org,
                    client=c,
                    questionnaire=questionnaires[i],
                    indication="acne_scars",
                    setting="clinic",
                    device="pen_14",
                    zones=["full_face"],
                    start_on=first_day[i],
                    skin_type=3,
                    plan=plans[first_day[i]],
                    evidence_version=ev.version,
                    created_by=prac,
                )
                for i, c in enumerate(clients)
            ],
            batch_size=BATCH,
        )
        sessions: list[Session] = []
        pk = 0
        for i, (c, course) in enumerate(zip(clients, courses, strict=True)):
            for n in range(1, SESSIONS_PER_CLIENT + 1):
                pk += 1
                day = first_day[i] + dt.timedelta(days=(n - 1) * INTERVAL_DAYS)
                s = Session(pk=pk, organization=org, course=course, client=c, number=n, scheduled_on=day)
                if day < today:
                    at = dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC)
                    s.status = Session.Status.SIGNED
                    s.performed_on = day
                    s.started_at, s.started_by = at, prac
                    s.checklist = [0, 1, 2, 3]
                    s.signed_at, s.signed_by = at + dt.timedelta(minutes=50), prac
                    content = signed_content(s, [])
                    s.signed_content, s.content_hash = canonical_json(content), content_sha256(content)
                sessions.append(s)
        Session.objects.bulk_create(sessions, batch_size=BATCH)
        with connection.cursor() as cursor:  # explicit ids: move the sequence past them (PostgreSQL)
            for sql in connection.ops.sequence_reset_sql(no_style(), [Session]):
                cursor.execute(sql)
    built = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    signed = sum(1 for s in sessions if s.status == Session.Status.SIGNED)
    from pinpoint.web.audit.models import Seal  # noqa: PLC0415

    sealed = Seal.objects.filter(organization=org).count()
    return {
        "vendor": connection.vendor,
        "clients": len(clients),
        "sessions": len(sessions),
        "signed_sessions": signed,
        "booked_sessions": len(sessions) - signed,
        "sealed_records": sealed,
        "booked_next_14_days": sum(
            1 for s in sessions if s.status == Session.Status.BOOKED and s.scheduled_on <= today + dt.timedelta(days=14)
        ),
        "migrate_s": round(migrated - started, 2),
        "build_s": round(built - migrated, 2),
        "email": EMAIL,
        "password": PASSWORD,
        "client_ids": [c.pk for c in clients],
    }


def main() -> None:
    """``python web_bench_data.py YYYY-MM-DD [CLIENTS]``: build for that day in the environment's database."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "web_bench_settings")
    today = dt.date.fromisoformat(sys.argv[1])
    clients = int(sys.argv[2]) if len(sys.argv) > 2 else CLIENTS
    sys.stdout.write(json.dumps(build(today, clients)) + "\n")


if __name__ == "__main__":
    main()
