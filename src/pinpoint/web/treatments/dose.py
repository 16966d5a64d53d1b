"""The dose each zone of a course received: its signed zone records read once, handed to core."""

from __future__ import annotations

from pinpoint.core.dose import Delivered, ZoneDose, course_dose
from pinpoint.evidence.loader import Evidence
from pinpoint.web.base.statuses import SessionStatus
from pinpoint.web.treatments.models import Course, ZoneRecord

__all__ = ["dose_of"]


def dose_of(course: Course, evidence: Evidence) -> tuple[ZoneDose, ...]:
    """Core's per-zone dose of ``course`` from the treated zones of its signed sessions (one query)."""
    rows = (
        ZoneRecord.objects.filter(
            organization=course.organization_id,
            session__course=course,
            session__status=SessionStatus.SIGNED,
            treated=True,
            depth_mm__isnull=False,
            passes__isnull=False,
        )
        .order_by("session__number", "zone")
        .values_list(
            "session__number",
            "session__performed_on",
            "session__scheduled_on",
            "zone",
            "depth_mm",
            "passes",
            "device",
            "session__anaesthetic_started_at",
        )
    )
    delivered = [
        Delivered(
            session=n,
            date=performed or scheduled,
            zone=zone,
            depth_mm=float(depth),
            passes=passes,
            device=device or None,
            anaesthetic=numbed is not None,
        )
        for n, performed, scheduled, zone, depth, passes, device, numbed in rows
        if depth is not None  # the query already excludes it; this tells the type checker
    ]
    return course_dose(evidence, course.plan_obj(), delivered)
