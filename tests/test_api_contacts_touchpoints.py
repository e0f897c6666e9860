"""Contact and touchpoint lists in the API: filters, CSV from the API and the page (one format,
formula cells escaped), the roles, and control companies of a running holdout kept hidden."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from prospects.crm import outreach
from prospects.experiments import services as experiments
from prospects.models import Contact, QueueEntry, Touchpoint
from tests.api_client import client_for
from tests.crm_fixtures import scored_company
from tests.experiment_fixtures import scored_companies, start

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _csv(response) -> list[dict]:
    assert response.status_code == 200, response
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.streaming
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.fixture
def worked(rep):
    """Two companies with contacts, and touchpoints logged by the rep on two days."""
    granite = scored_company(0.9, name="Granite", domain="granite.example")
    basalt = scored_company(0.8, name="Basalt", domain="basalt.example")
    ann = Contact.objects.create(
        company=granite, name="Ann", title="COO", persona="coo", email="ann@granite.example"
    )
    Contact.objects.create(company=granite, name='=HYPERLINK("http://x")', title="@boss")
    bo = Contact.objects.create(company=basalt, name="Bo", persona="cio")
    for company, contact, day, outcome, summary in [
        (granite, ann, TODAY - dt.timedelta(days=3), "no_response", "+first try"),
        (granite, ann, TODAY, "replied", "-call back"),
        (basalt, bo, TODAY - dt.timedelta(days=1), "meeting_booked", "demo on Friday"),
    ]:
        outreach.log_touchpoint(
            company=company,
            user=rep,
            channel="email",
            happened_on=day,
            outcome=outcome,
            summary=summary,
            contact=contact,
        )
    return granite, basalt


def test_contacts_list_with_its_company_and_filters(researcher, worked):
    granite, basalt = worked
    api = client_for(researcher)
    rows = api.get("/api/contacts/").json()["results"]
    assert [(r["company_domain"], r["name"]) for r in rows] == [
        ("basalt.example", "Bo"),
        ("granite.example", '=HYPERLINK("http://x")'),
        ("granite.example", "Ann"),
    ]
    assert rows[0]["company"] == basalt.pk and rows[0]["persona_hint"].startswith("ROI and risk")
    assert api.get(f"/api/contacts/{rows[0]['id']}/").json() == rows[0]
    by_company = api.get("/api/contacts/", {"company": granite.pk}).json()["results"]
    assert {r["name"] for r in by_company} == {"Ann", '=HYPERLINK("http://x")'}
    assert [r["name"] for r in api.get("/api/contacts/?search=granite.ex").json()["results"]] == [
        "Ann"
    ]
    assert [r["name"] for r in api.get("/api/contacts/?persona=cio").json()["results"]] == ["Bo"]
    assert api.get("/api/contacts/?persona=king").status_code == 400
    assert api.get("/api/contacts/?company=x").status_code == 400
    assert api.get("/api/contacts/?compnay=1").status_code == 400


def test_touchpoints_list_newest_first_with_filters(rep, worked):
    granite, basalt = worked
    api = client_for(rep)
    rows = api.get("/api/touchpoints/").json()["results"]
    assert [(r["company_domain"], r["summary"]) for r in rows] == [
        ("granite.example", "-call back"),
        ("basalt.example", "demo on Friday"),
        ("granite.example", "+first try"),
    ]
    assert rows[0]["company"] == granite.pk
    assert (rows[0]["contact_name"], rows[0]["logged_by"]) == ("Ann", "oscar")
    since = (TODAY - dt.timedelta(days=1)).isoformat()
    recent = api.get("/api/touchpoints/", {"after": since}).json()["results"]
    assert [r["summary"] for r in recent] == ["-call back", "demo on Friday"]
    booked = api.get("/api/touchpoints/", {"outcome": "meeting_booked", "logged_by": "oscar"})
    assert [r["company"] for r in booked.json()["results"]] == [basalt.pk]
    assert api.get("/api/touchpoints/", {"logged_by": "rita"}).json()["results"] == []
    assert api.get("/api/touchpoints/", {"after": "31/12/2026"}).status_code == 400
    assert api.get("/api/touchpoints/", {"channel": "fax"}).status_code == 400


def test_csv_from_the_api_and_the_page_is_one_table_with_formulas_escaped(
    client, researcher, worked
):
    granite, _basalt = worked
    api = client_for(researcher)
    contacts = _csv(api.get("/api/contacts/", {"format": "csv", "company": granite.pk}))
    assert [(r["name"], r["title"]) for r in contacts] == [
        ('\'=HYPERLINK("http://x")', "'@boss"),
        ("Ann", "COO"),
    ]
    assert contacts[1]["email"] == "ann@granite.example"
    client.force_login(researcher)
    assert _csv(client.get(reverse("export_contacts"), {"company": granite.pk})) == contacts
    touchpoints = _csv(api.get("/api/touchpoints/?format=csv"))
    assert [r["summary"] for r in touchpoints] == ["'-call back", "demo on Friday", "'+first try"]
    assert touchpoints[0]["happened_on"] == TODAY.isoformat()
    assert _csv(client.get(reverse("export_touchpoints"))) == touchpoints
    assert client.get(reverse("export_touchpoints"), {"outcome": "x"}).status_code == 400
    assert client.get(reverse("export_contacts"), {"nonsense": "1"}).status_code == 400
    # The company page links to its own contacts' and touchpoints' downloads.
    page = client.get(reverse("company", args=[granite.pk])).content.decode()
    assert f"{reverse('export_contacts')}?company={granite.pk}" in page
    assert f"{reverse('export_touchpoints')}?company={granite.pk}" in page


def test_only_the_three_roles_read_the_lists(outsider, worked):
    for path in ("/api/contacts/", "/api/touchpoints/", "/api/contacts/?format=csv"):
        assert client_for().get(path).status_code in (401, 403)
        assert client_for(outsider).get(path).status_code == 403


@pytest.mark.parametrize("role", ["researcher", "rep"])
def test_control_companies_contacts_and_touchpoints_stay_hidden(
    client, request, admin_user, rep, role
):
    start(admin_user, share=50)
    companies = scored_companies(20, probability=0.9, prefix="arm")
    experiments.record_queue_entries()
    arms = dict(QueueEntry.objects.values_list("company_id", "arm"))
    for company in companies:
        Contact.objects.create(company=company, name=f"Person at {company.domain}")
        # Written directly: a held-out company takes no new touchpoint (older ones may exist).
        Touchpoint.objects.create(
            company=company, channel="email", happened_on=TODAY, outcome="no_response"
        )
    control = {pk for pk, arm in arms.items() if arm == "control"}
    treated = {pk for pk, arm in arms.items() if arm == "treatment"}
    assert control and treated
    person = request.getfixturevalue(role)
    api = client_for(person)
    listed = {r["company"] for r in api.get("/api/contacts/?page=1").json()["results"]}
    assert listed == treated
    client.force_login(person)
    for response in (api.get("/api/contacts/?format=csv"), client.get(reverse("export_contacts"))):
        domains = {row["company_domain"] for row in _csv(response)}
        assert domains == {c.domain for c in companies if c.pk in treated}
    touched = {r["company"] for r in api.get("/api/touchpoints/").json()["results"]}
    assert touched == treated
    page_csv = _csv(client.get(reverse("export_touchpoints")))
    assert {row["company_domain"] for row in page_csv} == {
        c.domain for c in companies if c.pk in treated
    }
    held = next(c for c in companies if c.pk in control)
    assert api.get(f"/api/contacts/{held.contacts.get().pk}/").status_code == 404
    assert api.get(f"/api/touchpoints/{held.touchpoints.get().pk}/").status_code == 404
    assert api.get("/api/contacts/", {"company": held.pk}).json()["results"] == []
    assert api.get("/api/touchpoints/", {"company": held.pk}).json()["results"] == []
    # Admins see every company's contacts (the experiment page is theirs).
    everyone = client_for(admin_user).get("/api/contacts/?format=csv")
    assert len(_csv(everyone)) == len(companies)
