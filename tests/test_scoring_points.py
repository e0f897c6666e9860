"""The points rule: its defaults, its arithmetic with decay, its curve, its file, its page."""

import numpy as np
import pytest
from django.urls import reverse

from scoring.features import build_features
from scoring.models import PointRule
from scoring.points import DEFAULT_RULES, PointsModel, load_rules
from scoring.registry import load_artifact, save_artifact
from scoring.snapshots import scoring_cutoff, training_snapshots
from tests.scoring_factories import population

pytestmark = pytest.mark.django_db

NAMES = ["views_pricing", "return_days", "views_jobs", "days_since_last_visit"]


def test_a_new_installation_has_the_default_rule():
    assert sorted(load_rules()) == sorted(
        (behaviour, float(points), decay) for behaviour, points, decay in DEFAULT_RULES
    )
    assert dict(PointRule.objects.values_list("behaviour", "points")) == {
        "views_blog": 1,
        "views_product": 2,
        "views_pricing": 5,
        "views_premium": 5,
        "return_days": 3,
        "views_jobs": -5,
    }


def test_points_and_ranking_on_a_hand_computed_example_with_decay():
    # Pricing: 5 a view, losing 2 a day since the last visit; return days: 3 each, no decay;
    # jobs: -5 a view, shrinking by 1 a day towards zero.
    rules = (("views_pricing", 5, 2.0), ("return_days", 3, 0.0), ("views_jobs", -5, 1.0))
    X = np.array(
        [
            [3, 1, 0, 4],  # 15 - 8 = 7, + 3 = 10
            [3, 1, 0, 0],  # 15 + 3 = 18
            [3, 0, 0, 10],  # 15 - 20 floors at 0
            [0, 2, 1, 2],  # 6, and -5 shrinks by 2 to -3: 3
            [1, 0, 2, 0],  # 5 - 10 = -5
        ],
        dtype=float,
    )
    model = PointsModel(rules, NAMES)
    assert model.points(X).tolist() == [10, 18, 0, 3, -5]
    assert model.contributions(X).tolist() == [
        [7, 3, 0],
        [15, 3, 0],
        [0, 0, 0],
        [0, 6, -3],
        [5, 0, -10],
    ]
    y = np.array([1, 1, 0, 0, 0])
    p = model.fit(X, y).predict_proba(X)[:, 1]
    assert np.argsort(-p, kind="stable").tolist() == [1, 0, 3, 2, 4]


def test_the_curve_is_monotone_and_learns_the_conversion_rate():
    rng = np.random.default_rng(3)
    X = np.column_stack(
        [rng.poisson(1.5, 4000), rng.poisson(1, 4000), rng.poisson(0.3, 4000), np.zeros(4000)]
    ).astype(float)
    model = PointsModel((("views_pricing", 5, 0.0), ("return_days", 3, 0.0)), NAMES)
    logit = -4 + 0.25 * model.points(X)
    y = (rng.random(4000) < 1 / (1 + np.exp(-logit))).astype(int)
    p = model.fit(X, y).predict_proba(X)[:, 1]
    order = np.argsort(model.points(X))
    assert (np.diff(p[order]) >= 0).all()
    assert p.mean() == pytest.approx(y.mean(), abs=0.01)
    # Points going the wrong way still rank by the admins' rule, at the base rate.
    flat = PointsModel((("views_pricing", -5, 0.0),), NAMES).fit(X, y).predict_proba(X)[:, 1]
    assert flat.max() - flat.min() < 1e-3
    assert flat.mean() == pytest.approx(y.mean(), abs=0.01)


def test_with_no_visitors_or_no_conversions_the_chances_sit_at_the_floor():
    X = np.array([[3, 1, 0, 0], [0, 0, 0, 0]], dtype=float)
    for rows, y in ((X[:0], np.zeros(0)), (X, np.zeros(2))):
        model = PointsModel(DEFAULT_RULES[2:3], NAMES).fit(rows, y)
        p = model.predict_proba(X)[:, 1]
        assert np.isfinite(p).all() and p.max() < 1e-5
        assert p[0] > p[1]


def test_a_rule_for_a_column_the_features_lack_is_refused_clearly():
    with pytest.raises(ValueError, match="views_press"):
        PointsModel((("views_press", 1, 0.0),), NAMES).points(np.zeros((1, 4)))
    with pytest.raises(ValueError, match="days-since-last-visit"):
        PointsModel((("views_pricing", 1, 1.0),), NAMES[:3]).points(np.zeros((1, 3)))


