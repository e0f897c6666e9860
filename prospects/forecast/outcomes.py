"""Leads and what became of them: each SQL's time, and when it reached each later stage.

Read from the status history (a touchpoint outcome or a status move records each stage with
its time); undone moves and the undo moves themselves do not count.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings

from prospects.models import Company, StatusChange

Status = Company.Status
# The statuses that mean a lead reached each stage (a customer was an opportunity too).
REACHED = {
    "opportunity": {Status.OPPORTUNITY, Status.CUSTOMER},
    "customer": {Status.CUSTOMER},
}


@dataclass(frozen=True)
class Lead:
    """A company that became an SQL, with when it did and when it reached the later stages."""

    company_id: int
    sql_at: dt.datetime
    reached_at: dict  # stage → first time it reached the stage (missing: not yet)

    def label(self, stage: str, *, window: dt.timedelta, now: dt.datetime) -> int | None:
        """1 if it reached `stage` within `window` of the SQL, 0 if not, None while open."""
        at = self.reached_at.get(stage)
        if self.sql_at + window > now:
            return None
        return int(at is not None and at <= self.sql_at + window)


def outcome_window() -> dt.timedelta:
    """How long after the SQL a stage counts as reached (LEADGEN_PIPELINE_WINDOW_DAYS)."""
    return dt.timedelta(days=settings.LEADGEN_PIPELINE_WINDOW_DAYS)


def leads() -> list[Lead]:
    """Every company that became an SQL, oldest SQL first."""
    moves = (
        StatusChange.objects.filter(
            to_status__in=Company.SQL_STATUSES, undoes__isnull=True, undone_by__isnull=True
        )
        .order_by("changed_at", "id")
        .values_list("company_id", "to_status", "changed_at")
    )
    sql_at: dict[int, dt.datetime] = {}
    reached: dict[int, dict] = {}
    for company_id, to_status, at in moves:
        if to_status == Status.CONVERTED:
            sql_at.setdefault(company_id, at)
        for stage, statuses in REACHED.items():
            if to_status in statuses:
                reached.setdefault(company_id, {}).setdefault(stage, at)
    rows = [Lead(pk, at, reached.get(pk, {})) for pk, at in sql_at.items()]
    return sorted(rows, key=lambda lead: (lead.sql_at, lead.company_id))
