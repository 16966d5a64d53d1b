"""Demo data: a clinic client with an upper-lip electrolysis course of five signed sessions with window counts.

The counts are what the planned course itself predicts at each session (hairs showing in a 4 cm²
window, and the share the session's minutes treat), so the fitted forecast has something to show.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from pinpoint.core.hair_course import StartCount, plan_forecast
from pinpoint.core.hair_records import AreaEntry
from pinpoint.web.base.evidence import evidence_for
from pinpoint.web.base.tenancy import Actor
from pinpoint.web.clients.actions import ClientData, create_client, record_questionnaire
from pinpoint.web.consents.actions import sign_consent
from pinpoint.web.electrolysis import actions

__all__ = ["demo_electrolysis"]

WINDOW_CM2 = 4.0
START_HAIRS = 160
SIGNED = 5


def demo_electrolysis(prac: Actor, today: dt.date, answers: dict[str, object]) -> None:
    """Hedy Lamarr: questionnaire, consent, a blend course on the upper lip from 8 weeks ago, five signed sessions."""
    start = today - dt.timedelta(days=56)
    client = create_client(prac, ClientData(full_name="Hedy Lamarr", birth_date=dt.date(1984, 11, 9)))
    raw = {**answers, "treatment": "electrolysis", "zones": ["upper_lip"], "birth_date": "1984-11-09"}
    record_questionnaire(prac, client, raw, start)
    sign_consent(
        prac,
        client,
        "electrolysis",
        signed_name="Hedy Lamarr",
        signer="client",
        photo_clinical=False,
        photo_marketing=False,
        now=timezone.now() - dt.timedelta(days=56),
    )
    count = StartCount("window", window_cm2=WINDOW_CM2, hairs_seen=START_HAIRS)
    course = actions.create_course(prac, client, actions.CourseInput(("upper_lip",), "blend", start, count))
    ev = evidence_for(prac.organization)
    area_cm2 = ev.zones["upper_lip"].area_cm2.value
    plan = plan_forecast(ev, "upper_lip", "blend", start=start, count=count).plan
    for s in plan.sessions[:SIGNED]:
        seen = round(WINDOW_CM2 * s.visible_before / area_cm2)
        treated = s.treated_growing + s.treated_resting
        minutes = round(treated * 10.5 / 60) + 1.0
        session = actions.start_session(prac, course, on=s.date)
        actions.record_area(
            prac,
            session,
            AreaEntry(
                area="upper_lip",
                modality="blend",
                probe_type="insulated",
                probe_size="F3",
                current_ma=0.4,
                intensity_w=1.5,
                seconds_per_insertion=8,
                insertions=treated,
                hairs_removed=treated,
                minutes=min(minutes, 30.0),
                reaction="erythema",
                aftercare_given=True,
                window_cm2=WINDOW_CM2,
                hairs_seen=seen,
            ),
        )
        actions.sign_session(prac, session)
