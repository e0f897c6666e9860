"""Settings for the lead-generation engine: one module, driven by environment variables.

The defaults run the demo on SQLite with Celery tasks executed in process; production sets
DATABASE_URL, CELERY_BROKER_URL, SECRET_KEY and ALLOWED_HOSTS (see .env.example).
"""

import datetime as dt
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (see .env.example).")
    SECRET_KEY = "insecure-development-key-only-used-when-DEBUG-is-on"  # noqa: S105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
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
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    "csp",
    "prospects",
    "scoring",
]

MIDDLEWARE = [
    # First: tracking beacons skip the page stack below (prospects/tracking/middleware.py).
    "prospects.tracking.middleware.TrackerMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, so it sees the lockout flag the login views leave on the request.
    "axes.middleware.AxesMiddleware",
    "prospects.accounts.middleware.TimeZoneMiddleware",
]

ROOT_URLCONF = "leadgen.urls"
WSGI_APPLICATION = "leadgen.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while an import or a Celery task writes; IMMEDIATE
    # transactions take the write lock up front instead of failing halfway with "locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Axes first: it refuses a locked-out login before any password is checked. Then the model
# backend that loads each request's user with its profile (time zone) in one query.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "prospects.accounts.backends.ProfileBackend",
]
LOGIN_URL = "login"
# After signing in each role lands on its home: reps on My outreach, the others on the queue.
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Production hardening: on whenever DEBUG is off, so `check --deploy` passes.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# Brute-force protection (django-axes) on /login/, /api/token/ and the admin login: after
# AXES_FAILURE_LIMIT wrong passwords for one account, or from one address, that account or
# address is refused (HTTP 429) for the cool-off time. Attempts are listed in the Django admin.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
# Lockouts are logged as warnings; every successful login at INFO would drown them.
AXES_VERBOSE = False
# The address counted per IP: the socket's, or behind LEADGEN_PROXY_COUNT proxies the
# X-Forwarded-For hop they appended (leadgen/proxy.py).
AXES_CLIENT_IP_CALLABLE = "leadgen.proxy.client_ip"
LEADGEN_PROXY_COUNT = env.int("LEADGEN_PROXY_COUNT", default=0)

