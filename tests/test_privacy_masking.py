"""IP masking after resolution: the company stays, the last bits go, the visitor stays one.

Addresses are resolved by the real pipeline against a DNS server on loopback; masking runs
after it (delay 0) or from the command (with a delay), and then the same and new log lines
of the masked people are imported again.
"""

import datetime as dt
import io
import ipaddress
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from prospects import pipeline
from prospects.identify.exclusions import ISP
from prospects.models import IPResolution, LogImport, PageView, Visitor
from prospects.privacy import erasure
from prospects.privacy.masking import mask_resolved, mask_text
from prospects.visits import ipkeys
from prospects.visits.ingest.importer import ingest_file
from tests.dns_fixtures import host
from tests.ingest_lines import FIREFOX, line, write_log
from tests.privacy_traces import traces

pytestmark = pytest.mark.django_db
PERSON = "198.51.100.77"
COLLEAGUE = "198.51.100.78"
HOME = "203.0.113.9"
SIX = "2001:db8:85a3:1234:5678:8a2e:370:7334"
LINES = [
    line("/pricing", ip=PERSON),
    line("/docs", ip=PERSON, minutes=3),
    line("/pricing", ip=COLLEAGUE, minutes=1),
    line("/", ip=HOME, agent=FIREFOX),
    line("/", ip=SIX),
    f"{PERSON} this line is not a log line at all",
]


@pytest.fixture
def zone(dns_server):
    return dns_server(
        host(PERSON, "gw1.initech-systems.com")
        + host(COLLEAGUE, "gw2.initech-systems.com")
        + host(HOME, "203-0-113-9.dsl.example-telecom.net")
        + host(SIX, "v6.initech-systems.com")
    )


@pytest.fixture
def masking(settings):
    settings.LEADGEN_IP_MASKING = True
    settings.LEADGEN_IP_MASK_DELAY_HOURS = 0
    settings.LEADGEN_IP_MASK_IPV4_BITS = 24
    settings.LEADGEN_IP_MASK_IPV6_BITS = 48


def imported_and_identified(tmp_path, zone, lines=LINES, name="access.log"):
    ingest_file(write_log(tmp_path, lines, name=name))
    return pipeline.identify(hand_on=False, nameservers=[zone.nameserver])


def test_identification_masks_and_keeps_company_class_and_one_visitor_each(tmp_path, zone, masking):
    imported_and_identified(tmp_path, zone)
    rows = Visitor.objects.values_list(
        "ip", "company__domain", "excluded_reason", "masked_classification"
    )
    assert sorted(rows, key=lambda row: row[0]) == [
        ("198.51.100.0", "initech-systems.com", "", "business"),
        ("198.51.100.0", "initech-systems.com", "", "business"),
        ("2001:db8:85a3::", "initech-systems.com", "", "business"),
        ("203.0.113.0", None, ISP, "isp"),
    ]
    # Same browser, same /24: still two visitors, each with their own views.
    person, colleague = Visitor.objects.filter(ip="198.51.100.0").order_by("pk")
    assert (person.pageviews.count(), colleague.pageviews.count()) == (2, 1)
    assert person.ip_key != colleague.ip_key
    # No full address is left anywhere: resolutions gone, the malformed line's sample masked.
    assert not IPResolution.objects.exists()
    for address in (PERSON, COLLEAGUE, HOME, SIX, "85a3:1234"):
        assert traces([address], {}) == []
    assert LogImport.objects.get().malformed_samples == [
        "198.51.100.0 this line is not a log line at all"
    ]


def test_masked_visitors_find_their_lines_again_and_are_not_resolved_anew(tmp_path, zone, masking):
    imported_and_identified(tmp_path, zone)
    before = dict(Visitor.objects.values_list("pk", "ip_key"))
    # The same file again (a re-import) adds nothing; a new day's lines join the same visitors.
    again = imported_and_identified(tmp_path, zone, name="copy.log")
    assert ingest_file(write_log(tmp_path, LINES, name="again.log")).pageviews == 0
    later = [line("/trial", ip=PERSON, minutes=600), line("/", ip=HOME, agent=FIREFOX, minutes=600)]
    imported = ingest_file(write_log(tmp_path, later, name="later.log"))
    assert imported.pageviews == 2
    assert dict(Visitor.objects.values_list("pk", "ip_key")) == before
    person = Visitor.objects.get(pageviews__page__path="/trial")
    assert (person.ip, person.company.domain) == ("198.51.100.0", "initech-systems.com")
    # The prefixes were never looked up: the second identification resolved nothing, and
    # this one neither, and the home visitor is still excluded as an ISP's.
    assert again.resolved == 0
    result = pipeline.identify(hand_on=False, nameservers=[zone.nameserver])
    assert (result.resolved, result.dns_queries) == (0, 0)
    assert not IPResolution.objects.exists()
    assert Visitor.objects.get(ip="203.0.113.0").excluded_reason == ISP
    assert PageView.objects.count() == 7


def test_a_new_browser_on_a_masked_address_is_a_new_visitor_resolved_as_usual(
    tmp_path, zone, masking
):
    imported_and_identified(tmp_path, zone)
    imported_and_identified(tmp_path, zone, [line("/", ip=PERSON, agent=FIREFOX)], name="ff.log")
    newcomer = Visitor.objects.get(user_agent=FIREFOX, company__isnull=False)
    assert newcomer.ip == "198.51.100.0" and newcomer.masked_classification == "business"
    assert Visitor.objects.filter(ip="198.51.100.0").count() == 3


