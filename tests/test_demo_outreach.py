"""The demo's outreach holdout: stable seeded assignment, outreach with a real and known effect.

These read the generator's ground truth (`prospects.demo.truth.simulate`) at the Makefile's
scale; the experiment page itself is tested where it is built.
"""

import datetime as dt
import functools
import json
import math
import statistics

import pytest
from django.core.management import call_command

from prospects.demo.outreach import HOLDOUT, HORIZON, in_control
from prospects.demo.truth import simulate


@functools.cache
def world(seed):
    return simulate(visitors=20000, days=90, seed=seed)


def test_assignment_is_stable_per_account_and_holds_the_holdout_share():
    domains = [f"account-{n}.example" for n in range(10000)]
    first = [in_control(d, seed=7) for d in domains]
    assert first == [in_control(d, seed=7) for d in domains]
    share = sum(first) / len(first)
    assert abs(share - HOLDOUT) < 4 * math.sqrt(HOLDOUT * (1 - HOLDOUT) / len(first))
    assert first != [in_control(d, seed=8) for d in domains]


def test_what_the_log_shows_is_each_accounts_own_arm():
    truth = world(7)
    experiment = truth.experiment
    assert len(experiment.assignments) > 100
    assert {a.treated for a in experiment.assignments} == {True, False}
    converted_days = {}
    for v in truth.visitors:
        if v.converted_day is not None:
            converted_days.setdefault(v.company, []).append(v.converted_day)
    for a in experiment.assignments:
        days = converted_days.get(a.domain, [])
        assert a.converted == any(a.entered <= d < a.entered + HORIZON for d in days)
        assert all(d > a.entered for d in days)  # converted accounts never enter
        assert (a.contacted is not None) == a.treated
        assert a.treated or a.outcome == ""
        if a.treated:
            assert a.entered < a.contacted <= a.entered + 4
            assert a.outcome in {"no_response", "replied", "meeting_booked", "not_interested"}


def test_treated_accounts_convert_more_by_the_known_effect():
    truth = world(7)
    experiment = truth.experiment
    assert experiment.true_effect > 0.05
    assert experiment.rate(treated=True) > experiment.rate(treated=False)
    untreated = statistics.mean(a.converted_if_control for a in experiment.assignments)
    assert 0.05 < untreated < 0.8


@pytest.mark.slow
def test_the_measured_lift_covers_the_true_effect_over_seeds():
    covered, differences, effects = 0, [], []
    seeds = range(7, 13)
    for seed in seeds:
        experiment = world(seed).experiment
        arms = [[a.converted for a in experiment.assignments if a.treated == t] for t in (1, 0)]
        rates = [statistics.mean(arm) for arm in arms]
        se = math.sqrt(sum(r * (1 - r) / len(arm) for r, arm in zip(rates, arms, strict=True)))
        difference = rates[0] - rates[1]
        covered += abs(difference - experiment.true_effect) < 1.96 * se
        differences.append(difference)
        effects.append(experiment.true_effect)
    assert covered >= len(seeds) - 1
    assert statistics.mean(differences) > 0
    assert all(effect > 0 for effect in effects)


def test_the_command_writes_the_experiment_with_dates(tmp_path):
    out, experiment = tmp_path / "access.log", tmp_path / "experiment.json"
    end = dt.date(2026, 11, 24)
    call_command(
        "generate_demo_logs",
        visitors=4000,
        days=60,
        seed=3,
        end=end,
        out=out,
        experiment=experiment,
    )
    written = json.loads(experiment.read_text())
    truth = simulate(visitors=4000, days=60, seed=3).experiment
    assert written["true_effect"] == truth.true_effect
    assert len(written["accounts"]) == len(truth.assignments) > 10
    first = end - dt.timedelta(days=59)
    for row, a in zip(written["accounts"], truth.assignments, strict=True):
        assert row["arm"] == ("treatment" if a.treated else "control")
        assert dt.date.fromisoformat(row["entered"]) == first + dt.timedelta(days=a.entered)
        assert (row["contacted"] is None) == (not a.treated)
