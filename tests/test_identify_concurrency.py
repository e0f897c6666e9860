"""Two resolve runs at once: disjoint work, no duplicate companies, no lost updates."""

import threading

from django.db import connection

from prospects.identify import services
from prospects.identify.services import create_override, resolve_pending_ips
from prospects.models import Company, IPResolution, Visitor
from tests.dns_fixtures import host
from tests.factories import VisitorFactory

DOMAINS = [f"northbridge-{n}-partners.com" for n in range(10)]


def zone_and_visitors() -> list[dict]:
    records = []
    for n in range(120):
        ip = f"198.51.100.{n + 1}"
        if n % 2 == 0:
            records += host(ip, f"gw{n}.{DOMAINS[(n // 2) % 10]}")
        elif n % 3 == 0:
            records += host(ip, f"dsl-{n}.pool.example-broadband.net")
        VisitorFactory(ip=ip)
    return records


def run_concurrently(count: int) -> tuple[list, list]:
    results, errors = [], []
    barrier = threading.Barrier(count)

    def work():
        try:
            barrier.wait()
            results.append(resolve_pending_ips())
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(count)]
    for thread in threads:
        thread.start()
    return threads, results, errors


def test_two_runs_at_once_share_the_work_without_duplicates(concurrent_db, dns_server, monkeypatch):
    monkeypatch.setattr(services, "CHUNK_SIZE", 15)
    server = dns_server(zone_and_visitors(), delay=0.03)
    company = Company.objects.create(domain="override-target.com", name="Override Target")

    threads, results, errors = run_concurrently(2)
    # An override saved while both runs are busy must survive them.
    create_override(kind="ip", value="198.51.100.2", classification="business", company=company)
    for thread in threads:
        thread.join(60)

    assert errors == []
    # Disjoint claims: no IP resolved twice (the override may have settled one IP first).
    assert sum(r.resolved for r in results) in (119, 120)
    assert not IPResolution.objects.filter(resolved_at__isnull=True).exists()
    assert min(r.resolved for r in results) > 0  # both runs did part of the work
    assert Company.objects.count() == 11
    assert sorted(
        Company.objects.exclude(pk=company.pk).values_list("domain", flat=True)
    ) == sorted(DOMAINS)
    assert not IPResolution.objects.filter(classification="pending").exists()
    row = IPResolution.objects.get(ip="198.51.100.2")
    assert (row.classification, row.company) == ("business", company)
    assert Visitor.objects.get(ip="198.51.100.2").company == company
    assert Visitor.objects.filter(company__isnull=False).count() == 61
    assert server.queries <= 60 * 2 + 20 * 2 + 40  # PTR (+ A when there is a PTR), once per IP


def test_runs_after_concurrent_runs_find_nothing_to_do(concurrent_db, dns_server):
    dns_server(zone_and_visitors())
    threads, results, errors = run_concurrently(2)
    for thread in threads:
        thread.join(60)

    assert errors == []
    assert sum(r.resolved for r in results) == 120
    assert resolve_pending_ips().resolved == 0
    assert Company.objects.count() == 10
