"""Helpers for the API tests: a client logged in as someone, and the ids in a list answer."""

from rest_framework.test import APIClient


def client_for(user=None) -> APIClient:
    """An API client, logged in as `user` when given."""
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


def company_ids(response) -> list[int]:
    """The ids of a paginated list answer, in order (the answer must be a 200)."""
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]
