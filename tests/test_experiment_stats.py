"""The experiment's statistics match scipy and closed forms on fixed tables, and the page's
conversions count only what falls in each company's window after assignment."""

import datetime as dt
import logging
from decimal import Decimal

import numpy as np
import pytest
from django.urls import reverse
from django.utils import timezone
from scipy import integrate, stats

from prospects.experiments import selectors, services
from prospects.experiments import stats as xstats
from prospects.models import QueueEntry, Touchpoint, Visitor
from tests.experiment_fixtures import scored_companies, start


@pytest.mark.parametrize(
    "table", [(7, 40, 1, 12), (3, 25, 3, 25), (0, 30, 4, 10), (12, 150, 2, 60)]
)
def test_the_exact_test_is_boschloo_on_small_tables(table):
    x_t, n_t, x_c, n_c = table
    result = xstats.exact_test(x_t, n_t, x_c, n_c)
    expected = stats.boschloo_exact([[x_t, n_t - x_t], [x_c, n_c - x_c]]).pvalue
    assert result.name == "Boschloo"
    assert result.pvalue == pytest.approx(expected, rel=1e-9)


def test_the_exact_test_logs_nothing_while_our_own_loggers_still_do(caplog):
    """scipy's shgo (inside Boschloo's test) logs its bounds on the root logger at INFO: the
    experiment report printed them on every load until the root kept warnings only."""
    with caplog.at_level(logging.INFO):
        assert xstats.exact_test(5, 31, 2, 29).name == "Boschloo"
        logging.getLogger("prospects.pipeline").info("kept")
    assert [r.getMessage() for r in caplog.records] == ["kept"]


def test_large_tables_fall_back_to_fisher():
    result = xstats.exact_test(90, 4_000, 12, 1_000)
    assert result.name == "Fisher"
    assert result.pvalue == pytest.approx(
        stats.fisher_exact([[90, 3_910], [12, 988]]).pvalue, rel=1e-12
    )


def test_an_arm_without_variation_has_nothing_to_test():
    assert xstats.exact_test(0, 20, 0, 5).pvalue == 1.0
    assert xstats.exact_test(3, 20, 0, 0).pvalue == 1.0


@pytest.mark.parametrize(
    ("a_t", "b_t", "a_c", "b_c"), [(8, 34, 2, 12), (1, 30, 5, 7), (40, 900, 9, 300)]
)
def test_prob_treatment_better_is_the_closed_form_of_the_two_betas(a_t, b_t, a_c, b_c):
    # P(p_t > p_c) = ∫ f_c(x) (1 - F_t(x)) dx, by quadrature.
    expected, _err = integrate.quad(
        lambda x: stats.beta.pdf(x, a_c, b_c) * stats.beta.sf(x, a_t, b_t), 0, 1, limit=200
    )
    assert xstats.prob_beats(a_t, b_t, a_c, b_c) == pytest.approx(expected, abs=1e-7)


def test_the_posterior_interval_agrees_with_monte_carlo():
    posterior = xstats.beta_binomial(30, 400, 6, 150)
    rng = np.random.default_rng(5)
    diff = rng.beta(31, 371, 400_000) - rng.beta(7, 145, 400_000)
    low, high = np.quantile(diff, [0.025, 0.975])
    assert posterior.diff_low == pytest.approx(low, abs=0.002)
    assert posterior.diff_high == pytest.approx(high, abs=0.002)
    assert posterior.prob_treatment_better == pytest.approx((diff > 0).mean(), abs=0.003)


def test_cuped_removes_the_covariate_imbalance_and_narrows_the_interval():
    rng = np.random.default_rng(11)
    n = 4_000
    x = rng.uniform(0, 1, n)
    treated = rng.uniform(size=n) < 0.7
    y = (rng.uniform(size=n) < 0.1 + 0.5 * x + 0.05 * treated).astype(float)
    result = xstats.cuped(y, x, treated)
    assert result.theta == pytest.approx(stats.linregress(x, y).slope, rel=1e-9)
    raw = y[treated].mean() - y[~treated].mean()
    assert result.diff == pytest.approx(
        raw - result.theta * (x[treated].mean() - x[~treated].mean())
    )
    raw_se = np.sqrt(
        y[treated].var(ddof=1) / treated.sum() + y[~treated].var(ddof=1) / (~treated).sum()
    )
    assert (result.high - result.low) / 2 < xstats.Z95 * raw_se
    assert result.variance_reduction == pytest.approx(
        1 - np.var(y - result.theta * x, ddof=1) / np.var(y, ddof=1)
    )
    assert result.low < 0.05 < result.high


