"""Business visitors: a forward-confirmed PTR becomes a company, one per registrable domain."""

import pytest

from prospects.identify.services import resolve_pending_ips
from prospects.models import Company, IPResolution
from tests.dns_fixtures import host
from tests.factories import VisitorFactory

pytestmark = pytest.mark.django_db


def test_forward_confirmed_ptr_becomes_a_company_with_a_derived_name(dns_server):
    dns_server(host("198.51.100.7", "mail.acme-consulting.co.uk"))
    visitor = VisitorFactory(ip="198.51.100.7")

    result = resolve_pending_ips()

    row = IPResolution.objects.get(ip="198.51.100.7")
    assert row.outcome == "ok"
    assert row.ptr_name == "mail.acme-consulting.co.uk"
    assert row.forward_confirmed is True
    assert row.domain == "acme-consulting.co.uk"
    assert row.classification == "business"
    assert "PTR mail.acme-consulting.co.uk resolves back to 198.51.100.7" in row.evidence
    company = Company.objects.get(domain="acme-consulting.co.uk")
    assert (company.name, company.name_is_derived) == ("Acme Consulting", True)
    assert row.company == company
    visitor.refresh_from_db()
    assert visitor.company == company
    assert visitor.excluded_reason == ""
    assert (result.resolved, result.business, result.companies_total) == (1, 1, 1)


def test_ptr_without_forward_confirmation_makes_no_company(dns_server):
    dns_server(host("198.51.100.8", "gw.totally-real-bank.com", forward=False))
    visitor = VisitorFactory(ip="198.51.100.8")

    result = resolve_pending_ips()

    row = IPResolution.objects.get(ip="198.51.100.8")
    assert row.outcome == "ok"
    assert row.forward_confirmed is False
    assert row.classification == "unknown"
    assert row.company is None
    assert "does not resolve back to 198.51.100.8" in row.evidence[0]
    assert not Company.objects.exists()
    visitor.refresh_from_db()
    assert visitor.company is None
    assert result.unknown == 1


def test_forward_answer_with_another_address_is_not_confirmation(dns_server):
    dns_server(
        [
            {"type": "PTR", "name": "198.51.100.9", "value": "www.spoofed-corp.com"},
            {"type": "A", "name": "www.spoofed-corp.com", "value": "203.0.113.200"},
        ]
    )
    VisitorFactory(ip="198.51.100.9")

    resolve_pending_ips()

    row = IPResolution.objects.get(ip="198.51.100.9")
    assert (row.forward_confirmed, row.classification) == (False, "unknown")


def test_one_company_per_registrable_domain(dns_server):
    dns_server(
        host("198.51.100.20", "vpn.hq.globex-industries.com")
        + host("198.51.100.21", "proxy2.branch.globex-industries.com")
        + host("203.0.113.5", "fw.globex-industries.com")
    )
    for ip in ("198.51.100.20", "198.51.100.21", "203.0.113.5"):
        VisitorFactory(ip=ip)
    VisitorFactory(ip="198.51.100.20", user_agent="curl-like second browser", ua_hash=42)

    result = resolve_pending_ips()

    company = Company.objects.get()
    assert company.domain == "globex-industries.com"
    assert company.visitors.count() == 4
    assert result.business == 3


def test_cname_delegated_reverse_zone_is_followed(dns_server):
    # RFC 2317: a small business gets its /26 reverse zone through CNAMEs.
    dns_server(
        [
            {
                "type": "CNAME",
                "name": "70.113.0.203.in-addr.arpa",
                "value": "70.64-127.113.0.203.in-addr.arpa",
            },
            {
                "type": "PTR",
                "name": "70.64-127.113.0.203.in-addr.arpa",
                "value": "office.initech-systems.com",
            },
            {"type": "A", "name": "office.initech-systems.com", "value": "203.0.113.70"},
        ]
    )
    VisitorFactory(ip="203.0.113.70")

    resolve_pending_ips()

    row = IPResolution.objects.get(ip="203.0.113.70")
    assert (row.classification, row.company.name) == ("business", "Initech Systems")


def test_edited_company_name_is_kept(dns_server):
    dns_server(host("198.51.100.30", "www.umbrella-labs.com"))
    Company.objects.create(
        domain="umbrella-labs.com", name="Umbrella Laboratories", name_is_derived=False
    )
    VisitorFactory(ip="198.51.100.30")

    resolve_pending_ips()

    company = Company.objects.get()
    assert company.name == "Umbrella Laboratories"
    assert company.visitors.count() == 1


def test_education_and_government_domains_are_not_companies(dns_server):
    dns_server(
        host("198.51.100.40", "lab.cs.springfield-state.edu")
        + host("198.51.100.41", "gw.dept.gov.uk")
    )
    VisitorFactory(ip="198.51.100.40")
    VisitorFactory(ip="198.51.100.41")

    result = resolve_pending_ips()

    assert IPResolution.objects.get(ip="198.51.100.40").classification == "education"
    assert IPResolution.objects.get(ip="198.51.100.41").classification == "government"
    assert (result.education, result.government) == (1, 1)
    assert not Company.objects.exists()


def test_campus_wifi_pool_with_the_ip_in_its_name_is_education_not_isp(dns_server):
    dns_server(host("198.51.100.42", "wifi-198-51-100-42.dyn.ox-college.ac.uk"))
    VisitorFactory(ip="198.51.100.42")

    resolve_pending_ips()

    row = IPResolution.objects.get(ip="198.51.100.42")
    assert row.classification == "education"
    assert "under education domain ox-college.ac.uk" in row.evidence[0]
