"""Course planning, booking, the session page (start gate), the session runner, the signed record, the dashboard."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from pinpoint.core.errors import PinpointError
from pinpoint.core.guide import Guide, guide_for_plan
from pinpoint.core.planning import Plan
from pinpoint.web.audit.actions import record_view
from pinpoint.web.base.evidence import evidence_for
from pinpoint.web.base.forms import add_error
from pinpoint.web.base.permissions import Perm
from pinpoint.web.base.tenancy import Actor
from pinpoint.web.base.views import actor_of, page
from pinpoint.web.clients.models import Client, Questionnaire
from pinpoint.web.clients.selectors import get_client, screening_for
from pinpoint.web.devices.selectors import units, with_status
from pinpoint.web.treatments import actions, selectors
from pinpoint.web.treatments.forms import (
    AddendumForm,
    CancelForm,
    CourseForm,
    RescheduleForm,
    RunnerForm,
    StartForm,
    ZoneForm,
)
from pinpoint.web.treatments.models import Session, SignedRecordError, ZoneRecord
from pinpoint.web.treatments.signing import verify

ALERT_DAYS = 14
DUE_DAYS = 7
OVERDUE_DAYS = 30
DUE_LIMIT = 50
ALERT_LIMIT = 100


@page(Perm.DASHBOARD_VIEW)
def dashboard(request: HttpRequest) -> HttpResponse:
    """Today's sessions, sessions due soon or overdue, and screening alerts for the coming sessions.

    Today's sessions are all shown. The overdue list (most recent first), the due-soon list and the
    sessions screened for alerts (soonest first) are bounded; what a bound leaves out is counted on the page.
    """
    actor = actor_of(request)
    today = actor.today()
    todays = list(selectors.sessions_between(actor, today, today))
    overdue_first = today - dt.timedelta(days=OVERDUE_DAYS)
    soon_last = today + dt.timedelta(days=DUE_DAYS)
    alert_last = today + dt.timedelta(days=ALERT_DAYS)
    counts = selectors.count_between(
        actor,
        {
            "overdue": (overdue_first, today - dt.timedelta(days=1)),
            "soon": (today + dt.timedelta(days=1), soon_last),
            "coming": (today + dt.timedelta(days=1), alert_last),
        },
    )
    overdue = list(
        selectors.sessions_between(actor, overdue_first, today - dt.timedelta(days=1)).order_by(
            "-scheduled_on", "client__full_name", "number"
        )[:DUE_LIMIT]
    )
    coming = list(selectors.sessions_between(actor, today + dt.timedelta(days=1), alert_last)[:ALERT_LIMIT])
    soon = [s for s in coming if s.scheduled_on <= soon_last][:DUE_LIMIT]
    screened = todays + coming
    client_ids = {s.client_id for s in screened}
    questionnaires: dict[int, list[Questionnaire]] = {}
    for q in Questionnaire.objects.filter(organization=actor.organization, client_id__in=client_ids):
        questionnaires.setdefault(q.client_id, []).append(q)
    alerts = []
    plans: dict[int, Plan] = {}
    for s in screened:
        if s.course_id not in plans:
            plans[s.course_id] = s.course.plan_obj()
        plan = plans[s.course_id]
        result = screening_for(actor, s.client, s.scheduled_on, plan, questionnaires.get(s.client_id, []))
        if result.screening is None or result.screening.verdict != "proceed":
            alerts.append((s, result))
    self_client = None
    if actor.organization.is_personal:
        self_client = Client.objects.filter(organization=actor.organization, is_self=True).first()
    context = {
        "today": today,
        "todays": todays,
        "overdue": overdue,
        "overdue_more": counts["overdue"] - len(overdue),
        "soon": soon,
        "soon_more": counts["soon"] - len(soon),
        "alerts": alerts,
        "alerts_unscreened": counts["coming"] - len(coming),
        "alert_last": alert_last,
        "self_client": self_client,
    }
    return render(request, "dashboard.html", context)


def _course_data(form: CourseForm) -> actions.CourseData:
    d = form.cleaned_data
    return actions.CourseData(
        indication=d["indication"],
        zones=tuple(d["zones"]),
        setting=d["setting"],
        start_on=d["start_on"],
        device=d["device"] or "",
        skin_type=int(d["skin_type"]) if d["skin_type"] else None,
    )


@page(Perm.COURSE_PLAN)
def course_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Plan a course with core: preview the plan, then create the course from it."""
    actor = actor_of(request)
    client = get_client(actor, pk)
    evidence = evidence_for(actor.organization)
    personal = actor.organization.is_personal
    last = client.questionnaires.filter(organization=actor.organization).first()
    initial: dict[str, Any] = {"start_on": actor.today(), "setting": "home" if personal else "clinic"}
    if last is not None:
        initial["zones"] = [z for z in last.answers.get("zones", []) if z in evidence.zones]
        initial["setting"] = "home" if personal else last.answers.get("setting", initial["setting"])
    form = CourseForm(request.POST or None, initial=initial, evidence=evidence, personal=personal)
    preview = None
    if request.method == "POST" and form.is_valid():
        data = _course_data(form)
        try:
            reason = form.cleaned_data["override_reason"]
            if request.POST.get("action") == "create":
                course = actions.create_course(
                    actor, client, data, key=form.cleaned_data["submission_id"], override_reason=reason
                )
                return redirect("treatments:course", pk=course.pk)
            preview, _, _ = actions.plan_course(actor, client, data, reason)
        except PinpointError as exc:
            add_error(
                form, exc, {"zone": "zones", "answers": "__all__", "questionnaire": "__all__", "start": "start_on"}
            )
    context = {"client": client, "form": form, "preview": preview, "evidence": evidence, "questionnaire": last}
    return render(request, "treatments/course_new.html", context)


