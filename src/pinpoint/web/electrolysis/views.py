"""Electrolysis pages: plan a course, the course with its forecast and chart, the session runner, the signed record."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from pinpoint.core.errors import InputError, PinpointError
from pinpoint.core.hair import get_modality, hair_data
from pinpoint.core.hair_course import StartCount
from pinpoint.core.hair_records import AreaEntry, record_limits
from pinpoint.evidence.loader import Evidence
from pinpoint.web.audit.actions import record_view
from pinpoint.web.base.evidence import evidence_for
from pinpoint.web.base.forms import add_error
from pinpoint.web.base.permissions import Perm
from pinpoint.web.base.views import actor_of, page
from pinpoint.web.clients.selectors import get_client, latest_questionnaire
from pinpoint.web.electrolysis import actions, selectors
from pinpoint.web.electrolysis.charts import course_svg
from pinpoint.web.electrolysis.forms import AddendumForm, AreaRecordForm, CourseForm, SignForm, StartForm
from pinpoint.web.electrolysis.models import Course, Session
from pinpoint.web.electrolysis.signing import record_rows, seal_problem

COUNT_FIELDS = ("window_cm2", "hairs_seen", "hairs_estimate", "uncertainty_percent")


@page(Perm.COURSE_PLAN)
def course_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Plan an electrolysis course: areas, modality, first day, starting count; screened by core."""
    actor = actor_of(request)
    client = get_client(actor, pk)
    evidence = evidence_for(actor.organization)
    last = latest_questionnaire(actor, client, "electrolysis")
    initial: dict[str, Any] = {"start_on": actor.today(), "count_kind": "default", "modality": "blend"}
    if last is not None:
        initial["areas"] = [z for z in last.answers.get("zones", []) if z in hair_data(evidence).areas]
    form = CourseForm(request.POST or None, initial=initial, evidence=evidence)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        count = StartCount(kind=d["count_kind"], **{k: d[k] for k in COUNT_FIELDS})
        data = actions.CourseInput(tuple(d["areas"]), d["modality"], d["start_on"], count)
        try:
            course = actions.create_course(actor, client, data, key=d["submission_id"])
            return redirect("electrolysis:course", pk=course.pk)
        except PinpointError as exc:
            add_error(form, exc, {"area": "areas", "start": "start_on", "answers": "__all__", "zone": "areas"})
    context = {"client": client, "form": form, "questionnaire": last}
    return render(request, "electrolysis/course_new.html", context)


@page(Perm.CLIENT_VIEW)
def course_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The course: per area the dated schedule, sessions and hours with their band, and the forecast that learns."""
    actor = actor_of(request)
    course = selectors.get_course(actor, pk)
    evidence = evidence_for(actor.organization)
    record_view(actor, course.client, "electrolysis_course", course.pk)
    sessions = selectors.course_sessions(actor, course)
    context = {
        "course": course,
        "client": course.client,
        "modality": get_modality(evidence, course.modality),
        "areas": selectors.course_areas(evidence, course, sessions),
        "sessions": sessions,
        "can_run": actor.can(Perm.SESSION_RUN),
        "open": next((s for s in sessions if not s.is_signed), None),
        "start_form": StartForm(initial={"on": actor.today()}),
    }
    return render(request, "electrolysis/course.html", context)


@page(Perm.CLIENT_VIEW)
def course_chart(request: HttpRequest, pk: int, area: str) -> HttpResponse:
    """The chart of one area of the course, as SVG."""
    actor = actor_of(request)
    course = selectors.get_course(actor, pk)
    if area not in course.areas:
        raise Http404
    evidence = evidence_for(actor.organization)
    f = selectors.forecast_area(evidence, course, area, selectors.course_sessions(actor, course))
    name = evidence.zones[area].name
    svg = course_svg(f, evidence.zones[area].area_cm2.value, course.start_on, f"{name}: hairs showing per cm²")
    return HttpResponse(svg, content_type="image/svg+xml")


@require_POST
@page(Perm.SESSION_RUN)
def session_start(request: HttpRequest, pk: int) -> HttpResponse:
    """Open the course's session held today (or on the day given) and go to its runner."""
    actor = actor_of(request)
    course = selectors.get_course(actor, pk)
    form = StartForm(request.POST)
    try:
        if not form.is_valid():
            raise InputError("on", "give the day the session was held as a date")
        session = actions.start_session(actor, course, form.cleaned_data["on"])
    except PinpointError as exc:
        return render(request, "409.html", {"message": exc.message, "back": course.get_absolute_url()}, status=409)
    return redirect("electrolysis:session", pk=session.pk)


def _entry(form: AreaRecordForm, course: Course) -> AreaEntry:
    d = form.cleaned_data
    return AreaEntry(
        area=d["area"],
        modality=course.modality,
        probe_type=d["probe_type"],
        probe_size=d["probe_size"],
        current_ma=d.get("current_ma"),
        intensity_w=d.get("intensity_w"),
        seconds_per_insertion=d["seconds_per_insertion"],
        insertions=d["insertions"],
        hairs_removed=d["hairs_removed"],
        minutes=d["minutes"],
        reaction=d["reaction"],
        aftercare_given=d["aftercare_given"],
        window_cm2=d.get("window_cm2"),
        hairs_seen=d.get("hairs_seen"),
    )


