"""The seal key: kept outside the database, from the environment or a key file in the data directory.

``PINPOINT_SEAL_KEY`` (at least 32 characters) wins; otherwise ``$PINPOINT_DATA_DIR/seal.key``.
In the development profile the key file is created (random, mode 0600) on first use; in the
production profile a missing key stops the app at start-up (:func:`check_key_at_startup`).
No Django model is imported here: ``settings.py`` calls this module while it loads.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

__all__ = ["ENV_VAR", "KEY_FILE", "check_key_at_startup", "key_file", "read_key", "seal_key"]

ENV_VAR = "PINPOINT_SEAL_KEY"
KEY_FILE = "seal.key"
MIN_CHARS = 32

_cache: dict[tuple[str, str], bytes] = {}


def key_file(data_dir: Path) -> Path:
    """Where the key file is: ``seal.key`` in the data directory."""
    return data_dir / KEY_FILE


def _checked(text: str, where: str) -> bytes:
    text = text.strip()
    if len(text) < MIN_CHARS:
        msg = f"{where} must hold a seal key of at least {MIN_CHARS} characters"
        raise ImproperlyConfigured(msg)
    return text.encode("utf-8")


def _create(path: Path) -> None:
    """Write a new random key to ``path`` with mode 0600; another process may win the race."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(secrets.token_hex(32) + "\n")
        with contextlib.suppress(FileExistsError):  # another process wrote the key first: keep theirs
            os.link(tmp, path)  # atomic, and never overwrites a key
    finally:
        tmp.unlink(missing_ok=True)


def read_key(data_dir: Path, *, create: bool) -> bytes | None:
    """The key from ``PINPOINT_SEAL_KEY``, else the key file (created when ``create``), else ``None``."""
    env = os.environ.get(ENV_VAR, "")
    if env.strip():
        return _checked(env, ENV_VAR)
    path = key_file(data_dir)
    if not path.exists():
        if not create:
            return None
        _create(path)
    try:
        return _checked(path.read_text(encoding="ascii"), f"the seal key file {path}")
    except (OSError, UnicodeDecodeError) as exc:
        msg = f"the seal key file {path} cannot be read: {exc}"
        raise ImproperlyConfigured(msg) from None


def check_key_at_startup(data_dir: Path, *, production: bool) -> None:
    """In production, refuse to start without a seal key (one line naming the setting)."""
    if production and read_key(data_dir, create=False) is None:
        msg = (
            f"{ENV_VAR} is required in the production profile "
            f"(or a key file {key_file(data_dir)}, mode 0600, kept out of the database and its backups)"
        )
        raise ImproperlyConfigured(msg)


def seal_key() -> bytes:
    """The key in force (read once per key source; the development key file is created on first use)."""
    from django.conf import settings  # noqa: PLC0415 - settings may still be loading when this module is imported

    data_dir = Path(settings.DATA_DIR)
    where = (os.environ.get(ENV_VAR, ""), str(data_dir))
    key = _cache.get(where)
    if key is None:
        key = read_key(data_dir, create=not getattr(settings, "PRODUCTION", False))
        if key is None:
            msg = f"{ENV_VAR} is required in the production profile"
            raise ImproperlyConfigured(msg)
        _cache[where] = key
    return key
