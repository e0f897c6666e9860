"""Celery tasks of the prospects app: thin wrappers over the pipeline services."""

from celery import shared_task

from prospects.identify.services import resolve_pending_ips


@shared_task(name="prospects.tasks.resolve_ips")
def resolve_ips(all: bool = False, limit: int | None = None) -> dict:
    """Resolve pending and expired visitor IPs; idempotent, safe to run twice at once."""
    return resolve_pending_ips(all=all, limit=limit).as_dict()
