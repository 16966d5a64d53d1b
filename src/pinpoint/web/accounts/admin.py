"""Admin: users can be managed by staff; tenancy rows are read-only."""

from __future__ import annotations

from typing import ClassVar

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from pinpoint.web.accounts.models import Invitation, Membership, Organization, User
from pinpoint.web.base.admin import ReadOnlyAdmin


@admin.register(User)
class PinpointUserAdmin(UserAdmin):  # type: ignore[type-arg]
    """Users by email."""

    ordering = ("email",)
    list_display = ("email", "full_name", "is_active", "is_staff")
    search_fields = ("email", "full_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("full_name",)}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    filter_horizontal: ClassVar[tuple[str, ...]] = ("groups", "user_permissions")
    list_filter = ("is_active", "is_staff")


@admin.register(Organization)
class OrganizationAdmin(ReadOnlyAdmin):
    """Organizations."""

    list_display = ("name", "kind", "time_zone", "created_at")


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    """Memberships."""

    list_display = ("user", "organization", "role")


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    """Invitations (tokens are stored hashed)."""

    list_display = ("email", "organization", "role", "created_at", "accepted_at", "revoked_at")
    exclude = ("token_sha256",)
