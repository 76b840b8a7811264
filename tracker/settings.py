"""Settings for the security-guarantees tracker: one module, configured from the environment.

Every variable is documented in the README's Configuration section. Parsing is strict: a value
that cannot be understood stops the process with a message naming the variable, rather than
silently falling back to a default that would run production in an unintended mode.
"""

import datetime
import os
import re
import tempfile
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

# The names of every environment variable this module reads; tests compare it with the
# docker-compose file so neither can drift from the other.
# The variables a production deployment (DEBUG off) must set.
REQUIRED_IN_PRODUCTION = ("SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS")
ENV_VARS = (
    "DEBUG",
    "SECRET_KEY",
    "DATABASE_URL",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "CONN_MAX_AGE",
    "CONN_HEALTH_CHECKS",
    "HTTPS",
    "PUBLIC_READ",
    "TIME_ZONE",
    "LOG_LEVEL",
    "API_THROTTLE_ANON",
    "API_THROTTLE_TOKEN",
    "API_REQUIRE_IF_MATCH",
    "SEED_DIR",
    "LOGIN_FAILURE_LIMIT",
    "DATABASE_CONNECT_TIMEOUT",
    "LOGIN_LOCKOUT_MINUTES",
    "REVIEW_REQUIRED",
    "RELEASE_CACHE_DIR",
    "CACHE_URL",
    "CACHE_KEY_PREFIX",
    "DATABASE_REPLICA_URL",
    "DATABASE_REPLICA_LAG_SECONDS",
    "NUM_PROXIES",
    "WEBHOOK_TIMEOUT",
    "WEBHOOK_MAX_ATTEMPTS",
    "WEBHOOK_ALLOW_PRIVATE",
)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in ("true", "1", "yes", "on"):
        return True
    if value in ("false", "0", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use true or false.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)


def weak_secret_key(key: str) -> str:
    """Why `key` is too weak to sign sessions and API state in production ('' if it is not): the
    criteria of Django's own deployment check (security.W009), made an error rather than a warning."""
    if len(key) < 50:
        return f"it has {len(key)} characters; give at least 50"
    if len(set(key)) < 5:
        return "it has fewer than 5 different characters"
    if key.startswith("django-insecure-"):
        return "it is one of Django's generated development keys"
    return ""


GENERATE_KEY = "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            f"SECRET_KEY is not set. Set SECRET_KEY to a long random string ({GENERATE_KEY}), or set "
            "DEBUG=true for local development (make run does this for you)."
        )
    # Development only: a key that is obviously not secret and never used with DEBUG off.
    SECRET_KEY = "insecure-development-key-only-used-with-DEBUG-true"  # noqa: S105 (DEBUG only)
elif not DEBUG and (weakness := weak_secret_key(SECRET_KEY)):
    raise ImproperlyConfigured(f"SECRET_KEY is too weak for DEBUG off: {weakness}. Generate one: {GENERATE_KEY}")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# Anonymous visitors may read the public pages and the API while this is on.
PUBLIC_READ = env_bool("PUBLIC_READ", False)

# Review before publication (docs/review.md): a user's edit of the register waits as a pending
# revision until another user with the Reviewer role approves it. Off, saves publish at once (a
# small team, or `make run`'s single-user local server). Seed and management commands, which act
# with no user, always publish directly.
REVIEW_REQUIRED = env_bool("REVIEW_REQUIRED", True)

# The seed reports the fixtures were built from (not part of the repository): where they are,
# `check_data` checks every quote taken from one against its text.
SEED_DIR = Path(os.environ.get("SEED_DIR") or BASE_DIR.parent / "shared" / "seeds")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "simple_history",
    "django_tasks",
    "django_tasks_db",  # the task queue in the database (webhook deliveries; `manage.py db_worker`)
    "axes",
    "csp",  # its system checks catch settings in the format before 4.0
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "commitments",
]

