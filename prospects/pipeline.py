"""The pipeline, stated once: ingest → identify the new IPs → rescore the touched visitors.

Each stage is one function here, and the commands, the Celery tasks and the demo call these
functions, never the stages' modules directly. A stage that finishes hands on to the next with
`transaction.on_commit`, so a new visit reaches the queue within minutes of its import: the next
stage sees what this one committed, and nothing is enqueued for work that was rolled back. Beat
(settings.CELERY_BEAT_SCHEDULE) runs identification and rescoring too, as the safety net; every
stage is idempotent, so a hand-on and a scheduled run of the same stage agree.

Handing on needs a broker: with Celery eager (the embedded default) it would run the next
stage inside the import, DNS lookups included, so it is off unless LEADGEN_PIPELINE_HAND_ON is
set; the demo runs the stages in order itself (`run`).
"""

import logging
from collections.abc import Iterator

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from leadgen.enqueue import enqueue
from prospects.identify.services import ResolveResult, resolve_pending_ips
from prospects.privacy.masking import mask_resolved
from prospects.visits.ingest.importer import ingest_file
from prospects.visits.ingest.runs import ImportResult

log = logging.getLogger(__name__)


def ingest(source, *, hand_on: bool | None = None, **options) -> ImportResult:
    """Stage 1: import one access log (see `ingest_file`), then hand on to identification."""
    started = timezone.now()
    result = ingest_file(source, **options)
    if result.pageviews:
        _hand_on("identify", hand_on, since=started.isoformat())
    return result


def ingest_tracked(*, hand_on: bool | None = None) -> list[ImportResult]:
    """Stage 1 for the tracker: write the queued beacons as hits, then hand on to identification."""
    from prospects.tracking.services import write_queued_hits

    started = timezone.now()
    results = write_queued_hits()
    if any(result.pageviews for result in results):
        _hand_on("identify", hand_on, since=started.isoformat())
    return results


def identify(
    *,
    since: str | None = None,
    hand_on: bool | None = None,
    all: bool = False,
    limit: int | None = None,
    nameservers: list[str] | None = None,
) -> ResolveResult:
    """Stage 2: resolve new, pending and expired IPs (see `resolve_pending_ips`), mask the
    addresses resolved long enough ago (`mask_resolved`), then hand on.

    `since` is the start of the import that handed on, passed through for the log line.
    """
    result = resolve_pending_ips(all=all, limit=limit, nameservers=nameservers)
    log.info("identified %s IPs (import since %s)", result.resolved, since or "-")
    # Addresses resolved long enough ago lose their last bits (a no-op with masking off).
    masked = mask_resolved()
    if masked.visitors:
        log.info("masked %s visitors' addresses", masked.visitors)
    _hand_on("score", hand_on)
    return result


def score(*, changed_only: bool = True):
    """Stage 3: rescore the visitors that changed (or everyone) and every company, then record
    the companies that entered the queue (their arm, while a holdout experiment runs).

    Raises scoring.services.NoActiveModel before the first model is trained.
    """
    from prospects.experiments.services import record_queue_entries
    from scoring import services

    result = services.rescore(changed_only=changed_only)
    record_queue_entries()
    return result


def segment():
    """After scoring: cluster visitors and companies into behaviour segments (see
    `segment_visitors`; idempotent, renames kept). None while too few visitors have page views.
    """
    from prospects.segments.services import segment_visitors

    return segment_visitors()


def attribute():
    """After scoring: credit conversions to content, sources and outreach under every
    attribution model, and store the report (see `compute_attribution`; idempotent)."""
    from prospects.attribution.services import compute_attribution

    return compute_attribution()


def forecast():
    """After segmenting: refit the pipeline probabilities (lead → opportunity, → customer) on
    the closed leads and rewrite the companies' chances (see `refresh_forecasts`)."""
    from prospects.forecast.services import refresh_forecasts

    return refresh_forecasts()


def run(paths, *, nameservers: list[str] | None = None, train: bool = False) -> Iterator:
    """Every stage in order, in this process, yielding (stage, result) as each one finishes.

    Stages: ("ingest", ImportResult) per path, ("identify", ResolveResult), with `train`
    ("train", ModelVersion or the NotEnoughData refusal), then ("score", RescoreResult) unless
    no model exists. The caller may act between stages (the demo flags its customers after
    identification), then ("segment", Segmentation or None), ("attribute", AttributionReport)
    and ("forecast", {stage: StageForecast}) last. Training, segmenting, attribution and
    forecasting are not stages of the hand-on chain: beat runs them nightly.
    """
    from scoring import selectors, services
    from scoring.training import NotEnoughData

    for path in paths:
        yield "ingest", ingest(path, hand_on=False)
    yield "identify", identify(hand_on=False, nameservers=nameservers)
    if train:
        try:
            yield "train", services.train_model(trained_by="pipeline")
        except NotEnoughData as exc:
            yield "train", exc
    if selectors.active_version() is not None:
        yield "score", score(changed_only=False)
    yield "segment", segment()
    yield "attribute", attribute()
    yield "forecast", forecast()


def _hand_on(stage: str, hand_on: bool | None, **kwargs) -> None:
    """Enqueue the task of `stage` once the current transaction commits (now, if none)."""
    if hand_on is None:
        hand_on = settings.LEADGEN_PIPELINE_HAND_ON
    if not hand_on:
        return
    from prospects import tasks as prospects_tasks
    from scoring import tasks as scoring_tasks

    task = {"identify": prospects_tasks.resolve_ips, "score": scoring_tasks.rescore}[stage]
    transaction.on_commit(lambda: enqueue(task, **kwargs))
