"""`manage.py resolve_ips [--all] [--limit N] [--json]`: identify companies behind visitor IPs."""

import json

from django.core.management.base import BaseCommand, CommandError

from prospects import pipeline


class Command(BaseCommand):
    help = (
        "Resolve pending and expired visitor IPs (reverse DNS, forward confirmation, "
        "classification), link visitors to companies and apply exclusions."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--all", action="store_true", help="Re-resolve every IP, ignoring cached results."
        )
        parser.add_argument("--limit", type=int, default=None, help="Resolve at most N IPs.")
        parser.add_argument(
            "--json", action="store_true", help="Print the result as one JSON line at the end."
        )

    def handle(self, *args, **options):
        if options["limit"] is not None and options["limit"] < 1:
            raise CommandError("--limit must be a positive number.")
        result = pipeline.identify(all=options["all"], limit=options["limit"])
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), sort_keys=True))
            return
        self.stdout.write(
            f"Resolved {result.resolved} IPs in {result.seconds:.2f}s "
            f"({result.dns_queries} DNS queries): {result.business} business, {result.isp} ISP, "
            f"{result.hosting} hosting, {result.education} education, "
            f"{result.government} government, {result.private} private, "
            f"{result.unknown} unknown; {result.failed} failed. "
            f"{result.companies_total} companies in total."
        )