MIDDLEWARE = [
    "tracker.middleware.RequestIdMiddleware",  # first: every log line of the request carries its id
    "django.middleware.security.SecurityMiddleware",
    # Before whitenoise, so static files (an SVG can carry script) get the policy too.
    "tracker.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After sessions, before CommonMiddleware: the language of every page and API answer.
    "tracker.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as its documentation asks: answers a locked-out login with 429.
    "axes.middleware.AxesMiddleware",
]

# Login limits (django-axes): after LOGIN_FAILURE_LIMIT failed logins from one address, that
# address may not log in for LOGIN_LOCKOUT_MINUTES (each new failure meanwhile starts the wait
# again); a successful login clears the count. Attempts are kept in the database, so the limit
# holds across workers and hosts. API tokens are issued in the admin, behind this login.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "commitments.admin.lockout.locked_out"  # 429 with Retry-After and a page

ROOT_URLCONF = "tracker.urls"
WSGI_APPLICATION = "tracker.wsgi.application"

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
                "commitments.notifications.feeds.feed_links",  # <link rel="alternate"> to the Atom feeds
            ],
        },
    },
]

# Unset DATABASE_URL means the embedded SQLite file, so a newcomer needs nothing installed; with
# DEBUG off the database must be named (sqlite:///… chooses SQLite deliberately), so a production
# process whose variable went missing stops instead of writing to a file nobody backs up.
if not DEBUG and not os.environ.get("DATABASE_URL"):
    raise ImproperlyConfigured(
        "DATABASE_URL is not set. With DEBUG off the tracker does not fall back to the SQLite file: set "
        "DATABASE_URL=postgres://user:password@host:5432/name, or sqlite:///path/to/file to choose SQLite."
    )
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 0),
        conn_health_checks=env_bool("CONN_HEALTH_CHECKS", True),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database that does not answer is an error within seconds (503), not a request left hanging.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env_int("DATABASE_CONNECT_TIMEOUT", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# `?release=N` reads release N's snapshot through this router (commitments/releases/routing.py).
DATABASE_ROUTERS = ["commitments.releases.routing.ReleaseRouter"]

# An optional read replica (a physical PostgreSQL standby of DATABASE_URL): safe requests to the
# public pages and the read-only API read the register from it, unless the client wrote within the
# last DATABASE_REPLICA_LAG_SECONDS; everything else reads and writes the primary (docs/deploy.md).
DATABASE_REPLICA_LAG_SECONDS = env_int("DATABASE_REPLICA_LAG_SECONDS", 5)
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"],
        conn_max_age=env_int("CONN_MAX_AGE", 0),
        conn_health_checks=env_bool("CONN_HEALTH_CHECKS", True),
    )
    if DATABASES["replica"]["ENGINE"] != DATABASES["default"]["ENGINE"]:
        raise ImproperlyConfigured(
            "DATABASE_REPLICA_URL names another kind of database than DATABASE_URL: the replica must be a "
            "copy of the primary (a PostgreSQL standby)."
        )
    if DATABASES["replica"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["replica"].setdefault("OPTIONS", {})["connect_timeout"] = env_int("DATABASE_CONNECT_TIMEOUT", 5)
    # Tests run against one database: the replica is the test database itself.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    # After the release router, which wins for `?release=` reads.
    DATABASE_ROUTERS.append("tracker.db_routers.ReplicaRouter")
    # Early, before anything reads the database: whether this request may read the replica.
    MIDDLEWARE.insert(1, "tracker.middleware.ReplicaPinningMiddleware")

# Webhook deliveries run in a worker (`manage.py db_worker`, `make worker`), queued in the database
# the tracker already has: django-tasks (Django's tasks API) with the django-tasks-db backend.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# Seconds to connect to a webhook's receiver and to read its answer (each).
WEBHOOK_TIMEOUT = env_int("WEBHOOK_TIMEOUT", 10)
# Attempts of one delivery (the first and the retries with backoff) before it is given up.
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 6)
# Allow webhook URLs on plain HTTP and private or loopback addresses (local receivers only: tests,
# `make run`). Off in production: a webhook could otherwise make the server call its own network.
WEBHOOK_ALLOW_PRIVATE = env_bool("WEBHOOK_ALLOW_PRIVATE", False)
# Where releases' snapshots are unpacked (SQLite files, one per release, checked against their hash
# when unpacked; a cache: deleting it costs only the time to unpack them again).
RELEASE_CACHE_DIR = Path(os.environ.get("RELEASE_CACHE_DIR") or Path(tempfile.gettempdir()) / "tracker-releases")


