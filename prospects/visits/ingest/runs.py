"""The record of one import (`LogImport`): its result, its heartbeat, how it ended.

An import writes who runs it (host and pid) and a heartbeat after every chunk. One left
`running` by a process that is gone (killed, crashed, its machine rebooted) is marked
interrupted by the next import and by the imports page.
"""

import dataclasses
import datetime as dt
import os
import socket
import time

from django.conf import settings
from django.utils import timezone

from prospects.models import LogImport


@dataclasses.dataclass
class ImportResult:
    """What one import found; `pageviews` counts new page views, `duplicates` skipped ones.

    `status` is a `LogImport.Status`; `error` says why a file was partial or failed.
    """

    name: str = ""
    import_id: int | None = None
    lines: int = 0
    pageviews: int = 0
    bots: int = 0
    static: int = 0
    ignored: int = 0
    malformed: int = 0
    duplicates: int = 0
    not_reading: int = 0
    other_sites: int = 0
    log_format: str = ""
    notices: list[str] = dataclasses.field(default_factory=list)
    seconds: float = 0.0
    bytes_read: int = 0
    bytes_total: int | None = None
    malformed_samples: list[str] = dataclasses.field(default_factory=list)
    status: str = LogImport.Status.RUNNING
    error: str = ""

    def counts(self) -> dict:
        """The per-run counts, as the command's JSON reports them."""
        keys = (
            "lines",
            "pageviews",
            "bots",
            "static",
            "ignored",
            "malformed",
            "duplicates",
            "not_reading",
            "other_sites",
        )
        return {key: getattr(self, key) for key in keys} | {"seconds": round(self.seconds, 3)}


def start(name: str) -> LogImport:
    """A running LogImport for this process, after marking dead processes' runs interrupted."""
    mark_interrupted()
    return LogImport.objects.create(
        name=name[:500], host=_host(), pid=os.getpid(), heartbeat_at=timezone.now()
    )


def beat(log_import: LogImport) -> None:
    """Show the import is alive (one small UPDATE)."""
    LogImport.objects.filter(pk=log_import.pk).update(heartbeat_at=timezone.now())


def finish(log_import: LogImport, result: ImportResult, started: float) -> None:
    """Write the result's counts, status and error on its LogImport."""
    result.seconds = time.perf_counter() - started
    for key, value in result.counts().items():
        setattr(log_import, key, value)
    log_import.malformed_samples = result.malformed_samples
    log_import.log_format = result.log_format[:200]
    log_import.notices = result.notices
    log_import.status = result.status
    log_import.error = result.error
    log_import.finished_at = timezone.now()
    log_import.save()


def mark_interrupted() -> int:
    """Mark running imports whose process is gone as interrupted; return how many.

    On this host a run is gone when its pid is not alive; from another host (or without a
    pid) when its heartbeat is older than LEADGEN_IMPORT_STALE_SECONDS.
    """
    stale_before = timezone.now() - dt.timedelta(seconds=settings.LEADGEN_IMPORT_STALE_SECONDS)
    host, marked = _host(), 0
    for run in LogImport.objects.filter(status=LogImport.Status.RUNNING).only(
        "id", "host", "pid", "heartbeat_at", "started_at"
    ):
        if run.host == host and run.pid:
            gone = not _alive(run.pid)
        else:
            gone = (run.heartbeat_at or run.started_at) < stale_before
        if gone:
            marked += LogImport.objects.filter(pk=run.pk, status=LogImport.Status.RUNNING).update(
                status=LogImport.Status.INTERRUPTED,
                finished_at=timezone.now(),
                error=(
                    "The import's process stopped before it finished (killed or crashed); "
                    "nothing of this run was kept. Import the file again."
                ),
            )
    return marked


def _host() -> str:
    return socket.gethostname()[:255]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, another user's
    return True
