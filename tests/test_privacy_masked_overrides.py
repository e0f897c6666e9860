"""Masking reaches overrides: an override saved after masking still finds its visitors, a
researcher's "not this company" works on a masked address, and single-IP overrides are masked
like visitors (prefix and keyed hash) and still mean the one address they named.

Addresses are resolved by the real pipeline against a DNS server on loopback, then masked.
"""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from prospects import pipeline
from prospects.crm.services import mark_identification_wrong
from prospects.identify.exclusions import HOSTING, ISP
from prospects.identify.services import create_override
from prospects.models import Company, IdentificationOverride, Visitor
from prospects.privacy import erasure
from prospects.privacy.masking import mask_resolved
from prospects.visits.ingest.importer import ingest_file
from tests.dns_fixtures import host
from tests.ingest_lines import FIREFOX, line, write_log
from tests.privacy_traces import traces

pytestmark = pytest.mark.django_db
PERSON = "198.51.100.77"
COLLEAGUE = "198.51.100.78"
PREFIX = "198.51.100.0"
IP = IdentificationOverride.Kind.IP


@pytest.fixture
def zone(dns_server):
    return dns_server(
        host(PERSON, "gw1.initech-systems.com") + host(COLLEAGUE, "gw2.initech-systems.com")
    )


@pytest.fixture
def masking(settings):
    settings.LEADGEN_IP_MASKING = True
    settings.LEADGEN_IP_MASK_DELAY_HOURS = 0
    settings.LEADGEN_IP_MASK_IPV4_BITS = 24


def imported(tmp_path, zone, lines, name):
    ingest_file(write_log(tmp_path, lines, name=name))
    pipeline.identify(hand_on=False, nameservers=[zone.nameserver])


@pytest.fixture
def masked(tmp_path, zone, masking):
    """PERSON and COLLEAGUE resolved to Initech, then masked to one prefix."""
    imported(tmp_path, zone, [line("/pricing", ip=PERSON), line("/docs", ip=COLLEAGUE)], "a.log")
    assert set(Visitor.objects.values_list("ip", flat=True)) == {PREFIX}


def reasons():
    """{page the visitor read: (company domain, exclusion reason)}."""
    rows = Visitor.objects.values_list(
        "pageviews__page__path", "company__domain", "excluded_reason"
    )
    return {path: (domain, reason) for path, domain, reason in rows}


def test_an_ip_override_saved_after_masking_reaches_that_address_only(masked, admin_user):
    create_override(kind=IP, value=PERSON, classification="isp", created_by=admin_user)
    assert reasons() == {
        "/pricing": (None, ISP),
        "/docs": ("initech-systems.com", ""),
    }


def test_a_range_reaches_masked_visitors_only_when_it_holds_their_whole_prefix(masked):
    create_override(kind="network", value="198.51.100.64/26", classification="hosting")
    assert reasons()["/pricing"] == ("initech-systems.com", "")
    create_override(kind="network", value="198.51.0.0/16", classification="hosting")
    assert reasons() == {"/pricing": (None, HOSTING), "/docs": (None, HOSTING)}
    # The single address stays the most specific word, as it is for a full address.
    create_override(kind=IP, value=COLLEAGUE, classification="isp")
    create_override(kind="network", value="198.51.0.0/16", classification="hosting", note="again")
    assert reasons() == {"/pricing": (None, HOSTING), "/docs": (None, ISP)}


def test_not_this_company_on_a_masked_address_moves_its_visitors_and_their_later_lines(
    masked, tmp_path, zone, researcher
):
    company = Company.objects.get(domain="initech-systems.com")
    mark_identification_wrong(company=company, ip=PREFIX, user=researcher, classification="isp")
    assert reasons() == {"/pricing": (None, ISP), "/docs": (None, ISP)}
    # One masked override per full address behind the prefix, none holding a full address.
    overrides = IdentificationOverride.objects.all()
    assert [(o.value, o.shown_value) for o in overrides] == [(PREFIX, f"{PREFIX} (masked)")] * 2
    assert {o.ip_key for o in overrides} == set(Visitor.objects.values_list("ip_key", flat=True))
    # A new browser on PERSON's address is a new visitor: resolved, and the override wins.
    imported(tmp_path, zone, [line("/trial", ip=PERSON, agent=FIREFOX)], "b.log")
    assert reasons()["/trial"] == (None, ISP)


def test_masking_masks_ip_overrides_and_they_keep_their_meaning(
    tmp_path, zone, settings, admin_user
):
    settings.LEADGEN_IP_MASKING = True
    settings.LEADGEN_IP_MASK_DELAY_HOURS = 24
    imported(tmp_path, zone, [line("/pricing", ip=PERSON), line("/docs", ip=COLLEAGUE)], "a.log")
    create_override(kind=IP, value=PERSON, classification="hosting", created_by=admin_user)
    tomorrow = timezone.now() + dt.timedelta(hours=25)
    assert mask_resolved(now=tomorrow).overrides == 1
    override = IdentificationOverride.objects.get()
    assert override.value == PREFIX and override.ip_key
    assert traces([PERSON, COLLEAGUE], {}) == []
    # Later: a new browser on the address is resolved, and the masked override still decides.
    imported(tmp_path, zone, [line("/trial", ip=PERSON, agent=FIREFOX)], "b.log")
    assert reasons() == {
        "/pricing": (None, HOSTING),
        "/docs": ("initech-systems.com", ""),
        "/trial": (None, HOSTING),
    }
    assert mask_resolved(now=tomorrow).overrides == 0


def test_erasing_the_address_takes_its_masked_override(masked, admin_user):
    create_override(kind=IP, value=PERSON, classification="isp")
    mask_resolved()
    assert IdentificationOverride.objects.get().ip_key
    done = erasure.erase_ip(ip=PERSON, by=admin_user)
    assert done.counts["overrides"] == 1
    assert not IdentificationOverride.objects.exists()


def test_the_privacy_page_counts_masked_and_full_overrides(masked, client, admin_user):
    create_override(kind=IP, value=PERSON, classification="isp")
    mask_resolved()
    create_override(kind=IP, value="192.0.2.10", classification="hosting")
    client.force_login(admin_user)
    page = client.get(reverse("privacy")).content.decode()
    assert "IP overrides (a researcher&#x27;s" in page or "IP overrides (a researcher's" in page
    assert "1 masked, 1 with their full address" in page


def test_an_overrides_reach_on_the_page_counts_the_masked_visitors_it_covers(
    masked, client, admin_user
):
    client.force_login(admin_user)
    data = {"kind": "network", "value": "198.51.0.0/16", "classification": "hosting"}
    response = client.post(reverse("override_add"), data, follow=True)
    assert "it covers 0 IPs and 2 visitors." in response.content.decode()
    page = client.get(reverse("identification")).content.decode()
    assert "0 IPs, 2 visitors" in page