def test_the_rule_ranks_real_visitors_and_survives_the_model_file(settings, tmp_path):
    settings.LEADGEN_MODEL_DIR = tmp_path
    kinds = population(300, seed=4)
    snapshots = training_snapshots()
    model = PointsModel(load_rules(), snapshots.names).fit(snapshots.X, snapshots.y)
    # Today's rows: everyone not yet converted, as of the newest hit.
    table = build_features(as_of=scoring_cutoff())
    points = dict(zip(table.visitor_ids.tolist(), model.points(table.X), strict=True))
    by_kind = {
        k: [points[v] for v, kind in kinds.items() if kind == k and v in points]
        for k in set(kinds.values())
    }
    assert np.mean(by_kind["evaluator"]) > np.mean(by_kind["reader"]) > 0
    assert max(by_kind["job_seeker"]) < np.mean(by_kind["reader"])
    load_artifact.cache_clear()
    loaded = load_artifact(save_artifact({"model": model}, prefix="points"))["model"]
    assert np.array_equal(loaded.predict_proba(table.X), model.predict_proba(table.X))


def _form(prefix: str, behaviour: str, points, decay=0) -> dict:
    return {
        f"{prefix}-behaviour": behaviour,
        f"{prefix}-points": points,
        f"{prefix}-decay_per_day": decay,
    }


def test_admins_edit_add_remove_and_restore_rows(client, admin_user):
    client.force_login(admin_user)
    page = client.get(reverse("scoring:points"))
    assert page.status_code == 200
    assert "Pricing page view" in page.content.decode()
    pricing = PointRule.objects.get(behaviour="views_pricing")
    url = reverse("scoring:point_edit", args=[pricing.pk])
    response = client.post(url, _form(f"rule-{pricing.pk}", "views_pricing", 8, 0.5))
    assert response.status_code == 302
    pricing.refresh_from_db()
    assert (pricing.points, pricing.decay_per_day) == (8, 0.5)
    response = client.post(reverse("scoring:point_add"), _form("new", "views_docs", 2))
    assert response.status_code == 302
    jobs = PointRule.objects.get(behaviour="views_jobs")
    assert client.post(reverse("scoring:point_delete", args=[jobs.pk])).status_code == 302
    rules = {b: (p, d) for b, p, d in load_rules()}
    assert rules["views_pricing"] == (8.0, 0.5)
    assert rules["views_docs"] == (2.0, 0.0)
    assert "views_jobs" not in rules
    assert client.post(reverse("scoring:points_restore")).status_code == 302
    assert sorted(load_rules()) == sorted((b, float(p), d) for b, p, d in DEFAULT_RULES)


def test_bad_rows_are_refused_with_a_message(client, admin_user):
    client.force_login(admin_user)
    duplicate = client.post(reverse("scoring:point_add"), _form("new", "views_pricing", 1))
    assert duplicate.status_code == 400
    assert "Pricing page view already has a row" in duplicate.content.decode()
    blog = PointRule.objects.get(behaviour="views_blog")
    url = reverse("scoring:point_edit", args=[blog.pk])
    for points, decay in (("many", 0), (5000, 0), (1, -2)):
        response = client.post(url, _form(f"rule-{blog.pk}", "views_blog", points, decay))
        assert response.status_code == 400
        assert 'class="error"' in response.content.decode()
    assert PointRule.objects.get(pk=blog.pk).points == 1
    assert sorted(load_rules()) == sorted((b, float(p), d) for b, p, d in DEFAULT_RULES)


@pytest.mark.parametrize("role", ["researcher", "rep", "outsider"])
def test_only_admins_see_or_change_the_rule(client, request, role):
    client.force_login(request.getfixturevalue(role))
    pricing = PointRule.objects.get(behaviour="views_pricing")
    assert client.get(reverse("scoring:points")).status_code == 403
    edit = reverse("scoring:point_edit", args=[pricing.pk])
    assert client.post(edit, _form(f"rule-{pricing.pk}", "views_pricing", 99)).status_code == 403
    assert client.post(reverse("scoring:points_restore")).status_code == 403
    assert PointRule.objects.get(pk=pricing.pk).points == 5
