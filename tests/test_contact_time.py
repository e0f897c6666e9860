"""Best contact time: a company's active hours in its own time zone, and the team's replies."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from prospects.crm import outreach, services
from prospects.errors import ServiceError
from prospects.models import PageView, Session, Touchpoint
from prospects.timing.selectors import MIN_TOUCHPOINTS, contact_time, team_response_rates
from tests.api_client import client_for
from tests.crm_fixtures import scored_company
from tests.factories import PageFactory, PageViewFactory

pytestmark = pytest.mark.django_db


def _views_at(company, stamps):
    visitor = company.visitors.get()
    session = Session.objects.create(
        visitor=visitor, started_at=stamps[0], ended_at=stamps[-1], pageview_count=len(stamps)
    )
    page = PageFactory(path="/product", category="product")
    for ts in stamps:
        PageViewFactory(visitor=visitor, session=session, page=page, ts=ts)


def _tuesdays_at(hour_utc, n):
    # 2026-11-03 is a Tuesday.
    first = dt.datetime(2026, 11, 3, hour_utc, 15, tzinfo=dt.UTC)
    return [first + dt.timedelta(weeks=w) for w in range(n)]


def test_hours_are_read_in_the_companys_own_zone(researcher):
    company = scored_company()
    # 01:15 UTC on Tuesdays is 10:15 on Tuesdays in Tokyo (UTC+9, no daylight saving).
    _views_at(company, _tuesdays_at(1, 6) + _tuesdays_at(2, 3))
    services.update_company(company=company, user=researcher, time_zone="Asia/Tokyo")
    timing = contact_time(company=company)
    assert timing.own_zone and timing.zone == "Asia/Tokyo"
    # The fixture's own view (yesterday) is one more page view somewhere in the week.
    assert timing.hours[10].views == 6 and timing.hours[11].views == 3
    assert timing.window == "Tuesdays 10:00-12:00 Asia/Tokyo"
    assert "busiest hours 10:00, 11:00" in timing.summary


def test_without_its_zone_the_vendors_stands_in(settings):
    settings.LEADGEN_VENDOR_TIME_ZONE = "America/New_York"
    company = scored_company()
    # 15:15 UTC in November is 10:15 in New York (UTC-5).
    _views_at(company, _tuesdays_at(15, 8))
    timing = contact_time(company=company)
    assert not timing.own_zone
    assert timing.window == "Tuesdays 10:00-12:00 America/New_York"


def test_an_unknown_time_zone_is_refused(researcher):
    company = scored_company()
    with pytest.raises(ServiceError, match="not a time zone"):
        services.update_company(company=company, user=researcher, time_zone="Mars/Olympus")


def test_the_api_sets_the_zone_as_the_page_does(researcher, rep):
    company = scored_company()
    _views_at(company, _tuesdays_at(1, 6))
    url = f"/api/companies/{company.pk}/"
    assert client_for(rep).patch(url, {"time_zone": "Asia/Tokyo"}).status_code == 403
    response = client_for(researcher).patch(url, {"time_zone": "Asia/Tokyo"})
    assert response.status_code == 200 and response.json()["time_zone"] == "Asia/Tokyo"
    company.refresh_from_db()
    assert contact_time(company=company).window == "Tuesdays 10:00-12:00 Asia/Tokyo"
    refused = client_for(researcher).patch(url, {"time_zone": "Mars/Olympus"})
    assert refused.status_code == 400
    assert refused.json() == {
        "time_zone": ["Mars/Olympus is not a time zone name such as Europe/Paris."]
    }
    cleared = client_for(researcher).patch(url, {"time_zone": ""})
    assert cleared.status_code == 200 and cleared.json()["time_zone"] == ""
    company.refresh_from_db()
    assert not contact_time(company=company).own_zone


def test_new_tasks_carry_the_suggested_window(rep):
    company = scored_company()
    _views_at(company, _tuesdays_at(9, 8))
    task = outreach.add_task(company=company, user=rep, due_on=timezone.localdate())
    assert task.contact_window == "Tuesdays 09:00-11:00 UTC"
    touchpoint = outreach.log_touchpoint(
        company=company,
        user=rep,
        channel="email",
        happened_on=timezone.localdate(),
        outcome="replied",
        next_step_on=timezone.localdate(),
    )
    assert touchpoint.next_steps.get().contact_window == task.contact_window


def test_the_page_shows_the_strip_with_its_text_and_the_window(client, rep):
    company = scored_company()
    _views_at(company, _tuesdays_at(9, 8))
    client.force_login(rep)
    page = client.get(reverse("company", args=[company.pk])).content.decode()
    assert "Suggested: <strong>Tuesdays 09:00-11:00 UTC</strong>" in page
    assert 'id="timing-summary"' in page and "busiest days Tuesday" in page
    assert page.count('class="h') >= 31  # 24 hours and 7 weekdays
    assert "In the vendor's time zone" in page


def _touch(company, rep, outcome, hour):
    touchpoint = outreach.log_touchpoint(
        company=company,
        user=rep,
        channel="call",
        happened_on=timezone.localdate(),
        outcome=outcome,
    )
    logged = timezone.now().replace(hour=hour, minute=5)
    Touchpoint.objects.filter(pk=touchpoint.pk).update(created_at=logged)


def test_the_team_reply_rate_by_hour_waits_for_thirty_touchpoints(client, rep):
    company = scored_company()
    for n in range(MIN_TOUCHPOINTS - 1):
        _touch(company, rep, "replied" if n % 3 == 0 else "no_response", 9 if n % 2 else 15)
    client.force_login(rep)
    page = client.get(reverse("company", args=[company.pk])).content.decode()
    assert "29 touchpoints logged: 1 more needed" in page
    _touch(company, rep, "replied", 9)
    rates = team_response_rates()
    assert rates.enough and rates.touchpoints == 30
    by_hour = {h.hour: (h.touchpoints, h.answered) for h in rates.hours}
    # n odd at 9:00 (14 of them, n = 3, 9, 15, 21, 27 replied) plus the last reply.
    assert by_hour == {9: (15, 6), 15: (15, 5)}
    assert rates.best.hour == 9
    page = client.get(reverse("company", args=[company.pk])).content.decode()
    assert "Best: 09:00, 6 of 15 answered." in page


def _only_views_at(company, stamps):
    """The company's page views are exactly these (the fixture's own one removed)."""
    PageView.objects.filter(visitor__company=company).delete()
    _views_at(company, stamps)


def test_daylight_saving_moves_the_hour_with_the_clock(researcher):
    company = scored_company()
    services.update_company(company=company, user=researcher, time_zone="Europe/Paris")
    # 08:15 UTC is 10:15 in Paris before 2026-10-25 (summer time, UTC+2) and 09:15 after.
    summer = [dt.datetime(2026, 10, d, 8, 15, tzinfo=dt.UTC) for d in (6, 13, 20)]
    winter = [dt.datetime(2026, m, d, 8, 15, tzinfo=dt.UTC) for m, d in ((10, 27), (11, 3))]
    _only_views_at(company, summer + winter)
    timing = contact_time(company=company)
    assert timing.views == 5
    assert [c.views for c in timing.hours if c.views] == [2, 3]
    assert timing.hours[9].views == 2 and timing.hours[10].views == 3
    assert timing.days[1].views == 5  # all Tuesdays


def test_half_hour_zones_and_days_turning_over_midnight(researcher):
    company = scored_company()
    services.update_company(company=company, user=researcher, time_zone="Asia/Kolkata")
    # Kolkata is UTC+5:30: 04:45 UTC is 10:15 there, 04:15 UTC is 09:45, and 19:00 UTC on a
    # Monday is 00:30 on the Tuesday.
    tuesday = dt.datetime(2026, 11, 3, tzinfo=dt.UTC)
    stamps = [tuesday.replace(hour=4, minute=45)] * 2 + [tuesday.replace(hour=4, minute=15)]
    stamps.append(dt.datetime(2026, 11, 2, 19, 0, tzinfo=dt.UTC))
    _only_views_at(company, stamps)
    timing = contact_time(company=company)
    assert (timing.hours[10].views, timing.hours[9].views, timing.hours[0].views) == (2, 1, 1)
    assert timing.days[1].views == 4 and timing.days[0].views == 0


def test_only_the_latest_page_views_count(researcher, monkeypatch):
    monkeypatch.setattr("prospects.timing.selectors.RECENT_VIEWS", 3)
    company = scored_company()
    # Two old Monday views at 08:15 UTC, then three newer Tuesday ones at 14:15.
    old = [
        dt.datetime(2026, 10, 26, 8, 15, tzinfo=dt.UTC) + dt.timedelta(minutes=m) for m in (0, 1)
    ]
    new = [
        dt.datetime(2026, 11, 3, 14, 15, tzinfo=dt.UTC) + dt.timedelta(minutes=m) for m in range(3)
    ]
    _only_views_at(company, old + new)
    timing = contact_time(company=company)
    assert timing.views == 3
    assert timing.hours[14].views == 3 and timing.hours[8].views == 0
    assert timing.window == "Tuesdays 14:00-16:00 UTC"
