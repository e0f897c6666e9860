"""With a broker and a worker, an imported visit reaches the queue without waiting for beat."""

import time

import pytest
from django.core.management import call_command

from prospects.models import Company
from prospects.queue.selectors import research_queue
from scoring import services
from tests.dns_fixtures import host
from tests.ingest_lines import line, write_log
from tests.scoring_factories import population, quick_candidates
from tests.worker_fixtures import needs_worker, worker_output

pytestmark = needs_worker


def test_an_imported_visit_reaches_the_queue_through_the_worker(
    settings, tmp_path, start_worker, dns_server
):
    settings.LEADGEN_PIPELINE_HAND_ON = True
    population(300, seed=9)
    services.train_model(trained_by="test", folds=3, candidates=quick_candidates())
    server = dns_server(host("198.51.100.60", "gw.hooli-labs.com"))
    worker = start_worker(
        LEADGEN_DNS_NAMESERVERS=server.nameserver,
        LEADGEN_MODEL_DIR=str(settings.LEADGEN_MODEL_DIR),
        LEADGEN_PIPELINE_HAND_ON="1",
    )
    log = write_log(
        tmp_path,
        [line("/pricing", ip="198.51.100.60"), line("/product", ip="198.51.100.60", minutes=3)],
    )

    call_command("ingest_logs", str(log))

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        company = Company.objects.filter(domain="hooli-labs.com").first()
        if company and research_queue(threshold=0).filter(pk=company.pk):
            break
        time.sleep(0.5)
    else:
        pytest.fail(f"the visit never reached the queue; worker output:\n{worker_output(worker)}")
    assert company.score.visitor_count == 1
