"""`manage.py create_partitions`: make the page-view month partitions ahead (PostgreSQL)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from prospects.visits.partitions import ensure_partitions, partitioned


class Command(BaseCommand):
    help = (
        "PostgreSQL: create the page-view partitions of this month and the next "
        "LEADGEN_PAGEVIEW_PARTITIONS_AHEAD, and of old rows waiting in the default partition."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--ahead", type=int, default=None, help="Months ahead (default: the setting)."
        )

    def handle(self, *args, **options):
        if not partitioned():
            self.stdout.write("Page views are not partitioned on this database: nothing to do.")
            return
        ahead = options["ahead"]
        created = ensure_partitions(ahead=ahead)
        months = settings.LEADGEN_PAGEVIEW_PARTITIONS_AHEAD if ahead is None else ahead
        self.stdout.write(
            f"Created {len(created)} partitions ({', '.join(created) or 'none missing'}); "
            f"months kept ahead: {months}."
        )
