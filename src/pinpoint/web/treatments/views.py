"""Course planning, booking, the session page (start gate), the session runner, the signed record."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from pinpoint.core.errors import PinpointError
from pinpoint.core.guide import Step
from pinpoint.core.records import OverrideError
from pinpoint.core.sessions import anaesthetic_step, anaesthetic_window
from pinpoint.web.audit.actions import record_view
from pinpoint.web.base.evidence import evidence_for
from pinpoint.web.base.forms import add_error
from pinpoint.web.base.permissions import Perm
from pinpoint.web.base.tenancy import Actor
from pinpoint.web.base.views import actor_of, page
from pinpoint.web.clients.selectors import get_client, latest_questionnaire
from pinpoint.web.devices.selectors import units, with_status
from pinpoint.web.treatments import actions, selectors
from pinpoint.web.treatments.dose import dose_of
from pinpoint.web.treatments.forms import (
    AddendumForm,
    CancelForm,
    CourseForm,
    RescheduleForm,
    StartForm,
)
from pinpoint.web.treatments.models import SIGNED_REFUSAL, Session, SignedRecordError
from pinpoint.web.treatments.runner import RunnerForms
from pinpoint.web.treatments.signing import verify


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


def _override(form: Form) -> actions.OverrideInput:
    d = form.cleaned_data
    return actions.OverrideInput(
        physician=d.get("override_physician") or "",
        approved_on=d.get("override_approved_on"),
        reason=d.get("override_reason") or "",
    )


def _override_errors(form: Form, exc: PinpointError, fields: dict[str, str], *, referral: bool = True) -> None:
    """Every part of an incomplete override beside its field (and the referral above, unless the page shows it)."""
    if isinstance(exc, OverrideError):
        if referral:
            form.add_error(None, exc.referral)
        for field, message in exc.problems.items():
            add_error(form, PinpointError(field, message))
    else:
        add_error(form, exc, fields)


@page(Perm.COURSE_PLAN)
def course_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Plan a course with core: preview the plan, then create the course from it."""
    actor = actor_of(request)
    client = get_client(actor, pk)
    evidence = evidence_for(actor.organization)
    personal = actor.organization.is_personal
    indication = request.POST.get("indication") or next(iter(evidence.indications), "")
    treatment = evidence.indications[indication].treatment if indication in evidence.indications else None
    last = latest_questionnaire(actor, client, treatment) if treatment else None
    initial: dict[str, Any] = {"start_on": actor.today(), "setting": actor.setting}
    if last is not None:
        initial["zones"] = [z for z in last.answers.get("zones", []) if z in evidence.zones]
        initial["setting"] = "home" if personal else last.answers.get("setting", initial["setting"])
    form = CourseForm(request.POST or None, initial=initial, evidence=evidence, personal=personal)
    preview = None
    if request.method == "POST" and form.is_valid():
        data = _course_data(form)
        try:
            override = _override(form)
            if request.POST.get("action") == "create":
                course = actions.create_course(
                    actor, client, data, key=form.cleaned_data["submission_id"], override=override
                )
                return redirect("treatments:course", pk=course.pk)
            preview, _, _ = actions.plan_course(actor, client, data, override)
        except PinpointError as exc:
            fields = {"zone": "zones", "answers": "__all__", "questionnaire": "__all__", "start": "start_on"}
            _override_errors(form, exc, fields)
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
        "dose": dose_of(course, evidence),
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


def _session_page(
    request: HttpRequest, actor: Actor, ctx: selectors.SessionContext, status: int = 200, **forms: Any
) -> HttpResponse:
    session = ctx.session
    records = list(ctx.records.values())
    booked_only = session.status == Session.Status.BOOKED
    addenda = list(session.addenda.select_related("author"))
    context: dict[str, Any] = {
        "s": session,
        "course": session.course,
        "client": session.client,
        "records": records,
        "addenda": addenda,
        # an addendum rewritten behind the app's back makes the page say "Altered" too, not just beside it
        "verified": verify(session, records) and not any(a.altered for a in addenda) if session.is_signed else None,
        "screening": ctx.screening,
        "start_today": actions.start_status(actor, session, actor.today()) if booked_only else None,
        "consent": selectors.consent_in_force(actor, session.client, "microneedling", ctx.day),
        "today": actor.today(),
        "start_form": forms.get("start_form") or StartForm(),
        "reschedule_form": forms.get("reschedule_form") or RescheduleForm(initial={"date": session.scheduled_on}),
        "cancel_form": forms.get("cancel_form") or CancelForm(),
        "addendum_form": forms.get("addendum_form") or AddendumForm(),
        "error": forms.get("error", ""),
        "evidence": ctx.evidence,
        "names": True,
        "aftercare": ctx.guide.aftercare if session.is_signed and ctx.guide is not None else (),
        "personal": actor.organization.is_personal,
    }
    return render(request, "treatments/session.html", context, status=status)


