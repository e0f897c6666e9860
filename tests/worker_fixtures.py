"""A real `celery worker` subprocess on the test database (CI: Redis + PostgreSQL)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]

# Worker tests need a broker; the in-process SQLite test database cannot be shared.
needs_worker = [
    pytest.mark.worker,
    pytest.mark.slow,
    pytest.mark.skipif(not os.environ.get("CELERY_BROKER_URL"), reason="needs CELERY_BROKER_URL"),
]


def database_url() -> str:
    """The test database's URL, for a process of its own."""
    db = connection.settings_dict
    auth = f"{db['USER']}:{db['PASSWORD']}" if db.get("PASSWORD") else db["USER"]
    return f"postgres://{auth}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.fixture
def start_worker(transactional_db, tmp_path):
    """`start_worker(pool=..., **env)`: a worker on the dns, celery and cpu queues.

    The solo pool runs tasks in the worker process itself; "prefork" gives it one pool child
    that runs them. Every worker started is stopped after the test.
    """
    if connection.vendor == "sqlite":
        pytest.skip("a worker process cannot share the in-memory SQLite test database")
    workers = []

    def start(*, pool: str = "solo", **extra_env) -> subprocess.Popen:
        env = {**os.environ, "DEBUG": "1", "DATABASE_URL": database_url(), **extra_env}
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "leadgen",
                "worker",
                "-Q",
                "dns,celery,cpu",
                "-P",
                pool,
                "-c",
                "1",
                "--loglevel",
                "WARNING",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"test-{os.getpid()}-{len(workers)}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.terminate()
        try:
            worker.wait(20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(5)


def worker_output(worker: subprocess.Popen) -> str:
    """What a worker printed, after stopping it (for a failure message)."""
    worker.terminate()
    try:
        return worker.communicate(timeout=20)[0]
    except subprocess.TimeoutExpired:
        # A worker whose task hangs does not finish its warm shutdown.
        worker.kill()
        return worker.communicate(timeout=10)[0]
