"""Settings for the ASN flexible-work portal.

Configured only by environment variables (see README "Configuration"). With nothing
set, the portal runs on an embedded default that needs no server: SQLite under
``var/``, Celery on kombu's filesystem broker under ``var/``, email to the console.
"""

import datetime as dt
import hashlib
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("PORTAL_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
_DEV_SECRET = "dev-insecure-secret-key-only-for-local-debug"  # noqa: S105  # nosec B105  # refused unless DEBUG or PORTAL_ALLOW_DEV_SECRET
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    # A missing secret is only tolerated for local development and tests.
    if not (DEBUG or env.bool("PORTAL_ALLOW_DEV_SECRET", default=False)):
        raise ImproperlyConfigured("SECRET_KEY must be set unless DEBUG=1.")
    SECRET_KEY = _DEV_SECRET

# Signs the audit chain's nightly checkpoints (HMAC-SHA256). Kept in the environment, never in the
# database, so whoever can rewrite the database cannot re-sign. Unset (development, tests): derived
# from SECRET_KEY, which production should not rely on (docs/security.md §8).
AUDIT_CHECKPOINT_KEY = env.str("AUDIT_CHECKPOINT_KEY", default="") or hashlib.sha256(
    b"portal-audit-checkpoint:" + SECRET_KEY.encode()).hexdigest()
# Lanes per institution's audit chain: audited writes of people in different lanes do not queue on
# one chain head (docs/decisions.md "Tamper-evident audit trail"). Changing it only starts new chains.
AUDIT_CHAIN_LANES = env.int("AUDIT_CHAIN_LANES", default=16)
if AUDIT_CHAIN_LANES < 1:
    raise ImproperlyConfigured("AUDIT_CHAIN_LANES must be at least 1.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "axes",
    "csp",
    "portal",
    "scheduling",
    "attendance",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.middleware.UserLanguageMiddleware",
    "portal.facts.RuleFactsMiddleware",  # a read sees one version of the rule facts
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: turns a lockout flagged during the view into the answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------
# SQLite by default; DATABASE_URL=postgres://user:pass@host:5432/name in production.
DATABASES = {
    "default": env.db(
        "DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE makes every write transaction take the write lock up front, so
    # concurrent approvals serialize instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20,
         "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -----------------------------------------------------------------------
AUTH_USER_MODEL = "portal.User"
# The lockout check runs first and refuses a locked account before any password is checked.
AUTHENTICATION_BACKENDS = ["portal.lockout.LockoutBackend", "portal.auth.NipOrUsernameBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login throttling (django-axes), keyed on the account only: a whole office behind one
# NAT address must not lock itself out, and a guesser gains nothing by changing address.
# A NIP and the account's username count as the same account (portal.lockout.lockout_username).
# portal.lockout.lockout_parameters answers ["username"]; see there why it is a callable.
AXES_LOCKOUT_PARAMETERS = "portal.lockout.lockout_parameters"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_USERNAME_CALLABLE = "portal.lockout.lockout_username"
AXES_LOCKOUT_CALLABLE = "portal.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
# Attempts during a lockout are refused without being counted: the lock ends a known
# AXES_COOLOFF_MINUTES after the failure that set it, which the lockout page can promise.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# No per-login access log (it would keep every login's address with no retention rule), and
# no admin pages for axes: unlock with `manage.py axes_reset_username <username>` or wait.
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ADMIN = False
AXES_HTTP_RESPONSE_CODE = 429

# Sessions: shared office computers get short, browser-bound sessions. SESSION_COOKIE_AGE is
# the idle timeout, because every request renews the session (SESSION_SAVE_EVERY_REQUEST).
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = env.bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", default=True)
SESSION_SAVE_EVERY_REQUEST = env.bool("SESSION_SAVE_EVERY_REQUEST", default=True)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# No script reads the CSRF cookie: pages post the form's hidden token (static/js/*.js send
# it as X-CSRFToken from that input), and the API docs render the token into their script.
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"

# --- Internationalisation ---------------------------------------------------------
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on every request otherwise
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and env.bool("STATIC_MANIFEST", default=True)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Email ------------------------------------------------------------------------
# EMAIL_URL=smtp+tls://user:pass@smtp.example.go.id:587 in production.
_email = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(_email)
# A backend EMAIL_URL cannot name (a gateway's own, the reliability drills' recorder).
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default=EMAIL_BACKEND)  # noqa: F821 - set from EMAIL_URL above
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="portal-fwa@localhost")
# Seconds an SMTP conversation may take. The outbox's claim on a message expires a little after
# this (portal.services.notify), so a dead worker's message is picked up within minutes.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)

# --- Celery -----------------------------------------------------------------------
# Default: kombu's filesystem transport under var/broker, so a real worker and beat
# run with no server. Production: CELERY_BROKER_URL or REDIS_URL=redis://host:6379/0.
BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or env.str("REDIS_URL", default="")
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "filesystem://"
    for sub in ("in", "processed", "control"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "in"),
        "data_folder_out": str(BROKER_DIR / "in"),
        "processed_folder": str(BROKER_DIR / "processed"),
        # Broadcast (worker control) messages: under var/ too, never a folder in the working directory.
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
else:
    # Short timeouts: a broker outage must never hang a web request (and portal.jobs stops
    # trying for a few seconds after a failure). The visibility timeout is longer than the
    # longest task (1 hour), so a message is redelivered only when its worker really died.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "socket_timeout": 2, "socket_connect_timeout": 2, "max_retries": 1, "visibility_timeout": 7200,
    }
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 600
CELERY_TASK_SOFT_TIME_LIMIT = 540
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_IGNORE_RESULT = True
# A task that finished while the broker was away is not run again at once: its message is
# redelivered after the visibility timeout and every task is safe to run twice.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
# A queue per kind of task (docs/scaling.md, "Worker queues per kind of task"), so that a nightly
# batch or an export never holds up a notification or a check-in's status once workers are split
# by queue. Unlisted tasks go to "celery". Every worker this repository starts (make run, the
# systemd unit, the tests) listens to all of WORKER_QUEUES; a large deployment runs a pool per queue.
TASK_QUEUES = {
    "interactive": ["portal.deliver_notification", "attendance.refresh_staffing", "scheduling.emergency_notify"],
    "derive": ["attendance.derive_due_statuses", "attendance.recompute_day", "attendance.recompute_employees"],
    "nightly": ["attendance.recompute_recent", "attendance.recompute_nightly_batch", "attendance.recompute_institution",
                "attendance.compute_staffing_window", "attendance.close_month", "attendance.nightly_tk_check"],
    "exports": ["attendance.run_export", "attendance.prepare_report"],
    "sweeps": ["portal.sweep_outbox", "portal.audit_checkpoint", "attendance.sweep_exports",
               "attendance.sweep_closings", "attendance.sweep_nightly", "attendance.purge_exports",
               "attendance.missing_checkin_reminder", "scheduling.escalate_pending", "scheduling.expire_pending",
               "scheduling.pending_digest", "scheduling.remind_upcoming"],
}
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {name: {"queue": queue} for queue, names in TASK_QUEUES.items() for name in names}
WORKER_QUEUES = ",".join([CELERY_TASK_DEFAULT_QUEUE, *TASK_QUEUES])

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    # A cache that is down or hung answers as an empty cache, after half a second at most, and
    # is then skipped for a few seconds (portal.cache): no request waits on it or fails by it.
    CACHES = {"default": {"BACKEND": "portal.cache.ResilientRedisCache",
                          "LOCATION": REDIS_URL,
                          "OPTIONS": {"socket_timeout": 0.5, "socket_connect_timeout": 0.5}}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- REST API ---------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["portal.api.parsers.JSONParser", "rest_framework.parsers.FormParser",
                               "rest_framework.parsers.MultiPartParser"],
    "DEFAULT_PAGINATION_CLASS": "portal.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "portal.api.schema.PortalAutoSchema",
    "DEFAULT_THROTTLE_RATES": {
        "auth_token": env.str("API_LOGIN_RATE", default="20/min"),
        "check_in": env.str("API_CHECKIN_RATE", default="30/min"),
    },
    # Trust X-Forwarded-For only when we are behind our own TLS proxy.
    "NUM_PROXIES": 1 if env.bool("BEHIND_TLS_PROXY", default=False) else None,
    "EXCEPTION_HANDLER": "portal.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Portal Kerja Fleksibel ASN API",
    "DESCRIPTION": "WFH/WFA requests, approvals, coverage, attendance and reports.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Deep links put an <a> inside each operation's toggle button (nested interactive controls).
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "RequestKindEnum": "scheduling.models.Kind",
        "UnitKindEnum": "portal.models.UnitKind",
        "RequestStatusEnum": "scheduling.models.Status",
        "CorrectionStatusEnum": "attendance.models.CorrectionStatus",
        "PermissionKindEnum": "attendance.models.PermissionKind",
        "PatternKindEnum": "portal.models.PatternKind",
        "BandKindEnum": "attendance.models.BandKind",
        "ImplausibleStatusEnum": "attendance.models.ImplausibleStatus",
        "MonthClosureStateEnum": "attendance.selectors.closing.ClosureState",
        "LeaveDocumentRuleEnum": "scheduling.models.DocumentRule",
        "CalendarFeedKindEnum": "scheduling.models.FeedKind",
        "VerdictSeverityEnum": ["block", "warn", "info"],
    },
}

# --- Security (production values come from the environment) ----------------------
# A month of duty roster for 60 people is 1,860 fields in one form; Django's default of 1,000
# would split a unit's roster into pages (attendance/views/roster.py pages by this number).
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2500
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env.bool(
    "BEHIND_TLS_PROXY", default=False) else None
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG and SECURE_SSL_REDIRECT)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

