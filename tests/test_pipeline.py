"""The pipeline hands on: an import enqueues identification, which enqueues rescoring."""

import pytest

from leadgen.celery import app as celery_app
from prospects import pipeline
from prospects.models import Company, Visitor
from prospects.queue.selectors import research_queue
from scoring import services
from tests.dns_fixtures import host
from tests.ingest_lines import line, write_log
from tests.scoring_factories import population, quick_candidates

pytestmark = pytest.mark.django_db

NEW_VISIT = [
    line("/pricing", ip="198.51.100.50"),
    line("/product/api", ip="198.51.100.50", minutes=2),
    line("/docs/install", ip="198.51.100.50", minutes=6),
]


@pytest.fixture
def trained(db):
    population(300, seed=9)
    return services.train_model(trained_by="test", folds=3, candidates=quick_candidates())


@pytest.fixture
def eager(monkeypatch):
    """Tasks run in this process even when a broker is configured (CI's second run)."""
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)


@pytest.fixture
def zone(dns_server):
    return dns_server(host("198.51.100.50", "gw.initech-systems.com"))


def test_an_import_reaches_the_queue_through_the_hand_on(
    settings, tmp_path, trained, zone, eager, django_capture_on_commit_callbacks
):
    settings.LEADGEN_PIPELINE_HAND_ON = True
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = pipeline.ingest(str(write_log(tmp_path, NEW_VISIT)))
    assert result.pageviews == 3
    # Identification was handed on by the import, rescoring by identification.
    assert len(callbacks) == 2
    company = Company.objects.get(domain="initech-systems.com")
    assert Visitor.objects.get(ip="198.51.100.50").company == company
    queue = research_queue(threshold=0)
    assert company in queue
    assert queue.get(pk=company.pk).probability == company.score.probability > 0


def test_without_hand_on_an_import_enqueues_nothing(
    tmp_path, trained, zone, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        pipeline.ingest(str(write_log(tmp_path, NEW_VISIT)))
    assert callbacks == []
    assert not Company.objects.exists()


def test_an_import_with_no_new_page_view_hands_on_nothing(
    settings, tmp_path, zone, django_capture_on_commit_callbacks
):
    settings.LEADGEN_PIPELINE_HAND_ON = True
    path = str(write_log(tmp_path, NEW_VISIT))
    pipeline.ingest(path)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        again = pipeline.ingest(path)
    assert again.duplicates == 3
    assert callbacks == []


def test_run_gives_every_stage_in_order(tmp_path, zone):
    population(300, seed=9)
    stages = [
        stage
        for stage, _result in pipeline.run(
            [str(write_log(tmp_path, NEW_VISIT))], nameservers=[zone.nameserver], train=True
        )
    ]
    assert stages == ["ingest", "identify", "train", "score", "segment", "attribute", "forecast"]
    assert Company.objects.get(domain="initech-systems.com").score.probability > 0
