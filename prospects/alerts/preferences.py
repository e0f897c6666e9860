"""Writes of a person's alert choices: which alerts, watched companies, their webhooks."""

from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from prospects.alerts import payloads
from prospects.alerts.services import new_msg_id, send_after_commit
from prospects.errors import ServiceError
from prospects.models import Delivery, Subscription, Watch, Webhook
from prospects.roles import ADMIN, ALL_ROLES, has_role, require_role

MAX_WEBHOOKS = 5


@transaction.atomic
def update_subscription(*, user, **choices) -> Subscription:
    """Save which alerts the person wants and how email comes (off, at once, daily).

    Anyone may save their choices; only people with a role are told about companies.
    """
    subscription, _ = Subscription.objects.select_for_update().get_or_create(user=user)
    for name in ("new_companies", "watched_back", "tasks_due"):
        if name in choices:
            setattr(subscription, name, bool(choices[name]))
    if "email" in choices:
        if choices["email"] not in Subscription.Email.values:
            raise ServiceError({"email": "Choose how email alerts come."})
        if choices["email"] != Subscription.Email.OFF and not user.email:
            raise ServiceError({"email": "Your account has no email address; ask an admin."})
        subscription.email = choices["email"]
    subscription.save()
    return subscription


@transaction.atomic
def watch_company(*, user, company) -> Watch:
    """Watch a company: its next visit raises an alert (visits so far are known)."""
    require_role(user, *ALL_ROLES)
    watch, _ = Watch.objects.get_or_create(
        user=user, company=company, defaults={"seen_through": timezone.now()}
    )
    return watch


@transaction.atomic
def unwatch_company(*, user, company) -> None:
    """Stop watching a company."""
    Watch.objects.filter(user=user, company=company).delete()


def _check_url(url: str) -> str:
    url = (url or "").strip()
    parts = urlsplit(url)
    allowed = ("https", "http") if settings.LEADGEN_WEBHOOK_ALLOW_HTTP else ("https",)
    if parts.scheme not in allowed or not parts.hostname:
        raise ServiceError({"url": "Use an https:// address."})
    if parts.username or parts.password:
        raise ServiceError({"url": "Put no user name or password in the address."})
    if len(url) > 500:
        raise ServiceError({"url": "Keep the address under 500 characters."})
    return url


@transaction.atomic
def add_webhook(*, user, url, payload_format=Webhook.Format.STANDARD) -> Webhook:
    """Add an address that receives the person's alerts, with a new signing secret."""
    require_role(user, *ALL_ROLES)
    if payload_format not in Webhook.Format.values:
        raise ServiceError({"payload_format": "Choose a payload format."})
    if Webhook.objects.filter(owner=user).count() >= MAX_WEBHOOKS:
        raise ServiceError(f"Keep it to {MAX_WEBHOOKS} webhooks.")
    return Webhook.objects.create(owner=user, url=_check_url(url), payload_format=payload_format)


@transaction.atomic
def remove_webhook(*, user, webhook) -> None:
    """Remove a webhook (its owner or an admin); its delivery history stays."""
    if webhook.owner_id != user.pk and not has_role(user, ADMIN):
        raise ServiceError("That webhook is someone else's.")
    webhook.delete()


@transaction.atomic
def send_test(*, user, webhook) -> Delivery:
    """Queue a test message to one of the person's webhooks."""
    if webhook.owner_id != user.pk:
        raise ServiceError("That webhook is someone else's.")
    delivery = Delivery.objects.create(
        channel=Delivery.Channel.WEBHOOK,
        user=user,
        webhook=webhook,
        msg_id=new_msg_id(),
        event_type=payloads.PING,
        target=webhook.url,
        payload=payloads.ping_event(webhook),
    )
    send_after_commit([delivery.pk])
    return delivery
