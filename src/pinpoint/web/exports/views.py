"""Pages: the owner's "export everything" (one zip, streamed from a temporary file) and a client's erasure."""

from __future__ import annotations

import tempfile
from typing import cast

from django import forms
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from pinpoint.core.errors import InputError
from pinpoint.web.audit.actions import Event, record_event
from pinpoint.web.audit.models import Erasure
from pinpoint.web.base.errors import ConflictError
from pinpoint.web.base.forms import add_error
from pinpoint.web.base.permissions import Perm
from pinpoint.web.base.views import actor_of, page
from pinpoint.web.clients.models import Client
from pinpoint.web.exports.archive import write_zip
from pinpoint.web.exports.erasure import MAX_REASON, erase_client, planned_changes

__all__ = ["EraseForm", "download", "erase", "everything"]


@page(Perm.EXPORT_ALL)
def everything(request: HttpRequest) -> HttpResponse:
    """What the full export holds, and the button that downloads it."""
    return render(request, "exports/everything.html")


@require_POST
@page(Perm.EXPORT_ALL)
def download(request: HttpRequest) -> HttpResponse:
    """The full export of the organization as one zip (the same as ``pinpoint export --format zip``).

    Written to a temporary file first (memory stays flat whatever the size), then streamed from it.
    """
    actor = actor_of(request)
    org = actor.organization
    now = timezone.now()
    tmp = tempfile.TemporaryFile(prefix="pinpoint-export-")  # noqa: SIM115 - FileResponse closes it when sent
    write_zip(tmp, org, now=now)
    record_event(actor, Event.ORGANIZATION_EXPORT, org)
    tmp.seek(0)
    name = f"pinpoint-{slugify(org.name) or 'organization'}-{now:%Y-%m-%d}.zip"
    response = FileResponse(tmp, as_attachment=True, filename=name, content_type="application/zip")
    return cast("HttpResponse", response)  # page() passes any response on; this one streams


class EraseForm(forms.Form):
    """The reason for an erasure, and the confirmation that it cannot be undone."""

    reason = forms.CharField(
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why, for example: the client's written request of 2 March. Do not repeat their details here.",
    )
    confirm = forms.BooleanField(label="I understand that this cannot be undone")


@page(Perm.CLIENT_ERASE)
def erase(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm and erase one client's personal data; the clinical record stays, sealed."""
    actor = actor_of(request)
    client = get_object_or_404(Client, organization=actor.organization, pk=pk)
    if Erasure.objects.filter(organization=actor.organization, client=client).exists():
        msg = f"{client.full_name}'s personal data was already erased"
        raise ConflictError(msg, url=reverse("clients:detail", args=[client.pk]))
    form = EraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            erase_client(actor, client.pk, form.cleaned_data["reason"])
        except InputError as exc:
            add_error(form, exc)
        else:
            return redirect("clients:detail", client.pk)
    changes = planned_changes(client)
    return render(request, "exports/erase.html", {"client": client, "form": form, "rows": len(changes)})
