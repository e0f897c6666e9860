"""A real Celery worker consumes `resolve_ips` from the broker (CI: Redis + PostgreSQL)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from prospects.models import Company, IPResolution, Visitor
from prospects.tasks import resolve_ips
from tests.dns_fixtures import host
from tests.factories import VisitorFactory

ROOT = Path(__file__).resolve().parents[1]

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(not os.environ.get("CELERY_BROKER_URL"), reason="needs CELERY_BROKER_URL"),
]


@pytest.fixture
def celery_worker_process(transactional_db, dns_server):
    """A `celery worker` subprocess on the dns, celery and cpu queues, using the test database."""
    if connection.vendor == "sqlite":
        pytest.skip("a worker process cannot share the in-memory SQLite test database")
    server = dns_server(
        host("198.51.100.120", "gw.acme-consulting.com")
        + host("198.51.100.121", "dsl-121.pool.metro-fibre.net")
    )
    db = connection.settings_dict
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "LEADGEN_DNS_NAMESERVERS": server.nameserver,
    }
    if db.get("PASSWORD"):
        env["DATABASE_URL"] = (
            f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        )
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "leadgen",
            "worker",
            "-Q",
            "dns,celery,cpu",
            "-P",
            "solo",
            "-c",
            "1",
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"identify-test-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield worker
    finally:
        worker.terminate()
        try:
            worker.wait(20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(5)


def test_worker_consumes_resolve_ips_from_the_broker(celery_worker_process):
    assert not settings.CELERY_TASK_ALWAYS_EAGER
    VisitorFactory(ip="198.51.100.120")
    VisitorFactory(ip="198.51.100.121")

    async_result = resolve_ips.delay()
    try:
        data = async_result.get(timeout=90)
    except Exception:
        celery_worker_process.terminate()
        pytest.fail(
            f"worker did not answer; its output:\n{celery_worker_process.communicate(timeout=20)[0]}"
        )

    # The rows, not the counts: a leftover message in the queue may have resolved them first.
    assert data["companies_total"] == 1
    company = Company.objects.get()
    assert company.domain == "acme-consulting.com"
    assert Visitor.objects.get(ip="198.51.100.120").company == company
    assert Visitor.objects.get(ip="198.51.100.121").excluded_reason == "ISP / residential"
    assert IPResolution.objects.filter(outcome="ok").count() == 2
