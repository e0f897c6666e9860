"""Brute force on /login/ and /api/token/ is refused per account and per address (django-axes)."""

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
RIGHT = "correct-horse-battery"
LIMIT = 5


def login(username, password, ip="192.0.2.10"):
    return Client(REMOTE_ADDR=ip).post(
        reverse("login"), {"username": username, "password": password}
    )


def token(username, password, ip="192.0.2.10"):
    return APIClient(REMOTE_ADDR=ip).post(
        "/api/token/", {"username": username, "password": password}
    )


@pytest.mark.parametrize("attempt", [login, token], ids=["login", "token"])
def test_an_account_is_locked_after_five_wrong_passwords_from_anywhere(researcher, attempt):
    for n in range(LIMIT - 1):
        response = attempt("rita", f"guess-{n}", ip=f"192.0.2.{n + 1}")
        assert response.status_code in (200, 400)  # the form or the API says "wrong"
    # The fifth wrong password locks the account.
    assert attempt("rita", "guess-5", ip="192.0.2.5").status_code == 429
    # The right password from a sixth address is refused too: the account is locked.
    locked = attempt("rita", RIGHT, ip="192.0.2.99")
    assert locked.status_code == 429
    assert "locked" in locked.content.decode().lower()
    # Others log in as usual.
    UserFactory(username="sam", role="researcher")
    assert attempt("sam", RIGHT, ip="192.0.2.99").status_code in (200, 302)


@pytest.mark.parametrize("attempt", [login, token], ids=["login", "token"])
def test_an_address_is_locked_after_five_wrong_passwords_for_any_account(researcher, attempt):
    for n in range(LIMIT):
        attempt(f"someone-{n}", "guess", ip="198.51.100.66")
    assert attempt("rita", RIGHT, ip="198.51.100.66").status_code == 429
    # The same person from another address is not locked.
    assert attempt("rita", RIGHT, ip="198.51.100.67").status_code in (200, 302)


def test_the_lockout_counts_the_address_behind_the_proxy(researcher, settings):
    settings.LEADGEN_PROXY_COUNT = 1
    for n in range(LIMIT):
        Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"10.9.9.9, 203.0.113.{n}").post(
            reverse("login"), {"username": f"someone-{n}", "password": "guess"}
        )
    # Five addresses behind one proxy: none is locked, and what the client put first is ignored.
    ok = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.50").post(
        reverse("login"), {"username": "rita", "password": RIGHT}
    )
    assert ok.status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {
        f"203.0.113.{n}" for n in range(LIMIT)
    }


def test_fewer_wrong_passwords_than_the_limit_do_not_lock(researcher):
    for n in range(LIMIT - 1):
        login("rita", f"guess-{n}")
    assert login("rita", RIGHT).status_code == 302
    # A success resets the count.
    assert not AccessAttempt.objects.filter(username="rita").exists()


def test_admins_see_the_attempts_per_account_and_address(client, researcher):
    for n in range(LIMIT):
        login("rita", f"guess-{n}", ip="198.51.100.7")
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(root)
    page = client.get(reverse("admin:axes_accessattempt_changelist"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "rita" in html and "198.51.100.7" in html
    attempt = AccessAttempt.objects.get(username="rita")
    assert attempt.failures_since_start == LIMIT
