"""Accounts URLs."""

from __future__ import annotations

from django.contrib.auth.views import LogoutView
from django.urls import path

from pinpoint.web.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("signup/", views.signup, name="signup"),
    path("signup/<str:token>/", views.signup_confirm, name="signup_confirm"),
    path("start/", views.start, name="start"),
    path("switch/", views.switch, name="switch"),
    path("invitations/<str:token>/", views.accept, name="accept"),
    path("org/settings/", views.settings_page, name="settings"),
    path("org/policy/", views.policy, name="policy"),
    path("org/members/", views.members, name="members"),
    path("org/members/<int:pk>/role/", views.member_role, name="member_role"),
    path("org/members/<int:pk>/remove/", views.member_remove, name="member_remove"),
    path("org/invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
]
