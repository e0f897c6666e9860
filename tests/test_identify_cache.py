"""The cache: answers kept for their TTL, NXDOMAIN is a result, a timeout is not."""

import datetime as dt

import pytest
from django.utils import timezone

from prospects.identify.services import resolve_pending_ips
from prospects.models import IPResolution
from tests.dns_fixtures import host
from tests.factories import VisitorFactory

pytestmark = pytest.mark.django_db


def expires_in(row: IPResolution) -> dt.timedelta:
    return row.expires_at - timezone.now()


def near(delta: dt.timedelta, expected: dt.timedelta) -> bool:
    return abs(delta - expected) < dt.timedelta(minutes=1)


def test_nxdomain_is_cached_for_seven_days(dns_server):
    server = dns_server([])
    VisitorFactory(ip="198.51.100.50")

    first = resolve_pending_ips()
    second = resolve_pending_ips()

    row = IPResolution.objects.get()
    assert (row.outcome, row.classification, row.error) == ("nxdomain", "unknown", "")
    assert row.evidence[0] == "no PTR record"
    assert near(expires_in(row), dt.timedelta(days=7))
    assert (first.nxdomain, first.failed) == (1, 0)
    assert (second.resolved, second.dns_queries) == (0, 0)
    assert server.queries == 1


@pytest.mark.parametrize(
    ("ttl", "kept"),
    [
        (3 * 86400, dt.timedelta(days=3)),
        (60, dt.timedelta(days=1)),
        (90 * 86400, dt.timedelta(days=30)),
    ],
)
def test_answer_is_kept_for_its_ttl_within_bounds(dns_server, ttl, kept):
    dns_server(host("198.51.100.51", "www.soylent-foods.com", ttl=ttl))
    VisitorFactory(ip="198.51.100.51")

    resolve_pending_ips()

    assert near(expires_in(IPResolution.objects.get()), kept)


def test_server_that_never_answers_is_a_recorded_failure_not_nxdomain(dns_server):
    server = dns_server([], never_answer=True)
    VisitorFactory(ip="198.51.100.52")

    result = resolve_pending_ips()

    row = IPResolution.objects.get()
    assert row.outcome == "failed"
    assert row.attempts == 1
    assert "timed out" in row.error and "3 attempts" in row.error
    assert server.queries == 3  # the first try and two retries
    assert near(expires_in(row), dt.timedelta(hours=1))
    assert row.classification == "unknown"
    assert result.failed == 1 and result.nxdomain == 0
    # Not due again until the back-off expires.
    assert resolve_pending_ips().dns_queries == 0


def test_failure_backs_off_and_a_later_answer_replaces_it(dns_server, settings):
    dns_server([], never_answer=True)
    VisitorFactory(ip="198.51.100.53")
    resolve_pending_ips()
    IPResolution.objects.update(expires_at=timezone.now())
    resolve_pending_ips()
    row = IPResolution.objects.get()
    assert row.attempts == 2
    assert near(expires_in(row), dt.timedelta(hours=2))

    dns_server(host("198.51.100.53", "mx.wonka-confections.com"))
    IPResolution.objects.update(expires_at=timezone.now())
    resolve_pending_ips()

    row.refresh_from_db()
    assert (row.outcome, row.classification, row.attempts, row.error) == ("ok", "business", 0, "")


def test_servfail_is_retried_with_backoff(dns_server):
    server = dns_server(host("198.51.100.54", "proxy.stark-logistics.com"), servfail_first=1)
    VisitorFactory(ip="198.51.100.54")

    resolve_pending_ips()

    row = IPResolution.objects.get()
    assert (row.outcome, row.classification) == ("ok", "business")
    assert server.queries == 3  # PTR (SERVFAIL), PTR again, A


def test_timeout_on_refresh_keeps_the_previous_answer(dns_server):
    dns_server(host("198.51.100.55", "gw.tyrell-robotics.com"))
    visitor = VisitorFactory(ip="198.51.100.55")
    resolve_pending_ips()
    dns_server([], never_answer=True)
    IPResolution.objects.update(expires_at=timezone.now())

    result = resolve_pending_ips()

    row = IPResolution.objects.get()
    assert (row.outcome, row.classification, row.company.domain) == (
        "ok",
        "business",
        "tyrell-robotics.com",
    )
    assert row.attempts == 1 and "timed out" in row.error
    assert result.failed == 1
    visitor.refresh_from_db()
    assert visitor.company == row.company


def test_all_resolves_fresh_rows_again(dns_server):
    server = dns_server(host("198.51.100.56", "www.cyberdyne-systems.com"))
    VisitorFactory(ip="198.51.100.56")
    resolve_pending_ips()
    queries = server.queries

    assert resolve_pending_ips().resolved == 0
    again = resolve_pending_ips(all=True)

    assert again.resolved == 1
    assert server.queries == 2 * queries


def test_limit_caps_a_run(dns_server):
    dns_server([])
    for n in range(5):
        VisitorFactory(ip=f"198.51.100.{60 + n}")

    assert resolve_pending_ips(limit=2).resolved == 2
    assert resolve_pending_ips().resolved == 3
