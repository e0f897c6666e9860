"""Celery tasks of the prospects app: thin wrappers over the pipeline's stages."""

from celery import shared_task

from prospects import pipeline
from prospects.alerts import tasks as alert_tasks
from prospects.privacy import tasks as privacy_tasks
from prospects.tracking import tasks as tracking_tasks

# Celery finds tasks in each app's `tasks` module: the alerts', the privacy purge's and the
# tracker's are registered by these imports.
__all__ = [
    "alert_tasks",
    "compute_attribution",
    "forecast_pipeline",
    "privacy_tasks",
    "resolve_ips",
    "segment_visitors",
    "tracking_tasks",
]


@shared_task(name="prospects.tasks.resolve_ips")
def resolve_ips(all: bool = False, limit: int | None = None, since: str | None = None) -> dict:
    """Identify new, pending and expired visitor IPs, then hand on to rescoring.

    Run by beat every ten minutes and handed on by each import; idempotent, safe to run twice
    at once.
    """
    return pipeline.identify(all=all, limit=limit, since=since).as_dict()


@shared_task(name="prospects.tasks.segment_visitors")
def segment_visitors() -> dict:
    """Re-cluster visitors and companies into behaviour segments (beat, nightly); idempotent."""
    run = pipeline.segment()
    return {"k": run.k, "visitors": run.visitors} if run else {"k": 0, "visitors": 0}


@shared_task(name="prospects.tasks.compute_attribution")
def compute_attribution() -> dict:
    """Recompute the attribution report (beat, nightly, and an admin's request); idempotent."""
    report = pipeline.attribute()
    return {"report": report.pk, "conversions": report.conversions, "seconds": report.seconds}


@shared_task(name="prospects.tasks.forecast_pipeline")
def forecast_pipeline() -> dict:
    """Refit the pipeline probabilities and rewrite the chances (beat, nightly); idempotent."""
    fits = pipeline.forecast()
    return {stage: {"leads": f.leads, "reached": f.reached} for stage, f in fits.items()}
