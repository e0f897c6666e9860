"""The model page's "Train now": it queues training for the worker, says so when the worker is
unreachable, and without a broker (the embedded default) trains in the request and says how long
it took. tests/test_model_training_worker.py runs it through a real worker."""

import time

import pytest
from django.urls import reverse

from leadgen.celery import app as celery_app
from scoring import services
from scoring.models import ModelVersion, TrainingRun
from tests.scoring_factories import population, quick_candidates
from tests.test_broker_down import dead_broker

__all__ = ["dead_broker"]  # a fixture, used by name

pytestmark = pytest.mark.django_db


@pytest.fixture
def eager(monkeypatch):
    """The queued training runs in this process even when a broker is configured (CI)."""
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)


def test_train_now_trains_a_new_active_version_and_keeps_the_old_one(client, admin_user, eager):
    population(300, seed=5)
    old = services.train_model(trained_by="nightly", folds=3, candidates=quick_candidates())
    client.force_login(admin_user)

    response = client.post(reverse("scoring:train"), follow=True)

    html = response.content.decode()
    new = ModelVersion.objects.latest("pk")
    assert "Trained in this request in " in html
    assert f"(no worker is configured): model v{new.pk} (" in html
    assert "while this page waits" in html
    old.refresh_from_db()
    assert (old.is_active, new.is_active, new.trained_by) == (False, True, "ada")
    # Nothing changed since the nightly version, yet it trained: the admin asked for it.
    assert TrainingRun.objects.get(model_version=new).requested_by == "ada"
    assert f"Roll back to v{old.pk}" in html


def test_train_now_without_enough_conversions_says_why(client, admin_user, eager):
    client.force_login(admin_user)

    response = client.post(reverse("scoring:train"), follow=True)

    # The points rule scores until there is enough data, and the run says so.
    assert ModelVersion.objects.get().algorithm == "points_rule"
    run = TrainingRun.objects.get()
    assert not run.ok and "points rule scores instead" in run.message
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
