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
from prospects.exports import csvstream, tables
from prospects.models import Company, Contact
from scoring.models import CompanyScore, VisitorScore
from tests.api_client import client_for
from tests.crm_fixtures import model_version, scored_company

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
    contacts = _read(client.get(reverse("export_contacts")))
    assert [(row["company_domain"], row["name"]) for row in contacts] == [
        (customer.domain, "Bo"),
        ("granite.example", "Ann"),
    ]
    touchpoints = _read(client.get(reverse("export_touchpoints")))
    assert touchpoints[0]["summary"] == "'-call back"
    assert (touchpoints[0]["contact"], touchpoints[0]["logged_by"]) == ("Ann", "oscar")


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


def _peak_while_streaming() -> tuple[int, int]:
    tracemalloc.start()
    lines = 0
    for piece in csvstream.csv_lines(
        tables.COMPANY_HEADER, tables.company_rows(Company.objects.order_by("pk"))
    ):
        lines += piece.count("\n")
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return lines, peak


@pytest.mark.slow
def test_memory_stays_flat_however_many_rows():
    _companies(5_000)
    small_lines, small_peak = _peak_while_streaming()
    _companies(45_000, start=5_000)
    large_lines, large_peak = _peak_while_streaming()
    assert (small_lines, large_lines) == (5_001, 50_001)
    # Ten times the rows, about the same memory: one chunk of rows at a time.
    assert large_peak < small_peak * 1.5
