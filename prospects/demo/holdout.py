"""The generator's outreach holdout, recorded in the app: its arms, and the rep's touchpoints.

The generator runs its own experiment (`prospects.demo.outreach`) and writes it as JSON; this
replays it through the experiments and outreach services, so the experiment page measures the
lift the generator built in. Accounts the app did not identify as companies stay out.
"""

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from prospects.crm.outreach import log_touchpoint
from prospects.experiments.models import Experiment
from prospects.experiments.services import record_past_experiment
from prospects.models import Company, StatusChange


@dataclass(frozen=True)
class Recorded:
    experiment: Experiment
    companies: int
    accounts: int
    touchpoints: int


def _midnight(day: str) -> dt.datetime:
    # The generator's days are UTC days (prospects.demo.logs.first_day).
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(), tzinfo=dt.UTC)


def date_moves(company, *, after_id: int, day: dt.date) -> None:
    """Date the company's status moves recorded after `after_id` at noon UTC of `day`: a
    replayed touchpoint's moves happened on the touchpoint's day, not when the demo ran."""
    noon = dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)
    StatusChange.objects.filter(company=company, pk__gt=after_id).update(changed_at=noon)


def last_move_id() -> int:
    """The newest status move's id (0 for none), to date the moves recorded after it."""
    return StatusChange.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


@transaction.atomic
def record_demo_experiment(path: Path, *, admin, rep) -> Recorded | None:
    """Record the experiment written at `path`, stopped when its last window closed.

    None if it has no accounts or one of its name is recorded already (the demo runs again).
    """
    written = json.loads(path.read_text())
    if not written["accounts"] or Experiment.objects.filter(name=written["name"]).exists():
        return None
    accounts = written["accounts"]
    companies = Company.objects.in_bulk([a["domain"] for a in accounts], field_name="domain")
    rows = [(companies[a["domain"]], a) for a in accounts if a["domain"] in companies]
    entered = [_midnight(a["entered"]) for a in accounts]
    horizon = dt.timedelta(days=written["horizon_days"])
    experiment = record_past_experiment(
        name=written["name"],
        share_percent=round(written["holdout"] * 100),
        arms={company: (a["arm"], _midnight(a["entered"])) for company, a in rows},
        started_at=min(entered),
        stopped_at=max(entered) + horizon,
        user=admin,
    )
    touchpoints = 0
    for company, a in rows:
        if a["arm"] == "treatment":
            day = dt.date.fromisoformat(a["contacted"])
            before = last_move_id()
            log_touchpoint(
                company=company,
                user=rep,
                channel=a["channel"],
                happened_on=day,
                outcome=a["outcome"],
                summary="Demo outreach (generated)",
            )
            date_moves(company, after_id=before, day=day)
            touchpoints += 1
    return Recorded(experiment, len(rows), len(accounts), touchpoints)