def test_companies_needed_gives_the_planned_power():
    n = xstats.companies_needed(control_rate=0.04, relative_lift=0.5, control_share=0.2)
    p_c, p_t, s = 0.04, 0.06, 0.2
    n_t, n_c = (1 - s) * n, s * n
    se_alt = np.sqrt(p_t * (1 - p_t) / n_t + p_c * (1 - p_c) / n_c)
    p_bar = (1 - s) * p_t + s * p_c
    se_null = np.sqrt(p_bar * (1 - p_bar) * (1 / n_t + 1 / n_c))
    power = stats.norm.sf((stats.norm.ppf(0.975) * se_null - (p_t - p_c)) / se_alt)
    assert power == pytest.approx(0.8, abs=0.002)
    # The textbook equal-split formula at s = 0.5.
    equal = xstats.companies_needed(control_rate=0.1, relative_lift=0.5, control_share=0.5)
    p_bar = 0.125
    per_arm = (
        stats.norm.ppf(0.975) * np.sqrt(2 * p_bar * (1 - p_bar))
        + stats.norm.ppf(0.8) * np.sqrt(0.1 * 0.9 + 0.15 * 0.85)
    ) ** 2 / 0.05**2
    assert equal == int(np.ceil(2 * per_arm))
    assert xstats.companies_needed(control_rate=0.0, relative_lift=0.5, control_share=0.2) is None


@pytest.mark.django_db
def test_the_report_counts_conversions_inside_each_window_only(settings, admin_user):
    settings.LEADGEN_SCORE_HORIZON_DAYS = 30
    experiment = start(admin_user, share=50)
    scored_companies(40, probability=lambda i: 0.5 + i / 100, prefix="win")
    services.record_queue_entries()
    entries = list(QueueEntry.objects.filter(experiment=experiment).order_by("company_id"))
    at = entries[0].entered_at
    treated = [e for e in entries if e.arm == "treatment"]
    control = [e for e in entries if e.arm == "control"]
    # Inside the window: organic for a treated and a control company, an SQL for a treated one.
    Visitor.objects.filter(company=treated[0].company).update(
        converted_at=at + dt.timedelta(days=3)
    )
    Visitor.objects.filter(company=control[0].company).update(
        converted_at=at + dt.timedelta(days=29)
    )
    Touchpoint.objects.create(
        company=treated[1].company,
        channel="email",
        outcome="converted",
        happened_on=timezone.localdate(at) + dt.timedelta(days=1),
    )
    # Outside: after the horizon, and an SQL that is not a conversion.
    Visitor.objects.filter(company=control[1].company).update(
        converted_at=at + dt.timedelta(days=31)
    )
    Touchpoint.objects.create(
        company=treated[2].company,
        channel="call",
        outcome="replied",
        happened_on=timezone.localdate(at),
    )
    report = selectors.experiment_report(experiment, now=at + dt.timedelta(days=40))
    by_key = {m.key: m for m in report.metrics}
    assert report.sizes == {"treatment": len(treated), "control": len(control)}
    assert (by_key["organic"].treated, by_key["organic"].control) == (1, 1)
    assert (by_key["sql"].treated, by_key["sql"].control) == (1, 0)
    assert (by_key["any"].treated, by_key["any"].control) == (2, 1)
    assert report.windows_open == 0
    expected = stats.boschloo_exact([[2, len(treated) - 2], [1, len(control) - 1]]).pvalue
    assert by_key["any"].test.pvalue == pytest.approx(expected)
    assert report.mean_score["treatment"] == pytest.approx(
        np.mean([e.probability for e in treated])
    )
    # The page's CUPED, from one SQL aggregate, is CUPED on the companies' own rows.
    converted = {treated[0].company_id, treated[1].company_id, control[0].company_id}
    on_rows = xstats.cuped(
        np.array([e.company_id in converted for e in entries]),
        np.array([e.probability for e in entries]),
        np.array([e.arm == "treatment" for e in entries]),
    )
    for name in ("diff", "low", "high", "theta", "variance_reduction"):
        assert getattr(by_key["any"].cuped, name) == pytest.approx(getattr(on_rows, name), abs=1e-9)
    # Stopped on day 2: the control conversion of day 29 no longer counts.
    services.stop_experiment(experiment=experiment, user=admin_user, now=at + dt.timedelta(days=2))
    experiment.refresh_from_db()
    stopped = {m.key: m for m in selectors.experiment_report(experiment).metrics}
    assert (stopped["organic"].treated, stopped["organic"].control) == (0, 0)
    assert stopped["sql"].treated == 1


