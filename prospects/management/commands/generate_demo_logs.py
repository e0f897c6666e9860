"""Write the demo vendor's access log, plus its DNS zone and the truth about each visitor."""

import datetime as dt
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from prospects.demo.logs import write_demo_data


def parse_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--end must be a date like 2026-11-24, not {value!r}") from exc


class Command(BaseCommand):
    help = (
        "Generate a realistic combined-format access log of a B2B vendor's site. Deterministic "
        "for a given --seed and --end. --zone writes the DNS records the demo DNS server serves; "
        "--truth writes each visitor's archetype as CSV; --experiment the outreach holdout's "
        "truth (arms, touchpoints, the true effect) as JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument("--visitors", type=int, default=20000)
        parser.add_argument("--days", type=int, default=90)
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--end", type=parse_date, default=None, help="last day (default today)")
        parser.add_argument("--out", type=Path, required=True)
        parser.add_argument("--zone", type=Path, default=None)
        parser.add_argument("--truth", type=Path, default=None)
        parser.add_argument("--experiment", type=Path, default=None)
        parser.add_argument("--json", action="store_true", help="print a JSON summary last")

    def handle(self, *args, **opts):
        if opts["visitors"] < 1 or opts["days"] < 1:
            raise CommandError("--visitors and --days must be at least 1")
        end = opts["end"] or dt.datetime.now(dt.UTC).date()
        result = write_demo_data(
            out=opts["out"],
            visitors=opts["visitors"],
            days=opts["days"],
            seed=opts["seed"],
            end=end,
            zone=opts["zone"],
            truth=opts["truth"],
            experiment=opts["experiment"],
        )
        summary = {
            "lines": result.lines,
            "visitors": result.visitors,
            "conversions": result.conversions,
            "companies": result.companies,
            "archetypes": result.archetypes,
        }
        if opts["json"]:
            self.stdout.write(json.dumps(summary))
        else:
            self.stdout.write(
                f"Wrote {result.lines:,} lines from {result.visitors:,} visitors "
                f"({result.conversions} conversions, {result.companies} companies) to {opts['out']}"
            )
