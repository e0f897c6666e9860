"""Render the demo's ground truth as a combined-format access log of a B2B vendor's site.

The visitors, their intent and what each session reads come from `intent.simulate`; this module
only turns sessions into requests: start times, referrers, assets, dwell, the form's POST and its
thank-you page. It draws from its own seeded stream, so the truth does not depend on how it is
rendered. Output is deterministic for a given seed and end date.
"""

import csv
import datetime as dt
import json
import random
from dataclasses import dataclass, field
from pathlib import Path

from . import catalogue as cat
from .intent import AT_WORK, Session, Truth, VisitorTruth
from .truth import simulate

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
TRUTH_COLUMNS = [
    "ip",
    "user_agent",
    "archetype",
    "company_domain",
    "converted",
    "first_day",
    "converted_day",
]


@dataclass
class Hit:
    ts: dt.datetime
    ip: str
    method: str
    path: str
    status: int
    size: int
    referrer: str
    agent: str


@dataclass
class DemoOutput:
    lines: int = 0
    visitors: int = 0
    conversions: int = 0
    companies: int = 0
    archetypes: dict = field(default_factory=dict)


class Renderer:
    """Turns each visitor's sessions into hits, from a stream of its own."""

    def __init__(self, *, seed: int, start: dt.datetime):
        self.rng = random.Random(f"render-{seed}")
        self.start = start

    def _landing_referrer(self, archetype: str) -> tuple[str, str]:
        """(referrer, query string) for the first page of a session."""
        rng = self.rng
        roll = rng.random()
        if archetype in {"blog_reader", "student"}:
            pick = cat.SEARCH_REFERRERS if roll < 0.6 else cat.SOCIAL_REFERRERS
            return rng.choice(pick), ""
        if archetype == "job_seeker":
            if roll < 0.5:
                return rng.choice(cat.SEARCH_REFERRERS), ""
            return "https://www.linkedin.com/jobs/", ""
        if roll < 0.35:
            return rng.choice(cat.SEARCH_REFERRERS), ""
        if roll < 0.5:
            return rng.choice(cat.PARTNER_REFERRERS), ""
        if roll < 0.6:
            return "-", rng.choice(cat.CAMPAIGN_QUERIES)
        return "-", ""

    def _session_start(self, archetype: str, day: int) -> dt.datetime:
        rng = self.rng
        hour = rng.randint(8, 17) if archetype in AT_WORK else rng.randint(6, 23)
        return self.start + dt.timedelta(
            days=day, hours=hour, minutes=rng.randrange(60), seconds=rng.randrange(60)
        )

    def _dwell(self, path: str, bot: bool) -> int:
        if bot:
            return self.rng.randint(1, 4)
        base = 150 if path.startswith(("/pricing", "/docs", "/resources", "/compare")) else 70
        return max(5, int(self.rng.expovariate(1 / base)))

    def _assets(self, ts, ip, path, agent, *, first: bool) -> list[Hit]:
        if not agent or agent in cat.BOTS:
            return []
        assets = cat.ASSETS if first else self.rng.sample(cat.ASSETS[:3], 1)
        if path in cat.SCREENSHOTS:
            assets = assets + cat.SCREENSHOT_IMAGES
        ref = f"https://{cat.SITE}{path}"
        second = ts + dt.timedelta(seconds=1)
        return [
            Hit(second, ip, "GET", a, 200, self.rng.randint(300, 90000), ref, agent) for a in assets
        ]

    def session(self, visitor: VisitorTruth, session: Session) -> list[Hit]:
        """The requests of one session: its pages, then the form (opened, maybe sent)."""
        rng, ip, agent = self.rng, visitor.ip, visitor.agent
        bot = visitor.archetype in {"bot", "scraper"}
        ts = self._session_start(visitor.archetype, session.day)
        referrer, query = self._landing_referrer(visitor.archetype)
        pages = session.pages + ((session.form,) if session.form else ())
        hits: list[Hit] = []
        previous = None
        for i, path in enumerate(pages):
            url = f"{path}?{query}" if (i == 0 and query) else path
            ref = referrer if i == 0 else f"https://{cat.SITE}{previous}"
            status = 304 if (previous == path and not bot) else 200
            hits.append(Hit(ts, ip, "GET", url, status, rng.randint(4000, 60000), ref, agent))
            hits.extend(self._assets(ts, ip, path, agent, first=(i == 0)))
            previous = path
            ts += dt.timedelta(seconds=self._dwell(path, bot))
        if session.submitted:
            # Filling in a form takes a while; a POST within seconds of the GET reads as a bot.
            ts += dt.timedelta(seconds=rng.randint(20, 120))
            ref = f"https://{cat.SITE}{previous}"
            hits.append(Hit(ts, ip, "POST", previous, 302, 0, ref, agent))
            ts += dt.timedelta(seconds=1)
            hits.append(Hit(ts, ip, "GET", f"{previous}/thanks", 200, 5200, ref, agent))
        if visitor.archetype == "bot" and rng.random() < 0.3:
            hits.append(Hit(ts, ip, "GET", "/wp-login.php", 404, 196, "-", agent))
        return hits


