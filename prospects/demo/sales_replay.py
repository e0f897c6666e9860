"""The generator's sales after the SQL, recorded in the app as the rep's touchpoints.

Each converted account the app identified as a company gets a touchpoint "converted to SQL"
on its SQL day, then "opportunity opened" and "won" on theirs when they happened, through the
outreach service; the moves are dated on the touchpoints' days, so the pipeline models see
leads in their real order and with their real outcome windows.
"""

import datetime as dt
import json
from pathlib import Path

from django.db import transaction

from prospects.crm.outreach import log_touchpoint
from prospects.demo.holdout import date_moves, last_move_id
from prospects.models import Company, Touchpoint

STEPS = (
    ("sql", Touchpoint.Outcome.CONVERTED, "call"),
    ("opportunity", Touchpoint.Outcome.OPPORTUNITY, "meeting"),
    ("customer", Touchpoint.Outcome.WON, "meeting"),
)


@transaction.atomic
def record_demo_sales(path: Path, *, rep) -> dict[str, int]:
    """Record the deals written at `path`; a company already an SQL is left as it is (the
    demo runs again). Returns how many SQLs, opportunities and customers were recorded."""
    deals = json.loads(path.read_text())["deals"]
    companies = Company.objects.in_bulk([d["domain"] for d in deals], field_name="domain")
    counts = dict.fromkeys(("sql", "opportunity", "customer"), 0)
    for deal in deals:
        company = companies.get(deal["domain"])
        if company is None or company.status in Company.SQL_STATUSES or not company.outreach_open:
            continue
        for key, outcome, channel in STEPS:
            if deal[key] is None:
                break
            day = dt.date.fromisoformat(deal[key])
            before = last_move_id()
            log_touchpoint(
                company=company,
                user=rep,
                channel=channel,
                happened_on=day,
                outcome=outcome,
                summary="Demo sale (generated)",
            )
            date_moves(company, after_id=before, day=day)
            counts[key] += 1
    return counts