@page(Perm.CLIENT_VIEW)
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A session: before it, the start gate; after signing, the record with its hash checked."""
    actor = actor_of(request)
    ctx = selectors.session_context(actor, pk)
    record_view(actor, ctx.session.client, "session", pk)
    return _session_page(request, actor, ctx)


@require_POST
@page(Perm.SESSION_BOOK)
def session_reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a booked session; too close to its neighbours is refused with the reason."""
    actor = actor_of(request)
    ctx = selectors.session_context(actor, pk)
    form = RescheduleForm(request.POST)
    if form.is_valid():
        try:
            actions.reschedule_session(actor, ctx.session, form.cleaned_data["date"])
        except PinpointError as exc:
            add_error(form, exc)
        else:
            return redirect("treatments:course", pk=ctx.session.course_id)
    return _session_page(request, actor, ctx, reschedule_form=form)


@require_POST
@page(Perm.SESSION_BOOK)
def session_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel a booked session."""
    actor = actor_of(request)
    ctx = selectors.session_context(actor, pk)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            actions.cancel_session(actor, ctx.session, form.cleaned_data["reason"])
        except PinpointError as exc:
            add_error(form, exc)
        else:
            return redirect("treatments:course", pk=ctx.session.course_id)
    return _session_page(request, actor, ctx, cancel_form=form)


@require_POST
@page(Perm.SESSION_RUN)
def session_start(request: HttpRequest, pk: int) -> HttpResponse:
    """Start today if screening, consent and spacing allow it (or a referral is overridden with a reason)."""
    actor = actor_of(request)
    ctx = selectors.session_context(actor, pk)
    form = StartForm(request.POST)
    if form.is_valid():
        try:
            actions.start_session(actor, ctx.session, actor.today(), _override(form))
        except PinpointError as exc:
            _override_errors(form, exc, {"start": "__all__", "date": "__all__"}, referral=False)
        else:
            return redirect("treatments:run", pk=pk)
    return _session_page(request, actor, ctx, start_form=form)


@require_POST
@page(Perm.SESSION_RUN)
def session_anaesthetic(request: HttpRequest, pk: int) -> HttpResponse:
    """Start the anaesthetic countdown, saving the steps ticked (and notes) posted with it from the runner.

    Zone fields posted with it are saved as a draft too; if core refuses them, the runner shows
    why with everything as typed (the countdown runs all the same).
    """
    actor = actor_of(request)
    ctx = selectors.session_context(actor, pk)
    forms = RunnerForms(request.POST, ctx)
    checklist = forms.checklist()
    try:
        actions.start_anaesthetic(
            actor, ctx.session, checklist=checklist, notes=forms.runner.cleaned_data["notes"] if checklist else None
        )
    except PinpointError as exc:
        return _session_page(request, actor, ctx, status=409, error=exc.message)
    if checklist is not None and forms.zones_changed():
        return _run_post(request, actor, pk, "save")
    return redirect(reverse("treatments:run", args=[pk]) + "#anaesthetic")


def _step_groups(ctx: selectors.SessionContext, steps: tuple[Step, ...]) -> dict[str, Any]:
    """The guide's steps (with their indexes) before the needling, zone by zone, and after it.

    A step belongs to a zone when the procedure repeats it per zone (``per_zone`` in the evidence).
    """
    per_zone = {p.kind for p in ctx.evidence.procedure if p.per_zone}
    indexed = list(enumerate(steps))
    of_zone = [i for i, st in indexed if st.kind in per_zone and len(st.zones) == 1]
    if not of_zone:
        return {"before": indexed, "by_zone": {}, "after": []}
    first, last = of_zone[0], of_zone[-1]
    by_zone: dict[str, list[tuple[int, Step]]] = {}
    for i in of_zone:
        by_zone.setdefault(steps[i].zones[0], []).append((i, steps[i]))
    between = [(i, st) for i, st in indexed[first : last + 1] if i not in of_zone]
    return {"before": indexed[:first] + between, "by_zone": by_zone, "after": indexed[last + 1 :]}


def _zone_open(ctx: selectors.SessionContext, forms: RunnerForms) -> str:
    """The zone shown open: the first with an error, else the first not recorded yet, else the first."""
    zones = [zp.zone for zp, _ in forms.zones]
    with_errors = [zp.zone for zp, f in forms.zones if f.is_bound and f.errors]
    missing = [z for z in zones if z not in ctx.records]
    return next(iter(with_errors or missing or zones), "")


def _runner_page(request: HttpRequest, actor: Actor, ctx: selectors.SessionContext, forms: RunnerForms) -> HttpResponse:
    steps = forms.steps
    device_rows = []
    if any(s.kind == "device-log" for s in steps):
        device_rows = with_status(actor, units(actor, in_service=True), actor.today())
    zone_names = {z: zone.name for z, zone in ctx.evidence.zones.items()}
    errors = forms.errors(zone_names) if forms.runner.is_bound else []
    applied = actions.applied_anaesthetic(ctx)
    context = {
        "s": ctx.session,
        "client": ctx.session.client,
        "guide": ctx.guide,
        "guide_error": ctx.guide_error,
        "steps": list(enumerate(steps)),
        **_step_groups(ctx, steps),
        "runner": forms.runner,
        "zone_forms": forms.zones,
        "recorded": set(ctx.records),
        "zone_open": _zone_open(ctx, forms),
        "anaesthetic": anaesthetic_step(steps),
        "ends": anaesthetic_window(steps, ctx.session.anaesthetic_started_at),
        "applied": applied,
        "ready": applied is None or timezone.now() >= applied.ready_at,
        "device_rows": device_rows,
        "evidence": ctx.evidence,
        "error_links": errors,
        "personal": actor.organization.is_personal,
    }
    return render(request, "treatments/run.html", context, status=200)


def _run_post(request: HttpRequest, actor: Actor, pk: int, action: str = "") -> HttpResponse:
    """Save or sign the record in one transaction that holds the session's row from its first read.

    A refusal shows the runner again with everything as posted (the confirmation too), an error
    summary at the top linking to each field, and each error beside its field.
    """
    signing = (action or request.POST.get("action")) == "sign"
    try:
        with transaction.atomic():
            ctx = selectors.session_context(actor, pk, for_update=True)
            if ctx.session.status == Session.Status.SIGNED:
                raise SignedRecordError(SIGNED_REFUSAL, url=ctx.session.get_absolute_url())
            if ctx.session.status != Session.Status.IN_PROGRESS:
                return redirect("treatments:session", pk=pk)
            forms = RunnerForms(request.POST, ctx)
            if forms.is_valid(signing):
                actions.record_session(actor, ctx, forms.record_input(), sign=signing)
                return redirect("treatments:session" if signing else "treatments:run", pk=pk)
    except actions.RecordInvalidError as exc:
        forms.add_refusal(exc)
    except PinpointError as exc:
        add_error(forms.runner, exc)
    return _runner_page(request, actor, ctx, forms)


@page(Perm.SESSION_RUN)
def session_run(request: HttpRequest, pk: int) -> HttpResponse:
    """The session runner: guide steps as a checklist, the anaesthetic countdown, per-zone record, sign."""
    actor = actor_of(request)
    if request.method == "POST":
        return _run_post(request, actor, pk)
    ctx = selectors.session_context(actor, pk)
    if ctx.session.status != Session.Status.IN_PROGRESS:
        return redirect("treatments:session", pk=pk)
    record_view(actor, ctx.session.client, "session runner", pk)
    return _runner_page(request, actor, ctx, RunnerForms(None, ctx))


@require_POST
@page(Perm.SESSION_ADDENDUM)
def session_addendum(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a correction or note to a signed session."""
    actor = actor_of(request)
    ctx = selectors.session_context(actor, pk)
    form = AddendumForm(request.POST)
    if form.is_valid():
        try:
            actions.add_addendum(actor, ctx.session, form.cleaned_data["text"], key=form.cleaned_data["submission_id"])
        except PinpointError as exc:
            add_error(form, exc)
        else:
            return redirect("treatments:session", pk=pk)
    return _session_page(request, actor, ctx, addendum_form=form)
