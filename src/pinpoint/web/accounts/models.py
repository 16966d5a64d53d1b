"""Users log in with their email; organizations are the tenants; memberships give a role in one."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from pinpoint.web.base.permissions import Role

__all__ = ["Invitation", "Membership", "Organization", "User"]


class UserManager(BaseUserManager["User"]):
    """Creates users keyed by a normalised email address."""

    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        """A user; without a password the account cannot log in until one is set."""
        if not email:
            msg = "an email address is required"
            raise ValueError(msg)
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        """A staff superuser for the Django admin."""
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in; their organizations come from memberships."""

    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def display_name(self) -> str:
        """The name to show beside a signature."""
        return self.full_name or self.email


class Organization(models.Model):
    """A tenant: a clinic with staff, or a personal space with one user."""

    class Kind(models.TextChoices):
        CLINIC = "clinic", "Clinic"
        PERSONAL = "personal", "Personal space"

    name = models.CharField(max_length=150)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    time_zone = models.CharField(max_length=64, default="UTC")
    policy_overrides = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    def __str__(self) -> str:
        return self.name

    @property
    def is_personal(self) -> bool:
        """A personal space: one user treating themselves at home."""
        return self.kind == self.Kind.PERSONAL


class Membership(models.Model):
    """A user's role in an organization."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=20, choices=[(r.value, r.value.title()) for r in Role])
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["organization", "user"], name="membership_one_per_org"),
            models.CheckConstraint(condition=models.Q(role__in=[r.value for r in Role]), name="membership_role_known"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) in {self.organization}"


class Invitation(models.Model):
    """An invitation to join an organization with a role; the token is stored only as its hash."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=[(r.value, r.value.title()) for r in Role])
    token_sha256 = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["organization", "email"],
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_email",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} to {self.organization} as {self.role}"

    def is_open(self, now: Any) -> bool:
        """Neither accepted, revoked nor expired at ``now``."""
        return self.accepted_at is None and self.revoked_at is None and now < self.expires_at
