"""The score in words everywhere: "82% chance of a trial or contact request within 30 days"."""

import pytest
from django.urls import reverse

from prospects.crm import services
from tests.api_client import client_for
from tests.crm_fixtures import scored_company

pytestmark = pytest.mark.django_db
WORDS = "82% chance of a trial or contact request within 30 days"


def test_the_api_gives_the_chance_in_words_beside_the_probability(researcher):
    company = scored_company(0.82)
    client = client_for(researcher)
    row = client.get("/api/queue/").json()["results"][0]
    assert (row["probability"], row["chance"]) == (pytest.approx(0.82), WORDS)
    listed = client.get("/api/companies/").json()["results"][0]
    assert listed["chance"] == WORDS
    score = client.get(f"/api/companies/{company.pk}/").json()["score"]
    assert (score["chance"], score["visitor_count"]) == (WORDS, 1)
    visitor = client.get("/api/visitors/").json()["results"][0]
    assert visitor["chance"] is None  # not scored: no words either


def test_the_horizon_setting_changes_the_words(settings, researcher):
    settings.LEADGEN_SCORE_HORIZON_DAYS = 14
    scored_company(0.82)
    row = client_for(researcher).get("/api/queue/").json()["results"][0]
    assert row["chance"] == "82% chance of a trial or contact request within 14 days"


def test_pages_say_what_the_score_means(client, researcher):
    company = scored_company(0.82)
    services.claim_company(company=company, user=researcher)
    client.force_login(researcher)
    queue = client.get(reverse("queue")).content.decode()
    assert "Companies with at least a <strong>50%</strong> chance of a trial or contact" in queue
    assert f'title="{WORDS}"' in queue
    page = client.get(reverse("company", args=[company.pk])).content.decode()
    assert f"{WORDS}, from 1 eligible visitor." in page
    assert f'title="{WORDS}"' in client.get(reverse("my_work")).content.decode()
    search = client.get(reverse("search"), {"q": company.name[:6]}).content.decode()
    assert f'title="{WORDS}"' in search
