"""Sending one delivery: an email through Django's mail backend, or a signed webhook call.

Webhooks follow the Standard Webhooks spec: `webhook-id` (the delivery's id, the same on every
retry), `webhook-timestamp` (this attempt's) and `webhook-signature` (v1, HMAC-SHA256 over
"id.timestamp.body" with the webhook's secret, by the `standardwebhooks` package). Every
attempt is recorded with its answer; a failure is retried by the Celery task with backoff.
"""

import ipaddress
import json
import socket
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from standardwebhooks.webhooks import Webhook as Signer

from prospects.models import Delivery, DeliveryAttempt

USER_AGENT = "Northwind-leads-webhooks/1"
SENT, RETRY, FAILED, SKIPPED = "sent", "retry", "failed", "skipped"


class DeliveryError(Exception):
    """A delivery attempt failed; `status_code` is the receiver's answer when there was one."""

    def __init__(self, message, status_code=None):
        super().__init__(message)
        self.status_code = status_code


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A webhook answer that redirects is a failure, not an invitation to post elsewhere."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        raise DeliveryError(f"redirected ({code}) to another address", status_code=code)


_opener = urllib.request.build_opener(_NoRedirects)


def _check_address(url: str) -> None:
    """Refuse webhooks to this machine's or a private network's addresses (unless allowed)."""
    if settings.LEADGEN_WEBHOOK_ALLOW_PRIVATE:
        return
    host = urlsplit(url).hostname or ""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except OSError as exc:
        raise DeliveryError(f"cannot resolve {host}: {exc}") from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise DeliveryError(f"{host} is a private or local address ({address})")


def signed_headers(*, secret: str, msg_id: str, body: str) -> dict:
    """The Standard Webhooks headers for one attempt at sending `body`."""
    now = timezone.now()
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Signer(secret).sign(msg_id, now, body),
    }


def post_webhook(delivery: Delivery) -> int:
    """POST the delivery's JSON to its webhook, signed; returns the 2xx status."""
    webhook = delivery.webhook
    if webhook is None or not webhook.is_active:
        raise DeliveryError("the webhook was removed or switched off")
    if urlsplit(webhook.url).scheme not in ("https", "http"):
        raise DeliveryError("only http(s) addresses receive webhooks")
    _check_address(webhook.url)
    body = json.dumps(delivery.payload, separators=(",", ":"), ensure_ascii=False)
    headers = {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        **signed_headers(secret=webhook.secret, msg_id=delivery.msg_id, body=body),
    }
    # The scheme is checked above: no file:// or custom schemes reach urllib.
    request = urllib.request.Request(  # noqa: S310
        webhook.url, data=body.encode(), headers=headers, method="POST"
    )
    try:
        with _opener.open(request, timeout=settings.LEADGEN_WEBHOOK_TIMEOUT) as answer:
            return answer.status
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"answered {exc.code} {exc.reason}", status_code=exc.code) from exc
    except (urllib.error.URLError, OSError) as exc:
        raise DeliveryError(f"no answer: {getattr(exc, 'reason', exc)}") from exc


def send_email(delivery: Delivery) -> None:
    """Send the delivery's email through Django's configured mail backend."""
    message = EmailMessage(
        subject=delivery.payload["subject"],
        body=delivery.payload["body"],
        to=[delivery.target],
    )
    try:
        message.send()
    except (OSError, ValueError) as exc:  # smtplib's errors are OSErrors
        raise DeliveryError(f"mail server refused: {exc}") from exc


@transaction.atomic
def attempt_delivery(*, delivery_id: int) -> str:
    """Try one delivery once and record the attempt; returns sent, retry, failed or skipped.

    Skipped when it is already sent or failed (a repeated task changes nothing). After
    LEADGEN_WEBHOOK_MAX_ATTEMPTS failed attempts it is failed for good.
    """
    delivery = (
        Delivery.objects.select_for_update(of=("self",))
        .select_related("webhook")
        .filter(pk=delivery_id, status=Delivery.Status.PENDING)
        .first()
    )
    if delivery is None:
        return SKIPPED
    started = time.perf_counter()
    status_code, error = None, ""
    try:
        if delivery.channel == Delivery.Channel.EMAIL:
            send_email(delivery)
        else:
            status_code = post_webhook(delivery)
    except DeliveryError as exc:
        status_code, error = exc.status_code, str(exc)[:500]
    DeliveryAttempt.objects.create(
        delivery=delivery,
        ok=not error,
        status_code=status_code,
        error=error,
        duration_ms=int((time.perf_counter() - started) * 1000),
    )
    delivery.attempts += 1
    if not error:
        delivery.status, delivery.sent_at = Delivery.Status.SENT, timezone.now()
    elif delivery.attempts >= settings.LEADGEN_WEBHOOK_MAX_ATTEMPTS:
        delivery.status = Delivery.Status.FAILED
    delivery.save(update_fields=["status", "sent_at", "attempts"])
    if not error:
        return SENT
    return FAILED if delivery.status == Delivery.Status.FAILED else RETRY
