"""``python -m pinpoint.web <command>``: Django's manage.py for the Pinpoint project.

A setting the app refuses (a weak production ``SECRET_KEY``, ``ALLOWED_HOSTS`` with ``*``, no seal
key, ...) stops the command before it does anything, with one line on stderr naming the setting
and exit status 2, as ``pinpoint serve`` does.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Run a Django management command with Pinpoint's settings."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pinpoint.web.settings")
    from django.conf import settings  # noqa: PLC0415 - Django loads on demand
    from django.core.exceptions import ImproperlyConfigured  # noqa: PLC0415
    from django.core.management import execute_from_command_line  # noqa: PLC0415

    try:
        _ = settings.INSTALLED_APPS  # reads and checks the environment now, not inside a command
    except ImproperlyConfigured as exc:
        sys.stderr.write(f"pinpoint.web: error: cannot start the web app: {exc}\n")
        raise SystemExit(2) from None
    execute_from_command_line(["pinpoint-web", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
