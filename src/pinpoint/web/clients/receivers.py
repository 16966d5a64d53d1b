"""What the clients app does when an app below it announces something (connected in ``ClientsConfig.ready``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pinpoint.web.accounts.models import Organization
from pinpoint.web.base.tenancy import Actor
from pinpoint.web.clients.actions import ClientData, create_client

__all__ = ["create_self_client"]


def create_self_client(
    sender: Any, *, actor: Actor, organization: Organization, birth_date: dt.date | None, **kwargs: Any
) -> None:
    """A personal space gets its one client, the person who owns it."""
    if organization.is_personal:
        create_client(actor, ClientData(full_name=actor.user.display_name, birth_date=birth_date), is_self=True)
