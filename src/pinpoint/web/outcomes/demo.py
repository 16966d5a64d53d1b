"""The demo clinic's follow-up: scores on Ada's course, a resolved adverse event, an expired lot."""

from __future__ import annotations

import datetime as dt

from pinpoint.web.base.tenancy import Actor
from pinpoint.web.devices.models import DeviceUnit
from pinpoint.web.outcomes.actions import record_score, report_adverse_event, update_adverse_event
from pinpoint.web.outcomes.models import Assessment
from pinpoint.web.treatments.models import Course, Session

__all__ = ["demo_follow_up"]

EXPIRED_LABEL = "Pen cartridges (old box)"


def demo_follow_up(prac: Actor, today: dt.date) -> None:
    """Add the follow-up loop to the demo clinic once (nothing when Ada's course already has scores)."""
    course = Course.objects.filter(organization=prac.organization, client__full_name="Ada Lovelace").first()
    if course is None or Assessment.objects.filter(course=course).exists():
        return
    # A box of cartridges that expired two months ago: listed, never offered, refused if posted.
    DeviceUnit.objects.get_or_create(
        organization=prac.organization,
        label=EXPIRED_LABEL,
        defaults={
            "catalog_id": "pen_14",
            "lot_number": "CART-2301-X",
            "expires_on": today - dt.timedelta(days=60),
            "units_total": 20,
            "created_by": prac.user,
        },
    )
    signed = Session.objects.filter(course=course, status=Session.Status.SIGNED).order_by("number").first()
    if signed is None:
        return
    start = signed.date
    record_score(prac, course, "goodman_baron_grade", "practitioner", start, 3)
    record_score(prac, course, "goodman_baron_grade", "practitioner", today, 2)
    record_score(prac, course, "gais", "practitioner", today, 3)
    record_score(prac, course, "gais", "client", today, 2)
    record_score(prac, course, "satisfaction", "client", today, 7)
    event = report_adverse_event(
        prac,
        signed,
        "prolonged_erythema",
        "mild",
        start + dt.timedelta(days=1),
        "Redness still there on day 4: bland moisturiser, mineral sunscreen, no actives for a week",
    )
    update_adverse_event(prac, event, "resolved", start + dt.timedelta(days=6), "Skin calm at the phone check")
