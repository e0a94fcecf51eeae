"""Settings, read from the environment (12-factor).

Development needs no environment at all: SQLite and a file-system Celery broker under ``var/``.
Production (``DJANGO_ENV=production``) refuses to start without ``SECRET_KEY`` and
``ALLOWED_HOSTS``.
"""

import datetime
import os
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean, got {value!r}")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from None


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DJANGO_ENV = os.environ.get("DJANGO_ENV", "development")
if DJANGO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("DJANGO_ENV must be 'development' or 'production'")
PRODUCTION = DJANGO_ENV == "production"


def _secret_key() -> str:
    if key := os.environ.get("SECRET_KEY"):
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when DJANGO_ENV=production")
    # A development key is generated once and kept, so sessions survive restarts.
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = envbool("DEBUG", not PRODUCTION)
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "" if PRODUCTION else "localhost,127.0.0.1,[::1]")
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DJANGO_ENV=production")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "config.apps.BackOfficeAdminConfig",
    # Before django.contrib.auth: its ``changepassword`` command replaces Django's.
    "accounts",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rules.apps.AutodiscoverRulesConfig",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "treebeard",
    "django_celery_beat",
    "django_htmx",
    "django_bootstrap5",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "core",
    "notifications",
    "audit",
    "cases",
    "recommendations",
    "reforms",
    "crosscase",
    "campaigns",
    "negativelists",
    "oversight",
    # Tooling on top of the domain apps (none of which imports it).
    "demo",
    "benchmarks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.RequestSizeLimitMiddleware",
    "csp.middleware.CSPMiddleware",
    "config.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "audit.log.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # The sign-in gates, in this order: an idle session ends; a second factor is asked for; an
    # initial or reset password must be changed (accounts/session_policy.py).
    "accounts.session_policy.IdleTimeoutMiddleware",
    "accounts.session_policy.SecondFactorMiddleware",
    "accounts.session_policy.PasswordChangeMiddleware",
    "core.middleware.DomainErrorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a lockout into the login page with its message.
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
                "django.template.context_processors.i18n",
                "oversight.context_processors.navigation",
            ],
        },
    },
]

# Database: SQLite under var/ unless DATABASE_URL points elsewhere (PostgreSQL in production).
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", 60 if PRODUCTION else 0),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The web server and the Celery worker share the file: wait for each other's writes.
    # IMMEDIATE: a transaction takes the write lock at its start, so two writers queue instead of
    # failing at once with "database is locked" when one upgrades from reading.
    # WAL lets the web pages read while the worker writes; NORMAL sync is safe with WAL.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Tests on SQLite use a file, not memory, so a real Celery worker process can share it; one
    # per test run, so two runs never share one.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
    # The covering indexes' INCLUDE columns are PostgreSQL's index-only reads of the lists; SQLite
    # builds the same indexes on their keys alone, as it should, and would say so on every command.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
