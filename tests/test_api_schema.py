"""The OpenAPI schema and its docs page, served offline."""

import re

import pytest
from django.contrib.staticfiles import finders

from tests.api_client import client_for

pytestmark = pytest.mark.django_db


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
    # The start-up script is a file of its own (no inline script for the CSP to allow).
    assert "<script>" not in html
    script = client_for(researcher).get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert '"validatorUrl": null' in script.content.decode()