def test_a_company_with_several_events_counts_once_in_each_measure(settings, admin_user):
    settings.LEADGEN_SCORE_HORIZON_DAYS = 30
    experiment = start(admin_user, share=50)
    scored_companies(20, probability=0.8, prefix="many")
    services.record_queue_entries()
    entry = QueueEntry.objects.filter(experiment=experiment, arm="treatment").first()
    at, company = entry.entered_at, entry.company
    # Two of its visitors convert in the window, and a rep logs an SQL and a reply in it.
    Visitor.objects.filter(company=company).update(converted_at=at + dt.timedelta(days=2))
    Visitor.objects.create(
        ip="10.9.9.9",
        ua_hash=99,
        first_seen=at,
        last_seen=at,
        company=company,
        converted_at=at + dt.timedelta(days=5),
    )
    day = timezone.localdate(at)
    for outcome in ("converted", "replied"):
        Touchpoint.objects.create(
            company=company, channel="email", outcome=outcome, happened_on=day
        )
    report = selectors.experiment_report(experiment, now=at + dt.timedelta(days=40))
    by_key = {m.key: m for m in report.metrics}
    assert [by_key[k].treated for k in ("organic", "sql", "any")] == [1, 1, 1]
    assert report.check.reached == 1 and report.check.reached_rate == 1.0
    assert report.sizes["treatment"] + report.sizes["control"] == 20


@pytest.mark.django_db
def test_the_experiment_page_shows_arms_lift_and_a_power_note(client, admin_user):
    experiment = start(admin_user, share=20, name="Q4 <holdout>")
    scored_companies(60, prefix="page")
    services.record_queue_entries()
    control = experiment.entries.filter(arm="control").select_related("company").first()
    Visitor.objects.filter(company=control.company).update(converted_at=timezone.now())
    client.force_login(admin_user)
    page = client.get(reverse("experiments"), {"lift": "50"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "Q4 &lt;holdout&gt;" in text and "<holdout>" not in text
    for part in (
        "experiment-arms",
        "experiment-lift",
        "Boschloo",
        "experiment-power",
        "50.0% lift",
    ):
        assert part in text
    refused = client.get(reverse("experiment", args=[experiment.pk]), {"lift": "lots"})
    assert refused.status_code == 400 and "Enter a whole number" in refused.content.decode()


@pytest.mark.django_db
def test_starting_and_stopping_from_the_page(client, admin_user):
    client.force_login(admin_user)
    refused = client.post(reverse("experiments"), {"name": "Off", "share": "0"})
    assert refused.status_code == 400 and "holdout share" in refused.content.decode()
    assert client.post(reverse("experiments"), {"name": "On", "share": "15"}).status_code == 302
    experiment = selectors.running_experiment()
    assert experiment.holdout_share == Decimal("0.15")
    assert client.post(reverse("experiment_stop", args=[experiment.pk])).status_code == 302
    experiment.refresh_from_db()
    assert not experiment.running and experiment.stopped_by == admin_user


@pytest.mark.django_db
def test_the_page_runs_the_same_queries_whatever_the_experiment_size(client, admin_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    experiment = start(admin_user, share=30)
    client.force_login(admin_user)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("experiment", args=[experiment.pk])).status_code == 200
        return len(ctx.captured_queries)

    scored_companies(10, prefix="small")
    services.record_queue_entries()
    first = experiment.entries.first()
    Visitor.objects.filter(company_id=first.company_id).update(converted_at=timezone.now())
    # Entries with an event are read 500 companies to a query: one here, and one below.
    small = queries()
    scored_companies(200, prefix="large")
    services.record_queue_entries()
    for entry in experiment.entries.select_related("company")[:40]:
        Visitor.objects.filter(company=entry.company).update(converted_at=timezone.now())
        Touchpoint.objects.create(
            company=entry.company,
            channel="call",
            outcome="replied",
            happened_on=timezone.localdate(),
        )
    assert queries() == small


@pytest.mark.django_db
def test_a_window_is_fixed_when_the_company_is_assigned(settings, admin_user):
    settings.LEADGEN_SCORE_HORIZON_DAYS = 10
    experiment = start(admin_user, share=50)
    scored_companies(20, prefix="fixed")
    services.record_queue_entries()
    entry = experiment.entries.select_related("company").first()
    Visitor.objects.filter(company=entry.company).update(
        converted_at=entry.entered_at + dt.timedelta(days=20)
    )
    settings.LEADGEN_SCORE_HORIZON_DAYS = 30  # changed later: the window stays 10 days
    report = selectors.experiment_report(experiment, now=entry.entered_at + dt.timedelta(days=25))
    assert report.metrics[0].treated + report.metrics[0].control == 0
    assert entry.window_ends_at == entry.entered_at + dt.timedelta(days=10)
