# ruff: noqa: RUF012 - class attributes of a migration are lists by convention
"""Electrolysis sessions and courses by organization and date, for the dashboard at a million clients.

``selectors.sessions_between`` reads an organization's sessions performed on a range of dates and
``selectors.due_courses`` the courses with a session or a start since a date; the only indexes on
those columns led with the client (``el_session_client_date``, ``el_course_client``), so
PostgreSQL read every session and course of the organization. Not partial: the dashboard lists
the day's sessions whatever their status (in progress and signed), and a course is due whatever
its sessions' status.
"""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("clients", "0002_questionnaire_triggers"),
        ("electrolysis", "0003_no_replacing_update"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="session",
            index=models.Index(fields=["organization", "performed_on"], name="el_session_org_date"),
        ),
        migrations.AddIndex(
            model_name="course",
            index=models.Index(fields=["organization", "start_on"], name="el_course_org_start"),
        ),
    ]
