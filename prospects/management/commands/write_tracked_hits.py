"""`manage.py write_tracked_hits`: write the tracker's queued beacons as page views now."""

from django.core.management.base import BaseCommand

from prospects import pipeline


class Command(BaseCommand):
    help = (
        "Write the first-party tracker's queued beacons (Redis and database queues) through "
        "the importer's hit path, then hand on to identification."
    )

    def handle(self, *args, **options):
        results = pipeline.ingest_tracked()
        hits = sum(result.lines for result in results)
        views = sum(result.pageviews for result in results)
        bots = sum(result.bots for result in results)
        duplicates = sum(result.duplicates for result in results)
        self.stdout.write(
            f"Wrote {hits} tracked hits in {len(results)} batches: {views} page views, "
            f"{bots} bots, {duplicates} duplicates."
        )
