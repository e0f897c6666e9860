"""The identification page: every IP paged and searchable, overrides made and removed in place."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from prospects.identify.services import create_override
from prospects.models import IdentificationOverride, IPResolution
from tests.factories import CompanyFactory, VisitorFactory

pytestmark = pytest.mark.django_db


def _resolution(ip, classification="isp", **fields):
    return IPResolution(ip=ip, outcome="ok", classification=classification, **fields)


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_every_ip_is_reachable_page_by_page(admin_client):
    IPResolution.objects.bulk_create(
        _resolution(f"198.51.{n // 250}.{n % 250 + 1}") for n in range(260)
    )
    url = reverse("identification")

    seen = set()
    page = admin_client.get(url)
    assert "260 IPs" in page.content.decode()
    for number in range(1, 7):
        page = admin_client.get(url, {"page": number})
        seen |= {row.ip for row in page.context["ips"]}
    assert len(seen) == 260
    assert "Page 6 of 6" in page.content.decode()


def test_search_finds_ips_by_address_ptr_name_and_domain(admin_client):
    IPResolution.objects.bulk_create(
        [
            _resolution("203.0.113.5", "business", ptr_name="gw.acme.com", domain="acme.com"),
            _resolution("203.0.113.6", ptr_name="c-1.hsd1.comcast.net", domain="comcast.net"),
            _resolution("192.0.2.44", "hosting", ptr_name="ec2-1.compute.amazonaws.com"),
        ]
    )
    url = reverse("identification")

    def found(**params):
        return sorted(row.ip for row in admin_client.get(url, params).context["ips"])

    assert found(q="203.0.113.") == ["203.0.113.5", "203.0.113.6"]
    assert found(q="HSD1") == ["203.0.113.6"]
    assert found(q="acme.com") == ["203.0.113.5"]
    assert found(q="203.0.113.", classification="business") == ["203.0.113.5"]
    assert found(classification="hosting") == ["192.0.2.44"]
    empty = admin_client.get(url, {"q": "nothing-like-this"})
    assert "No IP matches" in empty.content.decode()


def test_paging_keeps_the_search_and_class(admin_client):
    IPResolution.objects.bulk_create(_resolution(f"10.1.0.{n}") for n in range(1, 120))
    page = admin_client.get(reverse("identification"), {"q": "10.1.", "classification": "isp"})
    html = page.content.decode()
    assert 'href="?q=10.1.&amp;classification=isp&amp;page=2"' in html


def test_an_override_made_on_the_page_applies_and_says_what_it_changed(admin_client, admin_user):
    acme = CompanyFactory(name="Acme Consulting", domain="acme-consulting.com")
    for n in (65, 66):
        VisitorFactory(ip=f"203.0.113.{n}")
    VisitorFactory(ip="203.0.113.65", user_agent="Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0")

    response = admin_client.post(
        reverse("override_add"),
        {
            "kind": "network",
            "value": "203.0.113.64/27",
            "classification": "business",
            "company_domain": "Acme-Consulting.com",
            "note": "HQ",
        },
        follow=True,
    )

    html = response.content.decode()
    assert (
        "Override saved: 203.0.113.64/27 is Acme Consulting; it covers 2 IPs and 3 visitors."
        in html
    )
    override = IdentificationOverride.objects.get()
    assert (override.company, override.created_by) == (acme, admin_user)
    assert set(acme.visitors.values_list("ip", flat=True)) == {"203.0.113.65", "203.0.113.66"}
    assert "2 IPs, 3 visitors" in html


@pytest.mark.parametrize(
    "data, message",
    [
        ({"kind": "ip", "value": "not-an-ip", "classification": "isp"}, "is not an IP address"),
        (
            {"kind": "ip", "value": "203.0.113.1", "classification": "business"},
            "A business override needs a company.",
        ),
        (
            {
                "kind": "domain",
                "value": "acme.com",
                "classification": "business",
                "company_domain": "unknown.example",
            },
            "No company has the domain",
        ),
    ],
)
def test_a_bad_override_is_refused_with_a_message(admin_client, data, message):
    response = admin_client.post(reverse("override_add"), data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'id="override-panel" open' in response.content.decode()
    assert not IdentificationOverride.objects.exists()


def test_removing_an_override_sends_its_ips_back_for_a_lookup(admin_client):
    visitor = VisitorFactory(ip="203.0.113.9")
    override = create_override(kind="ip", value="203.0.113.9", classification="hosting")

    response = admin_client.post(reverse("override_remove", args=[override.pk]), follow=True)

    assert "Override of 203.0.113.9 removed: 1 IP and 1 visitor are due for a fresh lookup." in (
        response.content.decode()
    )
    assert not IdentificationOverride.objects.exists()
    row = IPResolution.objects.get(ip=visitor.ip)
    assert row.evidence == ["override removed: due for a fresh lookup"]


def test_hostile_names_are_shown_as_text(admin_client):
    IPResolution.objects.create(
        ip="198.51.100.7",
        ptr_name="<img src=x onerror=alert(1)>.evil.com",
        evidence=["PTR <b>bold</b>"],
    )
    html = admin_client.get(reverse("identification"), {"q": "evil"}).content.decode()
    assert "&lt;img src=x onerror=alert(1)&gt;.evil.com" in html
    assert "<img src=x" not in html and "<b>bold</b>" not in html


def test_only_admins_reach_the_page_and_its_actions(client, researcher):
    client.force_login(researcher)
    assert client.get(reverse("identification")).status_code == 403
    response = client.post(
        reverse("override_add"), {"kind": "ip", "value": "203.0.113.1", "classification": "isp"}
    )
    assert response.status_code == 403
    assert not IdentificationOverride.objects.exists()


def test_the_page_costs_the_same_queries_however_many_overrides_it_lists(admin_client):
    IPResolution.objects.bulk_create(
        _resolution(f"10.2.{n // 250}.{n % 250 + 1}") for n in range(500)
    )
    acme = CompanyFactory(domain="acme.com")

    def queries_with(overrides):
        for k in range(overrides):
            kind, value = ("network", f"10.2.{k}.0/24") if k % 2 else ("ip", f"10.2.9.{k + 1}")
            create_override(kind=kind, value=value, classification="business", company=acme)
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(reverse("identification")).status_code == 200
        IdentificationOverride.objects.all().delete()
        return len(queries)

    assert queries_with(2) == queries_with(20)
