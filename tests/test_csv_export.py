"""CSV exports: the queue as filtered, companies, contacts, touchpoints and scores; streamed,
one format from the page, the API and the command, and safe to open in a spreadsheet."""

import csv
import io
import tracemalloc

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from prospects.crm import outreach
from prospects.experiments import services as experiments
from prospects.exports import csvstream, tables
from prospects.models import Company, Contact, QueueEntry, Touchpoint
from scoring.models import CompanyScore, VisitorScore
from tests.api_client import client_for
from tests.crm_fixtures import model_version, scored_company
from tests.experiment_fixtures import scored_companies, start

pytestmark = pytest.mark.django_db


def _read(response) -> list[dict]:
    assert response.status_code == 200, response
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.streaming
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1 555", "'+1 555"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("plain", "plain"),
        (-0.5, "-0.5"),
        (None, ""),
    ],
)
def test_cells_that_a_spreadsheet_would_run_are_escaped(value, cell):
    assert csvstream.safe_cell(value) == cell


def test_the_queue_csv_holds_every_matching_row_and_matches_the_api(client, researcher):
    for i in range(60):  # more than one page of the queue
        scored_company(0.71 + i / 1000)
    scored_company(0.6)  # filtered out
    scored_company(0.2)  # under the threshold
    hostile = scored_company(0.95, name="=cmd|' /C calc'!A0", domain="evil.example")
    client.force_login(researcher)
    page_rows = _read(client.get(reverse("export_queue"), {"score_min": "70"}))
    assert len(page_rows) == 1 + 60
    assert page_rows[0]["name"] == "'=cmd|' /C calc'!A0"
    assert page_rows[0]["domain"] == hostile.domain
    assert list(page_rows[0]) == tables.COMPANY_HEADER
    assert page_rows[0]["probability"] == "0.9500"
    assert page_rows[0]["chance"] == "95% chance of a trial or contact request within 30 days"
    assert page_rows[0]["reasons"] == "viewed pricing 3 times; returned on 2 days"
    api_rows = _read(client_for(researcher).get("/api/queue/?score_min=70&format=csv"))
    assert api_rows == page_rows
    assert client_for(researcher).get("/api/queue/?score_min=lots&format=csv").status_code == 400


def test_companies_contacts_and_touchpoints(client, researcher, rep):
    company = scored_company(0.9, name="Granite", domain="granite.example")
    customer = scored_company(0.9, relationship=Company.Relationship.CUSTOMER)
    ann = Contact.objects.create(company=company, name="Ann", email="ann@granite.example")
    Contact.objects.create(company=customer, name="Bo")
    outreach.log_touchpoint(
        company=company,
        user=rep,
        channel="email",
        happened_on=timezone.localdate(),
        outcome="replied",
        summary="-call back",
        contact=ann,
    )
    client.force_login(researcher)
    # Every company the person may open, dead ends included, by name.
    companies = _read(client.get(reverse("export_companies")))
    assert [row["domain"] for row in companies] == [customer.domain, "granite.example"]
    assert companies[1]["rep"] == "oscar" and companies[1]["status"] == "in_outreach"
    api = _read(client_for(researcher).get("/api/companies/?format=csv&search=granite"))
    assert api == companies[1:]
    # The page's download takes the API's filters, and refuses one it does not know.
    assert _read(client.get(reverse("export_companies"), {"search": "granite"})) == api
    assert client.get(reverse("export_companies"), {"serch": "granite"}).status_code == 400
    assert client.get(reverse("export_companies"), {"score_min": "lots"}).status_code == 400
    contacts = _read(client.get(reverse("export_contacts")))
    assert [(row["company_domain"], row["name"]) for row in contacts] == [
        (customer.domain, "Bo"),
        ("granite.example", "Ann"),
    ]
    touchpoints = _read(client.get(reverse("export_touchpoints")))
    assert touchpoints[0]["summary"] == "'-call back"
    assert (touchpoints[0]["contact"], touchpoints[0]["logged_by"]) == ("Ann", "oscar")


