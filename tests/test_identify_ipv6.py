"""IPv6 visitors: PTR under ip6.arpa, forward confirmation with AAAA."""

import pytest

from prospects.identify.services import resolve_pending_ips
from prospects.models import IPResolution
from tests.dns_fixtures import host
from tests.factories import VisitorFactory

pytestmark = pytest.mark.django_db


def test_ipv6_business_is_confirmed_with_aaaa(dns_server):
    dns_server(host("2001:db8:4::25", "edge.hooli-analytics.com"))
    visitor = VisitorFactory(ip="2001:db8:4::25")

    resolve_pending_ips()

    row = IPResolution.objects.get(ip="2001:db8:4::25")
    assert row.ptr_name == "edge.hooli-analytics.com"
    assert row.forward_confirmed is True
    assert row.classification == "business"
    visitor.refresh_from_db()
    assert visitor.company.domain == "hooli-analytics.com"


def test_ipv6_reverse_name_is_the_nibble_form(dns_server):
    nibbles = "5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.4.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa"
    dns_server(
        [
            {"type": "PTR", "name": nibbles, "value": "ws7.pied-piper-data.com"},
            {"type": "AAAA", "name": "ws7.pied-piper-data.com", "value": "2001:db8:4::25"},
        ]
    )
    VisitorFactory(ip="2001:db8:4::25")

    resolve_pending_ips()

    assert IPResolution.objects.get(ip="2001:db8:4::25").company.name == "Pied Piper Data"


def test_ipv4_mapped_ipv6_is_treated_as_ipv4(dns_server):
    dns_server(host("198.51.100.90", "gw.vandelay-imports.com"))
    VisitorFactory(ip="::ffff:198.51.100.90")

    resolve_pending_ips()

    row = IPResolution.objects.get()
    assert (row.ip, row.classification) == ("198.51.100.90", "business")


def test_ipv6_without_ptr_is_nxdomain(dns_server):
    dns_server([])
    VisitorFactory(ip="2001:db8:ffff::1")

    resolve_pending_ips()

    row = IPResolution.objects.get()
    assert (row.outcome, row.classification) == ("nxdomain", "unknown")