@page(Perm.CLIENT_VIEW)
def course_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The stored plan (with its evidence version) and the sessions booked from it."""
    actor = actor_of(request)
    course = selectors.get_course(actor, pk)
    evidence = evidence_for(actor.organization)
    record_view(actor, course.client, "course", course.pk)
    context = {
        "course": course,
        "plan": course.plan_obj(),
        "sessions": list(selectors.course_sessions(course)),
        "evidence": evidence,
        "evidence_changed": course.evidence_version != evidence.version,
    }
    return render(request, "treatments/course_detail.html", context)


@require_POST
@page(Perm.SESSION_BOOK)
def course_book(request: HttpRequest, pk: int) -> HttpResponse:
    """Book the plan's sessions on the plan's dates (a repeat books nothing more)."""
    actor = actor_of(request)
    course = selectors.get_course(actor, pk)
    actions.book_sessions(actor, course)
    return redirect("treatments:course", pk=course.pk)


def _guide(actor: Actor, session: Session) -> tuple[Guide | None, str]:
    """Core's guide for the session, shaped by the client's questionnaire screened on the session day."""
    course_plan = session.course.plan_obj()
    screened = screening_for(actor, session.client, session.performed_on or actor.today(), course_plan)
    try:
        return guide_for_plan(evidence_for(actor.organization), course_plan, screening=screened.screening), ""
    except PinpointError as exc:
        return None, exc.message


def _session_page(
    request: HttpRequest, actor: Actor, session: Session, status: int = 200, **forms: Any
) -> HttpResponse:
    records = list(
        ZoneRecord.objects.filter(organization=actor.organization, session=session).select_related("device_unit")
    )
    on = session.performed_on or (actor.today() if session.status == Session.Status.BOOKED else session.scheduled_on)
    screen_day = session.scheduled_on if session.status == Session.Status.BOOKED else on
    context: dict[str, Any] = {
        "s": session,
        "course": session.course,
        "client": session.client,
        "records": records,
        "addenda": list(session.addenda.select_related("author")),
        "verified": verify(session, records) if session.is_signed else None,
        "screening": screening_for(actor, session.client, screen_day, session.course.plan_obj()),
        "start_today": actions.start_status(actor, session, actor.today()) if session.status == "booked" else None,
        "consent": selectors.consent_in_force(actor, session.client, "microneedling", screen_day),
        "today": actor.today(),
        "start_form": forms.get("start_form") or StartForm(),
        "reschedule_form": forms.get("reschedule_form") or RescheduleForm(initial={"date": session.scheduled_on}),
        "cancel_form": forms.get("cancel_form") or CancelForm(),
        "addendum_form": forms.get("addendum_form") or AddendumForm(),
        "error": forms.get("error", ""),
        "evidence": evidence_for(actor.organization),
    }
    return render(request, "treatments/session.html", context, status=status)


@page(Perm.CLIENT_VIEW)
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A session: before it, the start gate; after signing, the record with its hash checked."""
    actor = actor_of(request)
    session = selectors.get_session(actor, pk)
    record_view(actor, session.client, "session", session.pk)
    return _session_page(request, actor, session)


