"""Writes of alerts: the scan that raises them, the daily digest, resending what is overdue.
People's choices are in prospects.alerts.preferences; sending is in prospects.alerts.sending,
run by Celery tasks.

What counts as "in the queue" and "a visit" comes from the queue and eligibility owners
(`research_queue`, `Company.objects.open_for_research()`, `Visitor.objects.eligible()`), so a
company hidden from the queue is hidden from alerts too.
"""

import datetime as dt
import secrets
import zoneinfo
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from leadgen.enqueue import enqueue
from prospects.accounts.middleware import user_time_zone
from prospects.alerts import payloads
from prospects.experiments.services import record_queue_entries
from prospects.models import (
    Alert,
    AlertScan,
    Company,
    Contact,
    Delivery,
    QueueArrival,
    Subscription,
    Task,
    Visitor,
    Watch,
    Webhook,
)
from prospects.queue.selectors import research_queue
from prospects.roles import ALL_ROLES, has_role

# A scan announces at most this many new companies to one person (a threshold lowered by a
# lot would otherwise send hundreds of messages); the rest are in the queue.
MAX_NEW_PER_SCAN = 25


def new_msg_id() -> str:
    """A Standard Webhooks message id, kept by a delivery across its retries."""
    return "msg_" + secrets.token_urlsafe(18)


def send_after_commit(delivery_ids: list[int]) -> None:
    """Hand the deliveries to Celery once this commits; a dead broker leaves them pending for
    the next scan's resend (`resend_overdue`), it never fails the caller."""
    from prospects.alerts.tasks import send_delivery

    for pk in delivery_ids:
        transaction.on_commit(lambda pk=pk: enqueue(send_delivery, delivery_id=pk))


@dataclass
class ScanResult:
    """What one scan found and queued."""

    arrivals: int = 0
    baseline: bool = False
    alerts: dict = field(default_factory=dict)
    deliveries: int = 0

    def as_dict(self) -> dict:
        return {**self.__dict__}


def _today_for(user, now) -> dt.date:
    zone = user_time_zone(user) or zoneinfo.ZoneInfo(settings.TIME_ZONE)
    return timezone.localtime(now, zone).date()


def _queue_arrivals(now, result) -> list[int]:
    """Record companies newly in the queue; the very first scan only takes a baseline (the
    queue as it stands is not news), so turning alerts on does not flood anyone."""
    baseline = not AlertScan.objects.exists()
    # The holdout assigns first, so a company held out is never announced.
    record_queue_entries(now=now)
    new_ids = list(research_queue().filter(queue_arrival__isnull=True).values_list("pk", flat=True))
    QueueArrival.objects.bulk_create(
        [QueueArrival(company_id=pk, arrived_at=now, announced=not baseline) for pk in new_ids],
        ignore_conflicts=True,
    )
    result.arrivals, result.baseline = len(new_ids), baseline
    return [] if baseline else new_ids


def _returned_watches(now) -> list[tuple[Watch, dt.datetime]]:
    """Watches whose company had an eligible visit after what the watcher knows."""
    watches = list(
        Watch.objects.filter(
            company__in=Company.objects.open_for_research(),
            user__alert_subscription__watched_back=True,
        ).select_related("user")
    )
    last = dict(
        Visitor.objects.eligible()
        .filter(company_id__in={w.company_id for w in watches})
        .values("company")
        .annotate(last=Max("last_seen"))
        .values_list("company", "last")
    )
    return [
        (w, last[w.company_id]) for w in watches if last.get(w.company_id, now) > w.seen_through
    ]


def _due_tasks(subscribers, now) -> list[Task]:
    """Open tasks of these people due on or before their own today."""
    latest = timezone.localdate(now, timezone.get_fixed_timezone(14 * 60))
    tasks = (
        Task.objects.filter(
            owner__in=[s.user for s in subscribers], done_at__isnull=True, due_on__lte=latest
        )
        .exclude(company__status__in=Company.CLOSED_STATUSES)
        .select_related("owner__profile")
    )
    return [t for t in tasks if t.due_on <= _today_for(t.owner, now)]


@transaction.atomic
def scan_alerts(*, now=None) -> ScanResult:
    """Raise the alerts people chose: new companies in the queue, watched companies back on
    the site, tasks due. Each happens once per person; emails (if instant) and webhooks are
    queued once this commits. Safe to run at any time and twice at once (the unique keys)."""
    now = now or timezone.now()
    result = ScanResult()
    subscribers = list(
        Subscription.objects.filter(user__is_active=True).select_related("user__profile")
    )
    new_ids = _queue_arrivals(now, result)
    wanted: list[Alert] = []
    for sub in subscribers:
        if sub.new_companies and has_role(sub.user, *ALL_ROLES):
            for pk in new_ids[:MAX_NEW_PER_SCAN]:
                wanted.append(
                    Alert(
                        user=sub.user,
                        kind=Alert.Kind.NEW_COMPANY,
                        company_id=pk,
                        key=f"queued:{pk}",
                        happened_at=now,
                    )
                )
    for watch, last in _returned_watches(now):
        wanted.append(
            Alert(
                user=watch.user,
                kind=Alert.Kind.WATCHED_BACK,
                company_id=watch.company_id,
                key=f"back:{watch.company_id}:{last:%Y%m%d%H%M%S}",
                happened_at=last,
            )
        )
        Watch.objects.filter(pk=watch.pk).update(seen_through=last)
    for task in _due_tasks([s for s in subscribers if s.tasks_due], now):
        wanted.append(
            Alert(
                user=task.owner,
                kind=Alert.Kind.TASK_DUE,
                company_id=task.company_id,
                task=task,
                key=f"task:{task.pk}:{task.due_on}",
                happened_at=now,
            )
        )
    created = _create_new(wanted)
    for alert in created:
        result.alerts[alert.kind] = result.alerts.get(alert.kind, 0) + 1
    result.deliveries = _queue_deliveries(created, {s.user_id: s for s in subscribers})
    AlertScan.objects.update_or_create(pk=1, defaults={"ran_at": now, "result": result.as_dict()})
    return result


