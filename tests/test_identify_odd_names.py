"""PTR names with odd bytes are looked up forward as the bytes they are, and give a result."""

import pytest

from prospects.identify.services import resolve_pending_ips
from prospects.models import IPResolution
from tests.dns_fixtures import host
from tests.factories import VisitorFactory

pytestmark = pytest.mark.django_db


def test_a_ptr_with_escaped_bytes_is_forward_confirmed(dns_server):
    # dnslib reads \032 as a space byte: the PTR label on the wire is "gw x".
    server = dns_server(host("198.51.100.77", "gw\\032x.acme-consulting.com"))
    VisitorFactory(ip="198.51.100.77")

    result = resolve_pending_ips()

    row = IPResolution.objects.get()
    assert (row.outcome, row.forward_confirmed) == ("ok", True)
    assert row.ptr_name == "gw\\032x.acme-consulting.com"
    assert (result.failed, result.business) == (0, 1)
    # One PTR and one forward query: no timeouts, no retries.
    assert server.queries == 2


def test_an_unconfirmed_ptr_with_escaped_bytes_is_a_result_not_a_failure(dns_server):
    server = dns_server(
        host("198.51.100.78", "\\060script\\062.evil.example", forward=False)
        + host("198.51.100.79", "a\\046b\\092c.example-isp.net", forward=False)
    )
    VisitorFactory(ip="198.51.100.78")
    VisitorFactory(ip="198.51.100.79")

    first = resolve_pending_ips()
    again = resolve_pending_ips()

    assert first.failed == 0
    rows = IPResolution.objects.order_by("ip")
    assert [(r.outcome, r.forward_confirmed, r.error) for r in rows] == [("ok", False, "")] * 2
    assert rows[0].ptr_name == "\\060script\\062.evil.example"
    # The result is cached like any other: the second run asks nothing.
    assert again.dns_queries == 0
    assert server.queries == 4
