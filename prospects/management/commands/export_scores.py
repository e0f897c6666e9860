"""Write scores as CSV: visitors (default) or the research queue's companies."""

from decimal import Decimal, InvalidOperation

from django.core.management.base import BaseCommand, CommandError

from prospects.exports.scores import company_score_lines, visitor_score_lines


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
            lines = company_score_lines(
                threshold=None if threshold is None else _threshold(threshold)
            )
        else:
            lines = visitor_score_lines()
        if not out:
            # CSV lines end in CRLF, so the command's output wrapper adds no newline of its own.
            _write_all(lines, self.stdout)
            return
        try:
            with open(out, "w", newline="", encoding="utf-8") as target:
                rows = _write_all(lines, target)
        except OSError as exc:
            raise CommandError(f"Cannot write {out}: {exc.strerror}.") from exc
        self.stderr.write(f"Wrote {rows} rows to {out}.")


def _write_all(lines, target) -> int:
    """Write the CSV lines; how many rows there were, the header left out."""
    written = -1
    for line in lines:
        target.write(line)
        written += 1
    return written
