"""The demo's buyers: a latent intent per visitor that evolves day by day and drives everything.

Each visitor follows an archetype. For the archetypes that can buy, intent (between 0 and 1, the
logistic of a latent score) evolves every day: evaluators arrive warming up, any buyer may cool
off and then stops coming back, and now and then a reader comes into the market. Intent sets the
chance of a return visit on a day, which pages a session reads and how many, and the chance that
a session ends in a submitted form: the daily conversion hazard. Company visitors take part of
their intent from their account's, which comes into the market and leaves it as a whole. A
convert's sessions are drawn exactly like anyone's with the same intent; the form is the only
thing added to the converting session. Each visitor's history has a random stream of its own, so
it can be drawn again under another account history (the outreach experiment's counterfactual).
"""

import math
import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from . import catalogue as cat
from .networks import DemoCompany, Networks

if TYPE_CHECKING:
    from .outreach import Experiment
    from .sales import Deal

# Chance of a return visit per day = the archetype's base + RETURN_SLOPE x intent.
RETURN_SLOPE = 0.4
# Chance that a buyer's session ends in a submitted form = FORM_BASE + FORM_MAX x intent ** 2:
# some forms come from people nobody would have picked.
FORM_BASE = 0.002
FORM_MAX = 0.25
# Chance that a buyer's other sessions open a form and leave it = ABANDON x intent.
ABANDON = 0.12
# Daily drift of the latent score while cooling off, its daily noise, and the intent below which
# a cooling buyer stops coming back.
COOL = 0.2
NOISE = 0.3
STOP_INTENT = 0.06
# Extra pages per session at intent 1 (on average half of it).
EXTRA_PAGES = 8
FORMS = ("/trial", "/trial", "/contact")
# Visitors' histories start up to this many days before the log does, so the log opens on a
# site already in its steady state (returning visitors, buyers half warmed up) and not empty.
BURN_IN = 60
# What anyone in the market reads, whatever brought them.
EVALUATION = (
    (cat.PRODUCT, 35),
    (cat.PRICING, 18),
    (cat.DOCS, 10),
    (cat.COMPANY, 14),
    (cat.PREMIUM, 11),
    (cat.SCREENSHOTS, 4),
    (cat.BLOG, 8),
)
HOME = ["/"]


@dataclass(frozen=True)
class Behaviour:
    """How an archetype arrives, returns, reads and moves in and out of the market."""

    share: float
    pages: tuple  # ((paths, weight), ...) read at zero intent
    length: tuple[int, int]  # pages per session at zero intent
    return_base: float  # daily chance of a return visit at zero intent
    stop: float  # daily chance of never coming back
    buyer: bool = False
    start: float = -4.0  # mean latent score on arrival, and its spread
    spread: float = 0.7
    warm: float = 0.09  # daily drift while warming up
    warm_chance: float = 0.0  # daily chance of coming into the market (1: arrives warming)
    cool_chance: float = 0.03  # daily chance that a warming buyer cools off
    account_weight: float = 0.0  # share of the latent score that is the account's


BROWSING = ((HOME, 35), (cat.BLOG, 30), (cat.PRODUCT, 20), (cat.COMPANY, 10), (cat.PRESS, 5))
ARCHETYPES = {
    "evaluator": Behaviour(
        0.07,
        ((HOME, 30), (cat.BLOG, 30), (cat.PRODUCT, 30), (cat.COMPANY, 10)),
        (2, 5),
        0.05,
        0.0,
        buyer=True,
        start=-2.2,
        warm_chance=1.0,
        account_weight=0.5,
    ),
    "blog_reader": Behaviour(
        0.30,
        ((cat.BLOG, 85), (HOME, 8), (cat.PRODUCT, 5), (cat.PREMIUM, 2)),
        (1, 3),
        0.02,
        0.03,
        buyer=True,
        warm_chance=0.001,
        account_weight=0.3,
    ),
    "job_seeker": Behaviour(
        0.07, ((cat.JOBS, 75), (HOME, 10), (cat.COMPANY, 10), (cat.PRESS, 5)), (1, 5), 0.03, 0.05
    ),
    "competitor": Behaviour(
        0.02, ((cat.PRODUCT, 60), (cat.SCREENSHOTS, 30), (cat.PRICING, 10)), (3, 10), 0.04, 0.01
    ),
    "home_user": Behaviour(
        0.24, BROWSING, (1, 4), 0.01, 0.05, buyer=True, start=-3.5, warm_chance=0.002
    ),
    "customer": Behaviour(0.06, ((cat.DOCS, 80), (cat.BLOG, 10), (HOME, 10)), (1, 6), 0.05, 0.01),
    "casual_business": Behaviour(
        0.09,
        BROWSING,
        (1, 4),
        0.015,
        0.02,
        buyer=True,
        start=-3.0,
        warm_chance=0.004,
        account_weight=0.5,
    ),
    "student": Behaviour(
        0.03, ((cat.BLOG, 60), (cat.PREMIUM, 30), (cat.COMPANY, 10)), (1, 4), 0.01, 0.1
    ),
    "scraper": Behaviour(0.03, (), (5, 30), 0.1, 0.05),
    "bot": Behaviour(0.09, (), (5, 30), 0.05, 0.05),
}
# Archetypes whose visitors browse from a company's office network.
AT_WORK = {"evaluator", "competitor", "customer", "casual_business"}
CRAWLED = cat.BLOG + cat.PRODUCT + cat.PRICING + cat.COMPANY + cat.PRESS + cat.DOCS


