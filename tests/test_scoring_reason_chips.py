"""A company's reasons say what its page says: rescoring stores the top visitor's own numbers."""

import re
from decimal import Decimal

import pytest
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.urls import reverse

from prospects.models import PageView, Session, ThresholdChange, Visitor
from scoring import services
from scoring.features import CATEGORIES
from scoring.models import CompanyScore
from tests.factories import CompanyFactory
from tests.scoring_factories import population, quick_candidates

pytestmark = pytest.mark.django_db

CHIPS = {"pricing": "pricing_views", "premium": "premium_views"}


def _counts():
    """Per visitor, counted from the rows the company page shows: views, views by kind, days."""
    by_kind = PageView.objects.values("visitor_id", "page__category").annotate(n=Count("id"))
    days = Session.objects.values("visitor_id").annotate(
        n=Count(TruncDate("started_at"), distinct=True)
    )
    return (
        {(r["visitor_id"], r["page__category"]): r["n"] for r in by_kind},
        dict(PageView.objects.values_list("visitor_id").annotate(n=Count("id"))),
        {r["visitor_id"]: r["n"] for r in days},
    )


def test_reasons_count_what_the_chips_and_the_visits_show(settings, tmp_path, researcher, client):
    settings.LEADGEN_MODEL_DIR = tmp_path
    population(400, seed=43)
    services.train_model(trained_by="test", folds=3, candidates=quick_candidates())
    # One company per visitor, so a company's chips count exactly its top visitor's views.
    visitors = list(Visitor.objects.eligible())
    for visitor in visitors:
        visitor.company = CompanyFactory()
    Visitor.objects.bulk_update(visitors, ["company"])
    services.rescore()

    by_kind, pages, days = _counts()
    checked = 0
    for score in CompanyScore.objects.exclude(reasons=[]):
        who = score.top_visitor_id
        for reason in score.reasons:
            text = reason["text"]
            if reason["feature"] in CATEGORIES:
                found = re.match(r"^(\d+|no) ", text)
                said = 0 if found[1] == "no" else int(found[1])
                assert said == by_kind.get((who, reason["feature"]), 0), text
                if reason["feature"] in CHIPS:
                    assert said == getattr(score, CHIPS[reason["feature"]]), text
                checked += 1
            if found := re.search(r"came back on (\d+) other day", text):
                assert int(found[1]) == days[who] - 1, text
                checked += 1
            if found := re.search(r"(\d+) pages in all", text):
                assert int(found[1]) == pages[who], text
                checked += 1
    assert checked >= 8
    client.force_login(researcher)
    shown = CompanyScore.objects.exclude(reasons=[]).order_by("-probability").first()
    page = client.get(reverse("company", args=[shown.company_id])).content.decode()
    assert all(reason["text"] in page for reason in shown.reasons)


def test_a_company_of_several_visitors_says_its_reasons_are_the_likeliest_ones(
    settings, tmp_path, researcher, client
):
    """The chips count every visitor, the reasons one: the page says whose numbers they are."""
    settings.LEADGEN_MODEL_DIR = tmp_path
    population(400, seed=43)
    services.train_model(trained_by="test", folds=3, candidates=quick_candidates())
    # Companies of three visitors each, so a company's chips add up three visitors' views.
    visitors = list(Visitor.objects.eligible().order_by("pk"))
    for i, visitor in enumerate(visitors):
        if i % 3 == 0:
            company = CompanyFactory()
        visitor.company = company
    Visitor.objects.bulk_update(visitors, ["company"])
    services.rescore()

    by_kind, _, _ = _counts()
    ThresholdChange.objects.create(value=Decimal("0.00"))  # every scored company in the queue
    client.force_login(researcher)
    queue = client.get(reverse("queue")).content.decode()
    chips_checked = rows_checked = 0
    for score in CompanyScore.objects.filter(visitor_count__gt=1).exclude(reasons=[]):
        prefix = f"Likeliest of {score.visitor_count} visitors: "
        page = client.get(reverse("company", args=[score.company_id])).content.decode()
        for reason in score.reasons:
            text = reason["text"]
            assert text.startswith(prefix), text
            assert text in page
            if reason["feature"] in CHIPS:
                said = re.match(r"^(\d+|no) ", text.removeprefix(prefix))[1]
                said = 0 if said == "no" else int(said)
                # The number is the top visitor's own, and the page says it is one visitor's.
                assert said == by_kind.get((score.top_visitor_id, reason["feature"]), 0)
                assert getattr(score, CHIPS[reason["feature"]]) >= said
                chips_checked += 1
        row_id = f'id="queue-row-{score.company_id}"'
        if row_id in queue:
            row = queue.split(row_id)[1].split("</tr>")[0]
            shown = re.findall(r'<span class="chip">([^<]*)</span>', row)
            assert shown and all(t.startswith(prefix) for t in shown), shown
            rows_checked += 1
    assert chips_checked >= 3 and rows_checked >= 3
