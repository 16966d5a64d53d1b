"""Photo URLs."""

from __future__ import annotations

from django.urls import path

from pinpoint.web.photos import views

app_name = "photos"
urlpatterns = [
    path("clients/<int:pk>/", views.client_photos, name="client"),
    path("clients/<int:pk>/compare/", views.compare, name="compare"),
    path("sessions/<int:pk>/", views.session_photos, name="session"),
    path("marketing/", views.marketing, name="marketing"),
    path("<int:pk>/", views.photo_detail, name="detail"),
    path("image/<str:key>/", views.photo_image, name="image"),
    path("image/<str:key>/small/", views.photo_thumb, name="thumb"),
]
