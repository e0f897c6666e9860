"""Bad requests get a 4xx with a message, never a 500: the cases an attacker's probe found."""

import json

import pytest
from rest_framework.test import APIClient

from prospects.models import Note, Visitor
from tests.crm_fixtures import scored_company

pytestmark = pytest.mark.django_db
BEYOND_64_BITS = "9" * 25


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def refused(response, status=400) -> str:
    """The answer's text, after checking it is the expected refusal and carries a message."""
    assert response.status_code == status, response.content[:500]
    text = response.content.decode()
    assert len(text) > 20
    return text


@pytest.mark.parametrize(
    ("url", "field", "day"),
    [
        ("/", "last_visit_before", "9999-12-31"),
        ("/api/queue/", "last_visit_before", "9999-12-31"),
        ("/api/companies/", "last_visit_after", "0001-01-01"),
        ("/api/queue/", "last_visit_after", "1970-01-01"),
    ],
)
def test_implausible_filter_dates_are_refused(client, researcher, url, field, day):
    scored_company()
    client.force_login(researcher)
    text = refused(client.get(url, {field: day}))
    assert "Choose a date from 1990-01-01 to 2100-12-31" in text


@pytest.mark.parametrize("ip", ["not-an-ip", "1.2.3.4%eth0", "fe80::1%eth0", "1.2.3.4/24"])
def test_visitor_ip_filter_takes_only_an_address(researcher, ip):
    text = refused(client_for(researcher).get("/api/visitors/", {"ip": ip}))
    assert "ip" in json.loads(text)


def test_visitor_ip_filter_matches_the_stored_form(researcher):
    company = scored_company()
    visitor = Visitor.objects.get(company=company)
    client = client_for(researcher)
    found = client.get("/api/visitors/", {"ip": f"::ffff:{visitor.ip}"}).json()["results"]
    assert [row["id"] for row in found] == [visitor.pk]


@pytest.mark.parametrize(
    "url",
    [
        f"/api/visitors/?company={BEYOND_64_BITS}",
        f"/api/pageviews/?visitor={BEYOND_64_BITS}",
        f"/api/pageviews/?session={BEYOND_64_BITS}",
        f"/api/pageviews/?company=-{BEYOND_64_BITS}",
        "/api/pageviews/?visitor=1.5",
    ],
)
def test_ids_beyond_64_bits_in_filters_are_refused(researcher, url):
    refused(client_for(researcher).get(url))


@pytest.mark.parametrize(
    "url",
    [
        f"/api/companies/{BEYOND_64_BITS}/",
        f"/api/visitors/{BEYOND_64_BITS}/",
        f"/api/pageviews/{BEYOND_64_BITS}/",
        f"/companies/{BEYOND_64_BITS}/",
    ],
)
def test_ids_beyond_64_bits_in_paths_are_not_found(researcher, url):
    refused(client_for(researcher).get(url), status=404)


def test_touchpoint_for_a_contact_id_beyond_64_bits_is_refused(rep):
    company = scored_company()
    response = client_for(rep).post(
        f"/api/companies/{company.pk}/touchpoints/",
        {"channel": "email", "happened_on": "2026-01-05", "outcome": "replied", "contact": 2**70},
        format="json",
    )
    assert "contact" in refused(response)


@pytest.mark.parametrize(
    ("depth", "message"),
    [
        # 100,000 levels are 200 KB: the size cap refuses them before the depth is counted.
        (100_000, "larger than 64 KB"),
        (5_000, "nested deeper than 32 levels"),
        (33, "nested deeper than 32 levels"),
    ],
)
def test_deeply_nested_json_is_refused(rep, depth, message):
    company = scored_company()
    body = '{"body": ' + "[" * depth + "]" * depth + "}"
    response = client_for(rep).post(
        f"/api/companies/{company.pk}/notes/", body, content_type="application/json"
    )
    assert message in refused(response)
    assert not Note.objects.exists()


def test_a_json_body_over_64_kb_is_refused(rep):
    company = scored_company()
    body = json.dumps({"body": "x" * 70_000})
    response = client_for(rep).post(
        f"/api/companies/{company.pk}/notes/", body, content_type="application/json"
    )
    assert "larger than 64 KB" in refused(response)


def test_nesting_inside_strings_does_not_count(rep):
    company = scored_company()
    response = client_for(rep).post(
        f"/api/companies/{company.pk}/notes/",
        {"body": "[[[[" * 100 + ' \\" {{{{' * 50},
        format="json",
    )
    assert response.status_code == 201, response.content


@pytest.mark.parametrize("user", ["researcher", "admin_user", "rep"])
def test_browsable_company_page_renders_for_every_role(request, user):
    company = scored_company(name="Acme <b>Ltd</b>")
    response = client_for(request.getfixturevalue(user)).get(
        f"/api/companies/{company.pk}/", HTTP_ACCEPT="text/html"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Acme &lt;b&gt;Ltd&lt;/b&gt;" in html
    assert "<b>Ltd</b>" not in html


@pytest.mark.parametrize(
    "path",
    [
        "/api/queue.json",
        "/api/companies.json",
        "/api/companies/{id}.json",
        "/api/companies/{id}/claim.json",
        "/api/visitors.json",
        "/api/pageviews.json",
        "/api/threshold.json",
        "/api/.json",
    ],
)
def test_format_suffix_routes_are_not_found(researcher, path):
    company = scored_company()
    refused(client_for(researcher).get(path.format(id=company.pk)), status=404)


def test_format_is_chosen_with_the_query_string(researcher):
    response = client_for(researcher).get("/api/queue/?format=json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
