"""The authentication backend that loads the signed-in user together with her memberships.

Every request needs both (``base.tenancy`` picks the organization from the memberships), so the
user is read through her memberships in one joined query instead of two. A user without any
membership yet (just signed up) is read as Django reads her.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend as DjangoModelBackend

from pinpoint.web.base.tenancy import MEMBERSHIPS_ATTR

from .models import Membership


class _WithMemberships:
    """``get_user`` that reads the user and her memberships (with their organizations) at once."""

    def get_user(self, user_id: Any) -> Any:
        rows = list(
            Membership.objects.select_related("user", "organization").filter(user_id=user_id).order_by("pk")
        )
        if not rows:
            return super().get_user(user_id)  # type: ignore[misc]
        user = rows[0].user
        for membership in rows:
            membership.user = user
        setattr(user, MEMBERSHIPS_ATTR, tuple(rows))
        return user if self.user_can_authenticate(user) else None  # type: ignore[attr-defined]


class ModelBackend(_WithMemberships, DjangoModelBackend):
    """Django's email-and-password backend, reading memberships with the user."""
