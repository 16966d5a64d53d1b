"""Password reset by email, password change, and signing out everywhere (Django's views, our words).

A reset link is Django's: single-use (it stops working once the password changes) and valid for
``PASSWORD_RESET_TIMEOUT`` seconds. Changing the password signs out every other browser (the
session hash changes); "sign out everywhere" ends every session of the user, this one included.
"""

from __future__ import annotations

from django.contrib.auth import logout, views
from django.contrib.auth.decorators import login_required
from django.contrib.sessions.models import Session
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone

__all__ = [
    "PasswordChange",
    "PasswordChangeDone",
    "PasswordReset",
    "PasswordResetComplete",
    "PasswordResetConfirm",
    "PasswordResetDone",
    "end_sessions",
    "sign_out_everywhere",
]


class PasswordReset(views.PasswordResetView):
    """Ask for a reset link by email (the same answer whether or not the address has an account)."""

    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetDone(views.PasswordResetDoneView):
    """"Check your email"."""

    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirm(views.PasswordResetConfirmView):
    """Choose a new password from the emailed link."""

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetComplete(views.PasswordResetCompleteView):
    """"Your password is changed: sign in"."""

    template_name = "accounts/password_reset_complete.html"


class PasswordChange(views.PasswordChangeView):
    """Change the password (the current one first); other browsers are signed out."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")


class PasswordChangeDone(views.PasswordChangeDoneView):
    """"Your password is changed"."""

    template_name = "accounts/password_change_done.html"


def end_sessions(user_id: int) -> int:
    """Delete every unexpired session of the user ``user_id``; returns how many were ended."""
    ended = 0
    for s in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if s.get_decoded().get("_auth_user_id") == str(user_id):
            s.delete()
            ended += 1
    return ended


@login_required
def sign_out_everywhere(request: HttpRequest) -> HttpResponse:
    """GET: what it does; POST: end every session of this user (phones, other computers, this browser)."""
    if request.method != "POST":
        return render(request, "accounts/sign_out_everywhere.html")
    end_sessions(int(str(request.user.pk)))
    logout(request)
    return redirect("accounts:login")
