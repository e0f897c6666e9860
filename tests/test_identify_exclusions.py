"""Exclusions keep the data but take visitors out of the queue, each with its reason."""

import datetime as dt

import pytest

from prospects.crm.outreach import log_touchpoint
from prospects.crm.services import update_company
from prospects.identify.services import resolve_pending_ips
from prospects.models import Company, Visitor
from tests.dns_fixtures import host
from tests.factories import UserFactory, VisitorFactory

pytestmark = pytest.mark.django_db

ZONE = (
    host("198.51.100.100", "www.acme-consulting.com")
    + host("198.51.100.101", "mail.initrode-corp.com")
    + host("198.51.100.102", "pool-198-51-100-102.bstn.east-fibre.net")
)


def reason(ip: str) -> str:
    return Visitor.objects.get(ip=ip).excluded_reason


def test_each_dead_end_records_its_reason(dns_server, settings):
    dns_server(ZONE)
    settings.LEADGEN_INTERNAL_NETWORKS = ["203.0.113.0/28"]
    for ip in (
        "198.51.100.100",
        "198.51.100.102",
        "3.0.1.20",
        "10.0.0.7",
        "203.0.113.3",
        "192.0.2.200",
    ):
        VisitorFactory(ip=ip)

    result = resolve_pending_ips()

    assert reason("198.51.100.100") == ""
    assert reason("198.51.100.102") == "ISP / residential"
    assert reason("3.0.1.20") == "hosting / cloud"
    assert reason("10.0.0.7") == "private address"
    assert reason("203.0.113.3") == "internal network"
    assert reason("192.0.2.200") == ""  # unknown: no company, but not a dead end
    assert Visitor.objects.count() == 6  # nothing is deleted
    assert result.exclusions_changed == 4


def test_converted_visitor_is_excluded(dns_server):
    dns_server(ZONE)
    VisitorFactory(ip="198.51.100.100", converted_at=dt.datetime(2026, 3, 2, tzinfo=dt.UTC))
    VisitorFactory(ip="198.51.100.100", user_agent="another browser", ua_hash=7)

    resolve_pending_ips()

    reasons = sorted(Visitor.objects.values_list("excluded_reason", flat=True))
    assert reasons == ["", "converted"]


@pytest.mark.parametrize(
    ("relationship", "status", "expected"),
    [
        ("customer", "new", "customer"),
        ("competitor", "new", "competitor"),
        ("excluded", "new", "excluded company"),
        ("prospect", "converted", "company already an SQL"),
        ("partner", "new", ""),
    ],
)
def test_company_relationship_excludes_its_visitors(dns_server, relationship, status, expected):
    dns_server(ZONE)
    Company.objects.create(
        domain="initrode-corp.com", name="Initrode", relationship=relationship, status=status
    )
    VisitorFactory(ip="198.51.100.101")

    resolve_pending_ips()

    assert reason("198.51.100.101") == expected


def test_relationship_change_is_picked_up(dns_server):
    dns_server(ZONE)
    VisitorFactory(ip="198.51.100.101")
    resolve_pending_ips()
    company = Company.objects.get()
    assert reason("198.51.100.101") == ""

    researcher = UserFactory(role="researcher")
    update_company(company=company, user=researcher, relationship="customer")
    assert reason("198.51.100.101") == "customer"

    update_company(company=company, user=researcher, relationship="prospect")
    assert reason("198.51.100.101") == ""


def test_a_touchpoint_that_converts_excludes_the_companys_visitors(dns_server):
    dns_server(ZONE)
    VisitorFactory(ip="198.51.100.101")
    resolve_pending_ips()
    company = Company.objects.get()

    log_touchpoint(
        company=company,
        user=UserFactory(role="outreach rep"),
        channel="email",
        happened_on=dt.date.today(),
        outcome="converted",
    )

    assert reason("198.51.100.101") == "company already an SQL"


def test_new_visitor_on_a_cached_ip_is_linked_and_excluded(dns_server):
    server = dns_server(ZONE)
    VisitorFactory(ip="198.51.100.100")
    VisitorFactory(ip="198.51.100.102")
    resolve_pending_ips()
    queries = server.queries

    VisitorFactory(ip="198.51.100.100", user_agent="second", ua_hash=11)
    VisitorFactory(ip="198.51.100.102", user_agent="second", ua_hash=11)
    resolve_pending_ips()

    assert server.queries == queries
    newcomers = Visitor.objects.filter(ua_hash=11)
    assert {(v.ip, v.company_id is not None, v.excluded_reason) for v in newcomers} == {
        ("198.51.100.100", True, ""),
        ("198.51.100.102", False, "ISP / residential"),
    }


def test_eligible_visitors_are_exactly_the_unexcluded_unconverted_ones():
    kept = VisitorFactory()
    VisitorFactory(excluded_reason="isp")
    VisitorFactory(converted_at=dt.datetime(2026, 11, 3, tzinfo=dt.UTC))
    assert list(Visitor.objects.eligible()) == [kept]
    assert Visitor.objects.exclude(pk__in=Visitor.objects.eligible()).count() == 2
