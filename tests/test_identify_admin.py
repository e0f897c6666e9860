"""The admin shows every IP's classification with its evidence, and applies overrides at once."""

import pytest
from django.urls import reverse

from prospects.models import IdentificationOverride, IPResolution
from tests.factories import CompanyFactory, UserFactory, VisitorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_user(client):
    user = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


def test_evidence_is_listed_and_escaped(admin_client_user):
    row = IPResolution.objects.create(
        ip="198.51.100.200",
        outcome="ok",
        ptr_name="<script>x</script>.evil-corp.com",
        classification="unknown",
        evidence=["PTR <script>x</script>.evil-corp.com does not resolve back to 198.51.100.200"],
    )

    page = admin_client_user.get(reverse("admin:prospects_ipresolution_change", args=[row.pk]))

    html = page.content.decode()
    assert page.status_code == 200
    assert "<li>PTR &lt;script&gt;x&lt;/script&gt;.evil-corp.com does not resolve back" in html
    assert "<script>x</script>" not in html


def test_changelist_filters_by_classification(admin_client_user):
    IPResolution.objects.create(ip="198.51.100.201", classification="isp")
    IPResolution.objects.create(ip="198.51.100.202", classification="business")

    page = admin_client_user.get(
        reverse("admin:prospects_ipresolution_changelist"), {"classification": "isp"}
    )

    assert page.status_code == 200
    assert "198.51.100.201" in page.content.decode()
    assert "198.51.100.202" not in page.content.decode()


def test_override_saved_in_the_admin_applies_at_once(admin_client_user):
    company = CompanyFactory(name="Acme Consulting", domain="acme-consulting.com")
    visitor = VisitorFactory(ip="203.0.113.77")

    page = admin_client_user.post(
        reverse("admin:prospects_identificationoverride_add"),
        {
            "kind": "network",
            "value": "203.0.113.64/27",
            "classification": "business",
            "company": company.pk,
            "note": "HQ",
        },
    )

    assert page.status_code == 302
    override = IdentificationOverride.objects.get()
    assert (override.value, override.created_by.username) == ("203.0.113.64/27", "root")
    visitor.refresh_from_db()
    assert visitor.company == company


def test_invalid_override_is_refused_with_a_message(admin_client_user):
    page = admin_client_user.post(
        reverse("admin:prospects_identificationoverride_add"),
        {"kind": "ip", "value": "not-an-ip", "classification": "isp"},
    )

    assert page.status_code == 200
    assert "is not an IP address" in page.content.decode()
    assert not IdentificationOverride.objects.exists()


def test_a_second_override_of_the_same_value_is_refused_with_a_message(admin_client_user):
    IdentificationOverride.objects.create(kind="ip", value="192.0.2.10", classification="isp")
    page = admin_client_user.post(
        reverse("admin:prospects_identificationoverride_add"),
        {"kind": "ip", "value": "192.0.2.10", "classification": "hosting"},
    )

    assert page.status_code == 200
    assert "An override of this value already exists." in page.content.decode()
    assert IdentificationOverride.objects.get().classification == "isp"
