"""A real Celery worker consumes `resolve_ips` from the broker (CI: Redis + PostgreSQL)."""

import pytest
from django.conf import settings

from prospects.models import Company, IPResolution, Visitor
from prospects.tasks import resolve_ips
from tests.dns_fixtures import host
from tests.factories import VisitorFactory
from tests.worker_fixtures import needs_worker, worker_output

pytestmark = needs_worker


@pytest.fixture
def celery_worker_process(start_worker, dns_server):
    """A worker resolving against a DNS server that knows one company and one ISP line."""
    server = dns_server(
        host("198.51.100.120", "gw.acme-consulting.com")
        + host("198.51.100.121", "dsl-121.pool.metro-fibre.net")
    )
    return start_worker(LEADGEN_DNS_NAMESERVERS=server.nameserver)


def test_worker_consumes_resolve_ips_from_the_broker(celery_worker_process):
    assert not settings.CELERY_TASK_ALWAYS_EAGER
    VisitorFactory(ip="198.51.100.120")
    VisitorFactory(ip="198.51.100.121")

    async_result = resolve_ips.delay()
    try:
        data = async_result.get(timeout=90)
    except Exception:
        pytest.fail(f"worker did not answer; its output:\n{worker_output(celery_worker_process)}")

    # The rows, not the counts: a leftover message in the queue may have resolved them first.
    assert data["companies_total"] == 1
    company = Company.objects.get()
    assert company.domain == "acme-consulting.com"
    assert Visitor.objects.get(ip="198.51.100.120").company == company
    assert Visitor.objects.get(ip="198.51.100.121").excluded_reason == "ISP / residential"
    assert IPResolution.objects.filter(outcome="ok").count() == 2
