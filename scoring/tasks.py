"""Celery tasks: thin, idempotent wrappers over the scoring services (beat runs both)."""

import logging

from celery import shared_task

from prospects import pipeline

from . import selectors, services
from .training import NotEnoughData

log = logging.getLogger(__name__)


@shared_task(name="scoring.tasks.rescore")
def rescore(changed_only: bool = True) -> dict:
    """Score the visitors that changed since their last score (hourly); nothing to do is fine."""
    try:
        return pipeline.score(changed_only=changed_only).as_dict()
    except services.NoActiveModel as exc:
        log.info("rescore skipped: %s", exc)
        return {"skipped": str(exc)}


@shared_task(name="scoring.tasks.retrain")
def retrain(requested_by: str = "", force: bool = False) -> dict:
    """Train a new version on all data when anything changed since the active one, then rescore.

    `force` (an admin's "Train now") trains even when nothing changed.
    """
    active = selectors.active_version()
    if not force and active is not None and not selectors.data_changed_since(active):
        return {"skipped": f"No new visits since model v{active.pk} was trained."}
    try:
        version = services.train_model(trained_by=requested_by or "scoring.tasks.retrain")
    except NotEnoughData as exc:
        log.warning("retrain refused: %s", exc)
        return {"skipped": str(exc)}
    return {"version": version.pk, **pipeline.score(changed_only=False).as_dict()}
