"""Records written once: inserted and sealed in one transaction, never edited or deleted (ADR 0007).

An addendum to a signed session, microneedling or electrolysis, is such a record; its model takes
:class:`AppendOnlySealed` as a base (no fields of its own, so a model's columns and seals stay as
they were) and names its seal kind and the error its app raises.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models, transaction
from django.utils.functional import cached_property

from pinpoint.web.audit.chains import check_record
from pinpoint.web.audit.models import Seal, SealedRecordError

__all__ = ["AppendOnlySealed"]


class AppendOnlySealed(models.Model):
    """Insert only, sealed in the same transaction; an edit or a delete raises ``refused``."""

    seal_kind: ClassVar[str]
    refused: ClassVar[type[SealedRecordError]] = SealedRecordError
    edit_refusal: ClassVar[str] = "an addendum is never edited; add another one"
    delete_refusal: ClassVar[str] = "an addendum is never deleted"

    class Meta:
        abstract = True

    @cached_property
    def altered(self) -> bool:
        """Whether the record no longer matches its seal or its place in the chain (the record pages ask)."""
        return check_record(self, self.seal_kind) is not None

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Insert only (a row with this id already stored is refused too), sealed in the same transaction."""
        if not self._state.adding or (self.pk is not None and type(self)._base_manager.filter(pk=self.pk).exists()):
            raise self.refused(self.edit_refusal)
        with transaction.atomic(savepoint=False):
            super().save(*args, **kwargs)
            Seal.objects.append(self, self.seal_kind)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        """Never."""
        raise self.refused(self.delete_refusal)
