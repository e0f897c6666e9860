"""A training process killed mid-run: its run is marked failed with why, its file is removed."""

import datetime as dt
import os

import pytest
from django.urls import reverse
from django.utils import timezone

from scoring import services
from scoring.models import ModelVersion, TrainingRun
from scoring.registry import model_dir
from scoring.runs import STALE_AFTER
from tests.scoring_factories import population

pytestmark = pytest.mark.django_db


def killed_run(silent_for: dt.timedelta, name: str = "deadbeef0001") -> TrainingRun:
    """What a retrain killed after its heartbeat leaves: an unfinished run and a stray file."""
    run = TrainingRun.objects.create(requested_by="scoring.tasks.retrain")
    last = timezone.now() - silent_for
    TrainingRun.objects.filter(pk=run.pk).update(started_at=last, heartbeat_at=last)
    stray = model_dir() / f"visitor-model-{name}.skops"
    stray.write_bytes(b"half written")
    os.utime(stray, (last.timestamp(), last.timestamp()))
    return run


def test_reading_the_model_page_marks_a_killed_run_failed_and_removes_its_file(client, admin_user):
    population(120, seed=81, mix=(0.0, 0.5, 0.5))
    with pytest.raises(services.PointsRuleInstead):
        services.train_model(trained_by="ada")  # a real version and file to keep
    kept = model_dir() / ModelVersion.objects.get().file_name
    run = killed_run(STALE_AFTER + dt.timedelta(minutes=5))
    alive = killed_run(dt.timedelta(minutes=1), name="a11ve0000001")
    fresh = model_dir() / "visitor-model-fresh0000001.skops"
    fresh.write_bytes(b"a run still writing")
    client.force_login(admin_user)

    html = client.get(reverse("scoring:model")).content.decode()

    run.refresh_from_db()
    assert not run.ok and run.finished_at is not None
    assert "stopped without finishing" in run.message and run.message in html
    alive.refresh_from_db()
    assert alive.finished_at is None  # still within its heartbeat: maybe working
    assert "running" in html
    assert kept.exists() and fresh.exists()
    assert (model_dir() / "visitor-model-a11ve0000001.skops").exists()
    assert not (model_dir() / "visitor-model-deadbeef0001.skops").exists()


def test_the_next_training_closes_a_killed_run_first():
    population(120, seed=82, mix=(0.0, 0.5, 0.5))
    run = killed_run(STALE_AFTER * 2)

    with pytest.raises(services.PointsRuleInstead):
        services.train_model(trained_by="ada")

    run.refresh_from_db()
    assert not run.ok and "stopped without finishing" in run.message
    latest = TrainingRun.objects.exclude(pk=run.pk).get()
    assert latest.finished_at is not None and latest.heartbeat_at is not None
