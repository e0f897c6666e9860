"""The tracker's Celery task: a thin wrapper over the pipeline's tracked-hits stage."""

from celery import shared_task

from prospects import pipeline


@shared_task(name="prospects.tracking.write_hits")
def write_hits() -> dict:
    """Write the queued beacons as hits, then hand on to identification.

    Asked for by the endpoint (at most once per flush window) and run by beat every minute;
    safe to run twice at once (one writer per queue, keys make repeats duplicates).
    """
    results = pipeline.ingest_tracked()
    return {"imports": len(results), "pageviews": sum(r.pageviews for r in results)}