@dataclass(frozen=True)
class Session:
    day: int
    intent: float  # the visitor's intent that day
    pages: tuple[str, ...]  # pages read, in order, before any form
    form: str | None  # the form opened last, if any
    submitted: bool  # the form was sent: the visitor converted


@dataclass
class VisitorTruth:
    key: int  # the draw number, which seeds the visitor's own stream
    archetype: str
    ip: str
    agent: str
    company: str  # the domain of the office network, or ""
    arrival: int  # day of the first visit (negative: before the log starts)
    intents: list[float] = field(default_factory=list)  # intent on each day from arrival on
    sessions: list[Session] = field(default_factory=list)

    @property
    def converted_day(self) -> int | None:
        """The day the visitor sent a form, if they did."""
        last = self.sessions[-1] if self.sessions else None
        return last.day if last and last.submitted else None

    @property
    def first_seen(self) -> int:
        """The day of the first session in the log."""
        return next(s.day for s in self.sessions if s.day >= 0)

    def intent_on(self, day: int) -> float:
        """The true intent at the start of `day` (frozen once the visitor stops coming)."""
        if day < self.arrival or not self.intents:
            return 0.0
        return self.intents[min(day - self.arrival, len(self.intents) - 1)]


@dataclass
class Truth:
    """Everything the generator decided: companies, networks and every visitor's history."""

    days: int
    networks: Networks
    visitors: list[VisitorTruth]
    account_scores: dict[str, list[float]]  # each prospect account's latent score per day,
    # from day -BURN_IN on, as it would be without outreach
    experiment: "Experiment | None" = None  # the outreach holdout (prospects.demo.outreach)
    sales: "list[Deal] | None" = None  # the converted accounts' later stages (demo.sales)

    @property
    def companies(self) -> list[DemoCompany]:
        return self.networks.companies


def logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


