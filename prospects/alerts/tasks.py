"""Celery tasks of alerts: thin wrappers over the scan, the digest and one delivery attempt."""

from celery import shared_task
from django.conf import settings

from prospects.alerts import sending, services


@shared_task(name="prospects.alerts.scan")
def scan() -> dict:
    """Raise the alerts people chose and resend deliveries whose retry is overdue (beat,
    every few minutes); idempotent."""
    result = services.scan_alerts().as_dict()
    result["resent"] = services.resend_overdue()
    return result


@shared_task(name="prospects.alerts.digests")
def digests() -> int:
    """Queue the daily digests whose hour has come (beat, hourly); once a day per person."""
    return services.send_digests()


def backoff(retries: int) -> int:
    """Seconds before retry number `retries` + 1: the next of LEADGEN_WEBHOOK_RETRY_DELAYS."""
    delays = settings.LEADGEN_WEBHOOK_RETRY_DELAYS
    return delays[min(retries, len(delays) - 1)]


@shared_task(bind=True, name="prospects.alerts.send_delivery", max_retries=None)
def send_delivery(self, delivery_id: int) -> str:
    """Try a delivery; on failure retry later with backoff until it is sent or failed."""
    outcome = sending.attempt_delivery(delivery_id=delivery_id)
    # Without a broker (Celery eager, the embedded default) nobody could wait for the
    # countdown: the delivery stays pending and the next scan resends it.
    if outcome == sending.RETRY and not self.request.is_eager:
        raise self.retry(countdown=backoff(self.request.retries))
    return outcome