# An optional read replica (a PostgreSQL streaming standby): DATABASE_REPLICA_URL adds the alias
# "replica" and the router. Only the reads wrapped in core.db.replica_reads() go there (dashboard,
# statistics, aggregate reports, list exports), never a read inside a transaction, never a write:
# core/db.py and docs/architecture.md "Read replica". Tests read it as a mirror of the test
# database.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"],
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", 60 if PRODUCTION else 0),
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["core.db.ReplicaRouter"]
for _database in DATABASES.values():
    if _database["ENGINE"].endswith("postgresql"):
        # No JIT compilation: the pages' queries are short, and one whose estimate passed
        # jit_above_cost (the dashboard's campaigns) spent 2–4 ms compiling a 0.1 ms query.
        # Server-side cursors (QuerySet.iterator(): exports, the jobs) are read to the end: plan
        # them for every row, not PostgreSQL's first tenth (a 10,300-measure export walked the
        # million measures in due-date order to start sooner, 0.14 → 1.5 s).
        _options = _database.setdefault("OPTIONS", {})
        _settings = "-c jit=off -c cursor_tuple_fraction=1"
        _options["options"] = f"{_options.get('options', '')} {_settings}".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First, so a locked-out username or address is refused before its password is checked.
    "axes.backends.AxesStandaloneBackend",
    # Every permission: the rules of each app's rules.py.
    "rules.permissions.ObjectPermissionBackend",
    # The password check alone: Django's permission tables grant nothing (accounts/backends.py).
    "accounts.backends.PasswordBackend",
]
# 密评 (GB/T 39786-2021): passwords hashed with SM3 (PBKDF2-HMAC-SM3, ``accounts/hashers.py``).
# The others only read older hashes: each is rehashed with SM3 at its next successful sign-in.
PASSWORD_HASHERS = [
    "accounts.hashers.PBKDF2SM3PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# 等保 2.0 level 3: at least 8 characters of three kinds, not like the username.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.passwords.CharacterClassValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# A session unused this long is signed out (requests marked as background polling do not count).
SESSION_IDLE_SECONDS = envint("SESSION_IDLE_SECONDS", 30 * 60)

# Lockout (django-axes, accounts/lockout.py): AXES_FAILURE_LIMIT failures of one username from one
# client address lock that username on that address only (so garbage usernames sent from a
# shared proxy or NAT address lock nobody else), and AXES_IP_FAILURE_LIMIT failures from one
# address, whatever the usernames, lock the address for everyone; both for AXES_COOLOFF_MINUTES
# counted from the last failure. Tries while locked do not extend it, and a success does not wipe
# the failures (a valid account must not reset the counter of the address guessing others).
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_IP_FAILURE_LIMIT = envint("AXES_IP_FAILURE_LIMIT", 50)
AXES_COOLOFF_MINUTES = envint("AXES_COOLOFF_MINUTES", 15)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=AXES_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "accounts.lockout.LockoutHandler"
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_VERBOSE = False
# Behind N trusted reverse proxies the client address comes from X-Forwarded-For (otherwise
# every client would share the proxy's address, and one lockout would lock everybody out).
if _proxy_count := envint("AXES_PROXY_COUNT", 0):
    AXES_IPWARE_PROXY_COUNT = _proxy_count
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]

# Second factor (TOTP, django-otp): required of staff, supervisors, the three administrators and
# superusers when enforced; on in production, off in development so the demo signs in with a
# password. `manage.py check --deploy` warns when production runs without it.
TWO_FACTOR_ENFORCED = envbool("TWO_FACTOR_ENFORCED", PRODUCTION)
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "以案促改")
# Nobody reads another person's TOTP secret in the back office, not even the security admin.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# The key of the audit log's chain of HMAC-SM3 codes (``audit/chain.py``), apart from SECRET_KEY:
# whoever holds it can forge entries, so it belongs to the audit side (a 密码机 in production).
# Development and tests use a fixed key; `manage.py check --deploy` fails in production without
# one of at least 32 characters (``audit/checks.py``); entries are refused until it is set.
AUDIT_CHAIN_DEVELOPMENT_KEY = "development-only audit chain key, never in production"
AUDIT_CHAIN_KEY = os.environ.get("AUDIT_CHAIN_KEY") or (
    "" if PRODUCTION else AUDIT_CHAIN_DEVELOPMENT_KEY
)

# The data key ring (``core/encryption``): SM4 keys sealing case content at rest, by id —
# ``DATA_KEYS`` ("<id>:<32 hex digits>", comma-separated) or ``DATA_KEYS_FILE`` (one per line,
# kept outside the repository), the newest (or ``DATA_KEY_CURRENT``) sealing new values; and
# ``BLIND_INDEX_KEY`` for the HMAC-SM3 of the values searched by exact match. Development and
# tests use fixed keys; production has none unless given, and then refuses to seal or open
# (never stores clear text); `manage.py check --deploy` fails on the development keys. A cipher
# machine replaces the ring through ``DATA_KEY_RING``. docs/cryptography.md.
DATA_KEY_RING = os.environ.get("DATA_KEY_RING", "core.encryption.keyring.SettingsKeyRing")
DATA_KEYS_DEVELOPMENT = "dev1:00112233445566778899aabbccddeeff"
DATA_KEYS = os.environ.get("DATA_KEYS") or ("" if PRODUCTION else DATA_KEYS_DEVELOPMENT)
DATA_KEYS_FILE = os.environ.get("DATA_KEYS_FILE", "")
DATA_KEY_CURRENT = os.environ.get("DATA_KEY_CURRENT", "")
BLIND_INDEX_DEVELOPMENT_KEY = "development-only blind index key, never in production"
BLIND_INDEX_KEY = os.environ.get("BLIND_INDEX_KEY") or (
    "" if PRODUCTION else BLIND_INDEX_DEVELOPMENT_KEY
)

