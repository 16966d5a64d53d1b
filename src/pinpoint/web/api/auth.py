"""``Authorization: Bearer TOKEN``: the token acts as its user's membership, with the pages' roles."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from pinpoint.web.api.errors import ScopeError
from pinpoint.web.api.models import ApiToken
from pinpoint.web.api.tokens import actor_for_token
from pinpoint.web.base.tenancy import Actor

__all__ = ["TokenAuth", "actor", "writer"]


class TokenAuth(HttpBearer):
    """Resolve the bearer token to an :class:`Actor`; unknown, revoked or expired tokens answer 401."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        """The actor of ``token``, also set as ``request.actor`` like the pages' middleware does."""
        found = actor_for_token(token)
        if found is None:
            return None
        who, api_token = found
        request.actor = who  # type: ignore[attr-defined]
        request.api_token = api_token  # type: ignore[attr-defined]
        return who


def actor(request: HttpRequest) -> Actor:
    """The actor of an authenticated API request."""
    who: Actor = request.auth  # type: ignore[attr-defined]
    return who


def writer(request: HttpRequest) -> Actor:
    """The actor of a request that writes: a read-only token answers 403 before anything is touched."""
    token: ApiToken = request.api_token  # type: ignore[attr-defined]
    if not token.can_write:
        msg = "this token is read-only; create a read-and-write token to change records"
        raise ScopeError(msg)
    return actor(request)
