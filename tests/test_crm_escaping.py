"""Whatever came from the internet (paths, referrers, user agents, PTR names) is escaped on every page."""

import pytest
from django.urls import reverse
from django.utils import timezone

from prospects.crm import services
from prospects.models import Company, IdentificationOverride, IPResolution, PageView, Visitor
from prospects.visits.ingest.importer import ingest_file
from scoring.models import CompanyScore
from tests.crm_fixtures import model_version

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
QUOTE_TRICK = '"><img src=x onerror=alert(1)>'
IP = "203.0.113.7"
UA = f"Mozilla/5.0 {SCRIPT}"
LOG = (
    f'{IP} - - [10/Oct/2025:13:55:36 +0000] "GET /pricing/{SCRIPT} HTTP/1.1" 200 123 '
    f'"https://evil.example/{SCRIPT}" "{UA}"\n'
    f'{IP} - - [10/Oct/2025:13:56:36 +0000] "GET /blog/x?q=\\"><img%20src=x HTTP/1.1" 200 1200 '
    f'"https://evil.example/\\"><img src=x onerror=alert(1)>" "{UA}"\n'
    f'{IP} - - [10/Oct/2025:13:57:36 +0000] "GET /whitepapers/\\"><img_src=x> HTTP/1.1" 200 900 '
    f'"-" "{UA}"\n'
    f"this is not a log line {SCRIPT} {QUOTE_TRICK}\n"
)


@pytest.fixture
def hostile(tmp_path, admin_user):
    """A log full of markup, imported, its visitor tied to a scored, claimed company."""
    log = tmp_path / "hostile.log"
    log.write_text(LOG)
    ingest_file(str(log))
    company = Company.objects.create(name=f"Evil {SCRIPT}", domain=f"evil{QUOTE_TRICK}.example")
    Visitor.objects.filter(ip=IP).update(company=company)
    IPResolution.objects.create(
        ip=IP,
        outcome="ok",
        ptr_name=f"host{QUOTE_TRICK}.evil.example",
        domain="evil.example",
        classification="business",
        evidence=[f"PTR said {SCRIPT}"],
        company=company,
        asn_name=SCRIPT,
    )
    IdentificationOverride.objects.create(
        kind="domain", value=f"x{SCRIPT}", classification="business", company=company
    )
    CompanyScore.objects.create(
        company=company,
        model_version=model_version(),
        probability=0.9,
        visitor_count=1,
        reasons=[{"text": f"read {SCRIPT}"}],
        scored_at=timezone.now(),
    )
    services.claim_company(company=company, user=admin_user)
    services.add_note(company=company, author=admin_user, body=QUOTE_TRICK)
    services.add_contact(company=company, user=admin_user, name=SCRIPT, title=QUOTE_TRICK)
    return company


def test_the_hostile_strings_reached_the_database(hostile):
    paths = set(PageView.objects.values_list("page__path", flat=True))
    assert f"/pricing/{SCRIPT}" in paths
    assert Visitor.objects.get(ip=IP).user_agent == UA
    referrers = set(PageView.objects.values_list("referrer", flat=True))
    assert f"https://evil.example/{QUOTE_TRICK}" in referrers


@pytest.mark.parametrize("name", ["queue", "company", "my_work", "imports", "identification"])
def test_every_page_escapes_internet_data(client, admin_user, hostile, name):
    client.force_login(admin_user)
    url = reverse(name, args=[hostile.pk]) if name == "company" else reverse(name)
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "<script>alert" not in body
    assert "<img src=x" not in body and "<img_src" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_company_page_shows_every_hostile_field_escaped(client, admin_user, hostile):
    client.force_login(admin_user)
    body = client.get(reverse("company", args=[hostile.pk])).content.decode()
    assert "/pricing/&lt;script&gt;" in body  # path
    assert "https://evil.example/&lt;script&gt;" in body  # referrer
    assert "Mozilla/5.0 &lt;script&gt;" in body  # user agent
    assert "host&quot;&gt;&lt;img src=x onerror=alert(1)&gt;.evil.example" in body  # PTR name
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in body  # note
