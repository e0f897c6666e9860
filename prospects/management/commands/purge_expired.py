"""`manage.py purge_expired`: delete what is past its retention window, in batches."""

from django.conf import settings
from django.core.management.base import BaseCommand

from prospects.privacy.retention import purge_expired


class Command(BaseCommand):
    help = (
        "Delete page views and sessions older than LEADGEN_RETENTION_PAGEVIEW_DAYS and visitors "
        "not seen for LEADGEN_RETENTION_VISITOR_DAYS, in batches of LEADGEN_RETENTION_BATCH."
    )

    def handle(self, *args, **options):
        result = purge_expired()
        self.stdout.write(
            f"Purged {result.pageviews} page views, {result.sessions} sessions and "
            f"{result.visitors} visitors (windows: {settings.LEADGEN_RETENTION_PAGEVIEW_DAYS} "
            f"and {settings.LEADGEN_RETENTION_VISITOR_DAYS} days)"
            + (
                f"; {result.partitions} month partitions dropped whole."
                if result.partitions
                else "."
            )
        )
