"""With a broker, "Train now" queues the training for a real worker (CI's PostgreSQL + Redis
run): the page answers at once, the worker trains, and the new version appears as the active
one on the model page."""

import time

import pytest
from django.urls import reverse

from scoring import services
from scoring.models import ModelVersion, TrainingRun
from tests.scoring_factories import population, quick_candidates
from tests.worker_fixtures import needs_worker, worker_output

pytestmark = needs_worker


def test_train_now_is_trained_by_the_worker_and_the_new_version_appears(
    settings, client, admin_user, start_worker
):
    population(300, seed=5)
    old = services.train_model(trained_by="nightly", folds=3, candidates=quick_candidates())
    worker = start_worker(LEADGEN_MODEL_DIR=str(settings.LEADGEN_MODEL_DIR))
    client.force_login(admin_user)

    response = client.post(reverse("scoring:train"), follow=True)

    assert "Training has been queued" in response.content.decode()
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        new = ModelVersion.objects.filter(is_active=True).exclude(pk=old.pk).first()
        if new is not None:
            break
        time.sleep(1)
    else:
        pytest.fail(f"no new version was trained; worker output:\n{worker_output(worker)}")
    assert new.trained_by == "ada"
    run = TrainingRun.objects.get(model_version=new)
    assert run.ok and run.requested_by == "ada" and run.finished_at is not None
    old.refresh_from_db()
    assert not old.is_active
    page = client.get(reverse("scoring:model")).content.decode()
    assert f"v{new.pk}" in page and f"Roll back to v{old.pk}" in page
    assert "while this page waits" not in page
