"""Submission keys: a create form carries a key, so a double click or a reload creates nothing twice."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

__all__ = ["Submission"]


class Submission(models.Model):
    """A form submission already carried out, with the primary key of what it produced."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.UUIDField()
    kind = models.CharField(max_length=64)
    object_id = models.BigIntegerField(null=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["user", "key"], name="submission_once_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"