class Simulation:
    """Draws companies, visitors and their day-by-day histories from one seeded stream."""

    def __init__(self, *, visitors: int, days: int, seed: int):
        self.seed = seed
        self.rng = random.Random(seed)
        self.n_visitors = visitors
        self.days = days
        self.first = -BURN_IN
        self.networks = Networks(self.rng, companies=max(20, visitors // 25))
        prospects = [c for c in self.networks.companies if c.relationship == "prospect"]
        self.by_relationship = {
            kind: [c for c in self.networks.companies if c.relationship == kind]
            for kind in ("prospect", "customer", "competitor")
        }
        self.market_start: dict[str, int] = {}
        self.accounts = {c.domain: self._account(c.domain) for c in prospects}
        self.in_market = [c for c in prospects if c.domain in self.market_start]

    def _account(self, domain: str) -> list[float]:
        """An account's latent score per day: most stay out; some come in, warm up, cool off."""
        rng = self.rng
        score = rng.gauss(-3.0, 0.7)
        if rng.random() >= 0.35:
            return [score] * (self.days - self.first)
        start = rng.randrange(self.first, self.days)
        cools = start + int(rng.expovariate(1 / 35))
        self.market_start[domain] = start
        scores = []
        for day in range(self.first, self.days):
            if start <= day < cools:
                score = min(score + 0.15, 2.5)
            elif day >= cools:
                score = max(score - 0.1, -3.5)
            scores.append(score)
        return scores

    def _place(self, archetype: str) -> tuple[str, str, int | None]:
        """(IP, company domain or "", the account's market start if the visitor follows it)."""
        rng = self.rng
        if archetype == "evaluator" and self.in_market and rng.random() < 0.7:
            company = rng.choice(self.in_market)
            return rng.choice(company.ips), company.domain, self.market_start[company.domain]
        if archetype in AT_WORK:
            wanted = {"competitor": "competitor", "customer": "customer"}.get(archetype, "prospect")
            company = rng.choice(self.by_relationship[wanted] or self.networks.companies)
            return rng.choice(company.ips), company.domain, None
        if archetype == "student":
            return self.networks.campus_ip(), "", None
        if archetype == "scraper":
            return self.networks.cloud_ip(), "", None
        if archetype == "blog_reader" and rng.random() < 0.4:
            company = rng.choice(self.by_relationship["prospect"])
            return rng.choice(company.ips), company.domain, None
        return self.networks.home_ip(), "", None

    def _agent(self, archetype: str) -> str:
        if archetype == "bot":
            return self.rng.choice(cat.BOTS)
        template = self.rng.choice(cat.BROWSERS)
        return template.format(v=self.rng.randrange(118, 132), m=self.rng.randrange(0, 7))

    @staticmethod
    def _pages(rng: random.Random, behaviour: Behaviour, intent: float) -> tuple[str, ...]:
        """A session's pages: each one from what anyone in the market reads with chance `intent`."""
        if not behaviour.pages:
            return tuple(rng.choice(CRAWLED) for _ in range(rng.randint(*behaviour.length)))
        count = rng.randint(*behaviour.length) + int(intent * EXTRA_PAGES * rng.random())
        pages = []
        for _ in range(count):
            pool = EVALUATION if rng.random() < intent else behaviour.pages
            lists, weights = zip(*pool, strict=True)
            pages.append(rng.choice(rng.choices(lists, weights)[0]))
        return tuple(pages)

    def history(self, visitor: VisitorTruth, account: list[float] | None) -> None:
        """Day by day from arrival: intent, return visits, sessions, the form; until they stop.

        Drawn from the visitor's own stream, so the same visitor under another account history
        (`account`: its latent score per day from day -BURN_IN) differs only from where the two
        histories part."""
        rng = random.Random((self.seed << 32) + visitor.key)
        behaviour = ARCHETYPES[visitor.archetype]
        visitor.intents, visitor.sessions = [], []
        weight = behaviour.account_weight if account else 0.0
        score = rng.gauss(behaviour.start, behaviour.spread)
        warming, cooling = behaviour.warm_chance >= 1.0, False
        for day in range(visitor.arrival, self.days):
            intent = 0.0
            if behaviour.buyer:
                latent = score
                if weight:
                    latent = (1 - weight) * score + weight * account[day - self.first]
                intent = logistic(latent)
            visitor.intents.append(intent)
            if (
                day == visitor.arrival
                or rng.random() < behaviour.return_base + RETURN_SLOPE * intent
            ):
                pages = self._pages(rng, behaviour, intent)
                submitted = behaviour.buyer and rng.random() < FORM_BASE + FORM_MAX * intent**2
                opens = submitted or (behaviour.buyer and rng.random() < ABANDON * intent)
                form = rng.choice(FORMS) if opens else None
                visitor.sessions.append(Session(day, intent, pages, form, submitted))
                if submitted:
                    return
            if rng.random() < behaviour.stop:
                return
            if not behaviour.buyer:
                continue
            if warming and rng.random() < behaviour.cool_chance:
                warming, cooling = False, True
            elif not (warming or cooling) and rng.random() < behaviour.warm_chance:
                warming = True
            drift = behaviour.warm if warming else (-COOL if cooling else 0.0)
            score += drift + rng.gauss(0.0, NOISE)
            if cooling and intent < STOP_INTENT:
                return

    def _arrival(self, market_start: int | None) -> int:
        # A buying committee turns up when its account comes into the market.
        if market_start is not None:
            day = market_start + int(self.rng.expovariate(1 / 7))
            if day < self.days:
                return day
        return self.rng.randrange(self.first, self.days)

    def run(self) -> Truth:
        """Histories drawn until `visitors` of them reach the log, in the order they were drawn."""
        names = list(ARCHETYPES)
        weights = [b.share for b in ARCHETYPES.values()]
        visitors, key = [], 0
        while len(visitors) < self.n_visitors:
            archetype = self.rng.choices(names, weights)[0]
            ip, domain, market_start = self._place(archetype)
            agent = self._agent(archetype)
            arrival = self._arrival(market_start)
            visitor = VisitorTruth(key, archetype, ip, agent, domain, arrival)
            key += 1
            self.history(visitor, self.accounts.get(domain))
            if visitor.sessions[-1].day >= 0:
                visitors.append(visitor)
        return Truth(self.days, self.networks, visitors, self.accounts)
