"""Erasing a client's personal data through the API: the same action, permission and record as the page.

``POST /api/clients/{client_id}/erase`` with the reason runs :func:`pinpoint.web.exports.erasure.erase_client`
(owner only, a read-and-write token): the client becomes ``Erased client <id>``, free text about them
is blanked, the clinical record stays sealed, and the sealed erasure record is the answer (ADR 0010).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.responses import Status
from pydantic import Field

from pinpoint.web.api.auth import writer
from pinpoint.web.api.errors import WRITE
from pinpoint.web.api.pagination import PkPath
from pinpoint.web.exports.erasure import erase_client

__all__ = ["router"]

router = Router(tags=["records"])


class EraseIn(Schema):
    """Why the client's personal data is erased (kept, sealed, with the erasure: write why, not who)."""

    reason: str = Field(description="for example: the client's written request of 2 March")


class ErasureOut(Schema):
    """The sealed erasure record: when, by whom, why, and how many fields were blanked."""

    id: int
    client_id: int
    erased_by_id: int
    erased_at: dt.datetime
    reason: str
    fields: int = Field(description="how many stored fields were blanked or pseudonymised")


@router.post(
    "/clients/{client_id}/erase", response={201: ErasureOut, **WRITE}, summary="Erase a client's personal data"
)
def erase(request: HttpRequest, client_id: PkPath, body: EraseIn) -> Any:
    """Erase the client's personal data (owner only; cannot be undone); the clinical record stays, sealed."""
    e = erase_client(writer(request), client_id, body.reason)
    return Status(
        201,
        {
            "id": e.pk,
            "client_id": e.client_id,
            "erased_by_id": e.erased_by_id,
            "erased_at": e.erased_at,
            "reason": e.reason,
            "fields": len(e.fields),
        },
    )
