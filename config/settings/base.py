"""Settings shared by every environment; everything that varies comes from the environment."""

import datetime
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)

env = environ.Env()


def env_int(name: str, *, default: int, low: int, high: int) -> int:
    """An integer setting from the environment, refused at start-up when out of range."""
    value = env.int(name, default=default)
    if not low <= value <= high:
        raise ImproperlyConfigured(f"{name} must be between {low} and {high}; it is {value}.")
    return value


SECRET_KEY = env("SECRET_KEY", default="")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # django-unfold styles the admin (its templates win, so it comes first); the site itself
    # is ours (config.admin_site), registered by PortfolioAdminConfig in place of Django's.
    "unfold.apps.BasicAppConfig",
    "unfold.contrib.filters",
    "config.apps.PortfolioAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "django_countries",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_prometheus",
    "django_celery_beat",
    "config.apps.PlatformConfig",
    "alliances",
    "notifications",
    "resourcing",
    "governance",
    "reports",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "config.request_id.RequestIdMiddleware",
    # The real client's address, before anything counts it (throttles, lockout).
    "config.client_address.ClientAddressMiddleware",
    # /healthz, /readyz and /metrics, before anything validates the host: probes use the IP.
    "config.probes.ProbeMiddleware",
    # A database outage is a JSON 503 with Retry-After, not a 500.
    "config.outage.DatabaseOutageMiddleware",
    "config.nul.RejectNulMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

# How many proxies in front of the web nodes append to X-Forwarded-For (0: none, the client
# connects directly). Only their entries are believed; see config/client_address.py.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", default=0, low=0, high=10)

# Sign-in lockout (django-axes, counted in the database): after LOCKOUT_FAILURE_LIMIT failed
# sign-ins for one username from one address, on the admin or POST /api/v1/auth/token/, that
# pair is refused for LOCKOUT_COOLOFF_MINUTES. A success resets the count.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = env_int("LOCKOUT_FAILURE_LIMIT", default=5, low=1, high=1000)
AXES_COOLOFF_TIME = datetime.timedelta(
    minutes=env_int("LOCKOUT_COOLOFF_MINUTES", default=15, low=1, high=60 * 24 * 30)
)
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "config.client_address.axes_client_ip"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False

# GET /metrics (Prometheus) answers only `Authorization: Bearer <METRICS_TOKEN>`; unset, it is
# a 404.
METRICS_TOKEN = env("METRICS_TOKEN", default="")

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "config" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "reports.context.portfolio_access",
            ],
        },
    },
]


def database_config(url: str, *, metrics: bool = False) -> dict:
    """A database from DATABASE_URL; SQLite gets WAL, IMMEDIATE transactions and a busy timeout
    so concurrent requests wait for the write lock instead of failing with "database is locked".
    PostgreSQL connections are health-checked and give up connecting after 5 s, so an outage is
    a quick 503. With `metrics`, queries are counted for Prometheus (django-prometheus)."""
    config = env.db_url_config(url)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
        }
    else:
        config.setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
        config["CONN_HEALTH_CHECKS"] = True
        config.setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
    if metrics and config["ENGINE"].startswith("django.db.backends."):
        config["ENGINE"] = config["ENGINE"].replace("django.db.", "django_prometheus.db.", 1)
    return config


DATABASES = {
    "default": database_config(env("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"))
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
FORMAT_MODULE_PATH = ["config.formats"]
USE_I18N = True
USE_TZ = True
# "Today", business days, date filters and workbook times are reckoned in this zone; the
# database stores UTC.
PORTFOLIO_TIME_ZONE = env("PORTFOLIO_TIME_ZONE", default="Europe/London")
TIME_ZONE = PORTFOLIO_TIME_ZONE

# A month's status report can be written until this day of the next month; after it, an
# alliance without one shows as "status report missing".
# 1-28, so that every month has the day.
STATUS_REPORT_DUE_DAY = env_int("STATUS_REPORT_DUE_DAY", default=10, low=1, high=28)

# Idempotency-Key records are kept this long.
IDEMPOTENCY_KEY_HOURS = env_int("IDEMPOTENCY_KEY_HOURS", default=24, low=1, high=24 * 365)
# A keyed request still unanswered after this long was killed with its worker: a retry then
# runs it. Keep it above the longest a request may run (gunicorn --timeout, 30 s).
IDEMPOTENCY_IN_FLIGHT_SECONDS = env_int(
    "IDEMPOTENCY_IN_FLIGHT_SECONDS", default=40, low=5, high=3600
)

# The front door: triage is due this many business days after a request (re-)enters submitted.
INTAKE_TRIAGE_SLA_DAYS = env_int("INTAKE_TRIAGE_SLA_DAYS", default=3, low=0, high=250)
# Estimated value at or over which a high-complexity deal gets a dedicated alliance manager,
# per ISO 4217 currency; a currency not listed never meets it.
DEDICATED_VALUE_THRESHOLDS = env.json(
    "DEDICATED_VALUE_THRESHOLDS",
    default={
        "USD": 50_000_000,
        "EUR": 45_000_000,
        "GBP": 40_000_000,
        "CHF": 45_000_000,
        "JPY": 7_500_000_000,
    },
)
# A service whose playbook has no templates is planned over this many days.
DEFAULT_SERVICE_WINDOW_DAYS = env_int("DEFAULT_SERVICE_WINDOW_DAYS", default=28, low=1, high=366)

# Every date and datetime a person gives (API, admin, services) falls from DATE_INPUT_MIN to
# DATE_INPUT_MAX_YEARS years from today (config/dates.py); outside it, a 400 names the range.
DATE_INPUT_MIN = datetime.date.fromisoformat(env("DATE_INPUT_MIN", default="1900-01-01"))
DATE_INPUT_MAX_YEARS = env_int("DATE_INPUT_MAX_YEARS", default=50, low=1, high=500)

# Request bodies: at most this many bytes (413 over it), JSON nested at most this deep (400).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int(
    "REQUEST_BODY_MAX_BYTES", default=1024 * 1024, low=1024, high=100 * 1024 * 1024
)
REQUEST_JSON_MAX_DEPTH = env_int("REQUEST_JSON_MAX_DEPTH", default=16, low=4, high=200)
# A session-authenticated write without its CSRF token: JSON under /api/, the page elsewhere.
CSRF_FAILURE_VIEW = "config.urls.csrf_failure"

