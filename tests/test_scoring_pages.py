"""The model page: charts for admins, 403 for everyone else; rollback is an admin POST."""

import pytest
from django.urls import reverse

from scoring import services
from scoring.models import ModelVersion, VisitorScore
from tests.scoring_factories import population, quick_candidates


@pytest.fixture
def two_versions(db):
    population(400, seed=11)
    first = services.train_model(trained_by="ada", folds=3, candidates=quick_candidates())
    second = services.train_model(
        trained_by="scoring.tasks.retrain", folds=3, candidates=quick_candidates()
    )
    services.rescore()
    return first, second


def test_model_page_shows_the_charts_and_history_to_an_admin(client, admin_user, two_versions):
    first, _ = two_versions
    client.force_login(admin_user)

    response = client.get(reverse("scoring:model"))

    assert response.status_code == 200
    html = response.content.decode()
    for chart in ("roc-chart", "pr-chart", "calibration-chart"):
        assert f'id="{chart}"' in html
    assert html.count("<svg") >= 7  # two confusion matrices, three curves, two bar charts
    assert "<polyline" in html and "<circle" in html
    assert "Confusion matrix at the capacity threshold" in html
    assert "lightgbm" in html and "logistic_regression" in html and "points_rule" in html
    # The page leads with the backtest, the candidates side by side; the older view is below.
    assert html.index("what the score did on a period it had not seen") < html.index(
        'id="roc-chart"'
    )
    assert (
        html.count(
            "<tr",
            html.index('id="backtest-candidates"'),
            html.index("</table>", html.index('id="backtest-candidates"')),
        )
        == 4  # the header and three candidates
    )
    assert "beats the points rule by" in html or "The points rule did best" in html
    assert html.index('id="out-of-fold"') > html.index('id="model-figures"')
    assert f"Roll back to v{first.pk}" in html
    assert "cdn" not in html.lower()


def test_researcher_and_outsider_get_403(client, researcher, outsider, two_versions):
    first, _ = two_versions
    for user in (researcher, outsider):
        client.force_login(user)
        assert client.get(reverse("scoring:model")).status_code == 403
        response = client.post(reverse("scoring:activate", args=[first.pk]))
        assert response.status_code == 403
    first.refresh_from_db()
    assert not first.is_active


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(reverse("scoring:model"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_rollback_activates_the_old_version_and_rescores_with_it(client, admin_user, two_versions):
    first, second = two_versions
    client.force_login(admin_user)

    assert client.get(reverse("scoring:activate", args=[first.pk])).status_code == 405
    response = client.post(reverse("scoring:activate", args=[first.pk]))

    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.is_active and not second.is_active
    assert ModelVersion.objects.filter(is_active=True).count() == 1
    # The view queued a rescore (run in process when Celery is eager); running it again is
    # harmless, and afterwards every score comes from the old version.
    services.rescore(changed_only=True)
    assert set(VisitorScore.objects.values_list("model_version", flat=True)) == {first.pk}


def test_page_without_any_model_says_how_to_train(client, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("scoring:model"))
    assert response.status_code == 200
    assert "train_model" in response.content.decode()
