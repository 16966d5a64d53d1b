"""Accounts URLs."""

from __future__ import annotations

from django.contrib.auth.views import LogoutView
from django.urls import path

from pinpoint.web.accounts import passwords, views

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
    path("password/reset/", passwords.PasswordReset.as_view(), name="password_reset"),
    path("password/reset/sent/", passwords.PasswordResetDone.as_view(), name="password_reset_done"),
    path("password/reset/<uidb64>/<token>/", passwords.PasswordResetConfirm.as_view(), name="password_reset_confirm"),
    path("password/reset/done/", passwords.PasswordResetComplete.as_view(), name="password_reset_complete"),
    path("password/change/", passwords.PasswordChange.as_view(), name="password_change"),
    path("password/change/done/", passwords.PasswordChangeDone.as_view(), name="password_change_done"),
    path("sign-out-everywhere/", passwords.sign_out_everywhere, name="sign_out_everywhere"),
]
