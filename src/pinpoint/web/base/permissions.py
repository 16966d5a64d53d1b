"""The one permission map: which role may do what. Anything not listed is denied.

Views check the permission of the page; actions check it again before they change anything.
"""

from __future__ import annotations

from enum import StrEnum

from django.core.exceptions import PermissionDenied

__all__ = ["ROLE_PERMISSIONS", "Perm", "Role", "allowed", "require"]


class Role(StrEnum):
    """A member's role in an organization; in a personal space the one user is the owner."""

    OWNER = "owner"
    PRACTITIONER = "practitioner"
    ASSISTANT = "assistant"


class Perm(StrEnum):
    """Every permission the web app checks."""

    DASHBOARD_VIEW = "dashboard.view"
    CLIENT_VIEW = "client.view"
    CLIENT_EDIT = "client.edit"
    QUESTIONNAIRE_RECORD = "questionnaire.record"
    CONSENT_RECORD = "consent.record"
    CONSENT_WITHDRAW = "consent.withdraw"
    COURSE_PLAN = "course.plan"
    SESSION_BOOK = "session.book"
    SESSION_RUN = "session.run"
    SESSION_SIGN = "session.sign"
    SESSION_ADDENDUM = "session.addendum"
    SCREENING_OVERRIDE_REFER = "screening.override_refer"
    PHOTO_VIEW = "photo.view"
    PHOTO_TAKE = "photo.take"
    PHOTO_MARKETING = "photo.marketing"
    DEVICE_MANAGE = "device.manage"
    MEMBERS_MANAGE = "members.manage"
    SETTINGS_MANAGE = "settings.manage"
    AUDIT_VIEW = "audit.view"
    CLIENT_ERASE = "client.erase"
    EXPORT_ALL = "organization.export"
    OUTCOME_RECORD = "outcome.record"
    ADVERSE_EVENT_REPORT = "adverse_event.report"
    LOT_RECALL = "lot.recall"


_EVERYONE = frozenset(
    {
        Perm.DASHBOARD_VIEW,
        Perm.CLIENT_VIEW,
        Perm.CLIENT_EDIT,
        Perm.QUESTIONNAIRE_RECORD,
        Perm.CONSENT_RECORD,
        Perm.SESSION_BOOK,
        Perm.DEVICE_MANAGE,
    }
)
_CLINICAL = frozenset(
    {
        Perm.CONSENT_WITHDRAW,
        Perm.COURSE_PLAN,
        Perm.SESSION_RUN,
        Perm.SESSION_SIGN,
        Perm.SESSION_ADDENDUM,
        Perm.SCREENING_OVERRIDE_REFER,
        Perm.PHOTO_VIEW,
        Perm.PHOTO_TAKE,
        Perm.OUTCOME_RECORD,
        Perm.ADVERSE_EVENT_REPORT,
        Perm.LOT_RECALL,
    }
)

ROLE_PERMISSIONS: dict[str, frozenset[Perm]] = {
    Role.OWNER: frozenset(Perm),
    Role.PRACTITIONER: _EVERYONE | _CLINICAL,
    Role.ASSISTANT: _EVERYONE,
}


def allowed(role: str | None, perm: Perm) -> bool:
    """True when ``role`` holds ``perm``; an unknown or missing role holds nothing."""
    return role is not None and perm in ROLE_PERMISSIONS.get(role, frozenset())


def require(role: str | None, perm: Perm) -> None:
    """Raise :class:`PermissionDenied` unless ``role`` holds ``perm``."""
    if not allowed(role, perm):
        raise PermissionDenied(f"the role {role or '(none)'} may not {perm.value}")