# `manage.py load_demo` (demo users with published passwords) runs only where this is on; the
# production settings turn it off.
DEMO_DATA_ALLOWED = True
# `make run` loads each set only into empty tables (manage.py load_demo), in this order, from a
# fixture or a builder that dates it around today. A set
# that builds on another ("needs") loads only in the same run as that one.
DEMO_DATA = [
    {
        "name": "Demo portfolio",
        "fixture": "demo_portfolio.json",
        "only_into_empty": ["alliances.Alliance", "alliances.Partner", "alliances.TherapeuticArea"],
        "after": "alliances.demo.after_portfolio_loaded",
    },
    {
        "name": "Service playbooks",
        "fixture": "playbooks.json",
        "only_into_empty": ["resourcing.TaskTemplate"],
    },
    {
        "name": "Demo specialists, work and intake requests",
        "fixture": "demo_resourcing.json",
        "only_into_empty": ["resourcing.Specialist", "resourcing.IntakeRequest", "resourcing.Task"],
        "needs": ["Demo portfolio"],
        "after": "resourcing.demo.after_resourcing_loaded",
    },
    {
        "name": "Demo governance",
        "build": "governance.demo.build_governance",
        "only_into_empty": ["governance.GovernanceBody", "governance.TrainingCourse"],
        "needs": ["Demo portfolio"],
    },
    {
        "name": "Demo agreements and obligations",
        "build": "governance.demo_agreements.build_agreements",
        "only_into_empty": ["governance.Agreement", "governance.Obligation"],
        "needs": ["Demo portfolio"],
    },
    {
        "name": "Demo status reports",
        "build": "reports.demo.build_status_reports",
        "only_into_empty": ["reports.StatusReport"],
        "needs": ["Demo portfolio"],
    },
]

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(VAR_DIR / "static")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "config.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "config.api.filters.NamedFilterBackend",
        "config.api.filters.StrictSearchFilter",
        "config.api.filters.StrictOrderingFilter",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "config.api.parsers.JSONParser",
        "config.api.parsers.FormParser",
        "config.api.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"token": env("TOKEN_THROTTLE_RATE", default="10/minute")},
    # Throttles count REMOTE_ADDR, which ClientAddressMiddleware has already set from the
    # trusted proxies' X-Forwarded-For entries: DRF must not read the header again.
    "NUM_PROXIES": 0,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Alliance portfolio API",
    "DESCRIPTION": "Alliances, their lifecycles, the front door and the portfolio.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.api.schema.postprocess",
    ],
    "ENUM_NAME_OVERRIDES": {
        "AllianceStatusEnum": "alliances.choices.Status",
        "IntakeStatusEnum": "resourcing.choices.IntakeStatus",
        "TaskStatusEnum": "resourcing.choices.TaskStatus",
        "PriorityEnum": "resourcing.choices.Priority",
        "RagEnum": "reports.choices.Rag",
        "TrendEnum": "reports.choices.Trend",
        "NotificationKindEnum": "notifications.choices.Kind",
        "DeliveryEnum": "notifications.choices.Delivery",
        "BodyKindEnum": "governance.choices.BodyKind",
        "BodyMemberRoleEnum": "governance.choices.MemberRole",
        "AllianceMemberRoleEnum": "alliances.choices.MemberRole",
        "MeetingStatusEnum": "governance.choices.MeetingStatus",
        "PartnerKindEnum": "alliances.choices.PartnerKind",
        "ObligationKindEnum": "governance.choices.ObligationKind",
        "ObligationDirectionEnum": "governance.choices.ObligationDirection",
        "AllianceDirectionEnum": "alliances.choices.Direction",
        "ObligationStatusEnum": "governance.choices.ObligationStatus",
        "AgreementKindEnum": "governance.choices.AgreementKind",
        "AgreementStatusEnum": "governance.choices.AgreementStatus",
    },
}

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
# Without a broker, tasks run in the calling process: the embedded single-machine default.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = PORTFOLIO_TIME_ZONE
# Two queues: `default` (notifications, housekeeping) and `exports` (report jobs), so a burst
# of exports never holds up the rest. A worker consumes what -Q names.
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {"reports.tasks.run_report_job": {"queue": "exports"}}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# A task a worker took but never acknowledged (acks_late: the worker or its machine was killed)
# goes back to the queue this long after it was taken, for another worker; above the longest a
# job may run (reports.tasks, 1 h). Workers look for such tasks every tenth of that (at most a
# minute apart). Used by the Redis broker; `make run`'s filesystem broker has no such timeout.
CELERY_VISIBILITY_TIMEOUT_SECONDS = env_int(
    "CELERY_VISIBILITY_TIMEOUT_SECONDS", default=2 * 60 * 60, low=5, high=7 * 24 * 60 * 60
)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT_SECONDS,
    "unacked_restore_interval": max(1, min(60, CELERY_VISIBILITY_TIMEOUT_SECONDS // 10)),
    "unacked_restore_throttle": 1,
}
# Periodic tasks are rows in the database (django-celery-beat; the admin's Periodic tasks),
# created by migrations; run exactly one beat.
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# Minutes not approved by both sides this many days after their meeting are overdue.
MINUTES_APPROVAL_DAYS = env_int("MINUTES_APPROVAL_DAYS", default=30, low=1, high=365)

# Outgoing obligations, and incoming ones we invoice, put a contract-and-finance task in the
# alliance's assignee's queue due this many days before the obligation.
OBLIGATION_LEAD_DAYS = env_int("OBLIGATION_LEAD_DAYS", default=14, low=0, high=180)

# A report job's workbook is kept this many days after it is made, then deleted (housekeeping).
REPORT_JOB_DAYS = env_int("REPORT_JOB_DAYS", default=7, low=1, high=366)
# A running job whose worker has not written for this long (it writes at least every second
# while making the register) is taken over by the next delivery of it.
REPORT_JOB_STALE_SECONDS = env_int("REPORT_JOB_STALE_SECONDS", default=300, low=2, high=6 * 60 * 60)

LOG_LEVEL = env("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "config.request_id.RequestIdLogFilter"}},
    "formatters": {
        "plain": {
            "format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s",
        }
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "filters": ["request_id"],
            "formatter": "plain",
        }
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

LOGIN_URL = "admin:login"
# Signing in from the sign-in page itself (a bookmark, no ?next=) lands on the home.
LOGIN_REDIRECT_URL = "admin:index"

# Notifications: email through Django's email API. EMAIL_URL (e.g.
# smtp+tls://user:password@smtp.example.com:587) in production; `make run` writes the
# messages as files under var/mail/ instead.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Alliance portfolio <alliances@localhost>")
EMAIL_SUBJECT_PREFIX = "[Alliance portfolio] "
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = VAR_DIR / "mail"
if env("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
# The local hour (PORTFOLIO_TIME_ZONE) at which daily digests go out.
NOTIFICATION_DIGEST_HOUR = env_int("NOTIFICATION_DIGEST_HOUR", default=7, low=0, high=23)
# Read notifications are deleted this many days after they were written; unread ones stay.
NOTIFICATION_KEEP_DAYS = env_int("NOTIFICATION_KEEP_DAYS", default=90, low=1, high=3650)

# The web screens: django-unfold's admin (config.admin_site), every asset served from our own
# static files. The sidebar is per role (config.navigation); the home per role
# (config.dashboard).
UNFOLD = {
    "SITE_TITLE": "Alliance portfolio",
    "SITE_HEADER": "Alliance portfolio",
    "SITE_SUBHEADER": "Alliance management",
    "SITE_SYMBOL": "handshake",
    "SITE_URL": "/admin/",
    "SHOW_VIEW_ON_SITE": False,
    "SHOW_HISTORY": True,
    "DASHBOARD_CALLBACK": "config.dashboard.dashboard_callback",
    "BORDER_RADIUS": "6px",
    "COLORS": {
        "primary": {
            "50": "oklch(97.0% .014 254.604)",
            "100": "oklch(93.2% .032 255.585)",
            "200": "oklch(88.2% .059 254.128)",
            "300": "oklch(80.9% .105 251.813)",
            "400": "oklch(70.7% .165 254.624)",
            "500": "oklch(62.3% .214 259.815)",
            "600": "oklch(54.6% .245 262.881)",
            "700": "oklch(48.8% .243 264.376)",
            "800": "oklch(42.4% .199 265.638)",
            "900": "oklch(37.9% .146 265.522)",
            "950": "oklch(28.2% .091 267.935)",
        },
    },
    "SIDEBAR": {
        "show_search": False,
        "show_all_applications": False,
        "navigation": "config.navigation.sidebar",
    },
}