def format_line(hit: Hit) -> str:
    """One Apache combined-format line."""
    t = hit.ts
    stamp = f"{t.day:02d}/{MONTHS[t.month - 1]}/{t.year}:{t.hour:02d}:{t.minute:02d}:{t.second:02d} +0000"
    size = str(hit.size) if hit.size else "-"
    return (
        f'{hit.ip} - - [{stamp}] "{hit.method} {hit.path} HTTP/1.1" {hit.status} {size} '
        f'"{hit.referrer}" "{hit.agent or "-"}"'
    )


def first_day(*, days: int, end: dt.date) -> dt.datetime:
    """Midnight UTC of the first day of traffic (--end is the last day, inclusive)."""
    return dt.datetime.combine(end - dt.timedelta(days=days - 1), dt.time(), tzinfo=dt.UTC)


def write_demo_data(
    *,
    out: Path,
    visitors: int,
    days: int,
    seed: int,
    end: dt.date,
    zone: Path | None = None,
    truth: Path | None = None,
    experiment: Path | None = None,
    sales: Path | None = None,
) -> DemoOutput:
    """Write the log (time-ordered) and, if asked, the DNS zone JSON, the truth CSV, the
    outreach experiment's truth JSON and the sales after the SQL as JSON."""
    world: Truth = simulate(visitors=visitors, days=days, seed=seed)
    renderer = Renderer(seed=seed, start=first_day(days=days, end=end))
    result = DemoOutput(companies=len(world.companies))
    all_hits: list[Hit] = []
    for visitor in world.visitors:
        for session in visitor.sessions:
            if session.day < 0:
                continue  # before the log starts
            all_hits.extend(renderer.session(visitor, session))
        result.visitors += 1
        result.conversions += visitor.converted_day is not None
        result.archetypes[visitor.archetype] = result.archetypes.get(visitor.archetype, 0) + 1
    all_hits.sort(key=lambda h: h.ts)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as fh:
        for n, hit in enumerate(all_hits):
            fh.write(format_line(hit) + "\n")
            result.lines += 1
            # Real logs hold the odd broken line: a truncated write or a probe's garbage.
            if n % 9973 == 5000:
                fh.write(format_line(hit)[:37] + "\n")
                result.lines += 1
    if zone:
        relationships = {c.domain: c.relationship for c in world.companies}
        zone.parent.mkdir(parents=True, exist_ok=True)
        zone.write_text(
            json.dumps(
                {"records": world.networks.records, "relationships": relationships}, indent=0
            )
        )
    if truth:
        write_truth(world, truth)
    if experiment:
        write_experiment(world, experiment, start=renderer.start.date())
    if sales:
        write_sales(world, sales, start=renderer.start.date())
    return result


def write_truth(world: Truth, path: Path) -> None:
    """One CSV row per visitor: who they are, where from, and whether and when they converted."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(TRUTH_COLUMNS)
        for v in world.visitors:
            day = "" if v.converted_day is None else v.converted_day
            converted = int(day != "")
            writer.writerow([v.ip, v.agent, v.archetype, v.company, converted, v.first_seen, day])


def write_experiment(world: Truth, path: Path, *, start: dt.date) -> None:
    """The outreach holdout as JSON: its settings, true effect and every account's arm and dates."""
    exp = world.experiment

    def date(day):
        return None if day is None else (start + dt.timedelta(days=day)).isoformat()

    accounts = [
        {
            "domain": a.domain,
            "entered": date(a.entered),
            "arm": "treatment" if a.treated else "control",
            "contacted": date(a.contacted),
            "channel": a.channel if a.treated else "",
            "outcome": a.outcome,
            "converted": a.converted,
        }
        for a in exp.assignments
    ]
    summary = {"name": exp.name, "holdout": exp.holdout, "horizon_days": exp.horizon}
    summary["true_effect"] = exp.true_effect
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({**summary, "accounts": accounts}, indent=0))


def write_sales(world: Truth, path: Path, *, start: dt.date) -> None:
    """The converted accounts' SQL, opportunity and customer dates as JSON (null: not reached)."""

    def date(day):
        return None if day is None else (start + dt.timedelta(days=day)).isoformat()

    deals = [
        {
            "domain": d.domain,
            "sql": date(d.sql),
            "opportunity": date(d.opportunity),
            "customer": date(d.customer),
        }
        for d in world.sales or []
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"deals": deals}, indent=0))
