"""The REST API: login and roles, the queue's filters, the CRM writes, the schema and its docs."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from prospects.models import (
    Company,
    Contact,
    Note,
    PageView,
    Session,
    StatusChange,
    ThresholdChange,
    Touchpoint,
    Visitor,
)
from prospects.queue import selectors
from prospects.queue.filtersets import CompanyQueueFilter
from tests.crm_fixtures import scored_company
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()

READ_URLS = [
    "/api/queue/",
    "/api/companies/",
    "/api/visitors/",
    "/api/pageviews/",
    "/api/threshold/",
]


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


def company_ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


@pytest.mark.parametrize("url", [*READ_URLS, "/api/schema/", "/api/docs/"])
def test_every_endpoint_refuses_anonymous_callers(url):
    response = client_for().get(url)
    assert response.status_code in (401, 403)


def test_anonymous_writes_change_nothing():
    company = scored_company()
    client = client_for()
    assert client.post(f"/api/companies/{company.pk}/claim/").status_code in (401, 403)
    assert client.post("/api/threshold/", {"value": "0.10"}).status_code in (401, 403)
    company.refresh_from_db()
    assert company.assignee is None
    assert ThresholdChange.objects.count() == 1


def test_user_without_a_role_reads_nothing_and_writes_nothing(outsider):
    company = scored_company()
    client = client_for(outsider)
    for url in [*READ_URLS, f"/api/companies/{company.pk}/"]:
        assert client.get(url).status_code == 403, url
    assert client.post(f"/api/companies/{company.pk}/notes/", {"body": "hi"}).status_code == 403
    assert not Note.objects.exists()


@pytest.mark.parametrize("role_user", ["researcher", "rep", "admin_user"])
def test_every_role_reads_every_endpoint(role_user, request):
    company = scored_company()
    client = client_for(request.getfixturevalue(role_user))
    for url in [*READ_URLS, f"/api/companies/{company.pk}/"]:
        assert client.get(url).status_code == 200, url


def test_token_authentication_works_without_a_session(researcher):
    scored_company()
    token = Token.objects.create(user=researcher)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get("/api/queue/").status_code == 200
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get("/api/queue/").status_code in (401, 403)


def test_token_endpoint_trades_a_password_for_a_token(researcher):
    response = APIClient().post(
        "/api/token/", {"username": "rita", "password": "correct-horse-battery"}
    )
    assert response.status_code == 200
    assert response.json()["token"] == Token.objects.get(user=researcher).key


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


def queue_fixture(researcher):
    """Companies that each filter tells apart."""
    now = timezone.now()
    other = UserFactory(username="sam", role="researcher")
    mine = scored_company(0.91, views=[("/resources/roi", "premium", "education")])
    theirs = scored_company(0.81)
    old = scored_company(0.71, views=[("/blog/a", "blog", "education")])
    fresh = scored_company(0.61, views=[("/product", "product", "interest")])
    Company.objects.filter(pk=mine.pk).update(assignee=researcher, status="researching")
    Company.objects.filter(pk=theirs.pk).update(assignee=other, status="ready")
    Visitor.objects.filter(company=old).update(last_seen=now - dt.timedelta(days=40))
    Visitor.objects.filter(company=fresh).update(last_seen=now - dt.timedelta(hours=1))
    # fresh's visitor arrived from a search engine.
    visitor = Visitor.objects.get(company=fresh)
    visitor.sessions.create(started_at=now, ended_at=now, pageview_count=1, source_type="search")


QUEUE_QUERIES = [
    "",
    "status=researching",
    "status=ready",
    "assignee=me",
    "assignee=nobody",
    "assignee=anyone",
    "score_min=0.7",
    "score_min=0.65&score_max=0.85",
    f"last_visit_after={TODAY - dt.timedelta(days=7)}",
    f"last_visit_before={TODAY - dt.timedelta(days=30)}",
    "category=premium",
    "category=pricing",
    "funnel_stage=interest",
    "source_type=search",
    "ordering=-recency",
    "ordering=recency",
    "ordering=score",
]


@pytest.mark.parametrize("query", QUEUE_QUERIES)
def test_api_filters_match_the_queue_filterset(researcher, query, rf):
    queue_fixture(researcher)
    api_ids = company_ids(client_for(researcher).get(f"/api/queue/?{query}"))
    request = rf.get(f"/?{query}")
    request.user = researcher
    expected = CompanyQueueFilter(
        request.GET, queryset=selectors.research_queue(user=researcher), request=request
    ).qs
    assert api_ids == [c.pk for c in expected]


@pytest.mark.parametrize("query", QUEUE_QUERIES)
def test_api_filters_match_the_queue_page(researcher, query):
    queue_fixture(researcher)
    client = client_for(researcher)
    api_ids = company_ids(client.get(f"/api/queue/?{query}"))
    page = client.get(f"/?{query}")
    assert page.status_code == 200
    page_ids = [int(pk) for pk in re.findall(r'data-company-id="(\d+)"', page.content.decode())]
    assert api_ids == page_ids


def test_filters_really_narrow_the_queue(researcher):
    queue_fixture(researcher)
    client = client_for(researcher)
    assert len(company_ids(client.get("/api/queue/"))) == 4
    assert len(company_ids(client.get("/api/queue/?assignee=me"))) == 1
    assert len(company_ids(client.get("/api/queue/?assignee=nobody"))) == 2
    assert len(company_ids(client.get("/api/queue/?category=premium"))) == 1
    assert len(company_ids(client.get("/api/queue/?source_type=search"))) == 1
    assert client.get("/api/queue/?status=bogus").status_code == 400


def test_company_detail_shows_evidence_score_and_work(researcher, rep):
    company = scored_company(0.8)
    client = client_for(researcher)
    client.post(f"/api/companies/{company.pk}/notes/", {"body": "Runs 40 consultants."})
    client.post(f"/api/companies/{company.pk}/contacts/", {"name": "Ann Lee", "persona": "coo"})
    detail = client.get(f"/api/companies/{company.pk}/").json()
    assert detail["company"]["domain"] == company.domain
    assert detail["score"]["probability"] == pytest.approx(0.8)
    assert detail["score"]["reasons"][0] == "viewed pricing 3 times"
    sessions = Session.objects.filter(visitor__company=company)
    assert detail["session_total"] == sessions.count()
    assert [v["path"] for x in detail["sessions"] for v in x["pageviews"]] == list(
        PageView.objects.filter(session__in=sessions).values_list("page__path", flat=True)
    )
    assert detail["ips"] == []
    assert [n["body"] for n in detail["notes"]] == ["Runs 40 consultants."]
    assert detail["contacts"][0]["persona_hint"].startswith("ROI")
    assert client.get("/api/companies/999999/").status_code == 404


def test_company_list_includes_dead_ends_and_takes_the_queue_filters(researcher):
    prospect = scored_company(0.9)
    customer = scored_company(0.9, relationship=Company.Relationship.CUSTOMER)
    client = client_for(researcher)
    ids = company_ids(client.get("/api/companies/"))
    assert {prospect.pk, customer.pk} <= set(ids)
    assert company_ids(client.get("/api/companies/?ordering=-score&score_min=0.5")) == sorted(
        [prospect.pk, customer.pk], key=lambda pk: -Company.objects.get(pk=pk).score.probability
    )


def test_visitors_and_pageviews_filter_by_company(researcher):
    company = scored_company(
        views=[("/pricing", "pricing", "differentiation"), ("/blog/x", "blog", "education")]
    )
    scored_company()
    client = client_for(researcher)
    visitors = client.get(f"/api/visitors/?company={company.pk}").json()["results"]
    assert [v["company"] for v in visitors] == [company.pk]
    views = client.get(f"/api/pageviews/?company={company.pk}").json()["results"]
    assert sorted(v["path"] for v in views) == ["/blog/x", "/pricing"]
    pricing = client.get(f"/api/pageviews/?company={company.pk}&category=pricing").json()
    assert [v["path"] for v in pricing["results"]] == ["/pricing"]


# Writes ---------------------------------------------------------------------------------------


def test_researcher_claims_and_second_claimant_gets_a_clear_400(researcher):
    company = scored_company()
    response = client_for(researcher).post(f"/api/companies/{company.pk}/claim/")
    assert response.status_code == 200
    assert response.json()["assignee"] == "rita"
    assert response.json()["status"] == "researching"
    assert response.json()["last_visit"] is not None
    other = UserFactory(username="sam", role="researcher")
    response = client_for(other).post(f"/api/companies/{company.pk}/claim/")
    assert response.status_code == 400
    assert "already claimed by rita" in response.json()["non_field_errors"][0]
    company.refresh_from_db()
    assert company.assignee == researcher


def test_rep_cannot_claim_and_nothing_changes(rep):
    company = scored_company()
    assert client_for(rep).post(f"/api/companies/{company.pk}/claim/").status_code == 403
    company.refresh_from_db()
    assert company.assignee is None
    assert company.status == "new"
    assert not StatusChange.objects.exists()


def test_release_by_holder_and_reassign_by_admin_only(researcher, admin_user):
    company = scored_company()
    client_for(researcher).post(f"/api/companies/{company.pk}/claim/")
    other = UserFactory(username="sam", role="researcher")
    assert client_for(other).post(f"/api/companies/{company.pk}/release/").status_code == 403
    response = client_for(other).post(
        f"/api/companies/{company.pk}/reassign/", {"to_user": "sam"}, format="json"
    )
    assert response.status_code == 403
    company.refresh_from_db()
    assert company.assignee == researcher
    response = client_for(admin_user).post(
        f"/api/companies/{company.pk}/reassign/", {"to_user": "sam"}, format="json"
    )
    assert response.json()["assignee"] == "sam"
    assert client_for(other).post(f"/api/companies/{company.pk}/release/").status_code == 200
    company.refresh_from_db()
    assert company.assignee is None


def test_notes_are_written_by_researchers_and_reps(researcher, rep):
    company = scored_company()
    response = client_for(researcher).post(
        f"/api/companies/{company.pk}/notes/", {"body": "  Uses spreadsheets today.  "}
    )
    assert response.status_code == 201
    assert response.json()["author"] == "rita"
    assert (
        client_for(rep).post(f"/api/companies/{company.pk}/notes/", {"body": "Called."}).status_code
        == 201
    )
    assert list(Note.objects.values_list("body", flat=True).order_by("id")) == [
        "Uses spreadsheets today.",
        "Called.",
    ]
    response = client_for(researcher).post(f"/api/companies/{company.pk}/notes/", {"body": "   "})
    assert response.status_code == 400
    assert Note.objects.count() == 2


def test_contacts_by_researchers_are_validated_and_refused_to_reps(researcher, rep):
    company = scored_company()
    url = f"/api/companies/{company.pk}/contacts/"
    contact = {
        "name": "Ann Lee",
        "title": "COO",
        "persona": "coo",
        "email": "ann@example.com",
        "linkedin_url": "https://www.linkedin.com/in/annlee",
    }
    assert client_for(rep).post(url, contact).status_code == 403
    assert not Contact.objects.exists()
    bad = client_for(researcher).post(url, {**contact, "email": "not-an-email", "persona": "ceo"})
    assert bad.status_code == 400
    assert set(bad.json()) == {"email", "persona"}
    response = client_for(researcher).post(url, contact)
    assert response.status_code == 201
    saved = Contact.objects.get()
    assert (saved.company, saved.persona, saved.created_by) == (company, "coo", researcher)


def test_rep_logs_touchpoint_which_moves_company_into_outreach(researcher, rep):
    company = scored_company()
    contact = Contact.objects.create(company=company, name="Ann Lee")
    url = f"/api/companies/{company.pk}/touchpoints/"
    touch = {
        "channel": "email",
        "happened_on": TODAY.isoformat(),
        "outcome": "replied",
        "summary": "Asked for the ROI study.",
        "contact": contact.pk,
    }
    assert client_for(researcher).post(url, touch).status_code == 403
    assert not Touchpoint.objects.exists()
    response = client_for(rep).post(url, touch)
    assert response.status_code == 201
    assert response.json()["contact"] == contact.pk
    company.refresh_from_db()
    assert company.status == "in_outreach"
    elsewhere = Contact.objects.create(company=scored_company(), name="Bob")
    assert client_for(rep).post(url, {**touch, "contact": elsewhere.pk}).status_code == 400
    future = (TODAY + dt.timedelta(days=3)).isoformat()
    assert client_for(rep).post(url, {**touch, "happened_on": future}).status_code == 400
    assert Touchpoint.objects.count() == 1


def test_converted_touchpoint_is_an_outreach_conversion_not_a_visitor_one(rep):
    company = scored_company()
    response = client_for(rep).post(
        f"/api/companies/{company.pk}/touchpoints/",
        {"channel": "meeting", "happened_on": TODAY.isoformat(), "outcome": "converted"},
    )
    assert response.status_code == 201
    company.refresh_from_db()
    assert company.status == "converted"
    assert not Visitor.objects.filter(company=company, converted_at__isnull=False).exists()


def test_status_moves_follow_the_workflow(researcher, rep):
    company = scored_company()
    url = f"/api/companies/{company.pk}/status/"
    client = client_for(researcher)
    response = client.post(url, {"to_status": "converted"})
    assert response.status_code == 400
    assert "cannot move to converted" in response.json()["non_field_errors"][0]
    assert client.post(url, {"to_status": "researching"}).status_code == 201
    response = client.post(url, {"to_status": "ready", "reason": "Found the COO"})
    assert response.status_code == 201
    assert response.json()["changed_by"] == "rita"
    assert client_for(rep).post(url, {"to_status": "researching"}).status_code == 403
    assert client.post(url, {"to_status": "disqualified"}).status_code == 400
    assert client.post(url, {"to_status": "snoozed"}).status_code == 400
    snooze = (TODAY + dt.timedelta(days=14)).isoformat()
    assert client.post(url, {"to_status": "snoozed", "snoozed_until": snooze}).status_code == 201
    company.refresh_from_db()
    assert (company.status, company.snoozed_until.isoformat()) == ("snoozed", snooze)
    assert list(StatusChange.objects.values_list("to_status", flat=True).order_by("id")) == [
        "researching",
        "ready",
        "snoozed",
    ]


def test_company_edits_by_research_staff_only(researcher, rep):
    company = scored_company()
    url = f"/api/companies/{company.pk}/"
    assert client_for(rep).patch(url, {"name": "Renamed"}).status_code == 403
    response = client_for(researcher).patch(url, {"name": "Acme Consulting", "size": "51-200"})
    assert response.status_code == 200
    company.refresh_from_db()
    assert (company.name, company.size, company.name_is_derived) == (
        "Acme Consulting",
        "51-200",
        False,
    )
    assert client_for(researcher).put(url, {"name": "X"}).status_code == 405


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


# Schema and docs ------------------------------------------------------------------------------


def test_schema_is_served_and_lists_the_endpoints(researcher):
    response = client_for(researcher).get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    for path in (
        "/api/queue/",
        "/api/companies/{id}/",
        "/api/companies/{id}/notes/",
        "/api/companies/{id}/contacts/",
        "/api/companies/{id}/touchpoints/",
        "/api/companies/{id}/status/",
        "/api/companies/{id}/claim/",
        "/api/visitors/",
        "/api/pageviews/",
    ):
        assert path in schema["paths"], path
    queue_params = {p["name"] for p in schema["paths"]["/api/queue/"]["get"]["parameters"]}
    assert {
        "status",
        "assignee",
        "score_min",
        "category",
        "source_type",
        "ordering",
    } <= queue_params


def test_docs_page_loads_everything_from_this_server(researcher):
    response = client_for(researcher).get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="swagger-ui"' in html
    assert not re.search(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", html, re.IGNORECASE)
    assets = re.findall(r'(?:src|href)="/static/([^"]+)"', html)
    assert len(assets) >= 3
    for asset in assets:
        assert finders.find(asset), asset
    assert '"validatorUrl": null' in html
