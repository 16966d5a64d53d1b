"""Follow-up pages: a course's scores and chart, adverse events and their follow-ups, who got a lot."""

from __future__ import annotations

import csv

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from pinpoint.core.adverse import OUTCOMES
from pinpoint.core.errors import PinpointError
from pinpoint.core.outcomes import RATERS, scales, series
from pinpoint.core.zones import zone_name
from pinpoint.web.base.evidence import evidence_for
from pinpoint.web.base.forms import add_error
from pinpoint.web.base.permissions import Perm
from pinpoint.web.base.views import actor_of, page
from pinpoint.web.outcomes import actions, selectors
from pinpoint.web.outcomes.charts import course_chart_svg
from pinpoint.web.outcomes.forms import AdverseEventForm, FollowUpForm, ScoreForm
from pinpoint.web.treatments.models import Session, ZoneRecord


@page(Perm.CLIENT_VIEW)
def course_outcomes(request: HttpRequest, pk: int) -> HttpResponse:
    """A course's scores with their chart; record one."""
    actor = actor_of(request)
    course = selectors.get_course(actor, pk)
    evidence = evidence_for(actor.organization)
    form = ScoreForm(request.POST or None, evidence=evidence, initial={"taken_on": actor.today()})
    if request.method == "POST":
        actor.require(Perm.OUTCOME_RECORD)
        if form.is_valid():
            d = form.cleaned_data
            value = float(d["value"]) if d["value"] is not None else None
            try:
                actions.record_score(
                    actor,
                    course,
                    d["scale"],
                    d["rater"],
                    d["taken_on"],
                    value,
                    components=form.components(),
                    key=d["submission_id"],
                )
            except PinpointError as exc:
                add_error(form, exc)
            else:
                return redirect("outcomes:course", pk=pk)
    info = {s.id: s for s in scales(evidence)}
    rows = []
    for a in selectors.course_scores(actor, course):
        s = info.get(a.scale)
        label = s.labels.get(int(a.value), "") if s is not None else ""
        rows.append((a, s, RATERS.get(a.rater, a.rater), label))
    context = {"course": course, "form": form, "rows": rows, "scales": info.values()}
    return render(request, "outcomes/course.html", context)


@page(Perm.CLIENT_VIEW)
def course_chart(request: HttpRequest, pk: int) -> HttpResponse:
    """The course's scores over time as an SVG image (two queries whatever their number)."""
    actor = actor_of(request)
    course = selectors.get_course(actor, pk)
    drawn = series(evidence_for(actor.organization), selectors.course_points(actor, course))
    response = HttpResponse(course_chart_svg(drawn), content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"
    return response


def _session(request: HttpRequest, pk: int) -> Session:
    actor = actor_of(request)
    return get_object_or_404(Session.objects.select_related("client", "course"), organization=actor.organization, pk=pk)


@page(Perm.ADVERSE_EVENT_REPORT)
def report_event(request: HttpRequest, pk: int) -> HttpResponse:
    """Report an adverse event after a signed session."""
    actor = actor_of(request)
    session = _session(request, pk)
    evidence = evidence_for(actor.organization)
    treated = ZoneRecord.objects.filter(organization=actor.organization, session=session, treated=True)
    zones = [(z, zone_name(evidence, z)) for z in treated.values_list("zone", flat=True)]
    form = AdverseEventForm(request.POST or None, evidence=evidence, zones=zones, initial={"onset_on": actor.today()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            ae = actions.report_adverse_event(
                actor,
                session,
                d["kind"],
                d["severity"],
                d["onset_on"],
                d["action_taken"],
                zones=d["zones"],
                key=d["submission_id"],
            )
        except PinpointError as exc:
            add_error(form, exc)
        else:
            return redirect("outcomes:event", pk=ae.pk)
    return render(request, "outcomes/report.html", {"session": session, "form": form})


def _names(request: HttpRequest) -> dict[str, dict[str, str]]:
    evidence = evidence_for(actor_of(request).organization)
    data = evidence.extra["outcomes"]
    return {
        "kinds": {k: a.name for k, a in data.adverse_events.items()},
        "severities": {k: s.name for k, s in data.severities.items()},
        "zones": {k: z.name for k, z in evidence.zones.items()},
        "outcomes": OUTCOMES,
    }


@page(Perm.CLIENT_VIEW)
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One adverse event with its follow-ups; add one."""
    actor = actor_of(request)
    event = selectors.get_event(actor, pk)
    form = FollowUpForm(request.POST or None)
    if request.method == "POST":
        actor.require(Perm.ADVERSE_EVENT_REPORT)
        if form.is_valid():
            d = form.cleaned_data
            try:
                actions.update_adverse_event(
                    actor, event, d["outcome"], d["resolved_on"], d["note"], key=d["submission_id"]
                )
            except PinpointError as exc:
                add_error(form, exc)
            else:
                return redirect("outcomes:event", pk=pk)
    return render(request, "outcomes/event.html", {"event": event, "form": form, **_names(request)})


@page(Perm.CLIENT_VIEW)
def event_list(request: HttpRequest) -> HttpResponse:
    """Adverse events: the open ones, then the closed ones (latest first)."""
    actor = actor_of(request)
    events = selectors.adverse_events(actor).order_by("closed", "-onset_on", "-pk")[:500]
    return render(request, "outcomes/events.html", {"events": events, **_names(request)})


@page(Perm.LOT_RECALL)
def lot_search(request: HttpRequest) -> HttpResponse:
    """Who got lot X: every client, session and zone that received it, with contact details."""
    actor = actor_of(request)
    lot = request.GET.get("lot", "").strip()[:64]
    rows = selectors.lot_recipients(actor, lot) if lot else []
    clients = len({r.client_id for r in rows})
    zones = {k: z.name for k, z in evidence_for(actor.organization).zones.items()}
    cut = len(rows) >= selectors.MAX_LOT_ROWS
    context = {"lot": lot, "rows": rows, "clients": clients, "zones": zones, "cut": cut, "most": selectors.MAX_LOT_ROWS}
    return render(request, "outcomes/lots.html", context)


@page(Perm.LOT_RECALL)
def lot_export(request: HttpRequest) -> HttpResponse:
    """The same list as CSV, for a recall."""
    actor = actor_of(request)
    lot = request.GET.get("lot", "").strip()[:64]
    zones = {k: z.name for k, z in evidence_for(actor.organization).zones.items()}
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    safe = "".join(c for c in lot if c.isalnum() or c in "-_") or "lot"
    response["Content-Disposition"] = f'attachment; filename="lot-{safe}.csv"'
    writer = csv.writer(response)
    writer.writerow(["client", "email", "phone", "date", "session", "status", "zone", "unit", "lot"])
    for r in selectors.lot_recipients(actor, lot, every=True) if lot else []:
        row = [r.client, r.email, r.phone, r.date.isoformat(), r.session_number, r.status, zones.get(r.zone, r.zone)]
        writer.writerow([_cell(v) for v in (*row, r.unit, r.lot_number)])
    return response


def _cell(value: object) -> object:
    """A CSV cell that a spreadsheet will not run as a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
