# ruff: noqa: RUF012 - class attributes of a migration are lists by convention
"""Adoption: seal the records written before sealing existed, once, so that ``pinpoint verify`` holds.

A database from before the seals (or one upgraded while it held records) has signed sessions,
addenda, consents, withdrawals, questionnaires, audit events and record views without a seal.
This migration appends a seal for each of them to its organization's chain, in the order they
were written (then by id), after any seals the chain already has. A seal made here proves only
that the row has not changed since this migration ran, nothing about what happened to it before
(ADR 0007). On a new or fully sealed database it does nothing and does not read the seal key.

The table of what is sealed is frozen here as it stood when this migration was written.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

from pinpoint.web.audit.sealing import Sealable, seal_rows, unsealed
from pinpoint.web.audit.sealkey import seal_key

SEALABLE_AT_ADOPTION = {
    "session": Sealable("treatments.Session", "signed_at", {"status": "signed"}),
    "addendum": Sealable("treatments.Addendum", "created_at"),
    "consent": Sealable("consents.Consent", "signed_at"),
    "consent_withdrawal": Sealable("consents.Consent", "withdrawn_at", {"withdrawn_at__isnull": False}),
    "questionnaire": Sealable("clients.Questionnaire", "created_at"),
    "audit_event": Sealable("audit.AuditEvent", "at"),
    "record_view": Sealable("audit.RecordView", "at"),
}


def adopt(apps: Any, schema_editor: Any) -> None:
    """Seal every unsealed record, per organization, by time written then id."""
    using = schema_editor.connection.alias
    todo = unsealed(apps.get_model, using=using, sealable=SEALABLE_AT_ADOPTION)
    if not todo:
        return
    key = seal_key()
    for org, records in todo.items():
        seal_rows(apps.get_model, key, org, records, using=using, sealable=SEALABLE_AT_ADOPTION)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_sealed_table_triggers"),
        ("clients", "0002_questionnaire_triggers"),
        ("consents", "0002_consent_triggers"),
        ("treatments", "0004_sealed_triggers"),
    ]

    operations = [migrations.RunPython(adopt, migrations.RunPython.noop)]
