"""A worker SIGKILLed in the middle of a task: the task is done again, fully and once.

Killing the pool child gives the task back at once (reject on worker lost); killing the whole
worker (main process and child) leaves it unacknowledged in Redis, and the restarted worker
takes it again after the visibility timeout (6 s here, CELERY_TASK_VISIBILITY_TIMEOUT).
"""

import os
import signal
import time
from pathlib import Path

import pytest
from django.db import connection, transaction

from leadgen.celery import app
from prospects.models import Company, IPResolution, Visitor
from prospects.tasks import resolve_ips
from scoring import services
from scoring.models import VisitorScore
from scoring.tasks import rescore
from tests.dns_fixtures import host
from tests.factories import VisitorFactory
from tests.scoring_factories import population, quick_candidates
from tests.worker_fixtures import needs_worker, worker_output

pytestmark = needs_worker
VICTIMS = ["pool child", "main process and pool child"]
FAULT_ENV = {
    "CELERY_TASK_VISIBILITY_TIMEOUT": "6",
    "LEADGEN_DNS_LEASE_SECONDS": "3",
    "LEADGEN_PIPELINE_HAND_ON": "0",
}


def pool_children(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in children.read_text().split()] if children.exists() else []


def wait_until(condition, timeout: float, what: str, worker=None) -> float:
    """Seconds until `condition()` held; fails with the worker's output after `timeout`."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if condition():
            return time.monotonic() - started
        time.sleep(0.05)
    output = worker_output(worker) if worker is not None else ""
    pytest.fail(f"{what} did not happen within {timeout:.0f} s\n{output}")


def purge_queues() -> None:
    """Messages left in this broker database by earlier runs would confuse what we count."""
    with app.connection_for_write() as conn:
        for queue in ("dns", "cpu", "celery"):
            conn.default_channel.queue_purge(queue)


def kill(worker, victim: str) -> None:
    """SIGKILL the pool child (once it runs), or the main process and the child together."""
    wait_until(lambda: pool_children(worker.pid), 30, "the pool child start", worker)
    child = pool_children(worker.pid)[0]
    if victim == VICTIMS[1]:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(10)
    os.kill(child, signal.SIGKILL)


@pytest.mark.parametrize("victim", VICTIMS)
def test_resolve_ips_killed_midway_resolves_every_ip(start_worker, dns_server, victim):
    purge_queues()
    zone = []
    for n in range(24):
        ip = f"198.51.100.{n + 1}"
        VisitorFactory(ip=ip)
        zone += host(ip, f"gw.kill-test-{n}.com")
    server = dns_server(zone, delay=0.3)
    env = {**FAULT_ENV, "LEADGEN_DNS_NAMESERVERS": server.nameserver}
    env["LEADGEN_DNS_CONCURRENCY"] = "4"  # 24 IPs take ~4 s: time to kill the run midway
    worker = start_worker(pool="prefork", **env)

    resolve_ips.delay()
    # The run has claimed its IPs and is looking them up.
    wait_until(
        lambda: IPResolution.objects.filter(
            expires_at__isnull=False, resolved_at__isnull=True
        ).exists(),
        60,
        "the run's claim",
        worker,
    )
    kill(worker, victim)
    killed_at = time.monotonic()
    assert IPResolution.objects.filter(resolved_at__isnull=False).count() < 24
    if victim == VICTIMS[1]:
        worker = start_worker(pool="prefork", **env)

    wait_until(
        lambda: IPResolution.objects.filter(outcome="ok", forward_confirmed=True).count() == 24,
        120,
        "every IP resolved",
        worker,
    )
    recovered = time.monotonic() - killed_at
    assert IPResolution.objects.count() == 24
    assert Company.objects.count() == 24
    assert not Visitor.objects.filter(company__isnull=True).exists()
    print(f"\nresolve_ips after killing the {victim}: every IP resolved {recovered:.1f} s later")
    assert recovered < 120


@pytest.mark.parametrize("victim", VICTIMS)
def test_rescore_killed_while_writing_scores_every_visitor_once(
    start_worker, settings, tmp_path, victim
):
    purge_queues()
    settings.LEADGEN_MODEL_DIR = tmp_path / "models"
    population(300, seed=5)
    services.train_model(trained_by="test", folds=3, candidates=quick_candidates())
    VisitorScore.objects.all().delete()
    env = {**FAULT_ENV, "LEADGEN_MODEL_DIR": str(settings.LEADGEN_MODEL_DIR)}
    worker = start_worker(pool="prefork", **env)
    table = VisitorScore._meta.db_table

    # Hold the score table so the task is caught mid-write, then kill the worker there.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
        rescore.delay(changed_only=False)

        def worker_waits_on_the_table() -> bool:
            # Statistics views are read once per transaction unless the snapshot is dropped.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            return cursor.fetchone()[0] > 0

        wait_until(worker_waits_on_the_table, 90, "the rescore's write", worker)
        kill(worker, victim)
    killed_at = time.monotonic()
    if victim == VICTIMS[1]:
        worker = start_worker(pool="prefork", **env)

    # A converted visitor has no chance left to estimate: only the open ones get a score.
    visitors = Visitor.objects.filter(converted_at__isnull=True).count()
    wait_until(lambda: VisitorScore.objects.count() == visitors, 120, "every score", worker)
    recovered = time.monotonic() - killed_at
    # Once: one row per visitor, all from the one run that completed.
    assert VisitorScore.objects.values("visitor").distinct().count() == visitors
    assert VisitorScore.objects.values("scored_at").distinct().count() == 1
    print(f"\nrescore after killing the {victim}: every visitor scored {recovered:.1f} s later")
    assert recovered < 120