def _runner(request: HttpRequest, session: Session, evidence: Evidence, posted: str = "") -> dict[str, Any]:
    actor = actor_of(request)
    sessions = selectors.course_sessions(actor, session.course)
    this = next(s for s in sessions if s.pk == session.pk)
    before = selectors.visits_before(session, sessions)
    recorded = {r.area: r for r in this.areas.all()}
    steps = []
    for area in session.course.areas:
        visit = before.get(area, 0) + 1
        limits = record_limits(evidence, area, session.course.modality, visit)
        uses = tuple(k for k in ("current_ma", "intensity_w") if k in limits)
        prefix = f"area-{area}"
        data = request.POST if posted == area else None
        initial = {"area": area, "aftercare_given": True}
        if area in recorded:
            r = recorded[area]
            initial |= {f: getattr(r, f) for f in AreaRecordForm.base_fields if f != "area"}
        form = AreaRecordForm(data, initial=initial, prefix=prefix, evidence=evidence, uses=uses)
        steps.append(
            {
                "area": area,
                "name": evidence.zones[area].name,
                "visit": visit,
                "limits": limits,
                "form": form,
                "recorded": area in recorded,
            }
        )
    return {"steps": steps, "sessions": sessions}


def _signed_context(actor: Any, session: Session, evidence: Evidence) -> dict[str, Any]:
    records = list(session.areas.order_by("area"))
    addenda = list(session.addenda.select_related("author"))
    return {
        "records": record_rows(evidence, records),
        "addenda": addenda,
        "seal": seal_problem(session, records, addenda),
    }


@page(Perm.CLIENT_VIEW)
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The runner while the session is open (one form per area, limits beside each field), the record once signed."""
    actor = actor_of(request)
    session = selectors.get_session(actor, pk)
    evidence = evidence_for(actor.organization)
    record_view(actor, session.client, "electrolysis_session", session.pk)
    context: dict[str, Any] = {
        "session": session,
        "course": session.course,
        "client": session.client,
        "modality": get_modality(evidence, session.course.modality),
    }
    if session.is_signed:
        context |= _signed_context(actor, session, evidence)
        context["addendum_form"] = AddendumForm()
        return render(request, "electrolysis/record.html", context)
    context |= _runner(request, session, evidence)
    context["sign_form"] = SignForm()
    context["aftercare"] = selectors.aftercare_lines(evidence, actor.setting)
    return render(request, "electrolysis/run.html", context)


@require_POST
@page(Perm.SESSION_RUN)
def session_record(request: HttpRequest, pk: int) -> HttpResponse:
    """Save one area's record; a value outside its limit is shown beside the field with the limit and its sources."""
    actor = actor_of(request)
    session = selectors.get_session(actor, pk)
    evidence = evidence_for(actor.organization)
    area = request.POST.get("area", "")
    if session.is_signed:
        return redirect(session.get_absolute_url())
    context: dict[str, Any] = {
        "session": session,
        "course": session.course,
        "client": session.client,
        "modality": get_modality(evidence, session.course.modality),
        "sign_form": SignForm(),
        "aftercare": selectors.aftercare_lines(evidence, actor.setting),
    }
    context |= _runner(request, session, evidence, posted=area)
    step = next((s for s in context["steps"] if s["area"] == area), None)
    if step is None:
        raise Http404
    form: AreaRecordForm = step["form"]
    if form.is_valid():
        try:
            actions.record_area(actor, session, _entry(form, session.course))
            return redirect(f"{session.get_absolute_url()}#area-{area}")
        except PinpointError as exc:
            add_error(form, exc)
    return render(request, "electrolysis/run.html", context, status=400)


@require_POST
@page(Perm.SESSION_SIGN)
def session_sign(request: HttpRequest, pk: int) -> HttpResponse:
    """Sign the session (every area recorded): it is sealed and never changes."""
    actor = actor_of(request)
    session = selectors.get_session(actor, pk)
    evidence = evidence_for(actor.organization)
    form = SignForm(request.POST)
    if form.is_valid():
        try:
            actions.sign_session(actor, session, form.cleaned_data["notes"])
            return redirect(session.get_absolute_url())
        except PinpointError as exc:
            add_error(form, exc)
    context: dict[str, Any] = {
        "session": session,
        "course": session.course,
        "client": session.client,
        "modality": get_modality(evidence, session.course.modality),
        "sign_form": form,
        "aftercare": selectors.aftercare_lines(evidence, actor.setting),
    }
    context |= _runner(request, session, evidence)
    return render(request, "electrolysis/run.html", context, status=400)


@require_POST
@page(Perm.SESSION_ADDENDUM)
def session_addendum(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a sealed addendum to a signed session."""
    actor = actor_of(request)
    session = selectors.get_session(actor, pk)
    form = AddendumForm(request.POST)
    if form.is_valid():
        try:
            actions.add_addendum(actor, session, form.cleaned_data["text"])
            return redirect(session.get_absolute_url())
        except PinpointError as exc:
            add_error(form, exc)
    evidence = evidence_for(actor.organization)
    context: dict[str, Any] = {"session": session, "course": session.course, "client": session.client}
    context |= _signed_context(actor, session, evidence)
    context["addendum_form"] = form
    context["modality"] = get_modality(evidence, session.course.modality)
    return render(request, "electrolysis/record.html", context, status=400)
