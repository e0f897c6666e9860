"""Company endpoints: the full record, the list, and every CRM write with its roles."""

import datetime as dt

import pytest
from django.utils import timezone

from prospects.models import (
    Company,
    Contact,
    Note,
    PageView,
    Session,
    StatusChange,
    Touchpoint,
    Visitor,
)
from tests.api_client import client_for, company_ids
from tests.crm_fixtures import scored_company
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


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
