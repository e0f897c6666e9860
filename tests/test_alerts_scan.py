"""Which alerts a scan raises: new companies in the queue, watched companies back, tasks due."""

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone

from prospects.accounts.services import set_time_zone
from prospects.alerts import preferences, services
from prospects.crm import outreach
from prospects.models import Alert, Company, Delivery, QueueArrival
from tests.crm_fixtures import scored_company
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _subscribe(user, **choices):
    return preferences.update_subscription(user=user, **choices)


def test_the_first_scan_takes_a_baseline_and_later_arrivals_alert_once(researcher, rep):
    scored_company(0.9)
    _subscribe(researcher, new_companies=True)
    _subscribe(rep, new_companies=False)
    first = services.scan_alerts()
    assert first.baseline and first.arrivals == 1 and not Alert.objects.exists()
    newcomer = scored_company(0.8)
    scored_company(0.2)  # below the threshold: not in the queue
    second = services.scan_alerts()
    assert (second.baseline, second.arrivals) == (False, 1)
    alert = Alert.objects.get()
    assert (alert.user, alert.kind, alert.company) == (researcher, "company.queued", newcomer)
    assert services.scan_alerts().alerts == {}
    assert QueueArrival.objects.get(company=newcomer).announced


def test_companies_hidden_from_the_queue_raise_no_alert(researcher):
    services.scan_alerts()
    _subscribe(researcher, new_companies=True)
    closed = scored_company(0.9)
    Company.objects.filter(pk=closed.pk).update(status="disqualified")
    scored_company(0.9, relationship="customer")
    services.scan_alerts()
    assert not Alert.objects.exists()


def test_a_watched_company_back_on_the_site_alerts_its_watcher(rep):
    company = scored_company()
    _subscribe(rep, watched_back=True)
    preferences.watch_company(user=rep, company=company)
    services.scan_alerts()
    assert not Alert.objects.filter(kind="company.returned").exists()  # visits before watching
    later = timezone.now() + dt.timedelta(minutes=1)
    company.visitors.update(last_seen=later)
    services.scan_alerts()
    services.scan_alerts()
    alert = Alert.objects.get(kind="company.returned")
    assert (alert.user, alert.company, alert.happened_at) == (rep, company, later)


def test_a_task_due_in_the_persons_own_day_alerts_them(rep):
    """Kiritimati (UTC+14) is a day ahead of Etc/GMT+12: its today is the other's tomorrow."""
    company = scored_company()
    ahead = zoneinfo.ZoneInfo("Pacific/Kiritimati")
    their_today = timezone.localtime(timezone.now(), ahead).date()
    with timezone.override(ahead):
        task = outreach.add_task(company=company, user=rep, due_on=their_today, title="Call")
    _subscribe(rep, tasks_due=True)
    set_time_zone(user=rep, time_zone="Etc/GMT+12")
    services.scan_alerts()
    assert not Alert.objects.filter(kind="task.due").exists()
    set_time_zone(user=rep, time_zone="Pacific/Kiritimati")
    services.scan_alerts()
    assert Alert.objects.get(kind="task.due").task == task


def test_people_without_a_subscription_or_a_role_get_nothing(rep):
    services.scan_alerts()
    outsider = UserFactory(username="nobody")
    _subscribe(outsider, new_companies=True)
    scored_company(0.9)
    services.scan_alerts()
    assert not Alert.objects.exists() and not Delivery.objects.exists()
