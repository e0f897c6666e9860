"""The pace cue on the company page: hurried or browsing, from hand-made recent sessions."""

import datetime as dt

import pytest
from django.urls import reverse

from prospects.segments.pace import company_pace
from tests.crm_fixtures import scored_company
from tests.scoring_factories import ViewWriter, pages

pytestmark = pytest.mark.django_db

DAY = dt.datetime(2026, 5, 4, 10, 0, tzinfo=dt.UTC)


def _company_with(visits, *, seconds):
    """A scored company whose one visitor made `visits` (lists of page kinds), a day apart."""
    company = scored_company(0.7, views=())
    visitor = company.visitors.get()
    site, writer = pages(), ViewWriter()
    for day, kinds in enumerate(visits):
        writer.session(
            visitor, [site[k] for k in kinds], DAY + dt.timedelta(days=day), seconds=seconds
        )
    writer.write()
    _seen_until_last_view(visitor)
    return company


def _seen_until_last_view(visitor):
    """last_seen as ingestion keeps it: the visitor's newest page view."""
    visitor.last_seen = visitor.pageviews.order_by("-ts").values_list("ts", flat=True).first()
    visitor.save(update_fields=["last_seen"])


def test_short_visits_that_reach_pricing_early_are_hurried(client, rep):
    company = _company_with([["pricing", "product"], ["home", "pricing", "docs"]], seconds=20)
    pace = company_pace(company=company)
    assert pace.kind == "hurried"
    assert (
        pace.evidence == "2.5 pages a visit over 2 visits, 20 s a page, pricing early in 2 visits"
    )
    client.force_login(rep)
    page = client.get(reverse("company", args=[company.pk])).content.decode()
    assert 'id="company-pace"' in page and "<strong>Hurried</strong> lately" in page


def test_long_reads_across_many_kinds_of_content_are_browsing(client, researcher):
    visit = ["blog", "docs", "product", "premium", "home"]
    company = _company_with([visit, list(reversed(visit))], seconds=150)
    pace = company_pace(company=company)
    assert pace.kind == "browsing"
    assert pace.evidence == "5.0 pages a visit over 2 visits, 2.5 min a page, 5 kinds of content"
    client.force_login(researcher)
    page = client.get(reverse("company", args=[company.pk])).content.decode()
    assert "<strong>Browsing</strong> lately" in page and "Offer depth" in page


def test_mixed_signs_and_old_visits_give_no_cue(client, researcher):
    # Few pages and no pricing, but long reads: one sign each way.
    mixed = _company_with([["blog", "home"]], seconds=200)
    assert company_pace(company=mixed) is None
    client.force_login(researcher)
    assert (
        'id="company-pace"' not in client.get(reverse("company", args=[mixed.pk])).content.decode()
    )


def test_only_the_last_month_of_visits_counts():
    company = _company_with([["blog", "docs", "product", "premium", "home"]], seconds=150)
    visitor = company.visitors.get()
    site, writer = pages(), ViewWriter()
    later = DAY + dt.timedelta(days=60)
    writer.session(visitor, [site["pricing"], site["product"]], later, seconds=15)
    writer.session(visitor, [site["pricing"]], later + dt.timedelta(days=1), seconds=15)
    writer.write()
    _seen_until_last_view(visitor)
    assert company_pace(company=company).kind == "hurried"
