"""With the broker down, nothing that enqueues hangs or fails: the work waits for beat."""

import logging
import socket
import time

import pytest
from django.urls import reverse

from leadgen.celery import app as celery_app
from leadgen.enqueue import enqueue
from prospects import pipeline, tasks
from scoring.models import ModelVersion
from tests.crm_fixtures import model_version
from tests.ingest_lines import line, write_log

pytestmark = pytest.mark.django_db


@pytest.fixture
def dead_broker(monkeypatch):
    """The broker URL points at a port nobody listens on; tasks are really sent, not eager."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    dead = f"redis://127.0.0.1:{port}/0"
    # Celery reads CELERY_BROKER_URL from the environment before its own setting (CI sets it).
    monkeypatch.setenv("CELERY_BROKER_URL", dead)
    monkeypatch.setitem(celery_app.conf, "broker_url", dead)
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    # Publishing goes through pools of broker connections: fresh ones for the dead URL, and
    # the live ones back afterwards.
    monkeypatch.setattr(celery_app, "_pool", None)
    monkeypatch.setattr(celery_app.amqp, "_producer_pool", None)


def test_enqueue_says_no_within_seconds(dead_broker, caplog):
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="leadgen.enqueue"):
        assert enqueue(tasks.resolve_ips) is False
    assert time.monotonic() - started < 5
    assert "could not enqueue prospects.tasks.resolve_ips" in caplog.text


def test_model_activation_tells_the_admin_the_queue_is_unreachable(
    client, admin_user, dead_broker, monkeypatch
):
    version = model_version()
    monkeypatch.setattr("scoring.services.load_artifact", lambda name: {})
    client.force_login(admin_user)
    response = client.post(reverse("scoring:activate", args=[version.pk]), follow=True)
    assert response.status_code == 200
    assert "the task queue is unreachable" in response.content.decode()
    assert ModelVersion.objects.get(pk=version.pk).is_active


def test_an_import_whose_hand_on_cannot_be_sent_still_succeeds(
    settings, tmp_path, dead_broker, django_capture_on_commit_callbacks
):
    settings.LEADGEN_PIPELINE_HAND_ON = True
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = pipeline.ingest(str(write_log(tmp_path, [line("/pricing")])))
    assert result.pageviews == 1
    assert len(callbacks) == 1