# Content Security Policy (django-csp): no inline script or style anywhere, no plugins, no
# framing. Our pages load only static/js/*.js; the API docs use drf-spectacular's split
# Swagger view (its init script is a separate file); the Django admin uses only files too.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

# No personal data in logs: the one handler masks NIPs and e-mail addresses
# (portal.logging.PersonalDataFilter), and every logger that writes anything ends there.
# Django's defaults are replaced: "django" (its own console/mail handlers, unfiltered) now
# only propagates; "django.server" (runserver's access log) and "gunicorn.access" (the
# web process's access log, which quotes query strings) write through the filter too.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"personal_data": {"()": "portal.logging.PersonalDataFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain",
                             "filters": ["personal_data"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        # Failures and lockouts (WARNING) are kept; axes' per-login housekeeping is not.
        "axes": {"level": "WARNING"},
    },
}

# --- Portal-specific knobs --------------------------------------------------------
PORTAL_IMPORT_MAX_BYTES = env.int("PORTAL_IMPORT_MAX_BYTES", default=10 * 1024 * 1024)
PORTAL_IMPORT_MAX_ROWS = env.int("PORTAL_IMPORT_MAX_ROWS", default=50_000)
# The first year the portal keeps cuti tahunan balances for, where an institution has not set its own;
# earlier years reach the portal as HR's opening balances.
PORTAL_LEAVE_FIRST_YEAR = env.int("PORTAL_LEAVE_FIRST_YEAR", default=2026)
# Rule facts (policies, calendar, patterns, windows, emergencies, the unit tree) kept in each process
# per version of the rules (portal.facts); off: read on every request, as before.
PORTAL_RULE_FACTS_CACHE = env.bool("PORTAL_RULE_FACTS_CACHE", default=True)
