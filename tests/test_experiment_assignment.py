"""Holdout assignment: companies entering the queue get an arm once, stably, at the set share."""

import subprocess
import sys
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied

from prospects import pipeline
from prospects.errors import ServiceError
from prospects.experiments import services
from prospects.experiments.assignment import arm_for
from prospects.models import Company, Experiment, QueueEntry
from prospects.queue.services import set_threshold
from scoring import services as scoring_services
from tests.crm_fixtures import scored_company
from tests.experiment_fixtures import scored_companies, start
from tests.factories import CompanyFactory
from tests.scoring_factories import population, quick_candidates

pytestmark = pytest.mark.django_db


def test_companies_already_in_the_queue_are_not_assigned(admin_user):
    before = scored_company(0.9)
    experiment = start(admin_user)
    newcomer = scored_company(0.9)
    services.record_queue_entries()
    assert QueueEntry.objects.get(company=before).arm == ""
    entry = QueueEntry.objects.get(company=newcomer)
    assert entry.experiment == experiment and entry.arm in ("treatment", "control")
    assert entry.probability == pytest.approx(0.9)


def test_only_untouched_companies_above_the_threshold_are_assigned(admin_user, researcher):
    start(admin_user)
    below = scored_company(0.2)
    claimed = scored_company(0.9)
    Company.objects.filter(pk=claimed.pk).update(status="researching", assignee=researcher)
    fresh = scored_company(0.9)
    services.record_queue_entries()
    assert not QueueEntry.objects.filter(company=below).exists()
    assert QueueEntry.objects.get(company=claimed).arm == ""
    assert QueueEntry.objects.get(company=fresh).arm != ""


def test_the_arm_is_the_seeded_hash_and_the_same_in_a_new_process(admin_user):
    experiment = start(admin_user, share=30)
    companies = scored_companies(200)
    services.record_queue_entries()
    arms = dict(QueueEntry.objects.filter(experiment=experiment).values_list("company_id", "arm"))
    assert arms == {
        c.pk: arm_for(seed=experiment.seed, company_id=c.pk, share=Decimal("0.30"))
        for c in companies
    }
    # A restarted process (another interpreter, another hash salt) computes the same arms.
    ids = sorted(arms)
    script = (
        "import sys; from prospects.experiments.assignment import arm_for;"
        f"print(','.join(arm_for(seed={experiment.seed}, company_id=i, share='0.30') for i in {ids}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        cwd=django_settings.BASE_DIR,
    ).stdout.strip()
    assert out.split(",") == [arms[i] for i in ids]


def test_the_share_holds_within_binomial_noise_over_10000_companies(admin_user):
    experiment = start(admin_user, share=20)
    scored_companies(10_000)
    assert services.record_queue_entries() == 10_000
    control = QueueEntry.objects.filter(experiment=experiment, arm="control").count()
    # Binomial(10,000, 0.2): sd 40; 4 sd either side fails once in ~16,000 runs.
    assert abs(control - 2_000) <= 160


def test_assignment_is_stable_across_rescoring(admin_user):
    companies = [CompanyFactory() for _ in range(8)]
    for i, company in enumerate(companies):
        population(30, seed=60 + i, company=company)
    scoring_services.train_model(trained_by="test", folds=3, candidates=quick_candidates())
    set_threshold(value="0.00", user=admin_user)  # every scored company is above it
    experiment = start(admin_user, share=50)  # before the first scores: every company arrives
    pipeline.score(changed_only=False)
    first = list(QueueEntry.objects.order_by("company_id").values_list())
    assert first and all(row[4] == experiment.pk for row in first)
    # New behaviour and a full rescore later (a new score for many), nothing moves.
    population(40, seed=99, company=companies[0])
    pipeline.score(changed_only=False)
    pipeline.score(changed_only=True)
    assert list(QueueEntry.objects.order_by("company_id").values_list()) == first


def test_lowering_the_threshold_assigns_the_companies_it_lets_in(admin_user):
    experiment = start(admin_user)
    middling = scored_company(0.3)
    set_threshold(value="0.25", user=admin_user)
    assert QueueEntry.objects.get(company=middling).experiment == experiment


def test_stopping_freezes_the_assignment_and_a_new_experiment_starts_clean(admin_user):
    first = start(admin_user, name="Spring")
    scored_companies(40, prefix="spring")
    services.record_queue_entries()
    frozen = list(QueueEntry.objects.filter(experiment=first).values_list("company_id", "arm"))
    services.stop_experiment(experiment=first, user=admin_user)
    scored_companies(5, prefix="between")
    services.record_queue_entries()
    assert (
        list(QueueEntry.objects.filter(experiment=first).values_list("company_id", "arm")) == frozen
    )
    assert (
        not QueueEntry.objects.filter(company__name__startswith="between").exclude(arm="").exists()
    )

    second = start(admin_user, name="Summer")
    assert second.seed != first.seed and not second.entries.exists()
    scored_companies(30, prefix="summer")
    services.record_queue_entries()
    assert second.entries.count() == 30
    assert set(second.entries.values_list("company__name", flat=True)) == {
        f"summer {i:05d}" for i in range(30)
    }


@pytest.mark.parametrize(
    ("name", "share", "message"),
    [
        ("Holdout", 0, "holdout share"),
        ("Holdout", 51, "holdout share"),
        ("Holdout", "12.5", "holdout share"),
        ("Holdout", "lots", "holdout share"),
        ("  ", 10, "name"),
        ("x" * 121, 10, "name"),
    ],
)
def test_a_bad_start_is_refused_with_a_message(admin_user, name, share, message):
    with pytest.raises(ServiceError) as refused:
        services.start_experiment(name=name, share_percent=share, user=admin_user)
    assert message in str(refused.value)
    assert not Experiment.objects.exists()


def test_one_experiment_at_a_time_and_only_admins_start_or_stop(admin_user, researcher):
    experiment = start(admin_user)
    with pytest.raises(ServiceError, match="already running"):
        start(admin_user)
    with pytest.raises(PermissionDenied):
        services.start_experiment(name="Mine", share_percent=10, user=researcher)
    with pytest.raises(PermissionDenied):
        services.stop_experiment(experiment=experiment, user=researcher)
    services.stop_experiment(experiment=experiment, user=admin_user)
    with pytest.raises(ServiceError, match="already stopped"):
        services.stop_experiment(experiment=experiment, user=admin_user)
