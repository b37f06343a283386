"""Labora settings: one module, configured only by environment variables.

See docs/operations.md for every variable. Defaults give a working single-node
instance on SQLite in ./var; production sets DATABASE_URL, REDIS_URL and
LABORA_PUBLIC_URL=https://...
"""

from __future__ import annotations

import os
import secrets
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("LABORA_DATA_DIR", "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"


def _secret_key() -> str:
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = DATA_DIR / "secret_key"
    if not path.exists():
        # Written once with owner-only permissions, then reused on every start.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process wrote it first
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(50))
    for _ in range(50):
        key = path.read_text().strip()
        if key:
            return key
        time.sleep(0.05)  # the other process is still writing
    raise RuntimeError(f"{path} is empty: delete it or set SECRET_KEY")


SECRET_KEY = _secret_key()
DEBUG = env_bool("LABORA_DEBUG")
TESTING = env_bool("LABORA_TESTING")

PUBLIC_URL = os.environ.get("LABORA_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
_public = urlsplit(PUBLIC_URL)
HTTPS = _public.scheme == "https"
ALLOWED_HOSTS = [h for h in os.environ.get("LABORA_ALLOWED_HOSTS", "").split(",") if h] or [
    _public.hostname or "127.0.0.1",
    "127.0.0.1",
    "localhost",
    "testserver",
]
CSRF_TRUSTED_ORIGINS = [f"{_public.scheme}://{_public.netloc}"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "template_partials",
    "django_htmx",
    "ninja",
    "labora.core",
    "labora.accounts",
    "labora.workspaces",
    "labora.collaboration",
    "labora.work",
    "labora.planning",
    "labora.web",
    "labora.live",
    "labora.notifications",
    "labora.chat",
]

MIDDLEWARE = [
    "labora.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "labora.web.middleware.ErrorPagesMiddleware",
]

ROOT_URLCONF = "labora.urls"
ASGI_APPLICATION = "labora.asgi.application"
WSGI_APPLICATION = "labora.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "labora.web.context_processors.shell",
            ],
        },
    }
]

# --- database -------------------------------------------------------------------------
if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"])}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Under ASGI each request runs in a fresh thread, so Django's persistent connections
        # do not help; psycopg's pool does (about 10 ms less per request on loopback).
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": int(os.environ.get("LABORA_DB_POOL_MIN", "2")),
            "max_size": int(os.environ.get("LABORA_DB_POOL_MAX", "20")),
            "timeout": 10,
        }
        # Requests are short and many run at once: starting parallel workers for one of them
        # costs more than it gains (a workspace-wide `label:` search: 63 -> 51 ms without them,
        # docs/performance.md). Raise it for a server that runs long reports on many cores.
        workers = int(os.environ.get("LABORA_DB_PARALLEL_WORKERS", "0"))
        # PostgreSQL's default random_page_cost (4) prices an index probe as if it read a
        # spinning disk. Labora's working set is in memory (or on SSD), where a probe costs
        # little more than a sequential read: at 4 the planner hashed all 10,000 tasks of a
        # project to find a label's first 50 instead of walking them in rank order (decision 0015).
        page_cost = float(os.environ.get("LABORA_DB_RANDOM_PAGE_COST", "1.1"))
        DATABASES["default"]["OPTIONS"].setdefault(
            "options", f"-c max_parallel_workers_per_gather={workers} -c random_page_cost={page_cost}"
        )
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "labora.sqlite3"),
            "OPTIONS": {
                # WAL lets readers run beside the one writer; IMMEDIATE takes the write
                # lock at BEGIN so concurrent writers queue instead of failing mid-way.
                # The default page cache is 2 MiB: a 100 MB database then reads most pages
                # through a system call each. Memory-mapping the file (reads become memory
                # accesses, shared by every connection through the OS page cache) and a
                # bigger per-connection cache keep lookups scattered over the tasks cheap.
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA mmap_size=1073741824; PRAGMA cache_size=-32768; PRAGMA temp_store=MEMORY;"
                ),
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            # Kept per server lane thread across requests (see labora.asgi).
            "CONN_MAX_AGE": 600,
            "CONN_HEALTH_CHECKS": True,
        }
    }
    if TESTING:
        # Tests get a database file of their own (one per test process; pytest-django adds the
        # xdist worker's suffix and deletes it afterwards), not SQLite's shared in-memory
        # database: there, two connections writing at once fail at once with "database table is
        # locked" instead of waiting, which the browser tests' server (several lanes, two users)
        # runs into. A file in WAL mode behaves as in production: writers queue.
        DATABASES["default"]["TEST"] = {
            "NAME": os.path.join(tempfile.gettempdir(), f"labora-test-{os.getpid()}.sqlite3"),
        }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Threads that run the synchronous part of HTTP requests in each server process (labora.asgi).
