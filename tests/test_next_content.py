"""Next content: what the segment's converters read before converting that this company has not."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from prospects.crm import services
from prospects.models import CompanySegment, Contact, Segment, Session
from prospects.segments.next_content import next_content
from tests.crm_fixtures import scored_company
from tests.factories import CompanyFactory, PageFactory, PageViewFactory, VisitorFactory

pytestmark = pytest.mark.django_db

HOSTILE = "/blog/<script>alert(1)</script>"


def _company(segment, reads, *, converted_at=None):
    """A company of the segment whose visitor read `reads` ((path, category, days before now))."""
    company = CompanyFactory()
    CompanySegment.objects.create(company=company, segment=segment)
    visitor = VisitorFactory(company=company, converted_at=converted_at)
    now = timezone.now()
    session = Session.objects.create(
        visitor=visitor, started_at=now, ended_at=now, pageview_count=1
    )
    for path, category, days in reads:
        page = PageFactory(path=path, category=category)
        PageViewFactory(
            visitor=visitor, session=session, page=page, ts=now - dt.timedelta(days=days)
        )
    return company


@pytest.fixture
def segment():
    return Segment.objects.create(
        auto_name="evaluators: pricing, docs", clustered_at=timezone.now()
    )


def _population(segment, converters=4):
    converted_at = timezone.now() - dt.timedelta(days=5)
    for n in range(converters):
        reads = [
            ("/whitepaper/roi", "premium", 9),
            ("/docs/install", "docs", 8),
            ("/pricing/late", "pricing", 1),  # read after converting: does not count
        ]
        if n < 3:
            reads.append((HOSTILE, "blog", 7))
        _company(segment, reads, converted_at=converted_at)
    for _ in range(4):
        _company(segment, [("/docs/install", "docs", 3), ("/careers", "jobs", 3)])


def test_pieces_converters_read_and_this_company_did_not_are_ranked_by_the_difference(
    segment, researcher
):
    _population(segment)
    company = scored_company()
    CompanySegment.objects.create(company=company, segment=segment)
    ann = services.add_contact(company=company, user=researcher, name="Ann Lee", persona="cio")
    advice = next_content(company=company, segment=segment, contacts=[ann])
    assert advice.enough and advice.converters == 4
    assert [p.path for p in advice.pieces] == ["/whitepaper/roi", HOSTILE]
    first, second = advice.pieces
    assert (first.converters_share, first.others_share) == (1.0, 0.0)
    assert second.converters_share == 0.75
    assert (first.persona, first.contact) == ("CIO", "Ann Lee")
    assert first.hint == Contact.PERSONA_HINTS[Contact.Persona.CIO]
    assert (second.persona, second.contact) == ("Systems administrator", "")


def test_a_piece_the_company_read_already_is_not_offered(segment):
    _population(segment)
    company = _company(segment, [("/whitepaper/roi", "premium", 2)])
    advice = next_content(company=company, segment=segment)
    assert [p.path for p in advice.pieces] == [HOSTILE]


def test_too_few_converters_or_no_segment_give_no_advice(segment, client, rep):
    _population(segment, converters=2)
    company = scored_company()
    CompanySegment.objects.create(company=company, segment=segment)
    advice = next_content(company=company, segment=segment)
    assert not advice.enough and advice.pieces == []
    client.force_login(rep)
    page = client.get(reverse("company", args=[company.pk])).content.decode()
    assert "Only 2 companies of the segment" in page
    other = scored_company()
    assert next_content(company=other, segment=None) is None
    page = client.get(reverse("company", args=[other.pk])).content.decode()
    assert "No behaviour segment for this company yet" in page


def test_the_rep_sees_the_advice_by_the_touchpoint_form_with_hostile_paths_as_text(
    segment, client, rep, researcher
):
    _population(segment)
    company = scored_company()
    CompanySegment.objects.create(company=company, segment=segment)
    client.force_login(rep)
    page = client.get(reverse("company", args=[company.pk])).content.decode()
    form_at, advice_at = page.index('id="touchpoint-form"'), page.index('id="next-content"')
    assert form_at < advice_at
    assert "<script>alert(1)</script>" not in page
    assert "/blog/&lt;script&gt;alert(1)&lt;/script&gt;" in page
    # Researchers log no touchpoints: the advice is offered where touchpoints are logged.
    client.force_login(researcher)
    assert (
        'id="next-content"'
        not in client.get(reverse("company", args=[company.pk])).content.decode()
    )
