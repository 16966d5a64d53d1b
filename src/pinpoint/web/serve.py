"""``pinpoint serve`` and ``make run``: migrate, load the demo, print the logins, serve on 127.0.0.1."""

from __future__ import annotations

import os
import sys
from typing import TextIO

__all__ = ["prepare", "serve"]


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pinpoint.web.settings")
    import django  # noqa: PLC0415 - Django loads only when the web app is asked for

    django.setup()


def prepare(*, demo: bool = True, out: TextIO = sys.stdout) -> None:
    """Apply migrations and, in the development profile, load the demo (a second run changes nothing)."""
    _setup()
    from django.conf import settings  # noqa: PLC0415 - after setup
    from django.core.management import call_command  # noqa: PLC0415
    from django.utils import timezone  # noqa: PLC0415

    from pinpoint.web.demo import load_demo  # noqa: PLC0415

    call_command("migrate", interactive=False, verbosity=0)
    db = settings.DATABASES["default"]
    where = db["NAME"] if db["ENGINE"].endswith("sqlite3") else f"{db['ENGINE'].rsplit('.', 1)[-1]} {db['NAME']}"
    out.write(f"Database ready: {where}\n")
    if not demo:
        return
    if settings.PRODUCTION:
        out.write("Production profile: the demo (with its published passwords) is not loaded.\n")
        return
    result = load_demo(timezone.localdate())
    out.write("Demo loaded.\n" if result.created else "Demo already present: nothing changed.\n")
    out.write(f"Demo logins (password for all: {result.logins[0][1]}):\n")
    for email, _, role in result.logins:
        out.write(f"  {email:36} {role}\n")


def serve(host: str = "127.0.0.1", port: int = 8000, *, demo: bool = True, out: TextIO = sys.stdout) -> None:
    """Prepare the database, then serve the web app until interrupted."""
    prepare(demo=demo, out=out)
    from django.core.management import call_command  # noqa: PLC0415 - after setup

    out.write(f"Serving on http://{host}:{port}/  (Ctrl+C stops)\n")
    out.flush()
    call_command("runserver", f"{host}:{port}", use_reloader=False, skip_checks=False)
