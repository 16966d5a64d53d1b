"""The authorization matrix, for every URL: anonymous -> login; another organization -> 404;
a role without the permission -> 403; a role with it -> OK. Denied requests change nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from pinpoint.web.accounts.actions import invite
from pinpoint.web.accounts.models import Invitation, Membership
from pinpoint.web.base.permissions import ROLE_PERMISSIONS, Perm, Role
from pinpoint.web.treatments.actions import CourseData, create_course, start_session
from pinpoint.web.treatments.models import Course
from tests.web.conftest import World, fingerprint


def _start(w: World) -> None:
    start_session(w.actor(w.practitioner), w.today_session, w.today)


def _new_course(w: World) -> None:
    data = CourseData(
        indication="fine_lines", zones=("cheek",), setting="clinic", start_on=w.today + dt.timedelta(days=90)
    )
    create_course(w.actor(w.practitioner), w.ada, data)


def _token(w: World) -> None:
    from pinpoint.web.api.tokens import create_token

    create_token(w.assistant, w.clinic, name="script", scope="read", days=30)


def _token_pk(w: World) -> int:
    from pinpoint.web.api.models import ApiToken

    return int(ApiToken.objects.latest("pk").pk)


def _invitation(w: World) -> None:
    invite(w.actor(w.owner), "new.person@example.org", "assistant", timezone.now())


def _jpeg() -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from pinpoint.web.photos.demo import drawn_face

    return SimpleUploadedFile("front.jpg", drawn_face("frontal", 3), content_type="image/jpeg")


def _clinic_roller(w: World) -> int:
    """A reusable roller of the clinic (made once), for the cleaning log."""
    from pinpoint.web.devices.models import DeviceUnit

    unit, _ = DeviceUnit.objects.get_or_create(
        organization=w.clinic, label="Clinic roller", defaults={"catalog_id": "roller_192_020", "created_by": w.owner}
    )
    return int(unit.pk)


def _ada_photo(w: World) -> Any:
    from pinpoint.web.photos.models import Photo

    return Photo.objects.filter(client=w.ada).latest("pk")


def _portal_consent(w: World) -> Any:
    from pinpoint.web.portal.actions import submit
    from pinpoint.web.portal.models import Submission

    found = Submission.objects.filter(client=w.ada, reviewed_at__isnull=True).first()
    if found is not None:
        return found
    data = {"treatment": "microneedling", "signed_name": "Ada Lovelace", "photo_clinical": True}
    return submit(w.ada, "consent", data | {"photo_marketing": False, "signed_at": "2026-11-01T09:00:00+00:00"})


def _mae(w: World) -> Any:
    from pinpoint.web.treatments.models import Session

    return Session.objects.select_related("appointment").get(client__full_name="Mae Jemison", number=1)


def _ada_event(w: World) -> int:
    from pinpoint.web.outcomes.models import AdverseEvent

    return int(AdverseEvent.objects.filter(client=w.ada).latest("pk").pk)


@dataclass(frozen=True)
class Case:
    """One URL: how to call it, what it needs, what a permitted call returns."""

    name: str
    method: str
    path: Callable[[World], str]
    perm: Perm
    scoped: bool = True
    data: Callable[[World], dict[str, Any]] = field(default=lambda w: {})
    ok: int = 200
    prepare: Callable[[World], None] | None = None


def _u(name: str, *args: Callable[[World], Any]) -> Callable[[World], str]:
    return lambda w: reverse(name, args=[a(w) for a in args])


CASES = [
    Case("dashboard", "get", _u("dashboard"), Perm.DASHBOARD_VIEW, scoped=False),
    Case("clients:list", "get", _u("clients:list"), Perm.CLIENT_VIEW, scoped=False),
    Case("clients:new", "get", _u("clients:new"), Perm.CLIENT_EDIT, scoped=False),
    Case("clients:detail", "get", _u("clients:detail", lambda w: w.ada.pk), Perm.CLIENT_VIEW),
    Case("clients:edit", "get", _u("clients:edit", lambda w: w.ada.pk), Perm.CLIENT_EDIT),
    Case("clients:history", "get", _u("clients:history", lambda w: w.ada.pk), Perm.AUDIT_VIEW),
    Case(
        "clients:questionnaire_new",
        "get",
        _u("clients:questionnaire_new", lambda w: w.ada.pk),
        Perm.QUESTIONNAIRE_RECORD,
    ),
    Case(
        "clients:questionnaire",
        "get",
        _u("clients:questionnaire", lambda w: w.ada.pk, lambda w: w.questionnaire.pk),
        Perm.CLIENT_VIEW,
    ),
    Case("consents:templates", "get", _u("consents:templates"), Perm.SETTINGS_MANAGE, scoped=False),
    Case("consents:new", "get", _u("consents:new", lambda w: w.ada.pk), Perm.CONSENT_RECORD),
    Case("consents:detail", "get", _u("consents:detail", lambda w: w.consent.pk), Perm.CLIENT_VIEW),
    Case(
        "consents:withdraw",
        "post",
        _u("consents:withdraw", lambda w: w.consent.pk),
        Perm.CONSENT_WITHDRAW,
        data=lambda w: {"reason": "changed her mind"},
        ok=302,
    ),
    Case("devices:list", "get", _u("devices:list"), Perm.DEVICE_MANAGE, scoped=False),
    Case("devices:detail", "get", _u("devices:detail", lambda w: w.pen.pk), Perm.DEVICE_MANAGE),
    Case("devices:retire", "post", _u("devices:retire", lambda w: w.pen.pk), Perm.DEVICE_MANAGE, ok=302),
    Case("devices:recall", "get", _u("devices:recall", lambda w: w.pen.pk), Perm.DEVICE_MANAGE),
    Case(
        "devices:recall_post",
        "post",
        _u("devices:recall", lambda w: w.pen.pk),
        Perm.DEVICE_MANAGE,
        data=lambda w: {"reason": "maker's notice"},
        ok=302,
    ),
    Case("devices:clean", "get", _u("devices:clean", lambda w: w.pen.pk), Perm.DEVICE_MANAGE),
    Case(
        "devices:clean_post",
        "post",
        _u("devices:clean", lambda w: _clinic_roller(w)),
        Perm.DEVICE_MANAGE,
        data=lambda w: {"agent": "70% isopropyl alcohol", "cleaned_on": w.today.isoformat()},
        prepare=lambda w: _clinic_roller(w) and None,
        ok=302,
    ),
    Case("outcomes:course", "get", _u("outcomes:course", lambda w: w.ada_course.pk), Perm.CLIENT_VIEW),
    Case(
        "outcomes:course_post",
        "post",
        _u("outcomes:course", lambda w: w.ada_course.pk),
        Perm.OUTCOME_RECORD,
        data=lambda w: {"scale": "gais", "rater": "client", "taken_on": w.today.isoformat(), "value": "2"},
        ok=302,
    ),
    Case("outcomes:chart", "get", _u("outcomes:chart", lambda w: w.ada_course.pk), Perm.CLIENT_VIEW),
    Case("outcomes:report", "get", _u("outcomes:report", lambda w: w.signed.pk), Perm.ADVERSE_EVENT_REPORT),
    Case(
        "outcomes:report_post",
        "post",
        _u("outcomes:report", lambda w: w.signed.pk),
        Perm.ADVERSE_EVENT_REPORT,
        data=lambda w: {"kind": "burn", "severity": "mild", "onset_on": w.today.isoformat()},
        ok=302,
    ),
    Case("outcomes:events", "get", _u("outcomes:events"), Perm.CLIENT_VIEW, scoped=False),
    Case("outcomes:event", "get", _u("outcomes:event", lambda w: _ada_event(w)), Perm.CLIENT_VIEW),
    Case(
        "outcomes:event_post",
        "post",
        _u("outcomes:event", lambda w: _ada_event(w)),
        Perm.ADVERSE_EVENT_REPORT,
        data=lambda w: {"outcome": "ongoing"},
        ok=302,
    ),
    Case(
        "outcomes:lot_search",
        "get",
        lambda w: reverse("outcomes:lot_search") + "?lot=CART-2407-A",
        Perm.LOT_RECALL,
        scoped=False,
    ),
    Case(
        "outcomes:lot_export",
        "get",
        lambda w: reverse("outcomes:lot_export") + "?lot=CART-2407-A",
        Perm.LOT_RECALL,
        scoped=False,
    ),
    Case("audit:log", "get", _u("audit:log"), Perm.AUDIT_VIEW, scoped=False),
    Case("accounts:settings", "get", _u("accounts:settings"), Perm.SETTINGS_MANAGE, scoped=False),
    Case("accounts:policy", "get", _u("accounts:policy"), Perm.SETTINGS_MANAGE, scoped=False),
    Case("accounts:members", "get", _u("accounts:members"), Perm.MEMBERS_MANAGE, scoped=False),
    Case(
        "accounts:member_role",
        "post",
        _u("accounts:member_role", lambda w: Membership.objects.get(user=w.assistant).pk),
        Perm.MEMBERS_MANAGE,
        data=lambda w: {"role": "practitioner"},
        ok=302,
    ),
    Case(
        "accounts:member_remove",
        "post",
        _u("accounts:member_remove", lambda w: Membership.objects.get(user=w.assistant).pk),
        Perm.MEMBERS_MANAGE,
        ok=302,
    ),
    Case(
        "accounts:invitation_revoke",
        "post",
        _u("accounts:invitation_revoke", lambda w: Invitation.objects.get().pk),
        Perm.MEMBERS_MANAGE,
        ok=302,
        prepare=_invitation,
    ),
    Case("treatments:course_new", "get", _u("treatments:course_new", lambda w: w.ada.pk), Perm.COURSE_PLAN),
    Case("treatments:course", "get", _u("treatments:course", lambda w: w.ada_course.pk), Perm.CLIENT_VIEW),
    Case(
        "treatments:book",
        "post",
        _u("treatments:book", lambda w: Course.objects.filter(client=w.ada).latest("pk").pk),
        Perm.SESSION_BOOK,
        ok=302,
        prepare=_new_course,
    ),
    Case("treatments:session", "get", _u("treatments:session", lambda w: w.today_session.pk), Perm.CLIENT_VIEW),
    Case(
        "treatments:reschedule",
        "post",
        _u("treatments:reschedule", lambda w: w.grace_session.pk),
        Perm.SESSION_BOOK,
        data=lambda w: {"date": (w.today - dt.timedelta(days=1)).isoformat()},
        ok=302,
    ),
    Case(
        "treatments:cancel",
        "post",
        _u("treatments:cancel", lambda w: w.today_session.pk),
        Perm.SESSION_BOOK,
        data=lambda w: {"reason": "client unwell"},
        ok=302,
    ),
    Case("treatments:start", "post", _u("treatments:start", lambda w: w.today_session.pk), Perm.SESSION_RUN, ok=302),
    Case("treatments:run", "get", _u("treatments:run", lambda w: w.today_session.pk), Perm.SESSION_RUN, prepare=_start),
    Case(
        "treatments:anaesthetic",
        "post",
        _u("treatments:anaesthetic", lambda w: w.today_session.pk),
        Perm.SESSION_RUN,
        ok=302,
        prepare=_start,
    ),
    Case(
        "treatments:addendum",
        "post",
        _u("treatments:addendum", lambda w: w.signed.pk),
        Perm.SESSION_ADDENDUM,
        data=lambda w: {"text": "Photos filed late."},
        ok=302,
    ),
    Case("documents:plan", "get", _u("documents:plan", lambda w: w.ada_course.pk), Perm.CLIENT_VIEW),
    Case("documents:consent", "get", _u("documents:consent", lambda w: w.consent.pk), Perm.CLIENT_VIEW),
    Case("documents:record", "get", _u("documents:record", lambda w: w.signed.pk), Perm.CLIENT_VIEW),
    Case("documents:aftercare", "get", _u("documents:aftercare", lambda w: w.today_session.pk), Perm.CLIENT_VIEW),
    Case(
        "documents:electrolysis_plan",
        "get",
        _u("documents:electrolysis_plan", lambda w: _hedy_course(w)),
        Perm.CLIENT_VIEW,
    ),
    Case(
        "documents:electrolysis_record",
        "get",
        _u("documents:electrolysis_record", lambda w: _hedy_signed(w)),
        Perm.CLIENT_VIEW,
    ),
    Case(
        "documents:electrolysis_aftercare",
        "get",
        _u("documents:electrolysis_aftercare", lambda w: _hedy_signed(w)),
        Perm.CLIENT_VIEW,
    ),
    Case("exports:everything", "get", _u("exports:everything"), Perm.EXPORT_ALL, scoped=False),
    Case("exports:download", "post", _u("exports:download"), Perm.EXPORT_ALL, scoped=False),
    Case("exports:erase", "get", _u("exports:erase", lambda w: w.ada.pk), Perm.CLIENT_ERASE),
    Case(
        "exports:erase_post",
        "post",
        _u("exports:erase", lambda w: w.ada.pk),
        Perm.CLIENT_ERASE,
        data=lambda w: {"reason": "The client's request", "confirm": "on"},
        ok=302,
    ),
    Case("api-pages:tokens", "get", _u("api-pages:tokens"), Perm.DASHBOARD_VIEW, scoped=False),
    Case(
        "api-pages:token_revoke",
        "post",
        _u("api-pages:token_revoke", _token_pk),
        Perm.DASHBOARD_VIEW,
        prepare=_token,
        scoped=False,  # a token not the user's own is left alone: the list shows what is left
        ok=302,
    ),
]
CASES += [
    Case("photos:client", "get", _u("photos:client", lambda w: w.ada.pk), Perm.PHOTO_VIEW),
    Case(
        "photos:compare",
        "get",
        lambda w: reverse("photos:compare", args=[w.ada.pk]) + "?series=face&view=frontal&zone=",
        Perm.PHOTO_VIEW,
    ),
    Case(
        "photos:client_post",
        "post",
        lambda w: (
            reverse("photos:client", args=[w.ada.pk])
            + f"?course={w.ada_course.pk}&zone=forehead&taken_on={w.today.isoformat()}"
        ),
        Perm.PHOTO_TAKE,
        data=lambda w: {"zone": "forehead", "view": "frontal", "photo": _jpeg()},
        ok=302,
    ),
    Case("photos:session", "get", _u("photos:session", lambda w: w.today_session.pk), Perm.PHOTO_TAKE),
    Case(
        "photos:session_post",
        "post",
        _u("photos:session", lambda w: w.today_session.pk),
        Perm.PHOTO_TAKE,
        data=lambda w: {"zone": "forehead", "view": "frontal", "photo": _jpeg()},
        ok=302,
    ),
    Case("photos:marketing", "get", _u("photos:marketing"), Perm.PHOTO_MARKETING, scoped=False),
    Case("photos:detail", "get", _u("photos:detail", lambda w: _ada_photo(w).pk), Perm.PHOTO_VIEW),
    Case("photos:image", "get", _u("photos:image", lambda w: _ada_photo(w).key), Perm.PHOTO_VIEW),
    Case("photos:thumb", "get", _u("photos:thumb", lambda w: _ada_photo(w).key), Perm.PHOTO_VIEW),
]


def _hedy(w: World) -> int:
    from pinpoint.web.clients.models import Client

    return int(Client.objects.get(full_name="Hedy Lamarr", organization=w.clinic).pk)


def _hedy_course(w: World) -> int:
    from pinpoint.web.electrolysis.models import Course as ElCourse

    return int(ElCourse.objects.get(client__full_name="Hedy Lamarr", organization=w.clinic).pk)


def _hedy_signed(w: World) -> int:
    from pinpoint.web.electrolysis.models import Session as ElSession

    return int(ElSession.objects.filter(course_id=_hedy_course(w), status="signed").order_by("number")[0].pk)


def _el_open(w: World) -> int:
    from pinpoint.web.electrolysis.actions import start_session as el_start
    from pinpoint.web.electrolysis.models import Course as ElCourse

    return int(el_start(w.actor(w.practitioner), ElCourse.objects.get(pk=_hedy_course(w))).pk)


def _el_open_session(w: World) -> None:
    _el_open(w)


def _el_today(w: World) -> int:
    from pinpoint.web.electrolysis.models import Session as ElSession

    return int(ElSession.objects.get(course_id=_hedy_course(w), performed_on=w.today).pk)


def _el_recorded(w: World) -> None:
    from pinpoint.core.hair_records import AreaEntry
    from pinpoint.web.electrolysis.actions import record_area
    from pinpoint.web.electrolysis.models import Session as ElSession

    session = ElSession.objects.get(pk=_el_open(w))
    entry = AreaEntry("upper_lip", "blend", "insulated", "F3", 0.4, 1.5, 8.0, 60, 55, 20.0, "none", True, 4.0, 20)
    record_area(w.actor(w.practitioner), session, entry)


EL_AREA = {
    "area": "upper_lip",
    "area-upper_lip-area": "upper_lip",
    "area-upper_lip-probe_type": "insulated",
    "area-upper_lip-probe_size": "F3",
    "area-upper_lip-current_ma": "0.4",
    "area-upper_lip-intensity_w": "1.5",
    "area-upper_lip-seconds_per_insertion": "8",
    "area-upper_lip-insertions": "60",
    "area-upper_lip-hairs_removed": "55",
    "area-upper_lip-minutes": "20",
    "area-upper_lip-reaction": "none",
    "area-upper_lip-aftercare_given": "on",
}
CASES += [
    Case("electrolysis:course_new", "get", _u("electrolysis:course_new", lambda w: w.ada.pk), Perm.COURSE_PLAN),
    Case(
        "electrolysis:course_new_post",
        "post",
        _u("electrolysis:course_new", _hedy),
        Perm.COURSE_PLAN,
        data=lambda w: {
            "areas": ["upper_lip"],
            "modality": "blend",
            "start_on": w.today.isoformat(),
            "count_kind": "default",
        },
        ok=302,
    ),
    Case("electrolysis:course", "get", _u("electrolysis:course", _hedy_course), Perm.CLIENT_VIEW),
    Case(
        "electrolysis:chart",
        "get",
        lambda w: reverse("electrolysis:chart", args=[_hedy_course(w), "upper_lip"]),
        Perm.CLIENT_VIEW,
    ),
    Case("electrolysis:start", "post", _u("electrolysis:start", _hedy_course), Perm.SESSION_RUN, ok=302),
    Case("electrolysis:session", "get", _u("electrolysis:session", _hedy_signed), Perm.CLIENT_VIEW),
    Case(
        "electrolysis:record",
        "post",
        _u("electrolysis:record", _el_today),
        Perm.SESSION_RUN,
        data=lambda w: EL_AREA,
        ok=302,
        prepare=_el_open_session,
    ),
    Case(
        "electrolysis:sign",
        "post",
        _u("electrolysis:sign", _el_today),
        Perm.SESSION_SIGN,
        data=lambda w: {"confirm": "on"},
        ok=302,
        prepare=_el_recorded,
    ),
    Case(
        "electrolysis:addendum",
        "post",
        _u("electrolysis:addendum", _hedy_signed),
        Perm.SESSION_ADDENDUM,
        data=lambda w: {"text": "Window re-counted"},
        ok=302,
    ),
]
CASES += [
    Case("scheduling:day", "get", _u("scheduling:day"), Perm.CLIENT_VIEW, scoped=False),
    Case("scheduling:week", "get", _u("scheduling:week"), Perm.CLIENT_VIEW, scoped=False),
    Case("scheduling:rooms", "get", _u("scheduling:rooms"), Perm.SETTINGS_MANAGE, scoped=False),
    Case(
        "scheduling:rooms_post",
        "post",
        _u("scheduling:rooms"),
        Perm.SETTINGS_MANAGE,
        scoped=False,
        data=lambda w: {"name": "Room 3"},
        ok=302,
    ),
    Case("scheduling:hours", "get", _u("scheduling:hours"), Perm.SETTINGS_MANAGE, scoped=False),
    Case(
        "scheduling:hours_post",
        "post",
        _u("scheduling:hours"),
        Perm.SETTINGS_MANAGE,
        scoped=False,
        data=lambda w: {
            **{f"{d}_opens": "08:00" for d in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday")},
            **{f"{d}_closes": "18:00" for d in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday")},
            "sunday_closed": "on",
        },
        ok=302,
    ),
    Case("scheduling:book", "get", _u("scheduling:book", lambda w: w.grace_session.pk), Perm.SESSION_BOOK),
    Case(
        "scheduling:book_post",
        "post",
        _u("scheduling:book", lambda w: _mae(w).pk),
        Perm.SESSION_BOOK,
        data=lambda w: {
            "day": (w.today + dt.timedelta(days=1)).isoformat(),
            "practitioner": w.practitioner.pk,
            "minutes": 60,
            "start": "18:00",
        },
        ok=302,
    ),
    Case(
        "scheduling:free",
        "post",
        _u("scheduling:free", lambda w: _mae(w).appointment.pk),
        Perm.SESSION_BOOK,
        ok=302,
    ),
    Case("scheduling:add_session", "get", _u("scheduling:add_session", lambda w: w.ada_course.pk), Perm.SESSION_BOOK),
    Case(
        "scheduling:add_session_post",
        "post",
        _u("scheduling:add_session", lambda w: w.ada_course.pk),
        Perm.SESSION_BOOK,
        data=lambda w: {"date": (w.today + dt.timedelta(days=120)).isoformat()},
        ok=302,
    ),
    Case("reminders:worklist", "get", _u("reminders:worklist"), Perm.CLIENT_VIEW, scoped=False),
    Case("reminders:calendar", "get", _u("reminders:calendar"), Perm.DASHBOARD_VIEW, scoped=False),
    Case(
        "reminders:calendar_post",
        "post",
        _u("reminders:calendar"),
        Perm.DASHBOARD_VIEW,
        scoped=False,  # a user's own calendar address
        data=lambda w: {"action": "create"},
    ),
    Case("portal:review", "get", _u("portal:review", lambda w: w.ada.pk), Perm.QUESTIONNAIRE_RECORD),
    Case("portal:send", "post", _u("portal:send", lambda w: w.ada.pk), Perm.CLIENT_EDIT, ok=302),
    Case(
        "portal:accept",
        "post",
        _u("portal:accept", lambda w: _portal_consent(w).pk),
        Perm.QUESTIONNAIRE_RECORD,
        prepare=_portal_consent,
        ok=302,
    ),
]
PUBLIC = {
    "accounts:login",
    "accounts:logout",
    "accounts:signup",
    "accounts:signup_confirm",
    "accounts:accept",
    "api-pages:docs",  # the API reference, rendered from the public schema
    "reminders:feed",  # a private calendar address: the unguessable token is the key (test_reminders.py)
    # the client portal's own pages: its emailed sign-in, its client only (test_portal.py)
    "portal:start",
    "portal:enter",
    "portal:home",
    "portal:questionnaire",
    "portal:consent",
    "portal:problem",
    "portal:sign_out",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:password_reset_complete",
}
SIGNED_IN_ONLY = {
    "accounts:start",
    "accounts:switch",
    "accounts:password_change",
    "accounts:password_change_done",
    "accounts:sign_out_everywhere",
}


def _role_without(perm: Perm) -> str | None:
    return next((r for r in (Role.ASSISTANT, Role.PRACTITIONER) if perm not in ROLE_PERMISSIONS[r]), None)


def _user_for(w: World, role: str) -> Any:
    return {Role.OWNER: w.owner, Role.PRACTITIONER: w.practitioner, Role.ASSISTANT: w.assistant}[role]


def _call(w: World, client: Any, case: Case) -> Any:
    response = getattr(client, case.method)(case.path(w), case.data(w))
    if response.streaming:  # a download: read it to the end, so the test client closes it as a server would
        b"".join(response.streaming_content)
    return response


def _names(resolver: URLResolver, prefix: str = "") -> set[str]:
    out = set()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
            if p.namespace not in ("admin", "api"):  # the API's operations: test_api.py has their matrix
                out |= _names(p, ns)
        elif isinstance(p, URLPattern) and p.name:
            out.add(prefix + p.name)
    return out


def test_every_url_is_in_the_matrix() -> None:
    """A new URL without a row in the matrix fails here (a second row of a URL is named ``<name>_post``)."""
    assert _names(get_resolver()) == {c.name.removesuffix("_post") for c in CASES} | PUBLIC | SIGNED_IN_ONLY


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_anonymous_goes_to_login_and_nothing_changes(world: World, case: Case) -> None:
    if case.prepare:
        case.prepare(world)
    client = world.login(None)
    before = fingerprint()
    response = _call(world, client, case)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login") + "?next=")
    assert fingerprint() == before


@pytest.mark.parametrize("case", [c for c in CASES if c.scoped], ids=lambda c: c.name)
def test_other_organization_gets_404_and_nothing_changes(world: World, case: Case) -> None:
    if case.prepare:
        case.prepare(world)
    client = world.login(world.home_user)  # owner of another organization: holds every permission
    before = fingerprint()
    response = _call(world, client, case)
    assert response.status_code == 404
    assert fingerprint() == before


@pytest.mark.parametrize("case", [c for c in CASES if _role_without(c.perm)], ids=lambda c: c.name)
def test_role_without_permission_gets_403_and_nothing_changes(world: World, case: Case) -> None:
    if case.prepare:
        case.prepare(world)
    role = _role_without(case.perm)
    assert role is not None
    client = world.login(_user_for(world, role))
    before = fingerprint()
    response = _call(world, client, case)
    assert response.status_code == 403
    assert fingerprint() == before


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_role_with_permission_is_served(world: World, case: Case) -> None:
    if case.prepare:
        case.prepare(world)
    role = next(r for r in (Role.ASSISTANT, Role.PRACTITIONER, Role.OWNER) if case.perm in ROLE_PERMISSIONS[r])
    client = world.login(_user_for(world, role))
    before = fingerprint()
    response = _call(world, client, case)
    assert response.status_code == case.ok, response.content[:2000]
    if case.method == "post":
        assert fingerprint() != before  # the permitted action did change something


def test_missing_object_answers_404_like_another_organizations(world: World) -> None:
    client = world.login(world.owner)
    assert client.get(reverse("clients:detail", args=[world.me.pk])).status_code == 404
    assert client.get(reverse("clients:detail", args=[10**9])).status_code == 404


def test_client_list_and_search_never_show_another_organization(world: World) -> None:
    client = world.login(world.home_user)
    body = client.get(reverse("clients:list"), {"q": "a"}).content.decode()
    assert "Hana Home" in body
    assert "Ada Lovelace" not in body
    assert "Grace Hopper" not in body


def test_signed_in_pages_send_anonymous_users_to_login(world: World) -> None:
    anonymous = world.login(None)
    response = anonymous.get(reverse("accounts:start"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert anonymous.post(reverse("accounts:switch"), {"organization": world.clinic.pk}).status_code == 302


def test_switching_to_an_organization_one_is_not_a_member_of_is_ignored(world: World) -> None:
    client = world.login(world.owner)
    client.post(reverse("accounts:switch"), {"organization": world.home.pk})
    assert client.get(reverse("clients:detail", args=[world.ada.pk])).status_code == 200
    assert client.get(reverse("clients:detail", args=[world.me.pk])).status_code == 404


def test_huge_and_odd_ids_answer_404(world: World) -> None:
    client = world.login(world.owner)
    for path in ("/clients/99999999999999999999999/", "/sessions/9223372036854775808/", "/courses/0/"):
        assert client.get(path).status_code == 404
    assert client.get("/accounts/invitations/%00/").status_code == 404
