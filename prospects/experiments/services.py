"""Writes of holdout experiments: start, stop, and recording companies as they enter the queue.

`record_queue_entries` is the one hook: the pipeline calls it after every rescore, the threshold
service after every change, and the alert scan before it looks for new companies, so a company
is assigned before any reader outside the experiment page could see it.
"""

import datetime as dt
import secrets
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from prospects.errors import ServiceError
from prospects.experiments.assignment import arm_for
from prospects.experiments.models import Experiment, QueueEntry
from prospects.models import Company
from prospects.queue.selectors import research_queue
from prospects.roles import ADMIN, require_role
from scoring.meaning import horizon_days

MAX_SHARE = Decimal("0.50")
NAME_LENGTH = Experiment._meta.get_field("name").max_length


def _parse_share(value) -> Decimal:
    """A share given in percent (1 … 50), as a fraction with two decimals."""
    message = "The holdout share is a whole percentage from 1 to 50 (0 means no experiment)."
    try:
        percent = Decimal(str(value).strip().rstrip("%"))
    except (InvalidOperation, ValueError) as exc:
        raise ServiceError({"share": message}) from exc
    if not percent.is_finite() or percent != percent.to_integral_value():
        raise ServiceError({"share": message})
    share = (percent / 100).quantize(Decimal("0.01"))
    if not Decimal("0.01") <= share <= MAX_SHARE:
        raise ServiceError({"share": message})
    return share


@transaction.atomic
def start_experiment(*, name: str, share_percent, user, now=None) -> Experiment:
    """Start a holdout (admins only): from now on, companies entering the queue get an arm.

    The queue as it stands is recorded first, without arms: those companies entered before
    the experiment, so only later arrivals are assigned.
    """
    require_role(user, ADMIN)
    name = (name or "").strip()
    if not name or len(name) > NAME_LENGTH:
        raise ServiceError(
            {"name": f"Give the experiment a name of 1 to {NAME_LENGTH} characters."}
        )
    share = _parse_share(share_percent)
    now = now or timezone.now()
    if Experiment.objects.select_for_update().filter(running=True).exists():
        raise ServiceError("An experiment is already running: stop it before starting another.")
    record_queue_entries(now=now)
    return Experiment.objects.create(
        name=name,
        holdout_share=share,
        seed=secrets.randbits(62),
        started_at=now,
        started_by=user,
    )


@transaction.atomic
def stop_experiment(*, experiment: Experiment, user, now=None) -> Experiment:
    """Stop the experiment (admins only): its arms are frozen and its control rejoins the queue."""
    require_role(user, ADMIN)
    now = now or timezone.now()
    stopped = Experiment.objects.filter(pk=experiment.pk, running=True).update(
        running=False, stopped_at=now, stopped_by=user
    )
    if not stopped:
        raise ServiceError("This experiment has already stopped.")
    experiment.refresh_from_db()
    return experiment


@transaction.atomic
def record_queue_entries(*, now=None) -> int:
    """Record the companies standing in the queue for the first time; assign them an arm.

    Idempotent: a company is recorded once, so rescoring, restarts and repeated calls never
    move it. Only untouched companies (new, unclaimed, no rep) join the running experiment: one
    someone already works on cannot be held out. Returns how many were recorded.
    """
    now = now or timezone.now()
    experiment = Experiment.objects.filter(running=True).first()
    window_ends_at = now + dt.timedelta(days=horizon_days())
    window = {
        "window_ends_at": window_ends_at,
        "entered_on": timezone.localdate(now),
        "window_ends_on": timezone.localdate(window_ends_at),
    }
    rows = list(
        research_queue()
        .filter(queue_entry__isnull=True)
        .values_list("pk", "probability", "status", "assignee_id", "rep_id")
    )
    entries = []
    for pk, probability, status, assignee_id, rep_id in rows:
        untouched = status == "new" and assignee_id is None and rep_id is None
        if experiment is not None and untouched:
            arm = arm_for(seed=experiment.seed, company_id=pk, share=experiment.holdout_share)
            entries.append(
                QueueEntry(
                    company_id=pk,
                    entered_at=now,
                    probability=probability,
                    experiment=experiment,
                    arm=arm,
                    **window,
                )
            )
        else:
            entries.append(QueueEntry(company_id=pk, entered_at=now, probability=probability))
    # A concurrent call may record the same company first; its row stands.
    QueueEntry.objects.bulk_create(entries, batch_size=2000, ignore_conflicts=True)
    return len(entries)


@transaction.atomic
def record_past_experiment(
    *, name: str, share_percent, arms: dict, started_at, stopped_at, user
) -> Experiment:
    """Record a holdout that ran outside the app (admins only), stopped at `stopped_at`.

    `arms` maps each company to (arm, entered_at). The arms are taken as given, not drawn
    again; a company already recorded as entering the queue keeps its row, as everywhere.
    """
    experiment = start_experiment(name=name, share_percent=share_percent, user=user, now=started_at)
    scores = dict(
        Company.objects.filter(pk__in=[c.pk for c in arms]).values_list("pk", "score__probability")
    )
    entries = []
    for company, (arm, entered_at) in arms.items():
        if arm not in (QueueEntry.Arm.TREATMENT, QueueEntry.Arm.CONTROL):
            raise ServiceError(f"Unknown arm {arm!r} for {company}.")
        ends_at = entered_at + dt.timedelta(days=horizon_days())
        entries.append(
            QueueEntry(
                company=company,
                entered_at=entered_at,
                # Unscored companies enter at 0: no score was kept from when they entered.
                probability=scores[company.pk] or 0.0,
                experiment=experiment,
                arm=arm,
                window_ends_at=ends_at,
                entered_on=timezone.localdate(entered_at),
                window_ends_on=timezone.localdate(ends_at),
            )
        )
    QueueEntry.objects.bulk_create(entries, batch_size=2000, ignore_conflicts=True)
    return stop_experiment(experiment=experiment, user=user, now=stopped_at)
