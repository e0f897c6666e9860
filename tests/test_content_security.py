"""Every page sends a Content-Security-Policy that allows no inline script, and holds to it."""

import re

import pytest
from django.urls import reverse

from tests.crm_fixtures import scored_company
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = (part.strip().split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in directives}


def test_pages_send_a_policy_without_inline_scripts(client, admin_user):
    response = client.get(reverse("login"))
    csp = policy(response)
    assert csp["script-src"] == ["'self'"]
    assert csp["default-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]


def test_no_page_carries_an_inline_script_or_handler(client):
    company = scored_company()
    root = UserFactory(username="root", role="admin", is_superuser=True)
    client.force_login(root)
    urls = [
        reverse("queue"),
        reverse("company", args=[company.pk]),
        reverse("my_work"),
        reverse("capacity"),
        reverse("imports"),
        reverse("identification"),
        reverse("scoring:model"),
        "/api/docs/",
        f"/api/companies/{company.pk}/?format=api",
        "/admin/",
        "/admin/axes/accessattempt/",
        "/admin/prospects/ipresolution/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Content-Security-Policy" in response, url
        html = response.content.decode()
        # A script element runs only with a src on this server; data blocks are not scripts.
        for tag in re.findall(r"<script\b[^>]*>", html, re.IGNORECASE):
            assert "src=" in tag or 'type="application/json"' in tag, (url, tag)
        assert not re.search(r"\son[a-z]+\s*=", html, re.IGNORECASE), url
        assert "javascript:" not in html.lower(), url


@pytest.mark.parametrize("url", ["/api/", "/api/schema/", "/api/docs/", "/api/docs/?script="])
def test_the_api_front_door_needs_a_role(client, outsider, researcher, url):
    client.force_login(outsider)
    assert client.get(url).status_code == 403
    client.force_login(researcher)
    assert client.get(url).status_code == 200
