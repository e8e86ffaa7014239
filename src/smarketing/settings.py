"""Django settings for Smarketing, read from the environment (see README)."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import dj_database_url

from smarketing.core.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("SMARKETING_DATA_DIR", "./var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    key = env_str("SMARKETING_SECRET_KEY", "")
    if key:
        return key
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("SMARKETING_DEBUG", False)
ALLOWED_HOSTS = env_list("SMARKETING_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("SMARKETING_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "ninja",  # the API docs page serves Swagger UI from ninja's own static files, not a CDN
    "smarketing.core",
    "smarketing.people",
    "smarketing.tracking",
    "smarketing.campaigns",
    "smarketing.scoring",
    "smarketing.handoff",
    "smarketing.pipeline",
    "smarketing.integrations",
    "smarketing.imports",
    "smarketing.analytics",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "smarketing.urls"
WSGI_APPLICATION = "smarketing.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "smarketing.core.context_processors.navigation",
            ],
        },
    },
]


def _database() -> dict:
    url = env_str("DATABASE_URL", "")
    if url:
        config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=60))
        if "postgresql" in config["ENGINE"]:
            options: dict[str, Any] = config.setdefault("OPTIONS", {})
            # room for the rescore's temporary table of every contact (the default 8 MB
            # made its 1M-row update churn through local buffers: 43 -> 34 s at 1M)
            options["options"] = f"{options.get('options', '')} -c temp_buffers=256MB".strip()
        return config
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATA_DIR / "smarketing.sqlite3",
        "OPTIONS": {
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA busy_timeout=10000; PRAGMA cache_size=-65536; "
                # checkpoint every ~40 MB of WAL, not 4 MB: a page written by many
                # commits (events of 1,000 visitors touch ~100 index pages a batch) is
                # copied back once; 28 -> 21 us CPU an event inserted (docs/tracking.md)
                "PRAGMA wal_autocheckpoint=10000;"
            ),
            "transaction_mode": "IMMEDIATE",
        },
        # keep each thread's connection (and its warm page cache) between requests instead
        # of reopening the file and re-running the PRAGMAs on every request
        "CONN_MAX_AGE": 600,
        "CONN_HEALTH_CHECKS": True,
        "TEST": {"NAME": str(DATA_DIR / "test.sqlite3")},
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("SMARKETING_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True
SMARKETING_CURRENCY = env_str("SMARKETING_CURRENCY", "USD")

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if DEBUG:
    STORAGES["staticfiles"] = {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
    }

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

SMARKETING_PAGE_SIZE = env_int("SMARKETING_PAGE_SIZE", 50)
# connections writing a full rescore's ranges at once on PostgreSQL (scoring/writers.py)
SMARKETING_RESCORE_WRITERS = env_int("SMARKETING_RESCORE_WRITERS", 2, minimum=1)
# Requests a minute per API token (429 + Retry-After beyond it); 0 = no limit.
API_RATE_LIMIT = env_int("SMARKETING_API_RATE_LIMIT", 600)

# Outgoing email (SLA notifications) through Django's SMTP backend.
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = env_str("SMARKETING_SMTP_HOST", "localhost")
EMAIL_PORT = env_int("SMARKETING_SMTP_PORT", 25)
EMAIL_HOST_USER = env_str("SMARKETING_SMTP_USER", "")
EMAIL_HOST_PASSWORD = env_str("SMARKETING_SMTP_PASSWORD", "")
EMAIL_USE_TLS = env_bool("SMARKETING_SMTP_STARTTLS", False)
EMAIL_USE_SSL = env_bool("SMARKETING_SMTP_SSL", False)
EMAIL_TIMEOUT = env_int("SMARKETING_SMTP_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("SMARKETING_EMAIL_FROM", "smarketing@localhost")
# No SMTP server to hand (the demo): each message is written as a file in this folder.
EMAIL_FILE_PATH = env_str("SMARKETING_MAIL_DIR", "")
if EMAIL_FILE_PATH:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"

# The weekly alignment report by email (analytics/tasks.py, sent by `smarketing worker`).
SMARKETING_REPORT_RECIPIENTS = env_list("SMARKETING_REPORT_RECIPIENTS", [])
SMARKETING_REPORT_WEEKDAY = env_str("SMARKETING_REPORT_WEEKDAY", "monday")
SMARKETING_REPORT_HOUR = env_int("SMARKETING_REPORT_HOUR", 8)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("SMARKETING_LOG_LEVEL", "INFO")},
}
