"""Run a create at most once per submission key."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from django.db import IntegrityError, models, transaction

from pinpoint.core.errors import InputError
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
        found = queryset.filter(pk=prior.object_id).first() if prior.kind == kind else None
        if found is None:
            raise InputError(
                "submission_id", "this form was already used for something else; reload the page"
            ) from None
        return found
    obj = create()
    claim.object_id = obj.pk
    claim.save(update_fields=["object_id"])
    return obj
