"""Settings for Customer Contacts; every knob is read from the environment (see .env.example)."""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from config.secret_key import LOCAL_KEY_FILE_NAME, secret_key_choose

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# DEBUG off refuses to start without a key of its own (config/secret_key.py).
SECRET_KEY = secret_key_choose(
    key=env("SECRET_KEY", default=""),
    key_file=env("SECRET_KEY_FILE", default=""),
    local_key_file=BASE_DIR / LOCAL_KEY_FILE_NAME,
    debug=DEBUG,
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # OpClass in the search index's expressions (contacts.Customer); harmless on SQLite.
    "django.contrib.postgres",
    "django_htmx",
    "import_export",
    "django_q",
    "ninja",
    "contacts",
    "imports",
    "blocking",
    "audience",
    "activitylog",
    "axes",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "api.middleware.ApiBodyLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "contacts.context_processors.channels",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the django-q2 worker writes an import chunk.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 30)
    DATABASES["default"]["OPTIONS"].setdefault(
        "init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Every password a person or an operator sets passes these (contacts.channels.password_check).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "config.login_lockout.LoginLockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Login lockout (config/login_lockout.py): past LOGIN_FAILURE_LIMIT failed logins for one
# account, or from one address, logins are refused until LOGIN_COOLOFF_MINUTES have passed.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_CALLABLE = "config.login_lockout.username_of"
AXES_CLIENT_IP_CALLABLE = "config.login_lockout.client_ip"
AXES_LOCKOUT_CALLABLE = "config.login_lockout.lockout_response"
AXES_DISABLE_ACCESS_LOG = True  # failures are kept; a row for every login is not needed
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "media/"

# Uploaded import files and failed-rows files go through the default storage, so a shared object
# store (django-storages, S3, ...) can replace the disk when the app runs on several machines.
STORAGES = {
    "default": {
        "BACKEND": env(
            "FILE_STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage"
        ),
    },
    "staticfiles": {
        "BACKEND": env(
            "STATIC_STORAGE_BACKEND",
            default="whitenoise.storage.CompressedStaticFilesStorage",
        ),
    },
}

# Imports: files up to 100 MB (R-I17), streamed to disk and cut off past the limit by the upload
# view's handlers (imports/uploads.py). DATA_UPLOAD_MAX_MEMORY_SIZE bounds the non-file fields
# only, and FILE_UPLOAD_MAX_MEMORY_SIZE the other views' uploads.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
IMPORT_MAX_FILE_BYTES = 100 * 1024 * 1024
IMPORT_CHUNK_ROWS = env.int("IMPORT_CHUNK_ROWS", default=5000)
IMPORT_FAILURES_KEEP_DAYS = 30
# Files from this size on are parsed in a second process while the first plans and writes.
IMPORT_PARALLEL_PARSE_MIN_BYTES = env.int("IMPORT_PARALLEL_PARSE_MIN_BYTES", default=4 * 1024**2)
# An import of at least this many rows is followed by the customer table's upkeep, a queued task
# (contacts.services.customer_table_upkeep).
IMPORT_UPKEEP_MIN_ROWS = env.int("IMPORT_UPKEEP_MIN_ROWS", default=20_000)
# A queued or running import (or a wizard check) whose heartbeat is older than this is taken for
# stranded by a dead worker: the sweep (imports.recovery), a django-q2 schedule every
# IMPORT_SWEEP_MINUTES that also runs when a worker starts, queues it again.
IMPORT_STALE_SECONDS = env.int("IMPORT_STALE_SECONDS", default=30)
IMPORT_SWEEP_MINUTES = env.int("IMPORT_SWEEP_MINUTES", default=1)

# R-I13: the email that an import ended. The console backend prints it; smtp+tls://... sends it.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Customer Contacts <noreply@localhost>")
EMAIL_TIMEOUT = 20  # seconds: a mail server that hangs must not hold a worker for long
# The app's public address, e.g. https://contacts.example.com, for absolute links in emails.
SITE_URL = env("SITE_URL", default="")

REDIS_URL = env("REDIS_URL", default="")
# The API's rate limits are counted in the default cache: per process in local memory, shared by
# every process in Redis when REDIS_URL is set.
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# The site's API (R-D2): bodies up to 64 KB; calls per key in each fixed window of
# API_RATE_WINDOW_SECONDS (boots share the plugin key of every visitor of the site).
API_MAX_BODY_BYTES = 64 * 1024
API_RATE_WINDOW_SECONDS = env.int("API_RATE_WINDOW_SECONDS", default=60)
API_PLUGIN_KEY_RATE_LIMIT = env.int("API_PLUGIN_KEY_RATE_LIMIT", default=60_000)
API_ACCESS_KEY_RATE_LIMIT = env.int("API_ACCESS_KEY_RATE_LIMIT", default=6_000)
Q_CLUSTER = {
    "name": env("Q_CLUSTER_NAME", default="contacts"),
    "workers": env.int("Q_WORKERS", default=2),
    "recycle": 50,
    # An import of 100 MB takes about a minute on PostgreSQL; a long SQLite import takes longer.
    "timeout": env.int("Q_TIMEOUT", default=3600),
    "retry": env.int("Q_RETRY", default=3700),
    "max_attempts": 3,
    "save_limit": 500,
    "catch_up": False,
    "ack_failures": True,
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"
Q_SYNC = env.bool("Q_SYNC", default=False)
if Q_SYNC:
    Q_CLUSTER["sync"] = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}

if not DEBUG and env.bool("SECURE_COOKIES", default=False):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# HTTPS in production (README, "Production"): off by default, so `make serve` works over HTTP.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
# Behind a proxy that ends TLS: the header it sets and its value, e.g.
# HTTP_X_FORWARDED_PROTO,https. Only when the proxy always sets or strips that header.
SECURE_PROXY_SSL_HEADER = env.tuple("SECURE_PROXY_SSL_HEADER", default=None)
if SECURE_PROXY_SSL_HEADER is not None and len(SECURE_PROXY_SSL_HEADER) != 2:
    raise ImproperlyConfigured(
        "SECURE_PROXY_SSL_HEADER is a header and its value, e.g. HTTP_X_FORWARDED_PROTO,https"
    )
