"""Training runs' lifecycle: a heartbeat while training, an end for every run, and the clean-up
after a run whose process died (killed worker, out of memory, host restart).

A killed process cannot record its own end. The next run, and every read of the model page,
marks runs without a heartbeat for STALE_AFTER as failed with the reason, and removes model
files that no ModelVersion points to (a run killed between writing its file and recording
its version leaves one behind).
"""

import datetime as dt

from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import ModelVersion, TrainingRun
from .registry import model_dir

# Longer than any stage of training takes (the 100,000-visitor bench's longest is ~20 s).
STALE_AFTER = dt.timedelta(minutes=30)


def heartbeat(run: TrainingRun) -> None:
    """Record that the run is alive (called between stages)."""
    run.heartbeat_at = timezone.now()
    TrainingRun.objects.filter(pk=run.pk).update(heartbeat_at=run.heartbeat_at)


def finish(run: TrainingRun, *, ok: bool, message: str, version: ModelVersion | None) -> None:
    """Record how the run ended."""
    run.ok, run.message, run.model_version = ok, message, version
    run.finished_at = timezone.now()
    run.save(update_fields=["ok", "message", "model_version", "finished_at"])


def close_abandoned(now: dt.datetime | None = None) -> int:
    """Mark unfinished runs silent for STALE_AFTER as failed, remove orphan model files."""
    now = now or timezone.now()
    silent = now - STALE_AFTER
    abandoned = (
        TrainingRun.objects.filter(finished_at__isnull=True)
        .annotate(last_sign=Coalesce("heartbeat_at", "started_at"))
        .filter(Q(last_sign__lt=silent))
    )
    closed = 0
    for run in abandoned:
        run.ok = False
        run.finished_at = now
        run.message = (
            f"The training process stopped without finishing: no sign of life since "
            f"{run.last_sign:%Y-%m-%d %H:%M} UTC (killed, out of memory or restarted). "
            f"{run.message}".strip()
        )
        run.save(update_fields=["ok", "finished_at", "message"])
        closed += 1
    remove_orphan_files(older_than=silent)
    return closed


def remove_orphan_files(*, older_than: dt.datetime) -> list[str]:
    """Delete model files no version points to, if written before `older_than` (a running
    training writes its file a moment before recording the version that points to it)."""
    known = set(ModelVersion.objects.values_list("file_name", flat=True))
    removed = []
    for path in model_dir().glob("*.skops"):
        written = dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC)
        if path.name not in known and written < older_than:
            path.unlink(missing_ok=True)
            removed.append(path.name)
    return removed
