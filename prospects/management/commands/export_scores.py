"""Write scores as CSV: visitors (default) or the research queue's companies."""

from decimal import Decimal, InvalidOperation

from django.core.management.base import BaseCommand, CommandError

from prospects.exports.csvstream import csv_lines
from prospects.exports.scores import company_scores, visitor_scores


def _threshold(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise CommandError("--threshold is a number from 0 to 1.") from exc
    if not Decimal(0) <= value <= Decimal(1):
        raise CommandError("--threshold is a number from 0 to 1.")
    return value


class Command(BaseCommand):
    help = (
        "Write visitors' scores as CSV (ip, user agent, company, probability, model version, "
        "reasons), or with --companies the research queue as its page's CSV."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--companies", action="store_true", help="The queue's companies instead of visitors."
        )
        parser.add_argument(
            "--threshold",
            help="With --companies: this threshold (0 to 1) instead of the one in force.",
        )
        parser.add_argument("--out", help="Write to this file instead of standard output.")

    def handle(self, *args, companies: bool, threshold, out, **options):
        if threshold is not None and not companies:
            raise CommandError("--threshold goes with --companies.")
        if companies:
            header, rows = company_scores(
                threshold=None if threshold is None else _threshold(threshold)
            )
        else:
            header, rows = visitor_scores()
        counted = _Counted(rows)
        if not out:
            # The CSV text ends its lines in CRLF: the output wrapper adds no newline of its own.
            for text in csv_lines(header, counted):
                self.stdout.write(text, ending="")
            return
        try:
            with open(out, "w", newline="", encoding="utf-8") as target:
                target.writelines(csv_lines(header, counted))
        except OSError as exc:
            raise CommandError(f"Cannot write {out}: {exc.strerror}.") from exc
        self.stderr.write(f"Wrote {counted.count} rows to {out}.")


class _Counted:
    """The rows, counted as they go by (a CSV line count would miscount multi-line cells)."""

    def __init__(self, rows):
        self.rows, self.count = rows, 0

    def __iter__(self):
        for row in self.rows:
            self.count += 1
            yield row