# Content-Security-Policy (django-csp): scripts only from this server, never inline. Inline
# style attributes stay allowed: the score bars set a CSS variable per row.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    # Every API view, the root and the schema included, needs one of the three roles.
    "DEFAULT_PERMISSION_CLASSES": ["prospects.api.permissions.RoleForAction"],
    # JSON with a depth and size cap; forms for the browsable API.
    "DEFAULT_PARSER_CLASSES": [
        "prospects.api.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["prospects.api.filters.StrictFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Lead-generation engine API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["prospects.api.permissions.RoleForAction"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No call to the public validator.swagger.io: the docs page must work offline.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    # Choice sets that share a field name get distinct, readable schema names.
    "ENUM_NAME_OVERRIDES": {
        "CompanyStatusEnum": "prospects.models.Company.Status",
        "TouchpointOutcomeEnum": "prospects.models.Touchpoint.Outcome",
        "IPResolutionOutcomeEnum": "prospects.models.IPResolution.Outcome",
        "TaskKindEnum": "prospects.models.Task.Kind",
    },
}

# Celery: without a broker every task runs eagerly in process, so the demo needs nothing.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL or None)
# A task is acknowledged when it ends, one at a time per worker process: a task lost with its
# worker goes back to the queue. A killed pool child's task is requeued at once (reject on
# worker lost); a killed worker's unacknowledged task is redelivered by Redis after the
# visibility timeout. Every task is safe to run twice, even at once (resolve_ips shares out
# its IPs by lease, rescore and retrain write whole results in one transaction), so a task
# that outlives the timeout and is redelivered meanwhile does no harm.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_TASK_VISIBILITY_TIMEOUT = env.int("CELERY_TASK_VISIBILITY_TIMEOUT", default=300)
# A web request that enqueues must not hang on a broker that is down: connect within 2 s,
# retry a publish once, then the caller gets the error (and tells the user).
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_TASK_VISIBILITY_TIMEOUT,
    # Look for overdue unacknowledged tasks every 10 s (kombu's default is every 100 s).
    "unacked_restore_interval": max(1, min(10, CELERY_TASK_VISIBILITY_TIMEOUT // 3)),
    "unacked_restore_throttle": 1,
    "socket_connect_timeout": 2,
    "socket_timeout": 3,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 0.5,
}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
CELERY_REDIS_SOCKET_TIMEOUT = 3
# The result store is the same Redis: without this it retries 20 times a second apart.
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_TASK_VISIBILITY_TIMEOUT,
    "retry_policy": CELERY_TASK_PUBLISH_RETRY_POLICY,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SOFT_TIME_LIMIT = 1800
CELERY_TASK_TIME_LIMIT = 2000
CELERY_TASK_ROUTES = {
    "prospects.tasks.resolve_ips": {"queue": "dns"},
    "scoring.tasks.*": {"queue": "cpu"},
}
CELERY_BEAT_SCHEDULE = {
    "resolve-ips": {"task": "prospects.tasks.resolve_ips", "schedule": crontab(minute="*/10")},
    "rescore": {"task": "scoring.tasks.rescore", "schedule": crontab(minute=15)},
    "retrain": {"task": "scoring.tasks.retrain", "schedule": crontab(hour=3, minute=0)},
    "segments": {
        "task": "prospects.tasks.segment_visitors",
        "schedule": crontab(hour=3, minute=40),
    },
    "attribution": {
        "task": "prospects.tasks.compute_attribution",
        "schedule": crontab(hour=3, minute=50),
    },
    "forecast": {
        "task": "prospects.tasks.forecast_pipeline",
        "schedule": crontab(hour=4, minute=10),
    },
    "alerts": {"task": "prospects.alerts.scan", "schedule": crontab(minute="*/5")},
    "digests": {"task": "prospects.alerts.digests", "schedule": crontab(minute=5)},
    # The safety net under the endpoint's own requests for a write (LEADGEN_TRACKER_FLUSH_SECONDS).
    "retention-purge": {"task": "prospects.privacy.purge", "schedule": crontab(hour=4, minute=0)},
    "pageview-partitions": {
        "task": "prospects.privacy.create_partitions",
        "schedule": crontab(hour=3, minute=50),
    },
    # Masking also follows each identification run (pipeline.identify); this catches the delay.
    "ip-masking": {"task": "prospects.privacy.mask_ips", "schedule": crontab(minute=25)},
    "tracked-hits": {"task": "prospects.tracking.write_hits", "schedule": crontab(minute="*")},
}

# Lead-generation engine.
# Whether each pipeline stage enqueues the next when it commits (ingest → identify → rescore).
# On by default with a broker; with Celery eager it would run DNS lookups inside an import.
LEADGEN_PIPELINE_HAND_ON = env.bool("LEADGEN_PIPELINE_HAND_ON", default=bool(CELERY_BROKER_URL))
# Hostnames of the vendor's own site: referrers from them are internal navigation.
LEADGEN_SITE_DOMAINS = env.list("LEADGEN_SITE_DOMAINS", default=["northwind-software.com"])
# A gap longer than this ends a session.
LEADGEN_SESSION_GAP_SECONDS = env.int("LEADGEN_SESSION_GAP_SECONDS", default=30 * 60)
# A running import started on another host is taken as dead once its heartbeat (written after
# every chunk) is this old; on the same host its pid is checked instead.
LEADGEN_IMPORT_STALE_SECONDS = env.int("LEADGEN_IMPORT_STALE_SECONDS", default=60 * 60)
# host:port list; empty means the system resolver.
LEADGEN_DNS_NAMESERVERS = env.list("LEADGEN_DNS_NAMESERVERS", default=[])
# Per-try timeout (s), retries after a timeout or SERVFAIL, first backoff (s), queries in flight.
LEADGEN_DNS_TIMEOUT = env.float("LEADGEN_DNS_TIMEOUT", default=2.0)
LEADGEN_DNS_RETRIES = env.int("LEADGEN_DNS_RETRIES", default=2)
LEADGEN_DNS_BACKOFF = env.float("LEADGEN_DNS_BACKOFF", default=0.25)
LEADGEN_DNS_CONCURRENCY = env.int("LEADGEN_DNS_CONCURRENCY", default=256)
# A resolve run's claim on its rows lasts this long without a heartbeat (renewed every third of
# it while the run is alive): a killed run's IPs are due again this many seconds later.
LEADGEN_DNS_LEASE_SECONDS = env.int("LEADGEN_DNS_LEASE_SECONDS", default=60)
# The vendor's own networks (CIDR): visitors from them are excluded as internal.
LEADGEN_INTERNAL_NETWORKS = env.list("LEADGEN_INTERNAL_NETWORKS", default=[])
# Where trained model files live; they are loaded only from here.
LEADGEN_MODEL_DIR = Path(env.str("LEADGEN_MODEL_DIR", default=str(BASE_DIR / "var" / "models")))
# A score is the chance of converting within this many days of the newest page view; training
# labels each weekly snapshot by conversions in the same number of days after its cutoff.
LEADGEN_SCORE_HORIZON_DAYS = env.int("LEADGEN_SCORE_HORIZON_DAYS", default=30)
# Attribution: how far back a conversion's journey reaches, and the time-decay model's
# half-life (a touch this many days before the conversion counts half as much as one at it).
LEADGEN_ATTRIBUTION_LOOKBACK_DAYS = env.int("LEADGEN_ATTRIBUTION_LOOKBACK_DAYS", default=30)
LEADGEN_ATTRIBUTION_HALF_LIFE_DAYS = env.float("LEADGEN_ATTRIBUTION_HALF_LIFE_DAYS", default=7.0)
# What "converting" means to this vendor, as the score's sentence says it.
LEADGEN_CONVERSION_WORDS = env.str("LEADGEN_CONVERSION_WORDS", default="a trial or contact request")
# Pipeline probabilities (prospects/forecast/): an SQL counts as reaching opportunity or customer
# when it does within this many days; leads whose window is still open are not trained on.
LEADGEN_PIPELINE_WINDOW_DAYS = env.int("LEADGEN_PIPELINE_WINDOW_DAYS", default=30)
# Best contact time (prospects/timing/): the vendor's time zone, for companies whose own is
# unknown, and for the team's response rate by hour.
LEADGEN_VENDOR_TIME_ZONE = env.str("LEADGEN_VENDOR_TIME_ZONE", default="UTC")

# Reading logs (prospects.visits.ingest: formats, reading, behaviour).
# Proxies of ours (CIDR): only a connection from one of them has its X-Forwarded-For believed.
LEADGEN_TRUSTED_PROXIES = env.list(
    "LEADGEN_TRUSTED_PROXIES",
    default=["127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"],
)
# The zone of log times written without one (HAProxy's accept date).
LEADGEN_LOG_TIME_ZONE = env.str("LEADGEN_LOG_TIME_ZONE", default="UTC")
# JSON logs: FIELD=NAME pairs tried before the usual names (fields: ip, forwarded, time, method,
# target, status, size, referrer, agent, host), e.g. "ip=client,time=when".
LEADGEN_JSON_LOG_FIELDS = env.str("LEADGEN_JSON_LOG_FIELDS", default="")
# HAProxy: the order of the `capture request header` lines (host, user_agent, referrer,
# x_forwarded_for).
LEADGEN_HAPROXY_CAPTURES = env.list(
    "LEADGEN_HAPROXY_CAPTURES", default=["host", "user_agent", "referrer"]
)
# "sensitive" keeps /Pricing and /pricing apart; "lower" folds them (case-insensitive servers).
LEADGEN_PATH_CASE = env.str("LEADGEN_PATH_CASE", default="sensitive")
# Paths (prefixes) that only scanners ask for: a visitor asking for one is a bot.
LEADGEN_PROBE_PATHS = env.list(
    "LEADGEN_PROBE_PATHS",
    default=[
        line.strip()
        for line in (BASE_DIR / "prospects/visits/ingest/data/probe-paths.txt")
        .read_text()
        .splitlines()
        if line.strip() and not line.startswith("#")
    ],
)
# A 200 response of this many bytes (min-max) can be a page; others are media, not reading.
LEADGEN_PAGE_BYTES = env.str("LEADGEN_PAGE_BYTES", default="100-3000000")
# Behaviour rules for bots (see prospects.visits.ingest.behaviour).
LEADGEN_BOT_MAX_PER_MINUTE = env.int("LEADGEN_BOT_MAX_PER_MINUTE", default=60)
LEADGEN_BOT_FORM_SECONDS = env.float("LEADGEN_BOT_FORM_SECONDS", default=3.0)
LEADGEN_BOT_NO_ASSET_PAGES = env.int("LEADGEN_BOT_NO_ASSET_PAGES", default=3)
# "auto": the no-assets rule applies when the log shows the site's assets; "yes" / "no".
LEADGEN_BOT_ASSETS_LOGGED = env.str("LEADGEN_BOT_ASSETS_LOGGED", default="auto")

# The first-party tracker (prospects/tracking/). Beacons wait in this Redis (the broker's by
# default) or, without one, in the database; a write is asked for at most every
# FLUSH_SECONDS. Each address may send RATE_PER_MINUTE beacons (a whole office behind one
# NAT shares it), each at most MAX_BYTES. Visitor ids are cookieless unless COOKIE is on.
LEADGEN_TRACKER_REDIS_URL = env.str(
    "LEADGEN_TRACKER_REDIS_URL",
    default=CELERY_BROKER_URL if CELERY_BROKER_URL.startswith(("redis://", "rediss://")) else "",
)
LEADGEN_TRACKER_FLUSH_SECONDS = env.int("LEADGEN_TRACKER_FLUSH_SECONDS", default=5)
LEADGEN_TRACKER_RATE_PER_MINUTE = env.int("LEADGEN_TRACKER_RATE_PER_MINUTE", default=600)
LEADGEN_TRACKER_MAX_BYTES = env.int("LEADGEN_TRACKER_MAX_BYTES", default=4096)
# With Redis, each process pushes the beacons it accepted every BUFFER_MS milliseconds, or at
# once when it holds BUFFER_SIZE (prospects/tracking/buffer.py): one round trip for many.
LEADGEN_TRACKER_BUFFER_MS = env.int("LEADGEN_TRACKER_BUFFER_MS", default=50)
LEADGEN_TRACKER_BUFFER_SIZE = env.int("LEADGEN_TRACKER_BUFFER_SIZE", default=500)
LEADGEN_TRACKER_COOKIE = env.bool("LEADGEN_TRACKER_COOKIE", default=False)
LEADGEN_TRACKER_COOKIE_DAYS = env.int("LEADGEN_TRACKER_COOKIE_DAYS", default=365)

# Retention (prospects/privacy/): raw page views and sessions older than PAGEVIEW_DAYS, and
# visitors not seen for VISITOR_DAYS (with all they hold), are purged nightly in batches of
# BATCH rows; 0 keeps them for ever. 13 months and 25 months by default (the CNIL's advice
# for audience measurement).
LEADGEN_RETENTION_PAGEVIEW_DAYS = env.int("LEADGEN_RETENTION_PAGEVIEW_DAYS", default=395)
LEADGEN_RETENTION_VISITOR_DAYS = env.int("LEADGEN_RETENTION_VISITOR_DAYS", default=760)
LEADGEN_RETENTION_BATCH = env.int("LEADGEN_RETENTION_BATCH", default=5000)
# PostgreSQL: page views are partitioned by month (prospects/visits/partitions.py); the nightly
# maintenance keeps this many months of partitions made ahead of the current one.
LEADGEN_PAGEVIEW_PARTITIONS_AHEAD = env.int("LEADGEN_PAGEVIEW_PARTITIONS_AHEAD", default=3)
# IP masking (prospects/privacy/masking.py): with MASKING on, a visitor's address is cut to its
# first IPV4_BITS / IPV6_BITS bits DELAY_HOURS after its IP was resolved (the company and the
# classification stay). KEY makes the keyed hash later lines are matched on: changing it splits
# every masked visitor from their future lines.
LEADGEN_IP_MASKING = env.bool("LEADGEN_IP_MASKING", default=False)
LEADGEN_IP_MASK_IPV4_BITS = env.int("LEADGEN_IP_MASK_IPV4_BITS", default=24)
LEADGEN_IP_MASK_IPV6_BITS = env.int("LEADGEN_IP_MASK_IPV6_BITS", default=48)
LEADGEN_IP_MASK_DELAY_HOURS = env.float("LEADGEN_IP_MASK_DELAY_HOURS", default=24)
LEADGEN_IP_MASK_KEY = env.str("LEADGEN_IP_MASK_KEY", default=SECRET_KEY)
LEADGEN_IP_MASK_BATCH = env.int("LEADGEN_IP_MASK_BATCH", default=5000)

# Alerts. Links in emails and webhooks point here.
LEADGEN_SITE_URL = env.str("LEADGEN_SITE_URL", default="http://127.0.0.1:8000")
# The local hour (in each person's time zone) after which their daily digest goes out.
LEADGEN_DIGEST_HOUR = env.int("LEADGEN_DIGEST_HOUR", default=8)
# Webhooks: seconds to wait for an answer; attempts before a delivery fails for good and the
# waits between them (s); http:// and private or local addresses only when allowed (tests).
LEADGEN_WEBHOOK_TIMEOUT = env.float("LEADGEN_WEBHOOK_TIMEOUT", default=10.0)
LEADGEN_WEBHOOK_MAX_ATTEMPTS = env.int("LEADGEN_WEBHOOK_MAX_ATTEMPTS", default=6)
LEADGEN_WEBHOOK_RETRY_DELAYS = [
    int(v)
    for v in env.list("LEADGEN_WEBHOOK_RETRY_DELAYS", default=["30", "120", "600", "3600", "14400"])
]
LEADGEN_WEBHOOK_ALLOW_HTTP = env.bool("LEADGEN_WEBHOOK_ALLOW_HTTP", default=False)
LEADGEN_WEBHOOK_ALLOW_PRIVATE = env.bool("LEADGEN_WEBHOOK_ALLOW_PRIVATE", default=False)

# Email (alerts): EMAIL_URL such as smtp+tls://user:pass@mail.example.com:587; the default
# prints messages to the console.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="leads@localhost")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"root_warnings_only": {"()": "leadgen.logfilters.RootWarningsOnly"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {
        "handlers": ["console"],
        "level": env.str("LOG_LEVEL", default="INFO"),
        "filters": ["root_warnings_only"],
    },
}
