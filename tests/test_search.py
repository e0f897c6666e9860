"""Search: one box over company names, domains, IP addresses and contacts, as each role may see."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from prospects.experiments import services as experiments
from prospects.models import Company, Contact, QueueEntry
from tests.api_client import client_for, company_ids
from tests.crm_fixtures import scored_company
from tests.experiment_fixtures import scored_companies, start
from tests.factories import VisitorFactory

pytestmark = pytest.mark.django_db


def _search(client, query):
    response = client.get(reverse("search"), {"q": query})
    assert response.status_code == 200
    return response.context["results"], response.content.decode()


def test_a_company_is_found_by_name_domain_ip_and_contact(client, researcher):
    granite = scored_company(name="Granite Advisory", domain="granite-advisory.com")
    scored_company(name="Other Ltd", domain="other.example")
    ip = granite.visitors.get().ip
    Contact.objects.create(company=granite, name="Ann Lee", email="ann.lee@granite-advisory.com")
    client.force_login(researcher)

    results, html = _search(client, "granite")
    assert [c.pk for c in results.companies] == [granite.pk]
    assert [c.name for c in results.contacts] == ["Ann Lee"]  # by her email's domain
    assert "Companies (1)" in html and "Contacts (1)" in html

    results, _html = _search(client, "GRANITE-ADVISORY.COM")
    assert [c.pk for c in results.companies] == [granite.pk]

    results, html = _search(client, ip)
    assert [(row["ip"], row["company_id"]) for row in results.addresses] == [(ip, granite.pk)]
    assert "IP addresses (1)" in html

    results, _html = _search(client, "ann lee")
    assert [c.company_id for c in results.contacts] == [granite.pk]


def test_an_address_prefix_finds_the_addresses_it_starts(client, researcher):
    company = scored_company(name="Prefix Co")
    VisitorFactory(company=company, ip="198.51.100.7")
    VisitorFactory(company=company, ip="198.51.100.8")
    VisitorFactory(company=company, ip="203.0.113.9")
    client.force_login(researcher)
    results, _html = _search(client, "198.51.100.")
    assert [row["ip"] for row in results.addresses] == ["198.51.100.7", "198.51.100.8"]
    VisitorFactory(company=company, ip="198.51.1.5")
    results, _html = _search(client, "198.51.10")  # a partial octet: 100 to 109
    assert [row["ip"] for row in results.addresses] == ["198.51.100.7", "198.51.100.8"]
    VisitorFactory(company=company, ip="2001:db8::5")
    results, _html = _search(client, "2001:DB8:")
    assert [row["ip"] for row in results.addresses] == ["2001:db8::5"]


def test_the_team_finds_what_it_may_open_and_never_a_held_out_company(
    client, researcher, rep, admin_user
):
    scored_company(name="Acme Prospect")
    scored_company(name="Acme Customer", relationship=Company.Relationship.CUSTOMER)
    scored_company(name="Acme Converted", status=Company.Status.CONVERTED)
    start(admin_user, share=50)
    arms = scored_companies(16, probability=0.9, prefix="acme arm")
    experiments.record_queue_entries()
    control = set(QueueEntry.objects.filter(arm="control").values_list("company_id", flat=True))
    assert control and control < {c.pk for c in arms}
    Contact.objects.create(company_id=min(control), name="Held Person", email="held@acme.example")

    for person in (researcher, rep):
        client.force_login(person)
        results, html = _search(client, "acme")
        found = {c.pk for c in results.companies}
        assert {c.name for c in results.companies} >= {"Acme Customer", "Acme Converted"}
        assert not found & control and found >= {c.pk for c in arms} - control
        assert "Held Person" not in html
        assert client.get(reverse("export_companies")).status_code == 200

    client.force_login(admin_user)
    results, _html = _search(client, "acme")
    assert {c.pk for c in results.companies} >= control


def test_short_long_and_empty_searches_say_why(client, rep):
    scored_company(name="Granite")
    client.force_login(rep)
    assert _search(client, "g")[0].message == "Type at least 2 characters."
    assert _search(client, "x" * 201)[0].message == "Search for at most 200 characters."
    assert _search(client, "zzzz")[0].message == "Nothing matches."


def test_hostile_names_are_shown_as_text(client, researcher):
    scored_company(name='<img src=x onerror="alert(1)">', domain="evil.example")
    client.force_login(researcher)
    _results, html = _search(client, "evil")
    assert "<img src=x" not in html
    assert "&lt;img src=x" in html


def test_the_nav_has_the_search_box_and_its_shortcut(client, rep):
    client.force_login(rep)
    html = client.get(reverse("my_work")).content.decode()
    assert 'id="nav-search"' in html and 'aria-keyshortcuts="/"' in html
    assert "js/search.js" in html


def test_the_api_searches_companies_and_refuses_unknown_parameters(researcher):
    granite = scored_company(name="Granite Advisory", domain="granite.example")
    scored_company(name="Other", domain="other.example")
    client = client_for(researcher)
    assert company_ids(client.get("/api/companies/?search=granite")) == [granite.pk]
    assert company_ids(client.get("/api/companies/?domain=GRANITE.example")) == [granite.pk]
    assert company_ids(client.get("/api/queue/?search=granite")) == [granite.pk]
    for url in ("/api/companies/?serch=granite", "/api/queue/?bogus=1"):
        response = client.get(url)
        assert response.status_code == 400, url
        assert "Unknown filter parameter." in str(response.json())


def test_a_search_runs_the_same_few_queries_however_much_matches(client, researcher):
    def queries(text):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("search"), {"q": text}).status_code == 200
        return len(ctx.captured_queries)

    client.force_login(researcher)
    scored_company(name="Ember One")
    few = queries("ember")
    for n in range(30):
        company = scored_company(name=f"Ember {n}")
        Contact.objects.create(company=company, name=f"Ember Contact {n}")
    assert queries("ember") == few
