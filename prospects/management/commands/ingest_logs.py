"""`manage.py ingest_logs PATH [PATH ...] [--json]`: import access logs (a PATH of "-" is stdin).

Each file is its own import: a missing, damaged or failing file is reported and recorded, the
next one goes on, and the command exits non-zero at the end with a one-line summary.
"""

import json
import sys
import time

from django.core.management.base import BaseCommand, CommandError

from prospects import pipeline
from prospects.models import LogImport
from prospects.visits.ingest.formats import FORMATS, PatternError, get_format
from prospects.visits.ingest.importer import database_totals
from prospects.visits.ingest.runs import ImportResult

COUNT_KEYS = (
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


class Command(BaseCommand):
    help = (
        "Import web server access logs (format detected per file, or --format; .gz, .bz2 and "
        ".xz read compressed; - is stdin)."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument(
            "--json", action="store_true", help="End with one JSON line of counts and totals."
        )
        parser.add_argument(
            "--format",
            dest="log_format",
            metavar="NAME|PATTERN",
            help=(
                f"Read every file as this format: {', '.join(sorted(FORMATS))}; json:FIELD=NAME,...; "
                "or an nginx log_format / Apache LogFormat pattern. Default: detected per file."
            ),
        )

    def handle(self, *args, **options):
        started = time.perf_counter()
        if options["log_format"]:
            try:
                get_format(options["log_format"])
            except PatternError as exc:
                raise CommandError(str(exc)) from exc
        totals = dict.fromkeys(COUNT_KEYS, 0)
        bar = ProgressBar(sys.stderr) if sys.stderr.isatty() else None
        troubled = []
        for path in options["paths"]:
            try:
                result = pipeline.ingest(
                    path, progress=bar.update if bar else None, log_format=options["log_format"]
                )
            except Exception as exc:  # recorded on the file's import; the next file goes on
                result = ImportResult(
                    name=path, status=LogImport.Status.FAILED, error=f"{type(exc).__name__}: {exc}"
                )
            if bar:
                bar.finish()
            for key in COUNT_KEYS:
                totals[key] += getattr(result, key)
            self.stdout.write(
                f"{result.name}: {result.lines} lines, {result.pageviews} page views, "
                f"{result.bots} bots, {result.static} static, {result.ignored} ignored, "
                f"{result.malformed} malformed, {result.duplicates} duplicates, "
                f"{result.not_reading} not reading, {result.other_sites} other sites "
                f"in {result.seconds:.1f}s ({result.log_format or 'empty'})"
            )
            for notice in result.notices:
                self.stdout.write(f"  {notice}")
            if result.status != LogImport.Status.DONE:
                troubled.append(result)
                self.stderr.write(f"{result.name}: {result.status}: {result.error}")
        if options["json"]:
            summary = (
                totals | {"seconds": round(time.perf_counter() - started, 3)} | database_totals()
            )
            self.stdout.write(json.dumps(summary))
        if troubled:
            states = ", ".join(f"{r.name} ({r.status})" for r in troubled)
            raise CommandError(
                f"{len(troubled)} of {len(options['paths'])} files not fully imported: {states}"
            )


class ProgressBar:
    """A one-line progress bar with lines per second, redrawn in place on a terminal."""

    WIDTH = 30

    def __init__(self, stream):
        self.stream = stream

    def update(self, result: ImportResult) -> None:
        """Redraw the bar for the running result of an import."""
        rate = result.lines / result.seconds if result.seconds else 0
        if result.bytes_total:
            done = min(result.bytes_read / result.bytes_total, 1.0)
            filled = int(done * self.WIDTH)
            bar = f"[{'#' * filled}{'.' * (self.WIDTH - filled)}] {done:4.0%}"
        else:
            bar = "[stdin]"
        self.stream.write(f"\r{bar} {result.lines:,} lines, {rate:,.0f} lines/s ")
        self.stream.flush()

    def finish(self) -> None:
        """End the bar's line."""
        self.stream.write("\n")
        self.stream.flush()
