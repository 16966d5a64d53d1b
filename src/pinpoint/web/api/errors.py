"""Every API error is JSON naming the field at fault: ``{"field": ..., "detail": ...}``.

Core's ``InputError``/``UnknownIdError`` answer 400, a refusal (``RefusedError``, a blocking
screening) 422 like a malformed request, a missing permission or a read-only token 403, a
missing token 401, another organization's object 404 (exactly like a missing one), a change
to a signed record 409.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from pinpoint.core.errors import PinpointError, RefusedError, ScreeningBlockedError
from pinpoint.web.audit.models import SealedRecordError
from pinpoint.web.base.errors import ConflictError
from pinpoint.web.treatments.actions import RecordInvalidError

if TYPE_CHECKING:
    from ninja import NinjaAPI

__all__ = [
    "PUBLIC",
    "READ",
    "WRITE",
    "ApiError",
    "FieldError",
    "ScopeError",
    "install_handlers",
]


class FieldError(Schema):
    """One field at fault and what is allowed."""

    field: str
    detail: str


class ApiError(Schema):
    """An error: the field at fault (``authorization``, a body field, a path or query parameter) and why."""

    field: str
    detail: str
    errors: list[FieldError] | None = None


class ScopeError(PermissionDenied):
    """A read-only token tried to write."""


PUBLIC: dict[int, Any] = {400: ApiError, 422: ApiError}
READ: dict[int, Any] = {401: ApiError, 403: ApiError, 404: ApiError, 422: ApiError}
WRITE: dict[int, Any] = {**READ, 400: ApiError, 409: ApiError}


def _body(field: str, detail: str, errors: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {"field": field, "detail": detail, "errors": errors}


def _loc(loc: Any) -> str:
    parts = [str(p) for p in (loc or ())]
    if parts[:1] == ["body"]:
        parts = parts[2:] if len(parts) > 2 else parts[1:]  # ("body", param name, field...)
    elif parts:
        parts = parts[1:]
    return ".".join(parts) or "body"


def _path_field(request: HttpRequest) -> str:
    match = request.resolver_match
    names = list(match.kwargs) if match is not None else []
    return names[-1] if names else "path"


def install_handlers(api: NinjaAPI) -> None:
    """Register the JSON error handlers on ``api``."""

    def reply(request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse:
        return api.create_response(request, body, status=status)

    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = [{"field": _loc(e.get("loc")), "detail": str(e.get("msg", "invalid value"))} for e in exc.errors]
        first = errors[0] if errors else {"field": "body", "detail": "invalid request"}
        return reply(request, 422, _body(first["field"], first["detail"], errors))

    @api.exception_handler(RecordInvalidError)
    def record_invalid(request: HttpRequest, exc: RecordInvalidError) -> HttpResponse:
        errors = [{"field": f"zones.{zone}.{field}", "detail": msg} for (zone, field), msg in exc.errors.items()]
        return reply(request, 400, _body(errors[0]["field"], errors[0]["detail"], errors))

    @api.exception_handler(PinpointError)
    def core_error(request: HttpRequest, exc: PinpointError) -> HttpResponse:
        status = 422 if isinstance(exc, RefusedError | ScreeningBlockedError) else 400
        problems: dict[str, str] = getattr(exc, "problems", {})  # every field at fault, when core lists them
        errors = [{"field": f, "detail": m} for f, m in problems.items()] or None
        return reply(request, status, _body(exc.field, exc.message, errors))

    @api.exception_handler(SealedRecordError)
    def sealed(request: HttpRequest, exc: SealedRecordError) -> HttpResponse:
        return reply(request, 409, _body(_path_field(request), str(exc)))

    @api.exception_handler(ConflictError)
    def conflict(request: HttpRequest, exc: ConflictError) -> HttpResponse:
        return reply(request, 409, _body(_path_field(request), str(exc)))

    @api.exception_handler(PermissionDenied)
    def denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        field = "scope" if isinstance(exc, ScopeError) else "authorization"
        return reply(request, 403, _body(field, str(exc) or "not allowed"))

    @api.exception_handler(Http404)
    def missing(request: HttpRequest, exc: Http404) -> HttpResponse:
        return reply(request, 404, _body(_path_field(request), "not found"))

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        detail = "send a valid, unexpired API token as 'Authorization: Bearer TOKEN'"
        return reply(request, 401, _body("authorization", detail))

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return reply(request, exc.status_code, _body("request", exc.message))

    @api.exception_handler(OverflowError)
    def overflow(request: HttpRequest, exc: OverflowError) -> HttpResponse:
        return reply(request, 400, _body("body", "a number or date is too large to handle"))
