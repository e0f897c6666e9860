"""Privacy tasks: the retention purge and page-view partitions (nightly), IP masking (hourly)."""

from celery import shared_task

from prospects.visits.partitions import ensure_partitions

from .masking import mask_resolved
from .retention import purge_expired


@shared_task(name="prospects.privacy.purge")
def purge() -> dict:
    """Delete what is past its retention window, in bounded batches; safe to run twice."""
    return purge_expired().as_dict()


@shared_task(name="prospects.privacy.mask_ips")
def mask_ips() -> dict:
    """Mask the addresses resolved at least LEADGEN_IP_MASK_DELAY_HOURS ago; safe to run twice."""
    return mask_resolved().as_dict()


@shared_task(name="prospects.privacy.create_partitions")
def create_partitions() -> list[str]:
    """PostgreSQL: make the page-view month partitions ahead of time; idempotent."""
    return ensure_partitions()
