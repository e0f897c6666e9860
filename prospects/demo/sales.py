"""The demo's sales after the SQL: which converted accounts become opportunities and customers.

An account whose people sent a form becomes an SQL a few days later (after the rep's first
touchpoint, for a treated account of the outreach experiment). Whether the deal moves on is
decided by what the account did before the SQL, as sales teams see it: deals where more of
the account's people took part (the buying committee) and someone read the docs (what putting
it in takes) go further, and warmer accounts a little. With `people` the account's visitors
with a session in the log before the SQL day, `docs` 1 if one of those sessions read a docs
page (else 0) and `score` the account's latent score that day,

    signal = COMMITTEE x ln(people / TYPICAL_COMMITTEE) + DOCS x (docs - 1/2)
             + SLOPE x (score - CENTRE)

the chance of an opportunity is logistic(OPPORTUNITY_BASE + signal) and an opportunity's
chance of being won logistic(WIN_BASE + signal). The behaviour terms are what the pipeline
models can read (visitors and kinds of content before the SQL); the latent score is not, and
alone it left them near chance (backtest ROC AUC 0.58-0.68 where the true chances ranked at
0.83-0.89). Stages that would fall after the log's last day have not happened yet.
"""

import math
import random
from dataclasses import dataclass

from . import catalogue as cat
from .intent import ARCHETYPES, BURN_IN, Truth, VisitorTruth, logistic

OPPORTUNITY_BASE = -0.5
WIN_BASE = -0.8
COMMITTEE = 1.5
TYPICAL_COMMITTEE = 4
DOCS = 1.2
SLOPE = 0.2
CENTRE = -2.0
DOC_PAGES = frozenset(cat.DOCS)
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
    people: int  # what decided them: the account's people before the SQL, docs read
    read_docs: bool


def run_sales(truth: Truth, *, seed: int) -> list[Deal]:
    """Every converted prospect account's SQL day and, where they happen, its later stages."""
    rng = random.Random(f"sales-{seed}")
    formed: dict[str, int] = {}
    people: dict[str, list[VisitorTruth]] = {}
    for v in truth.visitors:
        if v.company:
            people.setdefault(v.company, []).append(v)
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
        committee, docs = _before(people[domain], sql)
        # The account's scores start BURN_IN days before the log.
        score = truth.account_scores[domain][sql + BURN_IN]
        signal = (
            COMMITTEE * math.log(max(committee, 1) / TYPICAL_COMMITTEE)
            + DOCS * (docs - 0.5)
            + SLOPE * (score - CENTRE)
        )
        p_opportunity = logistic(OPPORTUNITY_BASE + signal)
        p_win = logistic(WIN_BASE + signal)
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
                committee,
                bool(docs),
            )
        )
    return deals


def _before(group: list[VisitorTruth], day: int) -> tuple[int, int]:
    """(people with a session in the log before `day`, 1 if one of them read docs else 0)."""
    seen = [[s for s in v.sessions if 0 <= s.day < day] for v in group]
    docs = any(p in DOC_PAGES for sessions in seen for s in sessions for p in s.pages)
    return sum(1 for sessions in seen if sessions), int(docs)
