"""The API's pages: the personal tokens in settings, and the API reference rendered from the schema."""

from __future__ import annotations

import contextlib
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from pinpoint.core.errors import InputError
from pinpoint.web.api.api import api
from pinpoint.web.api.models import ApiToken
from pinpoint.web.api.tokens import DEFAULT_DAYS, MAX_DAYS, create_token, revoke_token, user_tokens
from pinpoint.web.base.forms import add_error
from pinpoint.web.base.permissions import Perm
from pinpoint.web.base.views import actor_of, page

__all__ = ["TokenForm", "docs", "token_revoke", "tokens"]

METHODS = ("get", "post", "put", "patch", "delete")


class TokenForm(forms.Form):
    """A new personal API token."""

    name = forms.CharField(max_length=100, required=False, help_text="To recognise it later, e.g. 'export script'.")
    scope = forms.ChoiceField(choices=ApiToken.Scope.choices, initial=ApiToken.Scope.READ)
    days = forms.IntegerField(
        min_value=1, max_value=MAX_DAYS, initial=DEFAULT_DAYS, label="Days valid", help_text=f"1 to {MAX_DAYS}."
    )


@page(Perm.DASHBOARD_VIEW)
def tokens(request: HttpRequest) -> HttpResponse:
    """Create (shown once) and list the user's own API tokens in this organization."""
    actor = actor_of(request)
    form = TokenForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            created = create_token(
                actor.user,
                actor.organization,
                name=form.cleaned_data["name"] or "",
                scope=form.cleaned_data["scope"],
                days=form.cleaned_data["days"],
            )
        except InputError as exc:
            add_error(form, exc)
        else:
            form = TokenForm()
    listed = user_tokens(actor.user, actor.organization)
    response = render(request, "api/tokens.html", {"form": form, "created": created, "tokens": listed})
    if created is not None:
        response["Cache-Control"] = "no-store"
    return response


@require_POST
@page(Perm.DASHBOARD_VIEW)
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke one of the user's own tokens."""
    actor = actor_of(request)
    with contextlib.suppress(InputError):  # not theirs or gone: the list shows what is left
        revoke_token(actor.user, actor.organization, pk)
    return redirect("api-pages:tokens")


def _operations(schema: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for path, item in schema.get("paths", {}).items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            out.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "open": not op.get("security"),
                    "tag": (op.get("tags") or [""])[0],
                    "codes": sorted(op.get("responses", {})),
                }
            )
    return out


def docs(request: HttpRequest) -> HttpResponse:
    """Every operation of the API with its status codes, from the OpenAPI schema (no script, no CDN)."""
    schema = api.get_openapi_schema()
    return render(request, "api/docs.html", {"operations": _operations(schema), "info": schema.get("info", {})})
