"""Tenant-scoped reads the API lists need, built on each app's selectors.

Each takes the :class:`Actor`, checks the permission the matching page checks, and reads only
inside ``actor.organization``: another organization's parent object answers 404.
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from pinpoint.web.base.permissions import Perm
from pinpoint.web.base.tenancy import Actor
from pinpoint.web.clients.models import Client, Questionnaire
from pinpoint.web.clients.selectors import get_client
from pinpoint.web.consents.models import Consent
from pinpoint.web.devices.models import DeviceUnit
from pinpoint.web.devices.selectors import units
from pinpoint.web.treatments.models import Course, Session, ZoneRecord
from pinpoint.web.treatments.selectors import course_sessions, get_course

__all__ = ["client_consents", "client_courses", "client_questionnaires", "device_units", "sessions_of", "with_zones"]


def client_questionnaires(actor: Actor, client_pk: int) -> tuple[Client, QuerySet[Questionnaire]]:
    """The client (else 404) and their questionnaires."""
    client = get_client(actor, client_pk)
    return client, Questionnaire.objects.filter(organization=actor.organization, client=client)


def client_consents(actor: Actor, client_pk: int) -> QuerySet[Consent]:
    """The client's consents (else 404 for the client)."""
    client = get_client(actor, client_pk)
    return Consent.objects.filter(organization=actor.organization, client=client)


def client_courses(actor: Actor, client_pk: int) -> QuerySet[Course]:
    """The client's courses (else 404 for the client)."""
    client = get_client(actor, client_pk)
    return Course.objects.filter(organization=actor.organization, client=client)


def with_zones(qs: QuerySet[Session]) -> QuerySet[Session]:
    """Sessions with their zone records fetched in one more query."""
    return qs.prefetch_related(Prefetch("zone_records", queryset=ZoneRecord.objects.order_by("pk")))


def sessions_of(actor: Actor, course_pk: int) -> QuerySet[Session]:
    """The course's sessions (else 404 for the course), with their zone records."""
    return with_zones(course_sessions(get_course(actor, course_pk)))


def device_units(actor: Actor) -> QuerySet[DeviceUnit]:
    """The organization's device units and lots with their use counts (the devices page's permission)."""
    actor.require(Perm.DEVICE_MANAGE)
    return units(actor)
