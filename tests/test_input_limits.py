"""Text caps and sane dates: the same values refused by the pages, the API and the services."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from prospects.crm import outreach, services
from prospects.errors import ServiceError
from prospects.models import Company, Note, StatusChange, Touchpoint
from tests.crm_fixtures import scored_company

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
TOUCHPOINT = {"channel": "email", "outcome": "replied", "summary": "Asked for a demo"}

# (what, the value refused, the message)
BAD_TOUCHPOINTS = [
    ("summary", {"summary": "x" * 5_001}, "5,000 characters"),
    ("year 1", {"happened_on": dt.date(1, 1, 1)}, "more than ten years old"),
    ("tomorrow", {"happened_on": TODAY + dt.timedelta(days=1)}, "cannot be in the future"),
]
BAD_SNOOZES = [
    ("year 9999", dt.date(9999, 12, 31), "a year at most"),
    ("today", TODAY, "must be in the future"),
]


def touchpoint(**changes) -> dict:
    return {**TOUCHPOINT, "happened_on": TODAY, **changes}


def as_post(data: dict) -> dict:
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in data.items()}


@pytest.mark.parametrize(("what", "change", "message"), BAD_TOUCHPOINTS, ids=lambda v: str(v))
def test_bad_touchpoints_are_refused_by_the_service(rep, what, change, message):
    company = scored_company()
    with pytest.raises(ServiceError, match=message):
        outreach.log_touchpoint(company=company, user=rep, **touchpoint(**change))
    assert not Touchpoint.objects.exists()


@pytest.mark.parametrize(("what", "change", "message"), BAD_TOUCHPOINTS, ids=lambda v: str(v))
def test_bad_touchpoints_are_refused_by_the_page(client, rep, what, change, message):
    company = scored_company()
    client.force_login(rep)
    response = client.post(
        reverse("company_touchpoint", args=[company.pk]), as_post(touchpoint(**change))
    )
    assert response.status_code == 400
    # The form's field declares the summary's cap itself, in Django's words.
    expected = "at most 5000 characters" if what == "summary" else message
    assert expected in response.content.decode()
    assert not Touchpoint.objects.exists()


@pytest.mark.parametrize(("what", "change", "message"), BAD_TOUCHPOINTS, ids=lambda v: str(v))
def test_bad_touchpoints_are_refused_by_the_api(rep, what, change, message):
    company = scored_company()
    client = APIClient()
    client.force_login(rep)
    response = client.post(
        f"/api/companies/{company.pk}/touchpoints/", as_post(touchpoint(**change)), format="json"
    )
    assert response.status_code == 400
    field = "summary" if what == "summary" else "happened_on"
    assert field in response.json()
    assert not Touchpoint.objects.exists()


def test_a_touchpoint_ten_years_back_is_still_taken(rep):
    company = scored_company()
    day = TODAY - dt.timedelta(days=3650)
    outreach.log_touchpoint(company=company, user=rep, **touchpoint(happened_on=day))
    assert Touchpoint.objects.get().happened_on == day


@pytest.mark.parametrize(("what", "day", "message"), BAD_SNOOZES, ids=lambda v: str(v))
def test_bad_snoozes_are_refused_everywhere(client, researcher, what, day, message):
    company = scored_company()
    with pytest.raises(ServiceError, match=message):
        services.change_status(
            company=company, user=researcher, to_status="snoozed", snoozed_until=day
        )
    client.force_login(researcher)
    page = client.post(
        reverse("company_status", args=[company.pk]),
        {"to_status": "snoozed", "snoozed_until": day.isoformat()},
    )
    assert page.status_code == 400
    assert message in page.content.decode()
    api = APIClient()
    api.force_login(researcher)
    answer = api.post(
        f"/api/companies/{company.pk}/status/",
        {"to_status": "snoozed", "snoozed_until": day.isoformat()},
        format="json",
    )
    assert answer.status_code == 400
    assert message in answer.json()["snoozed_until"][0]
    assert Company.objects.get().status == "new"
    assert not StatusChange.objects.exists()


def test_a_snooze_for_a_year_is_taken(researcher):
    company = scored_company()
    day = TODAY + dt.timedelta(days=366)
    services.change_status(company=company, user=researcher, to_status="snoozed", snoozed_until=day)
    assert Company.objects.get().snoozed_until == day


def test_long_notes_and_reasons_are_refused_everywhere(client, researcher):
    company = scored_company()
    with pytest.raises(ServiceError, match="10,000 characters"):
        services.add_note(company=company, author=researcher, body="n" * 10_001)
    with pytest.raises(ServiceError, match="300 characters"):
        services.change_status(
            company=company, user=researcher, to_status="disqualified", reason="r" * 301
        )
    client.force_login(researcher)
    page = client.post(reverse("company_note", args=[company.pk]), {"body": "n" * 10_001})
    assert page.status_code == 400
    api = APIClient()
    api.force_login(researcher)
    for url, body in [
        ("notes", {"body": "n" * 10_001}),
        ("status", {"to_status": "disqualified", "reason": "r" * 301}),
        ("contacts", {"name": "Eve", "title": "t" * 201}),
        ("contacts", {"name": "Eve", "phone": "1" * 51}),
    ]:
        response = api.post(f"/api/companies/{company.pk}/{url}/", body, format="json")
        assert response.status_code == 400, (url, body)
    assert not Note.objects.exists()
    assert not company.contacts.exists()
    assert Company.objects.get().status == "new"


def test_a_two_megabyte_form_post_is_refused(client, rep):
    company = scored_company()
    client.force_login(rep)
    response = client.post(
        reverse("company_touchpoint", args=[company.pk]),
        as_post(touchpoint(summary="x" * 2_000_000)),
    )
    assert response.status_code == 400
    assert not Touchpoint.objects.exists()