def _create_new(wanted: list[Alert]) -> list[Alert]:
    """Insert the alerts not raised before; return the new ones with what their messages show.

    A scan running at the same moment may insert the same alert: the unique key refuses the
    second, and this scan then skips the ones that exist.
    """
    if not wanted:
        return []
    known = set(
        Alert.objects.filter(
            user__in={a.user_id for a in wanted}, key__in={a.key for a in wanted}
        ).values_list("user_id", "key")
    )
    fresh = list(
        {(a.user_id, a.key): a for a in wanted if (a.user_id, a.key) not in known}.values()
    )
    try:
        with transaction.atomic():
            created = Alert.objects.bulk_create(fresh)
    except IntegrityError:
        created = [row for row in map(_create_alone, fresh) if row is not None]
    return list(
        Alert.objects.filter(pk__in=[a.pk for a in created])
        .select_related(
            "company__score", "company__assignee", "company__rep", "task__owner", "user"
        )
        .order_by("pk")
    )


def _create_alone(alert: Alert) -> Alert | None:
    row, created = Alert.objects.get_or_create(
        user_id=alert.user_id,
        key=alert.key,
        defaults={
            "kind": alert.kind,
            "company_id": alert.company_id,
            "task": alert.task,
            "happened_at": alert.happened_at,
        },
    )
    return row if created else None


def _queue_deliveries(alerts: list[Alert], subscriptions: dict) -> int:
    """Instant emails (one per person per scan) and one webhook call per alert and address."""
    if not alerts:
        return 0
    contacts = {}
    for alert in alerts:
        contacts.setdefault(alert.company_id, [])
    for contact in Contact.objects.filter(company_id__in=contacts):
        contacts[contact.company_id].append(contact)
    hooks = {}
    for hook in Webhook.objects.filter(owner__in={a.user_id for a in alerts}, is_active=True):
        hooks.setdefault(hook.owner_id, []).append(hook)
    made = []
    by_user = {}
    for alert in alerts:
        by_user.setdefault(alert.user_id, []).append(alert)
        for hook in hooks.get(alert.user_id, []):
            body = (
                payloads.slack_message(alert)
                if hook.payload_format == Webhook.Format.SLACK
                else payloads.standard_event(alert, contacts[alert.company_id])
            )
            delivery = Delivery.objects.create(
                channel=Delivery.Channel.WEBHOOK,
                user_id=alert.user_id,
                webhook=hook,
                msg_id=new_msg_id(),
                event_type=alert.kind,
                target=hook.url,
                payload=body,
            )
            delivery.alerts.add(alert)
            made.append(delivery.pk)
    for user_id, mine in by_user.items():
        sub = subscriptions.get(user_id)
        if sub and sub.email == Subscription.Email.INSTANT and sub.user.email:
            made.append(_email(sub.user, mine).pk)
    send_after_commit(made)
    return len(made)


def _email(user, alerts, event_type="alerts") -> Delivery:
    subject, body = payloads.email_text(alerts)
    delivery = Delivery.objects.create(
        channel=Delivery.Channel.EMAIL,
        user=user,
        msg_id=new_msg_id(),
        event_type=event_type,
        target=user.email,
        payload={"subject": subject, "body": body},
    )
    delivery.alerts.add(*alerts)
    Alert.objects.filter(pk__in=[a.pk for a in alerts]).update(emailed_at=timezone.now())
    return delivery


@transaction.atomic
def send_digests(*, now=None) -> int:
    """Queue each digest subscriber's daily email, once their local hour reaches
    LEADGEN_DIGEST_HOUR, with every alert no email has carried yet. Returns how many."""
    now = now or timezone.now()
    made = []
    subs = (
        Subscription.objects.select_for_update(of=("self",))
        .filter(email=Subscription.Email.DIGEST, user__is_active=True)
        .select_related("user__profile")
    )
    for sub in subs:
        zone = user_time_zone(sub.user) or zoneinfo.ZoneInfo(settings.TIME_ZONE)
        local = timezone.localtime(now, zone)
        if local.hour < settings.LEADGEN_DIGEST_HOUR or sub.last_digest_on == local.date():
            continue
        Subscription.objects.filter(pk=sub.pk).update(last_digest_on=local.date())
        pending = list(
            Alert.objects.filter(user=sub.user, emailed_at__isnull=True)
            .select_related("company__score", "task")
            .order_by("created_at", "pk")[:200]
        )
        if pending and sub.user.email:
            made.append(_email(sub.user, pending, event_type="digest").pk)
    send_after_commit(made)
    return len(made)


def resend_overdue(*, now=None) -> int:
    """Queue again the pending deliveries whose next try is due: a task lost with its worker,
    a broker that was down, or a retry under Celery eager. Returns how many were queued."""
    from prospects.alerts.selectors import overdue_deliveries
    from prospects.alerts.tasks import send_delivery

    due = overdue_deliveries(now=now or timezone.now())
    for pk in due:
        enqueue(send_delivery, delivery_id=pk)
    return len(due)
