"""View helpers: every page names the permission it needs; anonymous users go to the login page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from pinpoint.web.base.errors import ConflictError
from pinpoint.web.base.permissions import Perm
from pinpoint.web.base.tenancy import Actor

__all__ = ["actor_of", "page"]

View = Callable[..., HttpResponse]


def actor_of(request: HttpRequest) -> Actor:
    """The request's actor (set by the tenancy middleware; :func:`page` guarantees one)."""
    actor: Actor | None = getattr(request, "actor", None)
    if actor is None:
        msg = "page() guards every view that reads the actor"
        raise RuntimeError(msg)
    return actor


def page(perm: Perm) -> Callable[[View], View]:
    """Guard a view: anonymous -> login page; no organization yet -> start page; lacking ``perm`` -> 403.

    A :class:`ConflictError` the view lets through (a signed or sealed record it tried to change)
    answers 409 with its message and a link back to the record.
    """

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            actor: Actor | None = getattr(request, "actor", None)
            if actor is None:
                return redirect("accounts:start")
            actor.require(perm)
            try:
                return view(request, *args, **kwargs)
            except ConflictError as exc:
                return render(request, "409.html", {"message": str(exc), "back": exc.url}, status=409)

        return guarded

    return decorate