def test_the_delay_and_the_switch(tmp_path, zone, settings):
    settings.LEADGEN_IP_MASKING = False
    imported_and_identified(tmp_path, zone)
    assert mask_resolved().as_dict() == {
        "visitors": 0,
        "resolutions": 0,
        "samples": 0,
        "overrides": 0,
    }
    assert Visitor.objects.filter(ip=PERSON).exists()
    settings.LEADGEN_IP_MASKING = True
    settings.LEADGEN_IP_MASK_DELAY_HOURS = 24
    out = io.StringIO()
    call_command("mask_ips", "--json", stdout=out)
    # Resolved just now, imported just now: a day to go.
    assert json.loads(out.getvalue()) == {
        "visitors": 0,
        "resolutions": 0,
        "samples": 0,
        "overrides": 0,
    }
    tomorrow = timezone.now() + dt.timedelta(hours=25)
    assert mask_resolved(now=tomorrow, batch=2).as_dict() == {
        "visitors": 4,
        "resolutions": 4,
        "samples": 1,
        "overrides": 0,
    }
    assert mask_resolved(now=tomorrow).as_dict() == {
        "visitors": 0,
        "resolutions": 0,
        "samples": 0,
        "overrides": 0,
    }


def test_a_failed_lookup_is_not_masked_until_it_is_answered(tmp_path, dns_server, masking):
    zone = dns_server(host(PERSON, "gw1.initech-systems.com"))
    imported_and_identified(tmp_path, zone, [line("/", ip=PERSON), line("/", ip=HOME)])
    assert Visitor.objects.filter(ip="198.51.100.0").exists()
    # HOME had no PTR record: NXDOMAIN is an answer, so it is masked too.
    assert Visitor.objects.filter(ip="203.0.113.0").exists()
    IPResolution.objects.create(ip="192.0.2.1", outcome="failed")
    Visitor.objects.create(ip="192.0.2.1", ua_hash=5)
    assert mask_resolved().visitors == 0
    assert Visitor.objects.filter(ip="192.0.2.1").exists()


def test_erasing_an_address_after_masking_takes_its_visitors_and_no_neighbour(
    tmp_path, zone, masking, admin_user
):
    imported_and_identified(tmp_path, zone)
    person = Visitor.objects.get(pageviews__page__path="/docs")
    done = erasure.erase_ip(ip=PERSON, by=admin_user)
    assert done.counts == {"visitors": 1, "page views": 2, "sessions": 1}
    assert traces([PERSON], {Visitor: {person.pk}}) == []
    assert Visitor.objects.filter(ip="198.51.100.0").count() == 1
    # The prefix itself names no masked visitor (an unmasked one could have it as its full
    # address); only the masked sample that holds it as text goes.
    done = erasure.erase_ip(ip="198.51.100.0", by=admin_user)
    assert done.counts == {"malformed-line samples": 1}
    colleague = Visitor.objects.get(ip="198.51.100.0")
    done = erasure.erase_visitor(visitor_id=colleague.pk, by=admin_user)
    assert done.counts == {"visitors": 1, "page views": 1, "sessions": 1}


def test_the_privacy_page_says_what_is_masked(client, tmp_path, zone, settings, admin_user, rep):
    settings.LEADGEN_IP_MASKING = True
    settings.LEADGEN_IP_MASK_DELAY_HOURS = 24
    imported_and_identified(tmp_path, zone)
    Visitor.objects.filter(ip=HOME).update(ip="203.0.113.0", ip_key=77, masked_classification="isp")
    IPResolution.objects.filter(ip=PERSON).update(resolved_at=timezone.now() - dt.timedelta(days=2))
    client.force_login(rep)
    assert client.get(reverse("privacy")).status_code == 403
    client.force_login(admin_user)
    page = client.get(reverse("privacy")).content.decode()
    section = page[page.index('id="masking"') :]
    assert "On: addresses keep their first 24 bits (IPv4) or 48 bits (IPv6), 24 hours" in section
    cells = [row.split("<td>")[2].split("<")[0] for row in section.split("<tr>")[2:5]]
    assert cells == ["1", "1", "2"]  # masked, due (PERSON), waiting (COLLEAGUE, SIX)


def test_addresses_in_free_text_are_masked_and_nothing_else(masking):
    sample = (
        '1.2.3.4:8080 - - [02/Mar/2026:09:00:00 +0000] "GET /v1.2.3 HTTP/1.1" ::ffff:10.1.2.3 '
        "2001:DB8:85a3::7334 12:30:45 999.1.1.1"
    )
    assert mask_text([sample, {"client": "5.6.7.8"}]) == [
        '1.2.3.0:8080 - - [02/Mar/2026:09:00:00 +0000] "GET /v1.2.3 HTTP/1.1" 10.1.2.0 '
        "2001:db8:85a3:: 12:30:45 999.1.1.1",
        {"client": "5.6.7.0"},
    ]


@given(address=st.ip_addresses())
def test_an_address_has_one_key_however_it_is_written(address):
    canonical = str(address)
    forms = {canonical, address.exploded, address.exploded.upper(), f" {canonical}\n"}
    assert {ipkeys.key(form) for form in forms} == {ipkeys.key(canonical)}
    assert ipkeys.normal(address.exploded.upper()) == canonical
    # inet_ntop writes an IPv4 tail in dots where ipaddress may not: the slow way decides.
    mapped = f"::ffff:{address}" if address.version == 4 else canonical
    assert ipkeys.normal(mapped) == str(ipaddress.ip_address(mapped))