@require_POST
@page(Perm.SESSION_BOOK)
def session_reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a booked session; too close to its neighbours is refused with the reason."""
    actor = actor_of(request)
    session = selectors.get_session(actor, pk)
    form = RescheduleForm(request.POST)
    if form.is_valid():
        try:
            actions.reschedule_session(actor, session, form.cleaned_data["date"])
        except SignedRecordError as exc:
            return _session_page(request, actor, session, status=409, error=str(exc))
        except PinpointError as exc:
            add_error(form, exc)
        else:
            return redirect("treatments:course", pk=session.course_id)
    return _session_page(request, actor, session, reschedule_form=form)


@require_POST
@page(Perm.SESSION_BOOK)
def session_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel a booked session."""
    actor = actor_of(request)
    session = selectors.get_session(actor, pk)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            actions.cancel_session(actor, session, form.cleaned_data["reason"])
        except SignedRecordError as exc:
            return _session_page(request, actor, session, status=409, error=str(exc))
        except PinpointError as exc:
            add_error(form, exc)
        else:
            return redirect("treatments:course", pk=session.course_id)
    return _session_page(request, actor, session, cancel_form=form)


@require_POST
@page(Perm.SESSION_RUN)
def session_start(request: HttpRequest, pk: int) -> HttpResponse:
    """Start today if screening, consent and spacing allow it (or a referral is overridden with a reason)."""
    actor = actor_of(request)
    session = selectors.get_session(actor, pk)
    form = StartForm(request.POST)
    if form.is_valid():
        try:
            actions.start_session(actor, session, actor.today(), form.cleaned_data["override_reason"])
        except SignedRecordError as exc:
            return _session_page(request, actor, session, status=409, error=str(exc))
        except PinpointError as exc:
            add_error(form, exc, {"start": "__all__", "date": "__all__"})
        else:
            return redirect("treatments:run", pk=session.pk)
    return _session_page(request, actor, session, start_form=form)


@require_POST
@page(Perm.SESSION_RUN)
def session_anaesthetic(request: HttpRequest, pk: int) -> HttpResponse:
    """Start the anaesthetic countdown."""
    actor = actor_of(request)
    session = selectors.get_session(actor, pk)
    try:
        actions.start_anaesthetic(actor, session)
    except SignedRecordError as exc:
        return _session_page(request, actor, session, status=409, error=str(exc))
    except PinpointError as exc:
        return _session_page(request, actor, session, status=409, error=exc.message)
    return redirect("treatments:run", pk=session.pk)


def _zone_forms(
    request: HttpRequest, actor: Actor, session: Session, records: dict[str, ZoneRecord]
) -> list[tuple[Any, ZoneForm]]:
    plan = session.course.plan_obj()
    evidence = evidence_for(actor.organization)
    in_service = list(units(actor, in_service=True))
    out = []
    for zp in plan.zones:
        zr = records.get(zp.zone)
        if zr is not None:
            initial: dict[str, Any] = {
                "treated": zr.treated,
                "device": zr.device,
                "device_unit": str(zr.device_unit_id or ""),
                "depth_mm": zr.depth_mm,
                "passes": zr.passes,
                "endpoint_reached": zr.endpoint_reached,
                "notes": zr.notes,
            }
        else:
            initial = {"treated": True, "device": plan.device or ""}
            if zp.depth_mm.min == zp.depth_mm.max:
                initial["depth_mm"] = Decimal(str(zp.depth_mm.min))
            if len(in_service) == 1:
                initial["device_unit"] = str(in_service[0].pk)
        data = request.POST if request.method == "POST" else None
        form = ZoneForm(
            data, prefix=zp.zone, initial=initial, evidence=evidence, setting=plan.setting, units=in_service
        )
        out.append((zp, form))
    return out


def _record_input(runner: RunnerForm, zone_forms: list[tuple[Any, ZoneForm]]) -> actions.RecordInput:
    zones = []
    for zp, f in zone_forms:
        d = f.cleaned_data
        zones.append(
            actions.ZoneInput(
                zone=zp.zone,
                treated=bool(d["treated"]),
                device=d["device"] or "",
                device_unit_id=int(d["device_unit"]) if d["device_unit"] else None,
                depth_mm=d["depth_mm"],
                passes=d["passes"],
                endpoint_reached=bool(d["endpoint_reached"]),
                notes=d["notes"],
            )
        )
    return actions.RecordInput(
        checklist=tuple(int(i) for i in runner.cleaned_data["checklist"]),
        notes=runner.cleaned_data["notes"],
        zones=tuple(zones),
    )


