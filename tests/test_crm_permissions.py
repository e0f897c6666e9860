"""Forbidden actions answer 403 and change nothing (test_access checks every route's roles)."""

from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from prospects.crm import services
from prospects.management.commands.create_demo_users import DEMO_USERS
from prospects.models import (
    Company,
    Contact,
    IdentificationOverride,
    Note,
    StatusChange,
    ThresholdChange,
    Touchpoint,
)
from prospects.roles import has_role
from tests.crm_fixtures import scored_company

pytestmark = pytest.mark.django_db


def test_login_page_renders_the_form(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b'id="id_username"' in response.content and b'id="id_password"' in response.content


def test_rep_cannot_claim(client, rep):
    company = scored_company()
    client.force_login(rep)
    response = client.post(reverse("company_claim", args=[company.pk]))
    assert response.status_code == 403
    company.refresh_from_db()
    assert company.assignee is None and company.status == "new"


def test_anonymous_claim_changes_nothing(client):
    company = scored_company()
    response = client.post(reverse("company_claim", args=[company.pk]))
    assert response.status_code == 302
    company.refresh_from_db()
    assert company.assignee is None


def test_outsider_cannot_write_a_note(client, outsider):
    company = scored_company()
    client.force_login(outsider)
    response = client.post(reverse("company_note", args=[company.pk]), {"body": "hi"})
    assert response.status_code == 403
    assert not Note.objects.exists()


def test_researcher_cannot_log_touchpoints(client, researcher):
    company = scored_company()
    client.force_login(researcher)
    response = client.post(
        reverse("company_touchpoint", args=[company.pk]),
        {"channel": "email", "happened_on": timezone.localdate(), "outcome": "converted"},
    )
    assert response.status_code == 403
    assert not Touchpoint.objects.exists()
    company.refresh_from_db()
    assert company.status == "new"


def test_rep_cannot_add_contacts_or_edit_the_company(client, rep):
    company = scored_company(name="Acme")
    client.force_login(rep)
    contact = client.post(reverse("company_contact", args=[company.pk]), {"name": "Eve"})
    edit = client.post(
        reverse("company_edit", args=[company.pk]), {"name": "Hacked", "relationship": "prospect"}
    )
    assert (contact.status_code, edit.status_code) == (403, 403)
    assert not Contact.objects.exists()
    company.refresh_from_db()
    assert company.name == "Acme"


def test_rep_cannot_make_research_moves(client, rep):
    company = scored_company()
    client.force_login(rep)
    response = client.post(
        reverse("company_status", args=[company.pk]), {"to_status": "researching"}
    )
    assert response.status_code == 403
    assert not StatusChange.objects.exists()


def test_only_admins_set_the_threshold(client, researcher, rep):
    for user in (researcher, rep):
        client.force_login(user)
        response = client.post(reverse("capacity"), {"value": "0.10"})
        assert response.status_code == 403
    assert ThresholdChange.objects.current() == Decimal("0.50")


def test_only_admins_reassign(client, researcher, rep):
    company = scored_company()
    services.claim_company(company=company, user=researcher)
    client.force_login(researcher)
    response = client.post(reverse("company_reassign", args=[company.pk]), {"to_user": rep.pk})
    assert response.status_code == 403
    company.refresh_from_db()
    assert company.assignee == researcher


def test_researcher_cannot_release_someone_elses_claim(client, researcher, admin_user):
    company = scored_company()
    services.claim_company(company=company, user=admin_user)
    client.force_login(researcher)
    response = client.post(reverse("company_release", args=[company.pk]))
    assert response.status_code == 403
    assert Company.objects.get(pk=company.pk).assignee == admin_user


def test_actions_refuse_get(client, researcher):
    company = scored_company()
    client.force_login(researcher)
    assert client.get(reverse("company_claim", args=[company.pk])).status_code == 405
    assert Company.objects.get(pk=company.pk).assignee is None


def test_rep_cannot_mark_identification_wrong(client, rep):
    company = scored_company()
    client.force_login(rep)
    ip = company.visitors.get().ip
    response = client.post(reverse("company_mark_wrong", args=[company.pk]), {"ip": ip})
    assert response.status_code == 403
    assert not IdentificationOverride.objects.exists()


def test_demo_users_are_created_once_per_role_and_can_log_in(client):
    out = StringIO()
    call_command("create_demo_users", stdout=out)
    call_command("create_demo_users", stdout=out)
    users = get_user_model().objects.filter(username__in=[u[0] for u in DEMO_USERS])
    assert users.count() == 3
    for username, role, _name, password in DEMO_USERS:
        assert f"password: {password}" in out.getvalue()
        response = client.post(reverse("login"), {"username": username, "password": password})
        assert response.status_code == 302, username
        assert has_role(users.get(username=username), role)
