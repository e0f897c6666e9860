"""The demo's outreach experiment: a randomized holdout of accounts, and outreach that works.

An account enters the experiment on the first day one of its people reads pricing (about when a
score would put it in the queue), between the first sixth of the log and HORIZON days before its
end, unless it has converted already. A seeded hash of the experiment and the account assigns it
to control (HOLDOUT share) or treatment, once. A rep contacts a treated account a few days after
it enters; the contact warms the account: its latent score rises by LIFT for EFFECT_DAYS. Its
people's histories are then drawn again from their own streams under that account history, so
each account's two potential outcomes (a form sent within HORIZON days of entering, with and
without outreach) come from the same random numbers, and the true effect is known exactly.
"""

import hashlib
import random
import statistics
from dataclasses import dataclass

from .intent import ARCHETYPES, Simulation, Truth, VisitorTruth, logistic

NAME = "demo holdout"
HOLDOUT = 0.3
LIFT = 1.5
EFFECT_DAYS = 30
HORIZON = 30
CHANNELS = ("email", "email", "call", "social")


@dataclass(frozen=True)
class Assignment:
    """One account in the experiment, with both of its potential outcomes."""

    domain: str
    entered: int  # day it entered the experiment
    treated: bool
    contacted: int | None  # day of the rep's touchpoint (treated accounts only)
    channel: str
    outcome: str  # the touchpoint's outcome, in Touchpoint.Outcome's words
    converted_if_treated: bool
    converted_if_control: bool

    @property
    def converted(self) -> bool:
        """What happened: a form sent within HORIZON days of entering, in its own arm."""
        return self.converted_if_treated if self.treated else self.converted_if_control


@dataclass
class Experiment:
    name: str
    holdout: float
    horizon: int
    assignments: list[Assignment]

    def rate(self, *, treated: bool) -> float:
        """The arm's observed conversion rate within the horizon."""
        arm = [a.converted for a in self.assignments if a.treated == treated]
        return statistics.mean(arm) if arm else 0.0

    @property
    def true_effect(self) -> float:
        """The average effect of outreach on these accounts' conversion within the horizon."""
        if not self.assignments:
            return 0.0
        return statistics.mean(
            a.converted_if_treated - a.converted_if_control for a in self.assignments
        )


def in_control(domain: str, *, seed: int) -> bool:
    """The stable, seeded assignment of an account: control with chance HOLDOUT."""
    digest = hashlib.sha256(f"{NAME}:{seed}:{domain}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < HOLDOUT


def _converts(people: list[VisitorTruth], start: int) -> bool:
    return any(
        v.converted_day is not None and start <= v.converted_day < start + HORIZON for v in people
    )


def _entries(truth: Truth, people: dict[str, list[VisitorTruth]]) -> dict[str, int]:
    """The day each account enters the experiment, for those that do."""
    first, last = truth.days // 6, truth.days - HORIZON
    entries = {}
    for domain, group in people.items():
        days = [
            s.day
            for v in group
            for s in v.sessions
            if first <= s.day < last and any(p.startswith("/pricing") for p in s.pages)
        ]
        if not days:
            continue
        day = min(days)
        if not any(v.converted_day is not None and v.converted_day <= day for v in group):
            entries[domain] = day
    return entries


def run_experiment(simulation: Simulation, truth: Truth) -> Experiment:
    """Assign accounts, contact the treated ones, and redraw their people's histories."""
    rng = random.Random(f"outreach-{simulation.seed}")
    people: dict[str, list[VisitorTruth]] = {}
    for v in truth.visitors:
        if v.company in truth.account_scores and ARCHETYPES[v.archetype].account_weight:
            people.setdefault(v.company, []).append(v)
    assignments = []
    for domain, entered in sorted(_entries(truth, people).items()):
        group = people[domain]
        control = in_control(domain, seed=simulation.seed)
        contacted = entered + rng.randint(1, 4)
        account = list(truth.account_scores[domain])
        offset = contacted - simulation.first
        for day in range(offset, min(offset + EFFECT_DAYS, len(account))):
            account[day] += LIFT
        baseline = _converts(group, entered)
        treated = [
            VisitorTruth(v.key, v.archetype, v.ip, v.agent, v.company, v.arrival) for v in group
        ]
        for v in treated:
            simulation.history(v, account)
        reply = logistic(account[offset] - 1.0)
        roll = rng.random()
        outcome = (
            "meeting_booked"
            if roll < reply / 3
            else "replied"
            if roll < reply
            else "not_interested"
            if roll < reply + 0.1
            else "no_response"
        )
        if not control:
            # What happened is the treated history; the untreated one stays a counterfactual.
            for old, new in zip(group, treated, strict=True):
                old.intents, old.sessions = new.intents, new.sessions
        assignments.append(
            Assignment(
                domain,
                entered,
                not control,
                None if control else contacted,
                rng.choice(CHANNELS),
                "" if control else outcome,
                _converts(treated, entered),
                baseline,
            )
        )
    return Experiment(NAME, HOLDOUT, HORIZON, assignments)
