"""Rescoring: reasons in words, company scores and engagement from eligible visitors, tasks."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser

from prospects.models import PageView, Visitor
from prospects.queue.selectors import queue_rows
from scoring import services, tasks
from scoring.models import CompanyScore, ModelVersion, VisitorScore
from scoring.reasons import for_company
from tests.factories import CompanyFactory
from tests.scoring_factories import START, ViewWriter, pages, population, quick_candidates

pytestmark = pytest.mark.django_db


@pytest.fixture
def trained():
    kinds = population(400, seed=41)
    version = services.train_model(trained_by="test", folds=3, candidates=quick_candidates())
    return kinds, version


def test_scores_carry_up_to_three_reasons_in_words(trained):
    kinds, _ = trained
    services.rescore()

    # The likeliest visitors are explained (here, with 400 visitors, every one is among them).
    evaluators = VisitorScore.objects.filter(
        visitor_id__in=[pk for pk, kind in kinds.items() if kind == "evaluator"],
        visitor__converted_at__isnull=True,
    ).order_by("-probability")[:20]
    assert len(evaluators) >= 5
    texts = [reason["text"] for score in evaluators for reason in score.reasons]
    assert texts
    assert all(1 <= len(score.reasons) <= 3 for score in evaluators)
    for score in evaluators:
        weights = [abs(reason["weight"]) for reason in score.reasons]
        assert weights == sorted(weights, reverse=True) and min(weights) > 0
    # Evaluators stand out for what evaluators do.
    assert any(
        t.startswith(("viewed pricing", "viewed product", "came back on", "read the documentation"))
        for t in texts
    )
    # Different evaluators are explained by different behaviour, not one stock sentence.
    assert len({reason["feature"] for score in evaluators for reason in score.reasons}) >= 3


def test_company_score_is_the_chance_any_eligible_visitor_converts_with_the_count(trained):
    acme, quiet = CompanyFactory(), CompanyFactory()
    visitors = list(Visitor.objects.filter(converted_at__isnull=True).order_by("pk")[:6])
    for v in visitors[:4]:
        v.company = acme
    visitors[4].company = quiet
    visitors[4].excluded_reason = "isp"  # not eligible
    visitors[3].excluded_reason = "bot"
    Visitor.objects.bulk_update(visitors, ["company", "excluded_reason"])
    converted = Visitor.objects.filter(converted_at__isnull=False).first()
    converted.company = acme
    converted.save(update_fields=["company"])

    services.rescore()

    probabilities = {s.visitor_id: s.probability for s in VisitorScore.objects.all()}
    eligible = visitors[:3]
    best = max(eligible, key=lambda v: probabilities[v.pk])
    score = CompanyScore.objects.get(company=acme)
    assert score.visitor_count == 3
    none_converts = 1.0
    for v in eligible:
        none_converts *= 1 - probabilities[v.pk]
    assert score.probability == pytest.approx(1 - none_converts)
    assert score.probability >= probabilities[best.pk]
    assert score.top_visitor_id == best.pk
    # The top visitor's reasons, each saying whose they are (the chips count all three).
    assert score.reasons == for_company(VisitorScore.objects.get(visitor=best).reasons, 3)
    assert all(r["text"].startswith("Likeliest of 3 visitors: ") for r in score.reasons)
    assert not CompanyScore.objects.filter(company=quiet).exists()

    # The last eligible visitors leave: the company drops out of the ranking.
    Visitor.objects.filter(company=acme).update(excluded_reason="customer")
    services.rescore()
    assert not CompanyScore.objects.filter(company=acme).exists()


def test_changed_only_rescores_just_the_visitors_seen_since(trained):
    services.rescore()
    v = Visitor.objects.filter(converted_at__isnull=True).first()
    site = pages()
    writer = ViewWriter()
    later = START + dt.timedelta(days=20)
    writer.session(v, [site["pricing"], site["pricing"], site["docs"]], later)
    writer.write()
    v.last_seen = dt.datetime.now(dt.UTC)
    v.save(update_fields=["last_seen"])

    result = services.rescore(changed_only=True)

    assert result.visitors == 1
    assert services.rescore(changed_only=True).visitors == 0


def test_tasks_are_idempotent():
    assert "skipped" in tasks.rescore()
    population(400, seed=42)

    first = tasks.retrain()

    open_visitors = Visitor.objects.filter(converted_at__isnull=True).count()
    assert first["visitors"] == open_visitors and ModelVersion.objects.count() == 1
    # Nothing new since: neither task changes anything.
    assert "skipped" in tasks.retrain()
    assert tasks.rescore()["visitors"] == 0
    assert ModelVersion.objects.count() == 1 and VisitorScore.objects.count() == open_visitors


def test_company_engagement_counts_only_eligible_visitors(trained):
    acme = CompanyFactory()
    eligible = list(Visitor.objects.filter(converted_at__isnull=True).order_by("pk")[:2])
    excluded = Visitor.objects.filter(converted_at__isnull=True).order_by("pk")[2]
    converted = Visitor.objects.filter(converted_at__isnull=False).first()
    site = pages()
    writer = ViewWriter()
    later = START + dt.timedelta(days=30)
    writer.session(eligible[0], [site["pricing"], site["premium"]], later)
    writer.session(excluded, [site["pricing"], site["premium"], site["premium"]], later)
    writer.session(converted, [site["pricing"], site["premium"]], later)
    writer.write()
    eligible_seen = later + dt.timedelta(hours=1)
    Visitor.objects.filter(pk=eligible[0].pk).update(company=acme, last_seen=eligible_seen)
    Visitor.objects.filter(pk=eligible[1].pk).update(company=acme)
    # The visitors who are out of the queue were seen last; their visits must not count.
    Visitor.objects.filter(pk=excluded.pk).update(
        company=acme, excluded_reason="bot", last_seen=later + dt.timedelta(days=2)
    )
    Visitor.objects.filter(pk=converted.pk).update(
        company=acme, last_seen=later + dt.timedelta(days=3)
    )

    services.rescore()

    views = PageView.objects.filter(visitor__in=eligible)
    pricing = views.filter(page__category="pricing").count()
    premium = views.filter(page__category="premium").count()
    score = CompanyScore.objects.get(company=acme)
    assert score.visitor_count == 2
    assert (score.pricing_views, score.premium_views) == (pricing, premium)
    assert pricing >= 1 and premium >= 1
    assert score.last_visit == eligible_seen
    # The queue shows these figures from the score, as of this rescore.
    row = queue_rows(user=AnonymousUser(), ids=[acme.pk])[0]
    assert (row.visitor_count, row.pricing_views, row.premium_views) == (2, pricing, premium)
    assert row.last_visit == eligible_seen
