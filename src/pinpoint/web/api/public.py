"""The evidence base (read only) and core's planners, open without an account.

They use the packaged evidence with its policy defaults (an organization's overrides apply to
its own records only).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router

from pinpoint.core.answers import parse_answers, parse_skin_type
from pinpoint.core.coverage.engine import simulate
from pinpoint.core.coverage.treatment import expected_punctures, make_treatment
from pinpoint.core.errors import InputError
from pinpoint.core.hair import CourseOptions
from pinpoint.core.hair import plan_course as hair_plan_course
from pinpoint.core.planning import plan as core_plan
from pinpoint.core.screening import screen as core_screen
from pinpoint.evidence.loader import Evidence, load_evidence
from pinpoint.web.api import schemas as s
from pinpoint.web.api.errors import PUBLIC, ApiError
from pinpoint.web.api.pagination import DEFAULT_LIMIT, CursorQ, LimitQ, Page, page_of_ids

__all__ = ["MAX_API_PUNCTURES", "router"]

router = Router(tags=["evidence and planners"])

MAX_API_PUNCTURES = 2_000_000
"""Largest simulation the open API runs per request (a server guard, not a clinical limit; the CLI runs more)."""

LIST = {422: ApiError, 400: ApiError}


def _answers(raw: dict[str, Any] | None, ev: Evidence, on: dt.date | None = None) -> Any:
    return None if raw is None else parse_answers(raw, ev, on=on)


@router.get("/evidence/zones", response={200: Page[s.ZoneOut], **LIST}, auth=None, summary="List body zones")
def zones(
    request: HttpRequest,
    cursor: CursorQ = None,
    limit: LimitQ = DEFAULT_LIMIT,
) -> Any:
    """The body zones: area, needle-depth range and treatments, each with its sources."""
    items = [(k, s.ZoneOut(id=k, **z.model_dump())) for k, z in load_evidence().zones.items()]
    return page_of_ids(request, items, cursor, limit)


@router.get(
    "/evidence/indications", response={200: Page[s.IndicationOut], **LIST}, auth=None, summary="List indications"
)
def indications(
    request: HttpRequest,
    cursor: CursorQ = None,
    limit: LimitQ = DEFAULT_LIMIT,
) -> Any:
    """The indications with their zones, depths, intervals and sessions."""
    items = [(k, s.IndicationOut(id=k, **i.model_dump())) for k, i in load_evidence().indications.items()]
    return page_of_ids(request, items, cursor, limit)


@router.get(
    "/evidence/devices",
    response={200: Page[s.RollerOut | s.PenOut], **LIST},
    auth=None,
    summary="List the device catalog",
)
def devices(
    request: HttpRequest,
    cursor: CursorQ = None,
    limit: LimitQ = DEFAULT_LIMIT,
) -> Any:
    """Rollers and pens with their geometry and where they may be used."""
    out: list[tuple[str, Any]] = []
    for k, d in load_evidence().devices.items():
        kind = s.RollerOut if d.kind == "roller" else s.PenOut
        out.append((k, kind(id=k, **d.model_dump())))
    return page_of_ids(request, out, cursor, limit)


@router.get("/evidence/sources", response={200: Page[s.SourceOut], **LIST}, auth=None, summary="List sources")
def sources(
    request: HttpRequest,
    cursor: CursorQ = None,
    limit: LimitQ = DEFAULT_LIMIT,
) -> Any:
    """The sources behind every number, with citation and grade."""
    items = [(k, s.SourceOut(id=k, **src.model_dump())) for k, src in load_evidence().sources.items()]
    return page_of_ids(request, items, cursor, limit)


@router.post("/plan", response={200: s.Plan, **PUBLIC}, auth=None, summary="Plan a course")
def plan(request: HttpRequest, body: s.PlanIn) -> Any:
    """Core's course plan: per-zone depth, passes and interval, a dated schedule, aftercare, whole-plan rules.

    With ``answers`` the client is screened on ``start`` first and a blocking verdict answers 422.
    """
    ev = load_evidence()
    answers = _answers(body.answers, ev)
    skin = parse_skin_type(body.skin_type) if body.skin_type is not None else None
    if skin is None and answers is not None:
        skin = answers.skin_type
    return core_plan(
        ev,
        body.indication,
        tuple(body.zones),
        body.setting,
        device=body.device,
        start=body.start,
        skin_type=skin,
        answers=answers,
    )


@router.post("/screen", response={200: s.Screening, **PUBLIC}, auth=None, summary="Screen answers")
def screen(request: HttpRequest, body: s.ScreenIn) -> Any:
    """Core's screening of the answers on a date: the verdict with its findings and sources."""
    ev = load_evidence()
    return core_screen(parse_answers(body.answers, ev), body.on, ev)


@router.post("/coverage", response={200: s.CoverageResult, **PUBLIC}, auth=None, summary="Simulate coverage")
def coverage(request: HttpRequest, body: s.CoverageIn) -> Any:
    """Core's coverage simulation of passes of a roller or pen: density, uniformity, gaps, re-hits, time."""
    ev = load_evidence()
    treatment = make_treatment(
        ev,
        body.device,
        body.passes,
        directions=body.directions,
        pattern=body.pattern,
        zone=body.zone,
        area_cm2=body.area_cm2,
        speed_cm_s=body.speed_cm_s,
        seed=body.seed,
    )
    expected = expected_punctures(ev, treatment)
    if expected > MAX_API_PUNCTURES:
        raise InputError(
            "passes",
            f"this simulation would lay about {expected:,.0f} punctures; the API runs up to "
            f"{MAX_API_PUNCTURES:,} (fewer passes or a smaller area), the command line more",
        )
    return simulate(ev, treatment).result


@router.post("/hair/plan", response={200: s.HairPlan, **PUBLIC}, auth=None, summary="Plan electrolysis")
def hair_plan(request: HttpRequest, body: s.HairPlanIn) -> Any:
    """Core's electrolysis course prediction and schedule for an area and modality."""
    ev = load_evidence()
    options = CourseOptions(
        density_per_cm2=body.density_per_cm2,
        area_cm2=body.area_cm2,
        session_minutes=body.session_minutes,
        interval_days=body.interval_days,
        auto_interval=body.interval_days is None,
        months=body.months,
        seed=body.seed,
        treat_resting=body.treat_resting,
        metal_implant_in_area=body.metal_implant_in_area,
    )
    return hair_plan_course(
        ev, body.area, body.modality, start=body.start, options=options, answers=_answers(body.answers, ev)
    )