def cache_settings(raw: str, key_prefix: str) -> dict:
    """The default cache from CACHE_URL: unset, each process's own memory (the embedded default,
    nothing to install); redis:// or rediss://, a Redis shared by every process and host, through
    Django's own Redis backend. A Redis that does not answer is an error within two seconds."""
    raw = raw.strip()
    if not raw:
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "KEY_PREFIX": key_prefix}
    if raw.partition("://")[0].lower() not in ("redis", "rediss") or not raw.partition("://")[2]:
        raise ImproperlyConfigured(
            f"CACHE_URL={raw!r} is not a Redis URL: use redis://host:6379/0 (rediss:// for TLS), or leave "
            "CACHE_URL unset for each process's own memory."
        )
    return {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": raw,
        "KEY_PREFIX": key_prefix,
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }


# The throttles' counters and the data page's measured sizes (docs/deploy.md). Sessions stay in the
# database, which every process already shares. CACHE_KEY_PREFIX keeps two deployments sharing one
# Redis apart.
CACHE_KEY_PREFIX = os.environ.get("CACHE_KEY_PREFIX", "tracker").strip()
if not re.fullmatch(r"[A-Za-z0-9._-]{1,64}", CACHE_KEY_PREFIX):
    raise ImproperlyConfigured(
        f"CACHE_KEY_PREFIX={CACHE_KEY_PREFIX!r} must be 1 to 64 letters, digits, dots, dashes or underscores."
    )
CACHES = {"default": cache_settings(os.environ.get("CACHE_URL", ""), CACHE_KEY_PREFIX)}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
# The register speaks English and Ukrainian (docs/i18n.md); the messages are in locale/.
LANGUAGES = [("en-gb", "English"), ("uk", "Українська")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Production hardening, all of it what `manage.py check --deploy` asks for. HTTPS=false is only for
# serving plain HTTP on a trusted network (the test suite, a local docker compose trial).
HTTPS = env_bool("HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the container healthcheck speaks plain HTTP from inside
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
# The language switcher's cookie (docs/i18n.md): sent over HTTPS only where the site is, never read by script.
LANGUAGE_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp) on every response: everything from this origin only, no
# inline script or style anywhere (an injected <script> or style="" is refused by the browser),
# no plugins, no <base> pointing elsewhere, no framing, forms post only here. The few pages built
# by other packages that need more say so themselves (README, Security). Not configurable from
# the environment: it describes what the templates load, so it changes with them.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "tracker.middleware.RequestIdFilter"},
        "database_outage": {"()": "tracker.middleware.DatabaseOutageFilter"},
    },
    "formatters": {"line": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id", "database_outage"],
            "formatter": "line",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}


# --------------------------------------------------------------------------------------------
# REST API (commitments/api). Reads are anonymous only while PUBLIC_READ is on; writes need the
# user's model permissions and, for token clients, a read-write token.


def throttle_rate(name: str, raw: str | None, default: str) -> str | None:
    """A DRF throttle rate such as 120/min from the variable `name`; 'off' disables the throttle."""
    raw = (raw or "").strip() or default
    if raw.lower() == "off":
        return None
    number, _, period = raw.partition("/")
    if not number.isdigit() or period not in ("s", "sec", "second", "m", "min", "minute", "h", "hour", "d", "day"):
        raise ImproperlyConfigured(f"{name}={raw!r} is not a rate: use e.g. 120/min, 5000/hour or off.")
    return raw


REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate header turns "not logged in" into 401 rather than 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "commitments.api.auth.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["commitments.api.permissions.ApiPermission"],
    "DEFAULT_THROTTLE_CLASSES": [
        "commitments.api.throttling.AnonThrottle",
        "commitments.api.throttling.TokenThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": throttle_rate("API_THROTTLE_ANON", os.environ.get("API_THROTTLE_ANON"), "120/min"),
        "token": throttle_rate("API_THROTTLE_TOKEN", os.environ.get("API_THROTTLE_TOKEN"), "1200/min"),
    },
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "commitments.api.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "commitments.api.pagination.KeysetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "commitments.api.errors.exception_handler",
    "URL_FIELD_NAME": "url",
}
# Behind N reverse proxies (docker-compose.yml's nginx: 1), a client's address is the N-th from the
# right of X-Forwarded-For, for the API throttles and the login limits alike (tracker/client_address.py).
# 0, the default: the address the connection comes from; a client's own X-Forwarded-For is not
# believed (DRF's default took it as sent, so a client could pick a fresh throttle count per request).
NUM_PROXIES = env_int("NUM_PROXIES", 0)
if NUM_PROXIES < 0:
    raise ImproperlyConfigured(f"NUM_PROXIES={NUM_PROXIES} must be 0 or more.")
REST_FRAMEWORK["NUM_PROXIES"] = NUM_PROXIES
AXES_CLIENT_IP_CALLABLE = "tracker.client_address.client_address"
# Request bodies above this size are refused (the API answers 413); a pledge is a few KB.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
# The change feed holds back the newest changes this long, so that a change whose transaction
# commits a moment after a later one was recorded is still seen by a client polling the feed.
API_CHANGES_SETTLE_SECONDS = 2
# PUT, PATCH, DELETE and status changes must say which version they change (If-Match with the
# pledge's ETag) and are otherwise refused with 428, so no client overwrites an edit it never saw.
# A deployment whose only writer is one script may turn this off; then a write without If-Match
# goes ahead (a stale If-Match is still refused with 412).
API_REQUIRE_IF_MATCH = env_bool("API_REQUIRE_IF_MATCH", True)

SPECTACULAR_SETTINGS = {
    "TITLE": "Ukraine security guarantees tracker API",
    "DESCRIPTION": "Who promised Ukraine what, where, on which condition, and where it stands.\n\n"
    "Reads need no credentials while the register is public; otherwise, and for every write, send "
    "`Authorization: Token <key>`. Lists come a page at a time: follow `next` until it is null. Filters "
    "combine (all must hold); a repeatable filter (`state=FR&state=GB`) matches any of its values; a "
    "bad value is a 400 naming the parameter. Every table is also a CSV file and an Excel workbook "
    "(`/api/<table>/export.csv`, `.xlsx`), with the list's filters. To keep a copy in step, pull "
    "`/api/changes/` and store its `next` link for the next pull.",
    "VERSION": "1",
    # 3.1: a nullable reference (a summit's declaration, a pledge's instrument) is `oneOf: [$ref, null]`,
    # which validators honour; 3.0's `nullable` beside `allOf` is ignored by them, so every null failed.
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["commitments.api.permissions.ApiPermission"],
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "PledgeStatusEnum": "commitments.choices.Status",
        "SummitStatusEnum": "commitments.choices.SummitStatus",
        "DeclarationStatusEnum": "commitments.choices.DeclarationStatus",
        "StateKindEnum": "commitments.choices.StateKind",
        "SummitKindEnum": "commitments.choices.SummitKind",
        "DeclarationKindEnum": "commitments.choices.DeclarationKind",
        "SourceKindEnum": "commitments.choices.SourceKind",
        "DatePrecisionEnum": "commitments.choices.DatePrecision",
        "InstrumentKindEnum": "commitments.choices.InstrumentKind",
        "InstrumentStatusEnum": "commitments.choices.InstrumentStatus",
        "InstrumentRoleEnum": "commitments.choices.InstrumentRole",
        "RepresentativeRoleEnum": "commitments.choices.RepresentativeRole",
        "StanceEnum": "commitments.choices.Stance",
        "PartyRoleEnum": "commitments.choices.PartyRole",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "commitments.api.release_reads.document_release_parameter",
        "tracker.middleware.document_lang_parameter",  # before document_errors, which finishes every parameter
        "commitments.api.schema.document_errors",
        "commitments.api.schema.link_pledge_operations",
    ],
}
