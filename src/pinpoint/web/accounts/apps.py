from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Users, organizations, memberships and invitations."""

    name = "pinpoint.web.accounts"
    label = "accounts"
    verbose_name = "Accounts"