@pytest.mark.parametrize("role", ["researcher", "rep"])
def test_no_download_shows_a_control_company(client, request, admin_user, role):
    start(admin_user, share=50)
    companies = scored_companies(20, probability=0.9, prefix="arm")
    experiments.record_queue_entries()
    arms = dict(QueueEntry.objects.values_list("company_id", "arm"))
    treated = {c.domain for c in companies if arms[c.pk] == "treatment"}
    assert treated and len(treated) < len(companies)
    person = request.getfixturevalue(role)
    client.force_login(person)
    api = client_for(person)
    downloads = {
        "queue page": client.get(reverse("export_queue")),
        "companies page": client.get(reverse("export_companies")),
        "queue API": api.get("/api/queue/?format=csv"),
        "companies API": api.get("/api/companies/?format=csv"),
        "bulk export": client.post(
            reverse("queue_bulk"), {"action": "export", "all_matching": "1"}
        ),
    }
    for name, response in downloads.items():
        assert {row["domain"] for row in _read(response)} == treated, name
    # Admins open control companies (the experiment page links them): their list has them all,
    # while the queue holds them out from everyone.
    admin = client_for(admin_user)
    assert len(_read(admin.get("/api/companies/?format=csv"))) == len(companies)
    assert {row["domain"] for row in _read(admin.get("/api/queue/?format=csv"))} == treated


def test_only_the_three_roles_download(outsider):
    for path in ("/api/queue/?format=csv", "/api/companies/?format=csv"):
        assert client_for().get(path).status_code in (401, 403)
        assert client_for(outsider).get(path).status_code == 403


def test_export_scores_writes_visitors_and_companies(tmp_path, researcher):
    company = scored_company(0.9, name="Granite", domain="granite.example")
    visitor = company.visitors.get()
    version = model_version()
    VisitorScore.objects.create(
        visitor=visitor,
        model_version=version,
        probability=0.9,
        reasons=[{"text": "viewed pricing 3 times"}],
        scored_at=timezone.now(),
    )
    out = io.StringIO()
    call_command("export_scores", stdout=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert rows == [
        {
            "ip": visitor.ip,
            "user_agent": visitor.user_agent,
            "company_domain": "granite.example",
            "probability": "0.9000",
            "chance": "90% chance of a trial or contact request within 30 days",
            "model_version": str(version.pk),
            "reasons": "viewed pricing 3 times",
        }
    ]
    path = tmp_path / "companies.csv"
    err = io.StringIO()
    call_command("export_scores", "--companies", "--out", str(path), stderr=err)
    assert "Wrote 1 rows" in err.getvalue()
    client = client_for(researcher)
    from_api = b"".join(client.get("/api/queue/?format=csv").streaming_content).decode()
    assert path.read_bytes().decode() == from_api


def _companies(n, start=0):
    version = model_version()
    companies = Company.objects.bulk_create(
        Company(name=f"Co {i}", domain=f"co{i}.example") for i in range(start, start + n)
    )
    CompanyScore.objects.bulk_create(
        CompanyScore(
            company=c,
            model_version=version,
            probability=0.9,
            visitor_count=3,
            reasons=[{"text": "viewed pricing 3 times"}],
            scored_at=timezone.now(),
        )
        for c in companies
    )


def _fill(kind, n, start):
    """n more rows of the kind of download (every row under one company, for people)."""
    if kind == "export_companies":
        _companies(n, start)
        return
    company = Company.objects.get_or_create(name="Basalt", domain="basalt.example")[0]
    if kind == "export_contacts":
        Contact.objects.bulk_create(
            (Contact(company=company, name=f"=Person {i}") for i in range(start, start + n)),
            batch_size=5000,
        )
    else:
        Touchpoint.objects.bulk_create(
            (
                Touchpoint(
                    company=company,
                    channel="email",
                    happened_on=timezone.localdate(),
                    outcome="no_response",
                    summary=f"-call {i}",
                )
                for i in range(start, start + n)
            ),
            batch_size=5000,
        )


def _peak_while_downloading(client, name) -> tuple[int, int]:
    tracemalloc.start()
    response = client.get(reverse(name))
    assert response.streaming
    lines = sum(piece.count(b"\n") for piece in response.streaming_content)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return lines, peak


@pytest.mark.slow
@pytest.mark.parametrize("name", ["export_companies", "export_contacts", "export_touchpoints"])
def test_memory_stays_flat_up_to_100000_rows(client, researcher, name):
    client.force_login(researcher)
    _fill(name, 10_000, 0)
    client.get(reverse(name))  # the first request's imports and caches are not the download's
    small_lines, small_peak = _peak_while_downloading(client, name)
    _fill(name, 90_000, 10_000)
    large_lines, large_peak = _peak_while_downloading(client, name)
    assert (small_lines, large_lines) == (10_001, 100_001)
    # Ten times the rows, about the same memory: one chunk of rows at a time.
    assert large_peak < small_peak * 1.5
