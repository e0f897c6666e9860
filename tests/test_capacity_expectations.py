"""The capacity page: per threshold, the companies above it, their expected conversions within
the horizon (the sum of their chances) and what happened at the backtest cutoff."""

import pytest
from django.urls import reverse

from prospects.models import Visitor
from prospects.queue.selectors import queue_length_by_threshold
from scoring import services
from scoring.models import CompanyScore
from tests.factories import CompanyFactory
from tests.scoring_factories import population, quick_candidates

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored():
    companies = [CompanyFactory() for _ in range(12)]
    population(500, seed=71)
    visitors = list(Visitor.objects.order_by("pk"))
    for i, v in enumerate(visitors):
        v.company = companies[i % len(companies)]
        # As identification records it: a visitor who converted is out of the queue.
        v.excluded_reason = "converted" if v.converted_at else ""
    Visitor.objects.bulk_update(visitors, ["company", "excluded_reason"])
    version = services.train_model(trained_by="test", folds=3, candidates=quick_candidates())
    services.rescore()
    return version


def test_expected_conversions_are_the_sum_of_the_chances_above_each_threshold(scored):
    chances = list(CompanyScore.objects.values_list("probability", flat=True))
    assert chances

    for row in queue_length_by_threshold():
        above = [p for p in chances if p >= float(row["threshold"])]
        assert row["companies"] == len(above)
        assert row["expected"] == pytest.approx(round(sum(above), 1))


def test_the_page_shows_expectations_and_the_backtest_outcome(client, admin_user, scored):
    client.force_login(admin_user)

    html = client.get(reverse("capacity")).content.decode()

    assert 'id="expected-row"' in html and "Expected to convert in 30 days" in html
    assert 'id="backtest-converted-row"' in html
    by_threshold = scored.backtest["by_threshold"]
    assert [row["threshold"] for row in by_threshold] == [
        float(row["threshold"]) for row in queue_length_by_threshold()
    ]
    # Fewer companies pass a higher bar, then and now; none converted that were not counted.
    companies = [row["companies"] for row in by_threshold]
    assert companies == sorted(companies) and companies[-1] > 0
    assert all(0 <= row["converted"] <= row["companies"] for row in by_threshold)
    assert by_threshold[-1]["converted"] > 0  # converts count, though excluded since
