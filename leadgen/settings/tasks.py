"""Celery: the broker, delivery guarantees, timeouts, queues and the beat schedule."""

from celery.schedules import crontab

from leadgen.settings.environment import env

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
