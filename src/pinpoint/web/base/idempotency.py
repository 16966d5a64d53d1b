"""Run a create at most once per submission key."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from django.db import IntegrityError, models, transaction

from pinpoint.web.base.models import Submission

if TYPE_CHECKING:
    from pinpoint.web.accounts.models import User

__all__ = ["once"]

M = TypeVar("M", bound=models.Model)


def once(user: User, key: uuid.UUID | None, kind: str, queryset: models.QuerySet[M], create: Callable[[], M]) -> M:
    """Call ``create`` unless ``user`` already submitted ``key``; then return that first result.

    Must run inside the caller's transaction: if ``create`` fails, the key is released with
    everything else. A concurrent duplicate waits on the unique key, then finds the result.
    ``queryset`` is the caller's tenant-scoped queryset, so a key never reaches another tenant.
    """
    if key is None:
        return create()
    try:
        with transaction.atomic():
            claim = Submission.objects.create(user=user, key=key, kind=kind)
    except IntegrityError:
        prior = Submission.objects.get(user=user, key=key)
        if prior.kind != kind or prior.object_id is None:
            msg = "this form was already submitted for something else; reload the page"
            raise DuplicateSubmissionError(msg) from None
        return queryset.get(pk=prior.object_id)
    obj = create()
    claim.object_id = obj.pk
    claim.save(update_fields=["object_id"])
    return obj


class DuplicateSubmissionError(Exception):
    """A submission key was reused for a different kind of form."""
