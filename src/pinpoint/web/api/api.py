"""The NinjaAPI: OpenAPI 3.1 at ``/api/openapi.json``; the docs page is served by :mod:`.views`."""

from __future__ import annotations

from ninja import NinjaAPI

from pinpoint.web.api import electrolysis, erasure, outcomes, photos, public, records, scheduling
from pinpoint.web.api.auth import TokenAuth
from pinpoint.web.api.errors import install_handlers

__all__ = ["api"]

api = NinjaAPI(
    title="Pinpoint API",
    version="1",
    description=(
        "Clients, questionnaires with their screening, consents, courses and plans, sessions and their zone "
        "records, devices and lots, photos, outcome scores, adverse events and who got a lot, appointments, rooms "
        "and the reminders due; the evidence base "
        "and core's planners without an account. "
        "Authenticate with `Authorization: Bearer TOKEN` (a personal API token from Settings). "
        'Every error is JSON: `{"field": ..., "detail": ...}`.'
    ),
    auth=TokenAuth(),
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url=None,
)
install_handlers(api)
api.add_router("/", public.router)
api.add_router("/", records.router)
api.add_router("/", photos.router)
api.add_router("/", outcomes.router)
api.add_router("/", electrolysis.router)
api.add_router("/", erasure.router)
api.add_router("/", scheduling.router)
