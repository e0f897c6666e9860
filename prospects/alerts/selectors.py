"""Reads of alerts: a person's settings, whether they watch a company, the delivery log."""

import datetime as dt

from django.db.models import Max, Prefetch, QuerySet

from prospects.models import Delivery, DeliveryAttempt, Subscription, Watch, Webhook

# The admin's delivery log shows this many of the latest deliveries.
DELIVERY_ROWS = 200


def subscription_for(user) -> Subscription:
    """The person's alert choices (unsaved defaults when they never chose)."""
    return Subscription.objects.filter(user=user).first() or Subscription(user=user)


def webhooks_of(user) -> QuerySet[Webhook]:
    """The person's webhooks, oldest first."""
    return Webhook.objects.filter(owner=user).order_by("created_at", "pk")


def is_watching(*, user, company) -> bool:
    """Whether the person watches the company."""
    return Watch.objects.filter(user=user, company=company).exists()


def delivery_log(*, status: str = "") -> QuerySet[Delivery]:
    """The latest deliveries with every attempt, for admins (optionally of one status)."""
    rows = Delivery.objects.select_related("user", "webhook").prefetch_related(
        # Each row lists its attempts: one query for all of them.
        Prefetch("attempt_log", queryset=DeliveryAttempt.objects.order_by("attempted_at", "id"))
    )
    if status in Delivery.Status.values:
        rows = rows.filter(status=status)
    return rows.order_by("-created_at", "-id")[:DELIVERY_ROWS]


def overdue_deliveries(*, now) -> list[int]:
    """Ids of pending deliveries whose backoff since their last attempt has passed (or that
    were never tried), oldest first, at most 500."""
    from prospects.alerts.tasks import backoff

    pending = Delivery.objects.filter(status=Delivery.Status.PENDING).annotate(
        last_try=Max("attempt_log__attempted_at")
    )
    due = []
    for delivery in pending.order_by("pk")[:500]:
        wait = dt.timedelta(seconds=backoff(max(delivery.attempts - 1, 0)))
        if delivery.last_try is None or delivery.last_try + wait <= now:
            due.append(delivery.pk)
    return due
