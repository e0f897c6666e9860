"""`manage.py resolve_ips [--all] [--json]` and the Celery task run the same work."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from prospects.models import IPResolution
from prospects.tasks import resolve_ips
from tests.dns_fixtures import host
from tests.factories import VisitorFactory

pytestmark = pytest.mark.django_db

ZONE = host("198.51.100.110", "www.acme-consulting.com") + host(
    "198.51.100.111", "dyn-111.metro-cable.net"
)


def run(*args) -> dict:
    out = StringIO()
    call_command("resolve_ips", *args, stdout=out)
    return json.loads(out.getvalue().strip().splitlines()[-1])


def test_json_last_line_counts_the_run(dns_server):
    dns_server(ZONE)
    for ip in ("198.51.100.110", "198.51.100.111", "3.0.1.20", "192.0.2.1"):
        VisitorFactory(ip=ip)

    data = run("--json")

    assert {
        key: data[key]
        for key in (
            "resolved",
            "business",
            "isp",
            "hosting",
            "unknown",
            "failed",
            "companies_total",
        )
    } == {
        "resolved": 4,
        "business": 1,
        "isp": 1,
        "hosting": 1,
        "unknown": 1,
        "failed": 0,
        "companies_total": 1,
    }
    assert data["seconds"] >= 0


def test_second_run_resolves_nothing_and_all_resolves_everything(dns_server):
    dns_server(ZONE)
    VisitorFactory(ip="198.51.100.110")
    run("--json")

    assert run("--json")["resolved"] == 0
    assert run("--all", "--json")["resolved"] == 1


def test_plain_output_is_a_summary(dns_server):
    dns_server(ZONE)
    VisitorFactory(ip="198.51.100.110")
    out = StringIO()

    call_command("resolve_ips", stdout=out)

    assert "Resolved 1 IPs" in out.getvalue()
    assert "1 business" in out.getvalue()


def test_task_returns_the_result(dns_server):
    dns_server(ZONE)
    VisitorFactory(ip="198.51.100.111")

    # In process; test_identify_worker.py covers a real worker consuming it from the broker.
    data = resolve_ips.apply(kwargs={"all": False}).get()

    assert (data["resolved"], data["isp"]) == (1, 1)
    assert IPResolution.objects.get().classification == "isp"
