"""Admin: courses and sessions are read-only; a signed session cannot be changed from here either."""

from __future__ import annotations

from django.contrib import admin

from pinpoint.web.base.admin import ReadOnlyAdmin
from pinpoint.web.treatments.models import Addendum, Course, Session, ZoneRecord


@admin.register(Course)
class CourseAdmin(ReadOnlyAdmin):
    """Courses."""

    list_display = ("client", "indication", "setting", "start_on", "evidence_version")


@admin.register(Session)
class SessionAdmin(ReadOnlyAdmin):
    """Sessions."""

    list_display = ("client", "number", "scheduled_on", "status", "signed_at", "content_hash")
    list_filter = ("status",)


@admin.register(ZoneRecord)
class ZoneRecordAdmin(ReadOnlyAdmin):
    """Zone records."""

    list_display = ("session", "zone", "depth_mm", "passes", "endpoint_reached")


@admin.register(Addendum)
class AddendumAdmin(ReadOnlyAdmin):
    """Addenda."""

    list_display = ("session", "author", "created_at")
