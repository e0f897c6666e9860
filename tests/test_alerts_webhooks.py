"""Webhooks to a real HTTP receiver on loopback that verifies Standard Webhooks signatures."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from prospects.alerts import preferences, sending, services
from prospects.alerts.selectors import overdue_deliveries
from prospects.alerts.tasks import backoff, send_delivery
from prospects.errors import ServiceError
from prospects.models import Delivery
from tests.crm_fixtures import scored_company

pytestmark = pytest.mark.django_db


def _send_all():
    """Every pending delivery, tried until it is sent or failed, as the task's retries would."""
    for pk in Delivery.objects.filter(status="pending").values_list("pk", flat=True):
        while sending.attempt_delivery(delivery_id=pk) == sending.RETRY:
            pass


def _hooked(user, receiver, path="/crm", payload_format="standard"):
    hook = preferences.add_webhook(
        user=user, url=receiver.url + path, payload_format=payload_format
    )
    receiver.expect(path, hook.secret)
    preferences.update_subscription(user=user, new_companies=True)
    return hook


def test_a_signed_standard_webhook_carries_the_company_and_its_contacts(
    webhook_receiver, researcher
):
    from prospects.crm import services as crm

    services.scan_alerts()
    _hooked(researcher, webhook_receiver)
    company = scored_company(0.87, name="Granite Advisory", domain="granite-advisory.com")
    crm.add_contact(company=company, user=researcher, name="Ann Lee", email="ann@granite.com")
    services.scan_alerts()
    _send_all()
    [call] = webhook_receiver.calls
    assert call.verified
    assert {"webhook-id", "webhook-timestamp", "webhook-signature"} <= {
        k.lower() for k in call.headers
    }
    assert call.payload["type"] == "company.queued"
    data = call.payload["data"]["company"]
    assert (data["name"], data["domain"], data["probability"]) == (
        "Granite Advisory",
        "granite-advisory.com",
        0.87,
    )
    assert data["website"] == "https://granite-advisory.com/"
    assert data["contacts"][0]["email"] == "ann@granite.com"
    assert Delivery.objects.get().status == "sent"


def test_failures_are_retried_with_the_same_id_and_every_attempt_is_shown(
    webhook_receiver, researcher, admin_user, client
):
    services.scan_alerts()
    _hooked(researcher, webhook_receiver)
    webhook_receiver.fail_first = 2
    scored_company(0.9)
    services.scan_alerts()
    _send_all()
    assert len(webhook_receiver.calls) == 3
    assert len({c.headers["webhook-id"] for c in webhook_receiver.calls}) == 1
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("sent", 3)
    assert [a.status_code for a in delivery.attempt_log.all()] == [500, 500, 200]
    client.force_login(admin_user)
    page = client.get(reverse("deliveries")).content.decode()
    assert delivery.msg_id in page and page.count("answered 500") == 2


def test_a_delivery_fails_for_good_after_the_last_attempt(settings, webhook_receiver, researcher):
    settings.LEADGEN_WEBHOOK_MAX_ATTEMPTS = 3
    services.scan_alerts()
    _hooked(researcher, webhook_receiver)
    webhook_receiver.fail_first = 99
    scored_company(0.9)
    services.scan_alerts()
    _send_all()
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("failed", 3)
    assert send_delivery.apply(args=[delivery.pk]).get() == "skipped"
    assert len(webhook_receiver.calls) == 3


def test_backoff_grows_and_stops_at_the_last_delay(settings):
    settings.LEADGEN_WEBHOOK_RETRY_DELAYS = [30, 120, 600]
    assert [backoff(n) for n in range(5)] == [30, 120, 600, 600, 600]


def test_the_scan_resends_a_failed_attempt_once_its_backoff_passed(
    settings, webhook_receiver, researcher
):
    settings.LEADGEN_WEBHOOK_RETRY_DELAYS = [60]
    services.scan_alerts()
    _hooked(researcher, webhook_receiver)
    webhook_receiver.fail_first = 1
    scored_company(0.9)
    services.scan_alerts()
    delivery = Delivery.objects.get()
    assert overdue_deliveries(now=timezone.now()) == [delivery.pk]  # never tried
    assert sending.attempt_delivery(delivery_id=delivery.pk) == sending.RETRY
    assert overdue_deliveries(now=timezone.now()) == []  # its backoff has not passed
    later = timezone.now() + dt.timedelta(seconds=61)
    assert overdue_deliveries(now=later) == [delivery.pk]
    send_delivery.apply(args=[delivery.pk])  # what the scan's resend hands to a worker
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 2)


def test_slack_payload_escapes_markup(webhook_receiver, researcher):
    services.scan_alerts()
    _hooked(researcher, webhook_receiver, path="/slack", payload_format="slack")
    scored_company(0.9, name="<!channel> & Co")
    services.scan_alerts()
    _send_all()
    [call] = webhook_receiver.calls
    text = call.payload["blocks"][0]["text"]["text"]
    assert "&lt;!channel&gt; &amp; Co" in text and "<!channel>" not in text
    assert call.payload["text"].startswith("<!channel> & Co")


def test_private_addresses_are_refused_unless_allowed(settings, webhook_receiver, researcher):
    services.scan_alerts()
    _hooked(researcher, webhook_receiver)
    settings.LEADGEN_WEBHOOK_ALLOW_PRIVATE = False
    settings.LEADGEN_WEBHOOK_MAX_ATTEMPTS = 1
    scored_company(0.9)
    services.scan_alerts()
    _send_all()
    assert not webhook_receiver.calls
    assert "private or local address" in Delivery.objects.get().attempt_log.get().error


def test_webhook_addresses_must_be_https_by_default(settings, researcher):
    settings.LEADGEN_WEBHOOK_ALLOW_HTTP = False
    with pytest.raises(ServiceError, match="https"):
        preferences.add_webhook(user=researcher, url="http://example.org/hook")
    with pytest.raises(ServiceError):
        preferences.add_webhook(user=researcher, url="javascript:alert(1)")


def test_the_settings_page_adds_tests_and_removes_a_webhook(client, webhook_receiver, rep):
    client.force_login(rep)
    response = client.post(
        reverse("webhook_add"),
        {"url": webhook_receiver.url + "/hook", "payload_format": "standard"},
    )
    assert response.status_code == 302
    hook = rep.webhooks.get()
    webhook_receiver.expect("/hook", hook.secret)
    assert hook.secret in client.get(reverse("settings")).content.decode()
    client.post(reverse("webhook_test", args=[hook.pk]))
    _send_all()
    assert webhook_receiver.calls[0].verified
    assert webhook_receiver.calls[0].payload["type"] == "webhook.test"
    client.post(reverse("webhook_remove", args=[hook.pk]))
    assert not rep.webhooks.exists()


def test_watching_from_the_company_page(client, rep):
    company = scored_company()
    client.force_login(rep)
    page = client.get(reverse("company", args=[company.pk])).content.decode()
    assert "Watch this company" in page
    client.post(reverse("company_watch", args=[company.pk]), {"watch": "1"})
    page = client.get(reverse("company", args=[company.pk])).content.decode()
    assert "Stop watching" in page
    client.post(reverse("company_watch", args=[company.pk]), {"watch": "0"})
    assert not rep.watches.exists()
