"""API URLs: the NinjaAPI under /api/, the docs page, and the token settings pages."""

from __future__ import annotations

from django.urls import path

from pinpoint.web.api import views
from pinpoint.web.api.api import api

app_name = "api-pages"
urlpatterns = [
    path("docs", views.docs, name="docs"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
]

api_urls = api.urls
