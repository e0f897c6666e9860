"""The REST API's front door: anonymous callers, users without a role, tokens."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from prospects.models import Note, ThresholdChange
from tests.api_client import client_for
from tests.crm_fixtures import scored_company

pytestmark = pytest.mark.django_db

READ_URLS = [
    "/api/queue/",
    "/api/companies/",
    "/api/visitors/",
    "/api/pageviews/",
    "/api/threshold/",
]


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
