"""Pipeline probabilities: lead → opportunity and lead → customer, backtested on later leads."""

import datetime as dt

import numpy as np
import pytest
from django.urls import reverse
from django.utils import timezone
from sklearn.linear_model import LogisticRegression

from prospects.crm import outreach, services
from prospects.forecast import backtest
from prospects.forecast.models import StageChance, StageForecast
from prospects.forecast.outcomes import leads
from prospects.forecast.services import refresh_forecasts
from prospects.models import Session, StatusChange
from tests.crm_fixtures import scored_company
from tests.factories import CompanyFactory, PageFactory, PageViewFactory, VisitorFactory

pytestmark = pytest.mark.django_db

FEATURES = ("signal", "noise")


def _synthetic(n, seed):
    """Leads whose chance is logistic(1.5 signal - 0.5); noise carries nothing."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 2))
    p = 1 / (1 + np.exp(-(1.5 * x[:, 0] - 0.5)))
    return x, (rng.random(n) < p).astype(int), p


def _auc(y, score):
    """ROC AUC by its definition: the share of (reached, not reached) pairs ranked right."""
    pos, neg = score[y == 1], score[y == 0]
    wins = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return wins / (len(pos) * len(neg))


def test_the_backtest_fits_on_the_earlier_leads_and_reports_on_the_later_ones():
    x, y, truth = _synthetic(1000, seed=3)
    report = backtest.backtest(x, y, features=FEATURES)
    # Recomputed independently: the split, the standardization from the earlier part only.
    split = 700
    mean, scale = x[:split].mean(axis=0), x[:split].std(axis=0)
    # (no synthetic value lies beyond the model's 4-sd clip)
    assert np.abs((x - mean) / scale).max() < backtest.CLIP
    model = LogisticRegression(C=1.0, max_iter=1000).fit((x[:split] - mean) / scale, y[:split])
    chance = model.predict_proba((x[split:] - mean) / scale)[:, 1]
    test_y = y[split:]
    assert (report["train"], report["test"]) == (700, 300)
    assert report["test_reached"] == test_y.sum()
    assert report["roc_auc"] == pytest.approx(_auc(test_y, chance), abs=1e-9)
    assert report["brier"] == pytest.approx(np.mean((chance - test_y) ** 2), abs=1e-9)
    assert report["brier_baseline"] == pytest.approx(
        np.mean((test_y - y[:split].mean()) ** 2), abs=1e-9
    )
    # The known answer: as good as the true chances, calibrated, better than the base rate.
    assert report["roc_auc"] == pytest.approx(_auc(test_y, truth[split:]), abs=0.02)
    assert report["mean_chance"] == pytest.approx(truth[split:].mean(), abs=0.05)
    assert report["brier"] < report["brier_baseline"]


def test_the_fitted_model_recovers_the_known_coefficients():
    x, y, _ = _synthetic(4000, seed=5)
    model = backtest.fit(x, y, features=FEATURES)
    # Standardized coefficients back on the raw scale.
    raw = np.array(model["coef"]) / np.array(model["scale"])
    assert raw[0] == pytest.approx(1.5, abs=0.15)
    assert abs(raw[1]) < 0.15
    assert backtest.predict(model, np.array([[0.0, 0.0]]))[0] == pytest.approx(
        1 / (1 + np.exp(0.5)), abs=0.05
    )


def test_a_model_needs_thirty_outcomes_on_each_side():
    assert not backtest.enough(np.array([1] * 29 + [0] * 100))
    assert not backtest.enough(np.array([1] * 100 + [0] * 29))
    assert backtest.enough(np.array([1] * 30 + [0] * 30))


def _lead(rep, *, days_ago, pricing, reached=None):
    """A company that became an SQL `days_ago` days ago after `pricing` pricing views (and
    some blog reading), reaching `reached` ("opportunity" or "customer") a week later."""
    company = CompanyFactory()
    sql_at = timezone.now() - dt.timedelta(days=days_ago)
    seen = sql_at - dt.timedelta(days=1 + days_ago % 5)
    visitor = VisitorFactory(company=company, first_seen=seen, last_seen=seen)
    session = Session.objects.create(
        visitor=visitor, started_at=seen, ended_at=seen, pageview_count=1
    )
    pages = [("/pricing", "pricing")] * pricing + [("/blog/a", "blog")] * 2
    for n, (path, category) in enumerate(pages):
        page = PageFactory(path=path, category=category)
        PageViewFactory(
            visitor=visitor, session=session, page=page, ts=seen + dt.timedelta(minutes=n)
        )
    # A visit after the SQL must not count: features are what was known at the SQL.
    PageViewFactory(visitor=visitor, session=session, page=page, ts=sql_at + dt.timedelta(hours=1))
    steps = [("converted", sql_at)]
    if reached:
        steps.append(("opportunity", sql_at + dt.timedelta(days=7)))
    if reached == "customer":
        steps.append(("won", sql_at + dt.timedelta(days=9)))
    for outcome, at in steps:
        before = StatusChange.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        outreach.log_touchpoint(
            company=company, user=rep, channel="call", happened_on=at.date(), outcome=outcome
        )
        StatusChange.objects.filter(company=company, pk__gt=before).update(changed_at=at)
    return company


def test_too_few_outcomes_say_how_many_there_are(client, rep):
    for n in range(4):
        _lead(rep, days_ago=60 + n, pricing=3, reached="opportunity" if n < 3 else None)
    _lead(rep, days_ago=12, pricing=3, reached="opportunity")  # its window is still open
    fits = refresh_forecasts()
    assert (fits["opportunity"].leads, fits["opportunity"].reached) == (4, 3)
    assert not fits["opportunity"].enough and not StageChance.objects.exists()
    open_company = scored_company()
    client.force_login(rep)
    page = client.get(reverse("company", args=[open_company.pk])).content.decode()
    assert "Not enough outcomes yet (1 of 30)" in page  # one lead did not reach it
    assert "Not enough outcomes yet (0 of 30)" in page  # no closed lead became a customer
    queue = client.get(reverse("queue")).content.decode()
    assert "lead → opportunity not enough outcomes yet (1 of 30)" in queue


def test_before_the_first_refit_the_message_counts_the_stages_reached(client, rep):
    _lead(rep, days_ago=60, pricing=1, reached="customer")
    assert not StageForecast.objects.exists()
    client.force_login(rep)
    page = client.get(reverse("company", args=[scored_company().pk])).content.decode()
    assert "Not enough outcomes yet (1 of 30)" in page


def test_undone_sqls_and_open_windows_are_not_outcomes(rep):
    company = scored_company()
    outreach.log_touchpoint(
        company=company,
        user=rep,
        channel="call",
        happened_on=timezone.localdate(),
        outcome="converted",
    )
    change = company.status_changes.get(to_status="converted")
    services.undo_status_change(company=company, change_id=change.pk, user=rep)
    assert leads() == []
    recent = _lead(rep, days_ago=3, pricing=1)
    (lead,) = leads()
    assert lead.company_id == recent.pk
    window = dt.timedelta(days=30)
    assert lead.label("opportunity", window=window, now=timezone.now()) is None


def test_with_enough_outcomes_the_chances_show_on_the_company_page_and_the_queue(client, rep):
    # Pricing reading before the SQL predicts the opportunity: 40 of 80 closed leads reach it.
    for n in range(80):
        hot = n % 2 == 0
        reached = "customer" if hot and n % 4 == 0 else "opportunity" if hot else None
        if n % 10 == 1:
            reached = "opportunity"  # some noise: a cold lead that still opened one
        elif n % 10 == 2:
            reached = None  # and a hot one that did not
        _lead(rep, days_ago=40 + n, pricing=4 if hot else 0, reached=reached)
    fits = refresh_forecasts()
    opportunity = fits["opportunity"]
    assert opportunity.enough and opportunity.leads == 80
    assert opportunity.backtest["train"] == 56 and opportunity.backtest["test"] == 24
    assert opportunity.backtest["roc_auc"] > 0.7
    hot, cold = scored_company(), scored_company(views=(("/blog/b", "blog", "education"),))
    refresh_forecasts()
    chance = dict(
        StageChance.objects.filter(stage="opportunity").values_list("company", "probability")
    )
    assert chance[hot.pk] > chance[cold.pk]
    client.force_login(rep)
    page = client.get(reverse("company", args=[hot.pk])).content.decode()
    assert f"<strong>{chance[hot.pk] * 100:.0f}%</strong>" in page
    assert "Backtest on the 24 latest leads (fitted on the 56 before them)" in page
    queue = client.get(reverse("queue"))
    row = next(r for r in queue.context["page"].object_list if r.pk == hot.pk)
    assert row.opportunity_chance == pytest.approx(chance[hot.pk])
    assert f"{chance[hot.pk] * 100:.0f}% /" in queue.content.decode()


def test_the_pipeline_panel_needs_a_login_and_a_role(client, outsider):
    company = scored_company()
    url = reverse("company", args=[company.pk])
    assert client.get(url).status_code == 302
    client.force_login(outsider)
    assert client.get(url).status_code == 403
