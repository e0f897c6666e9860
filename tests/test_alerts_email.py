"""Alert email through a real SMTP server on loopback: at once, or as a daily digest."""

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone

from prospects.accounts.services import set_time_zone
from prospects.alerts import preferences, sending, services
from prospects.errors import ServiceError
from prospects.models import Alert, Delivery
from tests.crm_fixtures import scored_company
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _send_all():
    """Every pending delivery, tried until it is sent or failed, as the task's retries would."""
    for pk in Delivery.objects.filter(status="pending").values_list("pk", flat=True):
        while sending.attempt_delivery(delivery_id=pk) == sending.RETRY:
            pass


def test_instant_email_reaches_the_smtp_server(smtp_server, researcher):
    services.scan_alerts()
    preferences.update_subscription(user=researcher, new_companies=True, email="instant")
    company = scored_company(0.9, name="Granite Advisory")
    services.scan_alerts()
    _send_all()
    [message] = smtp_server.messages
    assert message.rcpt_tos == ["rita@example.org"]
    text = message.content.decode()
    assert "Granite Advisory (90%) entered the research queue" in text
    assert f"/companies/{company.pk}/" in text
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("sent", 1)
    assert delivery.attempt_log.get().ok


def test_the_digest_goes_once_a_day_after_the_digest_hour(smtp_server, rep):
    services.scan_alerts()
    preferences.update_subscription(user=rep, new_companies=True, email="digest")
    set_time_zone(user=rep, time_zone="Europe/Berlin")
    for n in range(3):
        scored_company(0.9, name=f"Digest {n}")
    services.scan_alerts()
    assert not Delivery.objects.exists()  # the digest waits for its hour
    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    day = timezone.localdate() + dt.timedelta(days=1)
    early = dt.datetime.combine(day, dt.time(7, 30), berlin)
    assert services.send_digests(now=early) == 0
    after = dt.datetime.combine(day, dt.time(8, 15), berlin)
    assert services.send_digests(now=after) == 1
    assert services.send_digests(now=after + dt.timedelta(hours=3)) == 0
    _send_all()
    [message] = smtp_server.messages
    text = message.content.decode()
    assert "3 alerts from Northwind leads" in text
    assert all(f"Digest {n}" in text for n in range(3))
    assert not Alert.objects.filter(emailed_at__isnull=True).exists()


def test_a_refusing_mail_server_is_recorded_and_retried(settings, researcher):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    settings.LEADGEN_WEBHOOK_MAX_ATTEMPTS = 2
    services.scan_alerts()
    preferences.update_subscription(user=researcher, new_companies=True, email="instant")
    scored_company(0.9)
    services.scan_alerts()
    _send_all()
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("failed", 2)
    assert all("mail server refused" in a.error for a in delivery.attempt_log.all())


def test_email_alerts_need_an_address():
    nameless = UserFactory(username="noaddress", email="", role="researcher")
    with pytest.raises(ServiceError, match="no email address"):
        preferences.update_subscription(user=nameless, email="instant")