# The key of API tokens' HMAC-SM3 digests (``accounts/tokens.py``): only the digest of a token is
# stored, so a copy of the database gives no working token. Apart from SECRET_KEY; development and
# tests use a fixed key; `manage.py check --deploy` fails in production without one of at least 32
# characters (``accounts/checks.py``); no token is issued or accepted until it is set. Changing it
# invalidates every token (users obtain a new one).
API_TOKEN_DEVELOPMENT_KEY = "development-only API token key, never in production"
API_TOKEN_KEY = os.environ.get("API_TOKEN_KEY") or ("" if PRODUCTION else API_TOKEN_DEVELOPMENT_KEY)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "staticfiles"))
if not PRODUCTION:
    # WhiteNoise serves from here once collected; in development it must merely exist.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Uploaded evidence lives outside the static root and is served only through scoped views.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"
# Days before a due date when a measure turns yellow (三色预警) and reminders start.
WARNING_WINDOW_DAYS = envint("WARNING_WINDOW_DAYS", 7)
# 整改反弹: a new problem matching one a signed-off measure addressed within this many years is
# flagged as a possible rebound (``reforms.rebounds``).
REBOUND_LOOKBACK_YEARS = envint("REBOUND_LOOKBACK_YEARS", 3)
EVIDENCE_MAX_BYTES = envint("EVIDENCE_MAX_BYTES", 20 * 1024 * 1024)
# Evidence files sealed on disk with the data key ring (SM4-GCM), opened on download.
EVIDENCE_ENCRYPTION = envbool("EVIDENCE_ENCRYPTION", False)
# A whole request (a progress report may carry several evidence files): refused before its body
# is read when it declares more (config/middleware.py); set the reverse proxy's limit to match.
REQUEST_MAX_BYTES = envint("REQUEST_MAX_BYTES", 100 * 1024 * 1024)
IMPORT_MAX_BYTES = envint("IMPORT_MAX_BYTES", 10 * 1024 * 1024)
# An .xlsx is a zip: what it may inflate to (all members together, declared and really read) and
# how tightly a member may be compressed, checked before openpyxl parses anything
# (docs/pitfalls.md).
IMPORT_MAX_INFLATED_BYTES = envint("IMPORT_MAX_INFLATED_BYTES", 50 * 1024 * 1024)
IMPORT_MAX_COMPRESSION_RATIO = envint("IMPORT_MAX_COMPRESSION_RATIO", 100)
# A PDF taking longer is refused (503, "文档生成超时") rather than holding the worker until
# gunicorn's --timeout kills it; keep it below that timeout. 0 turns the budget off.
DOCUMENT_TIME_BUDGET_SECONDS = envint("DOCUMENT_TIME_BUDGET_SECONDS", 60)
# A ledger of more measures than this is made by a Celery job (oversight.models.DocumentJob) with
# a progress bar, not in the request; the job has its own, longer budget.
DOCUMENT_ASYNC_MEASURES = envint("DOCUMENT_ASYNC_MEASURES", 300)
DOCUMENT_JOB_TIME_BUDGET_SECONDS = envint("DOCUMENT_JOB_TIME_BUDGET_SECONDS", 600)
# A job lays a large ledger out in parts, one process each, at most this many (docs/pitfalls.md
# "Long tables"): the cores of the machine by default; 1 lays it out in the job's own process.
DOCUMENT_JOB_PROCESSES = envint("DOCUMENT_JOB_PROCESSES", min(os.cpu_count() or 1, 4))
DOCUMENT_SECONDS_PER_MEASURE = 0.005  # the progress bar's estimate (docs/benchmarks.md)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Celery: Redis in production; a file-system broker needing no server in development.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or "filesystem://"
if CELERY_BROKER_URL == "filesystem://":
    _celery_queue = VAR_DIR / "celery"
    for _folder in ("queue", "processed", "control"):
        (_celery_queue / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_celery_queue / "queue"),
        "data_folder_out": str(_celery_queue / "queue"),
        "processed_folder": str(_celery_queue / "processed"),
        "control_folder": str(_celery_queue / "control"),
    }
# One Redis may serve several installations (or a test run): each its own queue.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_TASK_DEFAULT_QUEUE", "celery")
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A new worker process warms WeasyPrint and the fonts up before its first task (config/celery.py):
# give it more than Celery's 4 s to report ready.
CELERY_WORKER_PROC_ALIVE_TIMEOUT = 30
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Publishing must not hang a request or a job when the broker is down: the outbox catches up.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5}
CELERY_BROKER_CONNECTION_TIMEOUT = 3

