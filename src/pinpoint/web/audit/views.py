"""The organization's audit trail (owners)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from pinpoint.web.audit import selectors
from pinpoint.web.base.permissions import Perm
from pinpoint.web.base.views import actor_of, page


@page(Perm.AUDIT_VIEW)
def audit_log(request: HttpRequest) -> HttpResponse:
    """Latest actions and record views."""
    return render(request, "audit/log.html", selectors.recent(actor_of(request)))
