"""A run's claim on its IPs lives by heartbeat: held while it works, back soon after it dies."""

import threading
import time

from django.db import connection
from django.utils import timezone

from prospects.identify import records
from prospects.identify.services import resolve_pending_ips
from prospects.models import IPResolution
from tests.dns_fixtures import host
from tests.factories import VisitorFactory

IPS = [f"198.51.100.{n}" for n in range(1, 21)]


def visitors_and_zone() -> list[dict]:
    zone = []
    for n, ip in enumerate(IPS):
        VisitorFactory(ip=ip)
        zone += host(ip, f"gw{n}.lease-test-{n}.com")
    return zone


def test_a_slow_run_keeps_its_ips_past_the_lease(concurrent_db, dns_server, settings):
    server = dns_server(visitors_and_zone(), delay=1.2)
    settings.LEADGEN_DNS_TIMEOUT = 3.0
    settings.LEADGEN_DNS_LEASE_SECONDS = 1
    slow, errors = [], []

    def first_run():
        try:
            slow.append(resolve_pending_ips())
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=first_run)
    thread.start()
    # Two leases in: without a heartbeat the first run's rows would be free by now.
    time.sleep(2.0)
    second = resolve_pending_ips()
    thread.join(60)

    assert errors == []
    assert (slow[0].resolved, second.resolved) == (20, 0)
    assert IPResolution.objects.filter(outcome="ok", forward_confirmed=True).count() == 20
    assert server.queries == 40  # one PTR and one A per IP: nothing looked up twice


def test_the_ips_of_a_run_that_died_are_done_by_the_next_one(concurrent_db, dns_server, settings):
    dns_server(visitors_and_zone())
    settings.LEADGEN_DNS_LEASE_SECONDS = 2
    resolve_pending_ips(limit=0)  # create the rows
    # A run claims half of them and dies: it never writes and never renews.
    claimed = records.claim_due(10, timezone.now())
    started = time.monotonic()

    result = resolve_pending_ips()

    # The next run does the free half, waits out the dead run's lease and does the rest.
    assert len(claimed) == 10
    assert result.resolved == 20
    assert not IPResolution.objects.exclude(outcome="ok").exists()
    assert 1.5 < time.monotonic() - started < 10


def test_a_run_with_nothing_held_does_not_wait(db, dns_server, settings):
    dns_server(visitors_and_zone())
    settings.LEADGEN_DNS_LEASE_SECONDS = 30
    started = time.monotonic()

    assert resolve_pending_ips().resolved == 20
    assert resolve_pending_ips().resolved == 0
    assert time.monotonic() - started < 10
