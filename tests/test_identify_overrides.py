"""Hand overrides win over lookups and are applied at once to existing visitors."""

import pytest
from django.core.exceptions import ValidationError

from prospects.identify.services import create_override, remove_override, resolve_pending_ips
from prospects.models import Company, IPResolution
from tests.dns_fixtures import host
from tests.factories import CompanyFactory, VisitorFactory

pytestmark = pytest.mark.django_db


def test_ip_override_applies_at_once_to_existing_visitors(researcher):
    acme = CompanyFactory(name="Acme Consulting", domain="acme-consulting.com")
    visitor = VisitorFactory(ip="203.0.113.9")

    create_override(
        kind="ip",
        value=" 203.0.113.9 ",
        classification="business",
        company=acme,
        created_by=researcher,
    )

    visitor.refresh_from_db()
    assert visitor.company == acme
    row = IPResolution.objects.get(ip="203.0.113.9")
    assert (row.classification, row.outcome, row.company) == ("business", "skipped", acme)
    assert (
        row.evidence[0] == "hand override: IP address 203.0.113.9 is Acme Consulting (set by rita)"
    )


def test_override_wins_over_every_later_lookup(dns_server, researcher):
    server = dns_server(host("203.0.113.10", "c-203-0-113-10.hsd1.ma.comcast.net"))
    acme = CompanyFactory(domain="acme-consulting.com")
    visitor = VisitorFactory(ip="203.0.113.10")
    create_override(kind="ip", value="203.0.113.10", classification="business", company=acme)

    resolve_pending_ips(all=True)

    row = IPResolution.objects.get(ip="203.0.113.10")
    assert (row.classification, row.company) == ("business", acme)
    assert server.queries == 0
    visitor.refresh_from_db()
    assert (visitor.company, visitor.excluded_reason) == (acme, "")


def test_range_override_marks_an_isp_and_excludes_its_visitors(dns_server, researcher):
    dns_server(
        host("198.51.100.70", "www.lookslike-a-business.com")
        + host("198.51.100.71", "ns.another-firm.com")
    )
    first, second = VisitorFactory(ip="198.51.100.70"), VisitorFactory(ip="198.51.100.71")
    resolve_pending_ips()
    assert Company.objects.count() == 2

    create_override(
        kind="network", value="198.51.100.64/28", classification="isp", note="coworking wifi"
    )

    for visitor in (first, second):
        visitor.refresh_from_db()
        assert (visitor.company, visitor.excluded_reason) == (None, "ISP / residential")
    row = IPResolution.objects.get(ip="198.51.100.70")
    assert row.classification == "isp"
    assert row.evidence == [
        "hand override: IP range (CIDR) 198.51.100.64/28 is ISP / residential: coworking wifi",
        "PTR www.lookslike-a-business.com",
    ]


def test_domain_override_names_the_company_of_every_matching_ptr(dns_server):
    dns_server(
        host("198.51.100.80", "vpn.eu.massive-dynamic.com")
        + host("198.51.100.81", "gw.massive-dynamic.com")
    )
    parent = CompanyFactory(name="Massive Dynamic Holdings", domain="massivedynamic-holdings.com")
    VisitorFactory(ip="198.51.100.80")
    resolve_pending_ips()

    create_override(
        kind="domain", value="Massive-Dynamic.com.", classification="business", company=parent
    )
    VisitorFactory(ip="198.51.100.81")  # arrives later
    resolve_pending_ips()

    assert set(IPResolution.objects.values_list("company__domain", flat=True)) == {
        "massivedynamic-holdings.com"
    }
    assert parent.visitors.count() == 2


def test_more_specific_override_wins(dns_server):
    acme = CompanyFactory(domain="acme-consulting.com")
    VisitorFactory(ip="203.0.113.20")
    create_override(kind="ip", value="203.0.113.20", classification="business", company=acme)
    create_override(kind="network", value="203.0.113.0/24", classification="hosting")

    row = IPResolution.objects.get(ip="203.0.113.20")
    assert (row.classification, row.company) == ("business", acme)


def test_removed_override_is_looked_up_again(dns_server):
    dns_server(host("203.0.113.30", "office.bluth-company.com"))
    VisitorFactory(ip="203.0.113.30")
    override = create_override(kind="ip", value="203.0.113.30", classification="isp")

    remove_override(override=override)
    resolve_pending_ips()

    row = IPResolution.objects.get(ip="203.0.113.30")
    assert (row.classification, row.company.domain) == ("business", "bluth-company.com")


@pytest.mark.parametrize(
    ("kind", "value", "classification"),
    [
        ("ip", "300.1.2.3", "isp"),
        ("network", "198.51.100.0/33", "isp"),
        ("domain", "localhost", "isp"),
        ("ip", "198.51.100.1", "business"),
    ],
)
def test_invalid_overrides_are_rejected(kind, value, classification):
    with pytest.raises(ValidationError):
        create_override(kind=kind, value=value, classification=classification)
