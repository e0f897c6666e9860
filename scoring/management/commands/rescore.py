"""Score visitors and companies with the active model version."""

import json

from django.core.management.base import BaseCommand, CommandError

from prospects import pipeline
from scoring.services import NoActiveModel


class Command(BaseCommand):
    help = "Score every visitor (or only the changed ones) and every company with the active model."

    def add_arguments(self, parser):
        parser.add_argument(
            "--changed-only",
            action="store_true",
            help="Only visitors not yet scored by the active model or seen since their score.",
        )
        parser.add_argument(
            "--json",
            action="store_true",
            help="End with one line of JSON: version, visitors, companies, seconds, as_of.",
        )

    def handle(self, *args, changed_only: bool, json: bool, **options):
        try:
            result = pipeline.score(changed_only=changed_only)
        except NoActiveModel as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Scored {result.visitors} visitors and {result.companies} companies with model "
            f"v{result.version} as of {result.as_of} in {result.seconds} s."
        )
        if json:
            self.stdout.write(_dumps(result.as_dict()))


def _dumps(figures: dict) -> str:
    return json.dumps(figures)
