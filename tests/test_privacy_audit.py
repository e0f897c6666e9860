"""The audit log: who viewed a company page or read and exported visitors through the API."""

import pytest
from django.urls import reverse

from prospects.models import AuditEvent
from tests.api_client import client_for
from tests.crm_fixtures import scored_company

pytestmark = pytest.mark.django_db


def test_a_company_page_view_is_logged_with_who_and_what(client, researcher):
    company = scored_company()
    client.force_login(researcher)
    assert client.get(reverse("company", args=[company.pk])).status_code == 200
    event = AuditEvent.objects.get()
    assert (event.user, event.username, event.action) == (researcher, "rita", "view")
    assert (event.object_kind, event.object_id) == ("company", company.pk)
    assert event.path == f"/companies/{company.pk}/"


def test_api_listings_are_exports_and_details_are_views(client, researcher):
    company = scored_company()
    visitor = company.visitors.get()
    client.force_login(researcher)
    client.get("/api/visitors/?format=json")
    client.get(f"/api/visitors/{visitor.pk}/?format=json")
    client.get("/api/pageviews/?format=json")
    client.get(f"/api/companies/{company.pk}/?format=json")
    client.get("/api/companies/999999/?format=json")  # a 404 shows nothing: not logged
    rows = list(AuditEvent.objects.order_by("id").values_list("action", "object_kind", "object_id"))
    assert rows == [
        ("export", "visitors", None),
        ("view", "visitors", visitor.pk),
        ("export", "page views", None),
        ("view", "company", company.pk),
    ]


def test_refused_requests_are_not_logged(client, outsider):
    company = scored_company()
    client.force_login(outsider)
    assert client.get(reverse("company", args=[company.pk])).status_code == 403
    assert client.get("/api/visitors/?format=json").status_code == 403
    assert not AuditEvent.objects.exists()


def test_the_privacy_page_shows_the_latest_events(client, researcher, admin_user):
    company = scored_company()
    client.force_login(researcher)
    client.get(reverse("company", args=[company.pk]))
    client.force_login(admin_user)
    page = client.get(reverse("privacy")).content.decode()
    assert "rita" in page and f"company {company.pk}" in page


def test_csv_exports_are_logged(client, researcher):
    scored_company()
    client.force_login(researcher)
    for name in ("export_queue", "export_companies", "export_contacts", "export_touchpoints"):
        response = client.get(reverse(name))
        assert response.status_code == 200
        b"".join(response.streaming_content)
    # The same downloads from the API, and the queue's bulk export of all matching rows.
    api = client_for(researcher)
    for path in ("queue", "companies", "contacts", "touchpoints"):
        response = api.get(f"/api/{path}/?format=csv")
        assert response.status_code == 200
        b"".join(response.streaming_content)
    bulk = client.post(reverse("queue_bulk"), {"action": "export", "all_matching": "1"})
    assert bulk.status_code == 200
    b"".join(bulk.streaming_content)
    rows = list(AuditEvent.objects.order_by("id").values_list("username", "action", "object_kind"))
    kinds = ["queue", "companies", "contacts", "touchpoints"]
    assert rows == [("rita", "export", kind) for kind in [*kinds, *kinds, "queue"]]
