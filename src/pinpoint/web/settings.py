"""Settings, read from the environment and validated when read.

Two profiles, chosen by ``PINPOINT_PROFILE``:

- ``development`` (default): DEBUG on, a SQLite file under ``$PINPOINT_DATA_DIR`` (``./var``),
  a fixed development secret key, plain HTTP on 127.0.0.1.
- ``production``: DEBUG off, ``SECRET_KEY`` and ``ALLOWED_HOSTS`` required (no default), HTTPS
  only with HSTS and secure cookies; passes ``manage.py check --deploy``.

``DATABASE_URL`` (``postgres://...``) selects PostgreSQL in either profile; without it the
SQLite database runs in WAL mode.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import available_timezones

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from pinpoint.web.audit.sealkey import check_key_at_startup

WEB_DIR = Path(__file__).resolve().parent


def env_str(name: str, default: str | None = None) -> str:
    """The variable ``name``; without a default it is required."""
    value = os.environ.get(name)
    if value is None or value == "":
        if default is None:
            msg = f"environment variable {name} is required in the {PROFILE} profile"
            raise ImproperlyConfigured(msg)
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    """A yes/no variable: 1/true/yes/on or 0/false/no/off."""
    raw = os.environ.get(name, "").strip().lower()
    if raw == "":
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    msg = f"environment variable {name} must be a yes/no value, got {raw!r}"
    raise ImproperlyConfigured(msg)


def env_list(name: str, default: list[str]) -> list[str]:
    """A comma-separated list."""
    raw = os.environ.get(name, "")
    items = [item.strip() for item in raw.split(",") if item.strip()]
    return items or default


def env_int(name: str, default: int) -> int:
    """A whole number."""
    raw = os.environ.get(name, "").strip()
    if raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        msg = f"environment variable {name} must be a whole number, got {raw!r}"
        raise ImproperlyConfigured(msg) from None


PROFILE = os.environ.get("PINPOINT_PROFILE", "development").strip() or "development"
if PROFILE not in {"development", "production"}:
    msg = f"PINPOINT_PROFILE must be 'development' or 'production', got {PROFILE!r}"
    raise ImproperlyConfigured(msg)
PRODUCTION = PROFILE == "production"

DATA_DIR = Path(env_str("PINPOINT_DATA_DIR", str(Path.cwd() / "var"))).resolve()

# The key of the sealed records lives outside the database (PINPOINT_SEAL_KEY or DATA_DIR/seal.key);
# production refuses to start without it, development creates the key file on first use.
check_key_at_startup(DATA_DIR, production=PRODUCTION)

# Published in this repository: anyone could forge sessions, CSRF tokens and signed links with it.
DEVELOPMENT_SECRET_KEY = "development-only-key-never-used-in-production-0123456789abcdef"  # noqa: S105


def weak_secret_key(key: str) -> str | None:
    """Why ``key`` is too weak to sign anything in production, or ``None`` when it is acceptable."""
    if key == DEVELOPMENT_SECRET_KEY or key.startswith("django-insecure-"):
        return "is the published development key; generate a new one"
    if len(key) < 50:
        return f"must be at least 50 characters (this one has {len(key)})"
    if len(set(key)) < 5:
        return "must have at least 5 distinct characters"
    unit = next(n for n in range(1, len(key) + 1) if len(key) % n == 0 and key[:n] * (len(key) // n) == key)
    if unit < 50:
        return f"must not be a pattern of {unit} characters repeated"
    return None


def open_hosts(hosts: list[str]) -> list[str]:
    """The entries of ``hosts`` that accept any host name (``*``): they allow host-header attacks."""
    return [h for h in hosts if "*" in h]


if PRODUCTION:
    SECRET_KEY = env_str("SECRET_KEY")
    if (weakness := weak_secret_key(SECRET_KEY)) is not None:
        msg = f"SECRET_KEY {weakness} (for example: python -c 'import secrets; print(secrets.token_urlsafe(50))')"
        raise ImproperlyConfigured(msg)
    DEBUG = False
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
    if not ALLOWED_HOSTS:
        msg = "ALLOWED_HOSTS is required in the production profile (comma-separated host names)"
        raise ImproperlyConfigured(msg)
    if open_hosts(ALLOWED_HOSTS):
        msg = "ALLOWED_HOSTS must name the site's host names; '*' accepts any host and is refused in production"
        raise ImproperlyConfigured(msg)
else:
    SECRET_KEY = env_str("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
    DEBUG = env_bool("PINPOINT_DEBUG", True)
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])

CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "simple_history",
    "axes",
    "pinpoint.web.accounts",
    "pinpoint.web.base",
    "pinpoint.web.audit",
    "pinpoint.web.clients",
    "pinpoint.web.consents",
    "pinpoint.web.devices",
    "pinpoint.web.treatments",
    "pinpoint.web.electrolysis",
    "pinpoint.web.documents",
    "pinpoint.web.api",
    "pinpoint.web.exports",
    "pinpoint.web.scheduling",
    "pinpoint.web.reminders",
    "pinpoint.web.portal",
    "pinpoint.web.photos",
    "pinpoint.web.outcomes",
    "pinpoint.web.records",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "pinpoint.web.base.tenancy.TenancyMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "pinpoint.web.urls"
WSGI_APPLICATION = "pinpoint.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [WEB_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "pinpoint.web.base.tenancy.actor_context",
            ],
        },
    },
]


def _database() -> dict[str, Any]:
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        try:
            config: dict[str, Any] = dict(
                dj_database_url.parse(url, conn_max_age=env_int("PINPOINT_DB_CONN_MAX_AGE", 60))
            )
        except ValueError as exc:
            msg = f"DATABASE_URL is not a database URL Pinpoint understands: {exc}"
            raise ImproperlyConfigured(msg) from None
        config["CONN_HEALTH_CHECKS"] = True
        config.setdefault("TEST", {})["NAME"] = os.environ.get("PINPOINT_TEST_DB_NAME", "test_pinpoint")
        return config
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATA_DIR / "pinpoint.sqlite3",
        "OPTIONS": {
            # WAL lets readers work while one writer writes; IMMEDIATE takes the write lock at
            # the start of a transaction, so two writers queue instead of failing mid-way.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # django-axes' lock-out check first
    "pinpoint.web.accounts.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lock-out after repeated failed logins, per account and address (django-axes).
AXES_FAILURE_LIMIT = env_int("PINPOINT_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("PINPOINT_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"  # the login form's field (it holds the email address)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_VERBOSE = False

# The dashboard's and timelines' rendered bodies, kept per process under their organization's data
# version (ADR 0015: any write to what they show gives another key); about 6 KB each.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "pinpoint-fragments",
        "OPTIONS": {"MAX_ENTRIES": 2000},
    }
}

# Record views (who opened which record): on PostgreSQL committed without waiting for the disk
# unless this is on (ADR 0013); a server crash may then lose the views of its last fraction of a second.
PINPOINT_VIEW_LOG_DURABLE = env_bool("PINPOINT_VIEW_LOG_DURABLE", False)

INVITATION_DAYS = env_int("PINPOINT_INVITATION_DAYS", 7)
SIGNUP_LINK_DAYS = env_int("PINPOINT_SIGNUP_LINK_DAYS", 2)

# Email (sign-up links): printed on the console in development, sent by SMTP in production.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Pinpoint <pinpoint@localhost>")

LANGUAGE_CODE = "en"
FORMAT_MODULE_PATH = ["pinpoint.web.formats"]
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True
TIME_ZONES = sorted(available_timezones())

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [WEB_DIR / "static"]
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Photos: a private directory under the data directory, or an S3-compatible bucket (django-storages);
# never a public URL (the photos app serves each file after checking who asks).
PHOTO_STORAGE = env_str("PINPOINT_PHOTO_STORAGE", "filesystem")
if PHOTO_STORAGE == "s3":
    STORAGES["photos"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("PINPOINT_PHOTO_BUCKET"),
            "endpoint_url": env_str("PINPOINT_PHOTO_S3_ENDPOINT", "") or None,
            "region_name": env_str("PINPOINT_PHOTO_S3_REGION", "") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
elif PHOTO_STORAGE == "filesystem":
    STORAGES["photos"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": str(DATA_DIR / "photos"),
            "base_url": "/no-public-url/",
            "file_permissions_mode": 0o600,
        },
    }
else:
    msg = f"PINPOINT_PHOTO_STORAGE must be 'filesystem' or 's3', got {PHOTO_STORAGE!r}"
    raise ImproperlyConfigured(msg)
PINPOINT_PHOTO_MAX_BYTES = env_int("PINPOINT_PHOTO_MAX_BYTES", 25 * 1024 * 1024)
PINPOINT_PHOTO_MAX_PIXELS = env_int("PINPOINT_PHOTO_MAX_PIXELS", 50_000_000)
FILE_UPLOAD_HANDLERS = [
    "pinpoint.web.photos.uploads.CappedUploadHandler",  # keeps no more of a file than the size check needs
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
PINPOINT_PHOTO_MIN_SIDE = env_int("PINPOINT_PHOTO_MIN_SIDE", 320)
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("PINPOINT_SESSION_SECONDS", 12 * 3600)
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Content-Security-Policy (django-csp): scripts, styles and images only from this site's own files,
# no inline script or style attribute, no plugins, no framing, forms post only back to this site.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "blob:"],  # blob: the photo chosen on the phone, previewed before it is sent
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
    },
}

if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("PINPOINT_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("PINPOINT_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if env_bool("PINPOINT_BEHIND_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("PINPOINT_LOG_LEVEL", "WARNING")},
}
