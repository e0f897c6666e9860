"""The retention purge as a Celery task (beat runs it nightly)."""

from celery import shared_task

from .retention import purge_expired


@shared_task(name="prospects.privacy.purge")
def purge() -> dict:
    """Delete what is past its retention window, in bounded batches; safe to run twice."""
    return purge_expired().as_dict()
