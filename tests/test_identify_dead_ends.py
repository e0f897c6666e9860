"""Dead ends: ISP lines, hosting and private addresses are classified with their evidence."""

import pytest

from prospects.identify.services import resolve_pending_ips
from prospects.models import Company, IPResolution
from tests.dns_fixtures import host
from tests.factories import VisitorFactory

pytestmark = pytest.mark.django_db


def resolve(ip: str) -> IPResolution:
    VisitorFactory(ip=ip)
    resolve_pending_ips()
    return IPResolution.objects.get(ip=ip)


@pytest.mark.parametrize(
    ("ip", "ptr", "evidence"),
    [
        (
            "198.51.100.10",
            "c-198-51-100-10.hsd1.ca.comcast.net",
            "PTR c-198-51-100-10.hsd1.ca.comcast.net is under ISP domain comcast.net",
        ),
        (
            "198.51.100.11",
            "dsl-11.pool.fastline-broadband.co.uk",
            "PTR contains dynamic token 'dsl'",
        ),
        (
            "198.51.100.12",
            "host-198-51-100-12.nordlink-telecom.net",
            "PTR encodes the IP address (198-51-100-12)",
        ),
        (
            "198.51.100.13",
            "13.100.51.198.static.westnet-access.com",
            "PTR encodes the IP address (13-100-51-198)",
        ),
        (
            "198.51.100.14",
            "cpe-00a0c914c829.cable.riverside-net.com",
            "PTR contains dynamic token 'cpe'",
        ),
    ],
)
def test_isp_and_residential_names(dns_server, ip, ptr, evidence):
    dns_server(host(ip, ptr))

    row = resolve(ip)

    assert row.classification == "isp"
    assert any(line.startswith(evidence) for line in row.evidence), row.evidence
    assert row.company is None
    assert not Company.objects.exists()


def test_dynamic_tokens_are_whole_words_not_substrings(dns_server):
    dns_server(host("198.51.100.15", "mail.generaldynamics-partners.com"))

    row = resolve("198.51.100.15")

    assert row.classification == "business"


def test_hosting_range_needs_no_dns(dns_server):
    server = dns_server([])

    row = resolve("3.0.1.20")

    assert row.classification == "hosting"
    assert row.outcome == "skipped"
    assert row.evidence[0] == "in hosting range 3.0.0.0/15 (x4bnet datacenter list)"
    assert server.queries == 0


def test_hosting_domain_in_ptr(dns_server):
    dns_server(host("198.51.100.16", "ec2-198-51-100-16.compute-1.amazonaws.com"))

    row = resolve("198.51.100.16")

    assert row.classification == "hosting"
    assert row.domain == "amazonaws.com"
    assert "under hosting domain amazonaws.com" in row.evidence[0]


def test_secure_web_gateway_hides_the_company(dns_server):
    dns_server(host("198.51.100.17", "zs-gw1.fra4.zscaler.net"))

    assert resolve("198.51.100.17").classification == "hosting"


@pytest.mark.parametrize("ip", ["10.1.2.3", "192.168.0.9", "127.0.0.1", "fe80::1", "100.64.0.7"])
def test_private_addresses_are_never_looked_up(dns_server, ip):
    server = dns_server([])

    row = resolve(ip)

    assert (row.classification, row.outcome) == ("private", "skipped")
    assert row.evidence[0].startswith("private or reserved address")
    assert server.queries == 0


def test_documentation_ranges_are_resolved_like_public_addresses(dns_server):
    server = dns_server([])

    row = resolve("192.0.2.44")

    assert row.outcome == "nxdomain"
    assert server.queries == 1
