"""The demo's sales after the SQL: which converted accounts become opportunities and customers.

An account whose people sent a form becomes an SQL a few days later (after the rep's first
touchpoint, for a treated account of the outreach experiment). Its latent score that day sets
the chance of an opportunity, logistic(OPPORTUNITY_BASE + SLOPE x (score - CENTRE)), and an
opportunity's chance of being won, logistic(WIN_BASE + SLOPE x (score - CENTRE)): warmer
accounts buy more, so the pipeline models have a real signal to find. Stages that would fall
after the log's last day have not happened yet.
"""

import random
from dataclasses import dataclass

from .intent import ARCHETYPES, BURN_IN, Truth, logistic

OPPORTUNITY_BASE = 0.3
WIN_BASE = 0.0
SLOPE = 0.8
CENTRE = -2.0
# Days from the form to the SQL, from the SQL to the opportunity, and on to the win.
SQL_DAYS = (1, 3)
OPPORTUNITY_DAYS = (3, 14)
WIN_DAYS = (4, 14)


@dataclass(frozen=True)
class Deal:
    """One converted account's way through the pipeline, in days of the log."""

    domain: str
    sql: int
    opportunity: int | None
    customer: int | None
    chance_opportunity: float  # the true chances, for tests
    chance_customer: float


def run_sales(truth: Truth, *, seed: int) -> list[Deal]:
    """Every converted prospect account's SQL day and, where they happen, its later stages."""
    rng = random.Random(f"sales-{seed}")
    formed: dict[str, int] = {}
    for v in truth.visitors:
        day = v.converted_day
        if day is None or v.company not in truth.account_scores:
            continue
        if ARCHETYPES[v.archetype].account_weight:
            formed[v.company] = min(day, formed.get(v.company, day))
    contacted = {
        a.domain: a.contacted
        for a in (truth.experiment.assignments if truth.experiment else [])
        if a.contacted is not None
    }
    deals = []
    for domain, day in sorted(formed.items()):
        sql = day + rng.randint(*SQL_DAYS)
        if domain in contacted and contacted[domain] >= sql:
            sql = contacted[domain] + 1
        if sql >= truth.days:
            continue
        # The account's scores start BURN_IN days before the log.
        score = truth.account_scores[domain][sql + BURN_IN] - CENTRE
        p_opportunity = logistic(OPPORTUNITY_BASE + SLOPE * score)
        p_win = logistic(WIN_BASE + SLOPE * score)
        opportunity = customer = None
        if rng.random() < p_opportunity:
            opportunity = sql + rng.randint(*OPPORTUNITY_DAYS)
            if rng.random() < p_win:
                customer = opportunity + rng.randint(*WIN_DAYS)
        deals.append(
            Deal(
                domain,
                sql,
                opportunity if opportunity is not None and opportunity < truth.days else None,
                customer if customer is not None and customer < truth.days else None,
                p_opportunity,
                p_opportunity * p_win,
            )
        )
    return deals
