"""Course planning, booking, the session page (start gate), the session runner, the signed record."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from pinpoint.core.errors import PinpointError
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
    context: dict[str, Any] = {
        "s": session,
        "course": session.course,
        "client": session.client,
        "records": records,
        "addenda": list(session.addenda.select_related("author")),
        "verified": verify(session, records) if session.is_signed else None,
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
            actions.start_session(actor, ctx.session, actor.today(), form.cleaned_data["override_reason"])
        except PinpointError as exc:
            add_error(form, exc, {"start": "__all__", "date": "__all__"})
        else:
            return redirect("treatments:run", pk=pk)
    return _session_page(request, actor, ctx, start_form=form)


@require_POST
@page(Perm.SESSION_RUN)
def session_anaesthetic(request: HttpRequest, pk: int) -> HttpResponse:
    """Start the anaesthetic countdown."""
    actor = actor_of(request)
    ctx = selectors.session_context(actor, pk)
    try:
        actions.start_anaesthetic(actor, ctx.session)
    except PinpointError as exc:
        return _session_page(request, actor, ctx, status=409, error=exc.message)
    return redirect("treatments:run", pk=pk)


def _runner_page(request: HttpRequest, actor: Actor, ctx: selectors.SessionContext, forms: RunnerForms) -> HttpResponse:
    steps = forms.steps
    device_rows = []
    if any(s.kind == "device-log" for s in steps):
        device_rows = with_status(actor, units(actor, in_service=True), actor.today())
    context = {
        "s": ctx.session,
        "client": ctx.session.client,
        "guide": ctx.guide,
        "guide_error": ctx.guide_error,
        "steps": list(enumerate(steps)),
        "runner": forms.runner,
        "zone_forms": forms.zones,
        "anaesthetic": anaesthetic_step(steps),
        "ends": anaesthetic_window(steps, ctx.session.anaesthetic_started_at),
        "device_rows": device_rows,
        "evidence": ctx.evidence,
    }
    return render(request, "treatments/run.html", context)


def _run_post(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    """Save or sign the record in one transaction that holds the session's row from its first read."""
    signing = request.POST.get("action") == "sign"
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
    forms.unconfirm()
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