@page(Perm.SESSION_RUN)
def session_run(request: HttpRequest, pk: int) -> HttpResponse:
    """The session runner: guide steps as a checklist, the anaesthetic countdown, per-zone record, sign."""
    actor = actor_of(request)
    session = selectors.get_session(actor, pk)
    if session.is_signed:
        if request.method == "POST":
            msg = "this session is signed: it cannot change; add an addendum instead"
            return _session_page(request, actor, session, status=409, error=msg)
        return redirect("treatments:session", pk=session.pk)
    if session.status == Session.Status.BOOKED or session.status == Session.Status.CANCELLED:
        return redirect("treatments:session", pk=session.pk)
    guide, guide_error = _guide(actor, session)
    steps = guide.steps if guide is not None else ()
    records = {zr.zone: zr for zr in ZoneRecord.objects.filter(organization=actor.organization, session=session)}
    runner = RunnerForm(
        request.POST if request.method == "POST" else None,
        initial={"checklist": [str(i) for i in session.checklist], "notes": session.notes},
        steps=steps,
    )
    zone_forms = _zone_forms(request, actor, session, records)
    if request.method == "POST":
        signing = request.POST.get("action") == "sign"
        if runner.is_valid() and all(f.is_valid() for _, f in zone_forms):
            if signing and not runner.cleaned_data["confirm"]:
                runner.add_error("confirm", "tick to confirm the record before signing")
            else:
                data = _record_input(runner, zone_forms)
                try:
                    if signing:
                        actor.require(Perm.SESSION_SIGN)
                        actions.sign_session(actor, session, data)
                        return redirect("treatments:session", pk=session.pk)
                    actions.save_record(actor, session, data)
                    return redirect("treatments:run", pk=session.pk)
                except SignedRecordError as exc:
                    return _session_page(request, actor, session, status=409, error=str(exc))
                except actions.RecordInvalidError as exc:
                    by_zone = {zp.zone: f for zp, f in zone_forms}
                    for (zone, field), message in exc.errors.items():
                        target = by_zone.get(zone)
                        if target is not None:
                            target.add_error(field if field in target.fields else None, message)
                        else:
                            runner.add_error(None, message)
                except PinpointError as exc:
                    add_error(runner, exc)
        # a refused submission shows the confirmation unticked, so the next click cannot sign by accident
        runner.errors  # noqa: B018  # validated (and refusals added) before its data changes
        unconfirmed = request.POST.copy()
        unconfirmed.pop("confirm", None)
        runner.data = unconfirmed
    anaesthetic = next((s for s in steps if s.kind == "anaesthetic-apply"), None)
    ends = None
    if anaesthetic is not None and anaesthetic.minutes is not None and session.anaesthetic_started_at is not None:
        ends = (
            session.anaesthetic_started_at + dt.timedelta(minutes=anaesthetic.minutes.min),
            session.anaesthetic_started_at + dt.timedelta(minutes=anaesthetic.minutes.max),
        )
    device_rows = []
    if any(s.kind == "device-log" for s in steps):
        device_rows = with_status(actor, units(actor, in_service=True), actor.today())
    context = {
        "s": session,
        "client": session.client,
        "guide": guide,
        "guide_error": guide_error,
        "steps": list(enumerate(steps)),
        "runner": runner,
        "zone_forms": zone_forms,
        "anaesthetic": anaesthetic,
        "ends": ends,
        "device_rows": device_rows,
        "evidence": evidence_for(actor.organization),
    }
    if request.method == "GET":
        record_view(actor, session.client, "session runner", session.pk)
    return render(request, "treatments/run.html", context)


@require_POST
@page(Perm.SESSION_ADDENDUM)
def session_addendum(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a correction or note to a signed session."""
    actor = actor_of(request)
    session = selectors.get_session(actor, pk)
    form = AddendumForm(request.POST)
    if form.is_valid():
        try:
            actions.add_addendum(actor, session, form.cleaned_data["text"], key=form.cleaned_data["submission_id"])
        except PinpointError as exc:
            add_error(form, exc)
        else:
            return redirect("treatments:session", pk=session.pk)
    return _session_page(request, actor, session, addendum_form=form)
