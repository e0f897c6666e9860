"""The queue endpoint: ranking, reasons, constant queries, and every filter's meaning."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from prospects.models import Company, Session, ThresholdChange
from scoring.models import CompanyScore
from tests.api_client import client_for, company_ids
from tests.crm_fixtures import scored_company
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_queue_lists_companies_above_threshold_best_first_with_reasons(researcher):
    best = scored_company(0.9, name="Best Ltd")
    good = scored_company(0.7)
    scored_company(0.2)  # below the 0.50 threshold
    scored_company(0.95, relationship=Company.Relationship.CUSTOMER)  # a dead end
    response = client_for(researcher).get("/api/queue/")
    assert company_ids(response) == [best.pk, good.pk]
    row = response.json()["results"][0]
    assert row["name"] == "Best Ltd"
    assert row["probability"] == pytest.approx(0.9)
    assert row["reasons"] == ["viewed pricing 3 times", "returned on 2 days"]
    assert row["visitor_count"] == 1
    assert row["pricing_views"] == 1
    assert row["assignee"] is None


def test_queue_runs_a_constant_number_of_queries(researcher):
    client = client_for(researcher)

    def queries_for_queue():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/queue/").status_code == 200
        return len(ctx.captured_queries)

    for _ in range(3):
        scored_company()
    few = queries_for_queue()
    for _ in range(20):
        scored_company()
    assert queries_for_queue() == few


def queue_fixture(researcher) -> dict[str, Company]:
    """Companies that each filter tells apart, by name; two more that never enter the queue."""
    now = timezone.now()
    other = UserFactory(username="sam", role="researcher")
    companies = {
        "mine": scored_company(0.91, views=[("/resources/roi", "premium", "education")]),
        "theirs": scored_company(0.81),
        "old": scored_company(0.71, views=[("/blog/a", "blog", "education")]),
        "fresh": scored_company(0.61, views=[("/product", "product", "interest")]),
        "below the threshold": scored_company(0.30),
        "customer": scored_company(0.95, relationship=Company.Relationship.CUSTOMER),
    }
    Company.objects.filter(pk=companies["mine"].pk).update(
        assignee=researcher, status="researching"
    )
    Company.objects.filter(pk=companies["theirs"].pk).update(assignee=other, status="ready")
    # "Last visit" is the score's, as of the last rescore.
    for name, age in (("mine", 2 * 24), ("theirs", 10 * 24), ("old", 40 * 24), ("fresh", 1)):
        CompanyScore.objects.filter(company=companies[name]).update(
            last_visit=now - dt.timedelta(hours=age)
        )
    visitor = companies["fresh"].visitors.get()
    Session.objects.create(
        visitor=visitor, started_at=now, ended_at=now, pageview_count=1, source_type="search"
    )
    return companies


# Each filter, and the companies it must give, in order: written out by hand, not recomputed.
QUEUE_CASES = {
    "": ["mine", "theirs", "old", "fresh"],
    "status=researching": ["mine"],
    "status=ready": ["theirs"],
    "assignee=me": ["mine"],
    "assignee=nobody": ["old", "fresh"],
    "assignee=anyone": ["mine", "theirs", "old", "fresh"],
    "score_min=70": ["mine", "theirs", "old"],
    "score_min=65&score_max=85": ["theirs", "old"],
    f"last_visit_after={TODAY - dt.timedelta(days=7)}": ["mine", "fresh"],
    f"last_visit_before={TODAY - dt.timedelta(days=30)}": ["old"],
    "category=premium": ["mine"],
    "category=pricing": ["theirs"],
    "funnel_stage=interest": ["fresh"],
    "source_type=search": ["fresh"],
    "ordering=-recency": ["fresh", "mine", "theirs", "old"],
    "ordering=recency": ["old", "theirs", "mine", "fresh"],
    "ordering=score": ["fresh", "old", "theirs", "mine"],
}


@pytest.mark.parametrize("query", list(QUEUE_CASES))
def test_each_filter_gives_its_companies_in_the_api_and_on_the_page(researcher, query):
    companies = queue_fixture(researcher)
    expected = [companies[name].pk for name in QUEUE_CASES[query]]
    client = client_for(researcher)
    assert company_ids(client.get(f"/api/queue/?{query}")) == expected
    page = client.get(f"/?{query}")
    assert page.status_code == 200
    assert [int(pk) for pk in re.findall(r'data-company-id="(\d+)"', page.content.decode())] == (
        expected
    )


def test_a_bad_filter_value_is_a_400_in_the_api(researcher):
    scored_company()
    response = client_for(researcher).get("/api/queue/?status=bogus")
    assert response.status_code == 400
    assert "status" in response.json()


def test_the_queue_pages_through_fifty_at_a_time(researcher):
    for i in range(55):
        scored_company(0.99 - i / 200)
    client = client_for(researcher)
    first = client.get("/api/queue/").json()
    assert (first["count"], len(first["results"])) == (55, 50)
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 5 and second["next"] is None


def test_only_admins_change_the_threshold_and_the_queue_follows(researcher, admin_user):
    middling = scored_company(0.4)
    client = client_for(researcher)
    assert middling.pk not in company_ids(client.get("/api/queue/"))
    assert client.post("/api/threshold/", {"value": "0.30"}).status_code == 403
    assert ThresholdChange.objects.current() == Decimal("0.50")
    assert client_for(admin_user).post("/api/threshold/", {"value": "1.5"}).status_code == 400
    response = client_for(admin_user).post("/api/threshold/", {"value": "0.30"})
    assert response.status_code == 201
    assert response.json()["changed_by"] == "ada"
    assert ThresholdChange.objects.first().value == Decimal("0.30")
    assert middling.pk in company_ids(client.get("/api/queue/"))
    capacity = client.get("/api/threshold/").json()
    assert capacity["value"] == "0.30"
    assert {"threshold": "0.30", "companies": 1} in capacity["queue_length_by_threshold"]