SYNC_LANES = int(os.environ.get("LABORA_SYNC_LANES", "4"))

# --- cache, channels, tasks -----------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    # Live updates across nodes (labora.live): every `labora serve` sharing this Redis delivers
    # the others' changes. Capacity: messages waiting for one connection; beyond it new ones are
    # dropped for that connection (one stuck that long is better off reconnecting and resuming).
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # redis-py's default read timeout (5 s) equals channels-redis's BZPOPMIN wait (5 s):
            # an idle connection's receive would time out and drop the websocket. Read longer.
            "CONFIG": {
                "hosts": [{"address": REDIS_URL, "socket_timeout": 30, "socket_connect_timeout": 5}],
                "capacity": 1000,
                "prefix": "labora",
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # One process only: with `--workers` > 1 or several nodes, set REDIS_URL.
    CHANNEL_LAYERS = {"default": {"BACKEND": "labora.live.layers.InMemoryChannelLayer", "CONFIG": {"capacity": 1000}}}

TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "LABORA_TASK_BACKEND",
            "django_tasks.backends.immediate.ImmediateBackend" if TESTING else "django_tasks_db.DatabaseBackend",
        )
    }
}
# The embedded worker inside `labora serve` (on unless a separate `labora worker` runs).
EMBEDDED_WORKER = env_bool("LABORA_EMBEDDED_WORKER", default=True)

# --- auth -----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Argon2 is deliberately slow; tests create thousands of users.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Failed sign-ins per (e-mail, address) before a lock-out of LOGIN_LOCKOUT_SECONDS.
LOGIN_MAX_FAILURES = int(os.environ.get("LABORA_LOGIN_MAX_FAILURES", "5"))
LOGIN_LOCKOUT_SECONDS = int(os.environ.get("LABORA_LOGIN_LOCKOUT_SECONDS", "900"))
OTP_TOTP_ISSUER = "Labora"

# --- e-mail ---------------------------------------------------------------------------
EMAIL_HOST = os.environ.get("LABORA_EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("LABORA_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("LABORA_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("LABORA_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("LABORA_EMAIL_TLS")
EMAIL_USE_SSL = env_bool("LABORA_EMAIL_SSL")
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("LABORA_EMAIL_FROM", "Labora <labora@localhost>")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend"
)

# --- security -------------------------------------------------------------------------
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = HTTPS and not env_bool("LABORA_BEHIND_PROXY_NO_REDIRECT")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("LABORA_BEHIND_PROXY") else None
SECURE_HSTS_SECONDS = 0 if DEBUG else 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = False
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'", "ws:", "wss:"] if not HTTPS else ["'self'", "wss:"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- static files ---------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# Assets are built by `make assets` into labora/web/static; served straight from the
# package by WhiteNoise's finders so no collectstatic step is needed to run.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- i18n -----------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- logging --------------------------------------------------------------------------
LOG_LEVEL = os.environ.get("LABORA_LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "labora.core.logging.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["request_id"]}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "uvicorn.access": {"level": "WARNING"},
    },
}

# --- API ------------------------------------------------------------------------------
NINJA_PAGINATION_MAX_LIMIT = 200
API_PAGE_SIZE = 50
API_MAX_PAGE_SIZE = 200
