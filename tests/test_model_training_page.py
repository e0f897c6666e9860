"""The model page's "Train now": it queues training, and says so when the worker is unreachable."""

import time

import pytest
from django.urls import reverse

from scoring.models import ModelVersion, TrainingRun
from tests.scoring_factories import population
from tests.test_broker_down import dead_broker

__all__ = ["dead_broker"]  # a fixture, used by name

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def model_dir(settings, tmp_path):
    settings.LEADGEN_MODEL_DIR = tmp_path / "models"


def test_train_now_trains_a_new_active_version_and_keeps_the_old_one(client, admin_user):
    population(300, seed=5)
    client.force_login(admin_user)

    first = client.post(reverse("scoring:train"), follow=True)
    second = client.post(reverse("scoring:train"), follow=True)

    assert "Training has been queued" in second.content.decode()
    old, new = ModelVersion.objects.order_by("pk")
    assert (old.is_active, new.is_active) == (False, True)
    assert new.trained_by == "ada"
    # Nothing changed between the two, yet the second ran: the admin asked for it.
    assert TrainingRun.objects.filter(ok=True, requested_by="ada").count() == 2
    assert f"Roll back to v{old.pk}" in second.content.decode()
    assert first.status_code == second.status_code == 200


def test_train_now_without_enough_conversions_says_why(client, admin_user):
    client.force_login(admin_user)

    response = client.post(reverse("scoring:train"), follow=True)

    assert not ModelVersion.objects.exists()
    run = TrainingRun.objects.get()
    assert not run.ok and run.message
    assert run.message in response.content.decode()


def test_train_now_with_the_broker_down_says_the_worker_is_unreachable(
    client, admin_user, dead_broker
):
    client.force_login(admin_user)

    started = time.monotonic()
    response = client.post(reverse("scoring:train"), follow=True)

    assert time.monotonic() - started < 10
    assert "The worker is unreachable" in response.content.decode()
    assert not TrainingRun.objects.exists()


def test_only_admins_may_train(client, researcher):
    client.force_login(researcher)
    assert client.post(reverse("scoring:train")).status_code == 403
    assert not TrainingRun.objects.exists()
