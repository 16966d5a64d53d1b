"""``python -m pinpoint.web <command>``: Django's manage.py for the Pinpoint project."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Run a Django management command with Pinpoint's settings."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pinpoint.web.settings")
    from django.core.management import execute_from_command_line  # noqa: PLC0415 - Django loads on demand

    execute_from_command_line(["pinpoint-web", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
