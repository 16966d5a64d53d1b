"""The demo clinic and demo personal space that ``make run`` / ``pinpoint serve`` load.

Loading is idempotent: when the demo owner account exists, nothing is written. Everything is
created through the actions, as a user would, so the audit trail and history look real.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from pinpoint.core.answers import NO_RISKS
from pinpoint.web.accounts.actions import OrganizationData, create_organization
from pinpoint.web.accounts.models import Membership, User
from pinpoint.web.base.permissions import Role
from pinpoint.web.base.tenancy import Actor
from pinpoint.web.clients.actions import ClientData, create_client, record_questionnaire
from pinpoint.web.clients.models import Client
from pinpoint.web.consents.actions import add_template_version, sign_consent
from pinpoint.web.devices.actions import add_unit
from pinpoint.web.devices.models import DeviceUnit
from pinpoint.web.treatments import actions as tx
from pinpoint.web.treatments.models import Course

__all__ = ["DEMO_PASSWORD", "LOGINS", "DemoResult", "load_demo"]

DEMO_PASSWORD = "pinpoint-demo"  # noqa: S105 - a published demo login for a local development database
LOGINS: tuple[tuple[str, str, str], ...] = (
    ("owner@demo-clinic.example", "Olivia Owen", Role.OWNER),
    ("practitioner@demo-clinic.example", "Priya Patel", Role.PRACTITIONER),
    ("assistant@demo-clinic.example", "Alex Adams", Role.ASSISTANT),
)
HOME_LOGIN = ("home@demo-home.example", "Hana Home")

MICRONEEDLING_CONSENT = (
    "I consent to collagen-induction microneedling of the zones in my treatment plan. The practitioner has "
    "explained the procedure, what to expect afterwards, possible side effects and the alternatives, and has "
    "answered my questions. I have answered the medical-history questionnaire truthfully and will report any "
    "change before each session. I may withdraw this consent at any time."
)
ELECTROLYSIS_CONSENT = (
    "I consent to needle electrolysis hair removal of the zones agreed with the practitioner. The procedure, "
    "the expected course, possible side effects and the alternatives have been explained to me. I may withdraw "
    "this consent at any time."
)
ALL_NO: dict[str, object] = dict(NO_RISKS)


@dataclass(frozen=True)
class DemoResult:
    """Whether the demo was created now, and the logins to print."""

    created: bool
    logins: tuple[tuple[str, str, str], ...]


def _user(email: str, name: str) -> User:
    return User.objects.create_user(email=email, password=DEMO_PASSWORD, full_name=name)


def _answers(zones: list[str], birth: dt.date, setting: str, **changes: object) -> dict[str, object]:
    return {
        "treatment": "microneedling",
        "setting": setting,
        "zones": zones,
        "birth_date": birth.isoformat(),
        "skin_type": "III",
        **ALL_NO,
        **changes,
    }


def _clinic(today: dt.date) -> None:
    owner = _user(*LOGINS[0][:2])
    org = create_organization(owner, OrganizationData(name="Demo Clinic", kind="clinic", time_zone="UTC"))
    boss = Actor(user=owner, organization=org, role=Role.OWNER)
    for email, name, role in LOGINS[1:]:
        Membership.objects.create(organization=org, user=_user(email, name), role=role)
    prac = Actor(user=User.objects.get(email=LOGINS[1][0]), organization=org, role=Role.PRACTITIONER)
    add_template_version(boss, "microneedling", "Consent to microneedling", MICRONEEDLING_CONSENT)
    add_template_version(boss, "electrolysis", "Consent to needle electrolysis", ELECTROLYSIS_CONSENT)
    cartridges = add_unit(
        boss,
        "pen_14",
        "Pen cartridges",
        lot_number="CART-2407-A",
        expires_on=today + dt.timedelta(days=400),
        units_total=50,
    )
    month_ago = today - dt.timedelta(days=28)
    then = timezone.now() - dt.timedelta(days=28)

    ada = create_client(
        prac, ClientData(full_name="Ada Lovelace", birth_date=dt.date(1985, 12, 10), email="ada@example.org")
    )
    record_questionnaire(prac, ada, _answers(["full_face"], dt.date(1985, 12, 10), "clinic"), month_ago)
    sign_consent(
        prac,
        ada,
        "microneedling",
        signed_name="Ada Lovelace",
        signer="client",
        photo_clinical=True,
        photo_marketing=False,
        now=then,
    )
    course = tx.create_course(
        prac,
        ada,
        tx.CourseData(
            indication="acne_scars", zones=("full_face",), setting="clinic", start_on=month_ago, device="pen_14"
        ),
    )
    first, *_ = tx.book_sessions(prac, course)
    _run_first_session(prac, course, first, month_ago, cartridges)

    grace = create_client(prac, ClientData(full_name="Grace Hopper", birth_date=dt.date(1976, 12, 9)))
    record_questionnaire(prac, grace, _answers(["cheek"], dt.date(1976, 12, 9), "clinic"), month_ago)
    sign_consent(
        prac,
        grace,
        "microneedling",
        signed_name="Grace Hopper",
        signer="client",
        photo_clinical=True,
        photo_marketing=True,
        now=then,
    )
    grace_course = tx.create_course(
        prac, grace, tx.CourseData(indication="acne_scars", zones=("cheek",), setting="clinic", start_on=today)
    )
    tx.book_sessions(prac, grace_course)
    # Since the course was planned, Grace started an anticoagulant: today's screening refers her.
    record_questionnaire(prac, grace, _answers(["cheek"], dt.date(1976, 12, 9), "clinic", anticoagulants=True), today)

    mary = create_client(prac, ClientData(full_name="Mary Seacole", birth_date=dt.date(1990, 11, 23)))
    partial = {"treatment": "microneedling", "setting": "clinic", "zones": ["forehead"], "birth_date": "1990-11-23"}
    record_questionnaire(prac, mary, partial, today)


def _run_first_session(actor: Actor, course: Course, session: object, on: dt.date, unit: DeviceUnit) -> None:
    from pinpoint.web.treatments.models import Session  # noqa: PLC0415 - keeps the demo's imports short

    assert isinstance(session, Session)  # noqa: S101 - narrows the type for the checker
    started = tx.start_session(actor, session, on)
    tx.start_anaesthetic(actor, started, at=timezone.now() - dt.timedelta(minutes=45))  # numb before the needling
    zones = []
    for zp in course.plan_obj().zones:
        zones.append(
            tx.ZoneInput(
                zone=zp.zone,
                device="pen_14",
                device_unit_id=unit.pk,
                depth_mm=Decimal(str(zp.depth_mm.min)),
                passes=int(zp.passes.min),
                endpoint_reached=True,
            )
        )
    record = tx.RecordInput(checklist=tuple(range(6)), notes="Tolerated well.", zones=tuple(zones))
    tx.sign_session(actor, started, record)


def _home(today: dt.date) -> None:
    user = _user(*HOME_LOGIN)
    org = create_organization(
        user, OrganizationData(name="Hana's space", kind="personal", time_zone="UTC", birth_date=dt.date(1992, 5, 4))
    )
    me = Actor(user=user, organization=org, role=Role.OWNER)
    client = Client.objects.get(organization=org, is_self=True)
    record_questionnaire(me, client, _answers(["cheek", "forehead"], dt.date(1992, 5, 4), "home"), today)
    add_unit(me, "roller_192_025_home", "My roller", lot_number="R-0525")
    course = tx.create_course(
        me,
        client,
        tx.CourseData(
            indication="fine_lines",
            zones=("cheek", "forehead"),
            setting="home",
            start_on=today,
            device="roller_192_025_home",
        ),
    )
    tx.book_sessions(me, course)


def _photos() -> None:
    """Ada's photos at the standard face views, at her signed session and at today's (before the needling)."""
    from pinpoint.web.accounts.models import Organization  # noqa: PLC0415 - keeps the demo's imports short
    from pinpoint.web.photos.demo import demo_photos  # noqa: PLC0415 - keeps the demo's imports short
    from pinpoint.web.treatments.models import Session  # noqa: PLC0415 - keeps the demo's imports short

    org = Organization.objects.get(name="Demo Clinic")
    prac = Actor(user=User.objects.get(email=LOGINS[1][0]), organization=org, role=Role.PRACTITIONER)
    ada = Session.objects.filter(client__full_name="Ada Lovelace", organization=org).order_by("number")
    demo_photos(prac, list(ada[:2]))


def _schedule(today: dt.date) -> None:
    """Rooms, appointments with times for the coming days, a reminder and a recall due today."""
    from pinpoint.web.scheduling.demo import demo_schedule  # noqa: PLC0415 - keeps the demo's imports short

    demo_schedule(today)


def _electrolysis(today: dt.date) -> None:
    """Hedy Lamarr's upper-lip electrolysis course: five signed sessions with window counts."""
    from pinpoint.web.accounts.models import Organization  # noqa: PLC0415 - keeps the demo's imports short
    from pinpoint.web.electrolysis.demo import demo_electrolysis  # noqa: PLC0415 - keeps the demo's imports short

    org = Organization.objects.get(name="Demo Clinic")
    prac = Actor(user=User.objects.get(email=LOGINS[1][0]), organization=org, role=Role.PRACTITIONER)
    demo_electrolysis(prac, today, _answers(["upper_lip"], dt.date(1984, 11, 9), "clinic"))


def _follow_up(today: dt.date) -> None:
    """Scores on Ada's course, a resolved adverse event on her signed session and its lot, an expired lot."""
    from pinpoint.web.accounts.models import Organization  # noqa: PLC0415 - keeps the demo's imports short
    from pinpoint.web.outcomes.demo import demo_follow_up  # noqa: PLC0415 - keeps the demo's imports short

    org = Organization.objects.get(name="Demo Clinic")
    prac = Actor(user=User.objects.get(email=LOGINS[1][0]), organization=org, role=Role.PRACTITIONER)
    demo_follow_up(prac, today)


def load_demo(today: dt.date) -> DemoResult:
    """Create the demo clinic and personal space unless they exist; one transaction."""
    logins = (*LOGINS, (*HOME_LOGIN[:1], HOME_LOGIN[1], "personal space"))
    printable = tuple((email, DEMO_PASSWORD, role) for email, _, role in logins)
    if User.objects.filter(email=LOGINS[0][0]).exists():
        return DemoResult(created=False, logins=printable)
    with transaction.atomic():
        _clinic(today)
        _home(today)
        _photos()
        _electrolysis(today)
        _schedule(today)
        _follow_up(today)
    return DemoResult(created=True, logins=printable)
