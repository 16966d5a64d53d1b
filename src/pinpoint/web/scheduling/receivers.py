"""A session cancelled, or moved to another day, frees its appointment's time."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from pinpoint.web.base.statuses import SessionStatus
from pinpoint.web.scheduling.models import Appointment
from pinpoint.web.treatments.models import Session


@receiver(post_save, sender=Session, dispatch_uid="scheduling_free_on_change")
def free_time(sender: Any, instance: Session, **kwargs: Any) -> None:
    """Delete the appointment of a cancelled session, or of one whose day no longer matches its time."""
    if instance.status == SessionStatus.SIGNED:
        return
    for a in Appointment.objects.filter(session_id=instance.pk).select_related("organization"):
        zone = zoneinfo.ZoneInfo(a.organization.time_zone)
        if (
            instance.status == SessionStatus.CANCELLED
            or timezone.localtime(a.starts_at, zone).date() != instance.scheduled_on
        ):
            a.delete()
