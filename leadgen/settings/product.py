"""The engine's own settings (LEADGEN_*): pipeline, identification, scoring, logs, tracker,
privacy, alerts. Each is read from the environment variable of the same name."""

from pathlib import Path

from leadgen.settings.environment import BASE_DIR, SECRET_KEY, env
from leadgen.settings.tasks import CELERY_BROKER_URL

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