# Reminders and the outbox (README "Reminders"): links in messages, the group-robot webhook, and
# how often a failed message is tried again (the wait doubles each time).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
NOTIFICATION_WEBHOOK_URL = os.environ.get("NOTIFICATION_WEBHOOK_URL", "")
NOTIFICATION_MAX_ATTEMPTS = envint("NOTIFICATION_MAX_ATTEMPTS", 5)
NOTIFICATION_RETRY_SECONDS = envint("NOTIFICATION_RETRY_SECONDS", 60)
# Measures read per transaction by the deadline scan (memory and lock time against round trips).
REMINDER_SCAN_CHUNK = envint("REMINDER_SCAN_CHUNK", 2000)
# Seconds a deadline scan waits for one already running before it gives up for the day.
REMINDER_SCAN_LOCK_WAIT = envint("REMINDER_SCAN_LOCK_WAIT", 600)

if REDIS_CACHE_URL := os.environ.get("REDIS_CACHE_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_CACHE_URL,
        }
    }

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))  # the file backend's
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "yianchugai@localhost")

# Records one bulk call of the API may create (all or none, in one transaction).
API_BULK_MAX = envint("API_BULK_MAX", 1000)

# django-filter: a filter left open reads "All" (全部), not "---------" (page forms say "Choose…",
# core/forms.py).
FILTERS_EMPTY_CHOICE_LABEL = gettext_lazy("All")

REST_FRAMEWORK = {
    # Token first: an anonymous API call answers 401 with `WWW-Authenticate: Token`.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["core.filters.FilterBackend"],
    # JSON bodies; the operations that take files say so (multipart) in their own parsers.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_PAGINATION_CLASS": "core.api.Pagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"token": os.environ.get("API_TOKEN_RATE", "10/minute")},
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "以案促改 API",
    "DESCRIPTION": "Case-to-reform tracking: cases, recommendations, measures and their records.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1/",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.state_what_requests_must_hold",
        "core.api.link_the_operations",
    ],
    # Swagger UI and ReDoc from drf-spectacular-sidecar's static files: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "OrgUnitKindEnum": "accounts.models.OrgUnit.Kind",
        "RecommendationKindEnum": "recommendations.models.Recommendation.Kind",
        "RuleChangeKindEnum": "reforms.models.RuleChange.Kind",
        "ActivityKindEnum": "reforms.models.Activity.Kind",
        "NegativeListEntryKindEnum": "negativelists.models.NegativeListEntry.Kind",
        "ReturnReasonEnum": "reforms.models.MeasureTransition.ReturnReason",
        "CaseStatusEnum": "cases.models.Case.Status",
        "RecommendationStatusEnum": "recommendations.models.Recommendation.Status",
        "MeasureStatusEnum": "reforms.models.Measure.Status",
        "ExtensionRequestStatusEnum": "reforms.models.ExtensionRequest.Status",
        "DigestKindEnum": "notifications.api.serializers.DIGEST_KIND_CHOICES",
        "SignalEnum": "reforms.models.Signal",
        # A case's sector and level, and a typical case's audience (lists of them).
        "SectorEnum": "accounts.models.Sector",
        "LevelEnum": "cases.models.Case.Level",
        # A campaign's mode (自查 or 交叉检查) and a cross-case analysis's (its name as before).
        "CampaignModeEnum": "campaigns.models.Campaign.Mode",
        "ModeEnum": "crosscase.models.CrossCaseAnalysis.Mode",
    },
}

# Production hardening; `manage.py check --deploy` is clean with DJANGO_ENV=production.
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# No inline scripts or styles: every script and stylesheet is a static file, data for scripts comes
# in json_script blocks, sizes in data attributes (static/js/app.js), htmx's indicator styles are in
# app.css (htmx-config in base.html), the dashboard's chart tooltips are drawn on the canvas and
# Swagger UI loads its init script from its own URL. Only ReDoc's page relaxes it (api_urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
# Browser features the application never uses, refused to every page (and anything injected).
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # django-axes narrates every sign-in at INFO; failures and lockouts are WARNINGs.
    "loggers": {"axes": {"level": "WARNING"}},
}
