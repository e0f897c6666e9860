"""Generate a realistic combined-format access log of a B2B vendor's site, with its DNS zone.

Visitors follow archetypes drawn from how B2B buyers behave: evaluators read product and pricing
pages and come back on later days; blog readers, job seekers and home users mostly do not buy;
competitors study product pages and screenshots; customers read the docs; bots crawl. Output is
deterministic for a given seed and end date.
"""

import csv
import datetime as dt
import ipaddress
import json
import random
from dataclasses import dataclass, field
from pathlib import Path

from prospects.identify.datasets import hosting_range

from . import catalogue as cat

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

# Share of visitors per archetype.
ARCHETYPES = {
    "evaluator": 0.07,
    "blog_reader": 0.30,
    "job_seeker": 0.07,
    "competitor": 0.02,
    "home_user": 0.24,
    "customer": 0.06,
    "casual_business": 0.09,
    "student": 0.03,
    "scraper": 0.03,
    "bot": 0.09,
}
# Chance that a visitor of the archetype converts (trial or contact form) in their last session.
CONVERSION_RATE = {
    "evaluator": 0.22,
    "blog_reader": 0.002,
    "home_user": 0.004,
    "casual_business": 0.006,
}
# Archetypes whose visitors browse from a company's office network.
AT_WORK = {"evaluator", "competitor", "customer", "casual_business"}


@dataclass
class DemoCompany:
    domain: str
    relationship: str
    ips: list[str]


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


class Generator:
    """Builds companies, visitors and their hits from one seeded random stream."""

    def __init__(self, *, visitors: int, days: int, seed: int, end: dt.date):
        self.rng = random.Random(seed)
        self.n_visitors = visitors
        self.days = days
        # --end is the last day of traffic, inclusive.
        self.end = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
        self.start = self.end - dt.timedelta(days=days)
        self.records: list[dict] = []
        self.used_ips: set[str] = set()
        self.companies = self._make_companies(max(20, visitors // 25))

    # Networks ---------------------------------------------------------------------------

    def _fresh_ip(self, make) -> str:
        while True:
            ip = make()
            if ip is not None and ip not in self.used_ips:
                self.used_ips.add(ip)
                return ip

    def _random_ip(self, first: int, seconds=range(256), *, hosting: bool = False) -> str:
        """A fresh, unused IPv4 address first.b.c.d with b drawn from `seconds`.

        Offices, homes and campuses are kept out of the published datacenter ranges, so that
        the demo's dead ends are dead for the reason the generator meant.
        """
        rng = self.rng

        def make():
            ip = f"{first}.{rng.choice(seconds)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
            if not hosting and hosting_range(ipaddress.ip_address(ip)):
                return None
            return ip

        return self._fresh_ip(make)

    def _office_ip(self) -> str:
        first, seconds = self.rng.choice(cat.OFFICE_BLOCKS)
        return self._random_ip(first, seconds)

    def _add_ptr(self, ip: str, name: str, *, confirmed: bool) -> None:
        rev = ipaddress.ip_address(ip).reverse_pointer + "."
        self.records.append({"type": "PTR", "name": rev, "value": name + "."})
        if confirmed:
            rtype = "AAAA" if ":" in ip else "A"
            self.records.append({"type": rtype, "name": name + ".", "value": ip})

    def _make_companies(self, count: int) -> list[DemoCompany]:
        rng = self.rng
        domains = sorted(
            {
                f"{a}-{b}.{t}"
                for a in cat.NAME_FIRST
                for b in cat.NAME_SECOND
                for t in ("com", "co.uk", "de", "io")
            }
        )
        rng.shuffle(domains)
        companies = []
        for i, domain in enumerate(domains[:count]):
            if i % 10 == 0:
                relationship = "customer"
            elif i % 33 == 1:
                relationship = "competitor"
            else:
                relationship = "prospect"
            ips = [self._office_ip() for _ in range(rng.choice((1, 1, 1, 2, 3)))]
            if i % 40 == 7:
                ips.append(f"2a0b:4d07:{rng.randrange(1, 0xFFFF):x}::{rng.randrange(1, 0xFF):x}")
            roll = rng.random()
            for n, ip in enumerate(ips):
                name = f"{rng.choice(cat.ROUTER_NAMES)}{n + 1}.{domain}"
                if roll < 0.85:
                    self._add_ptr(ip, name, confirmed=True)
                elif roll < 0.95:
                    self._add_ptr(ip, name, confirmed=False)
            companies.append(DemoCompany(domain, relationship, ips))
        return companies

    def _home_ip(self) -> str:
        firsts, template = self.rng.choice(cat.ISP_POOLS)
        ip = self._random_ip(self.rng.choice(firsts))
        a, b, c, d = (int(x) for x in ip.split("."))
        self._add_ptr(ip, template.format(a=a, b=b, c=c, d=d), confirmed=True)
        return ip

    def _cloud_ip(self) -> str:
        ip = self._random_ip(self.rng.choice(cat.CLOUD_FIRST_OCTETS), hosting=True)
        a, b, c, d = (int(x) for x in ip.split("."))
        self._add_ptr(ip, cat.CLOUD_PTR.format(a=a, b=b, c=c, d=d), confirmed=True)
        return ip

    def _campus_ip(self) -> str:
        ip = self._random_ip(128)
        name = f"wifi-{ip.replace('.', '-')}.{self.rng.choice(cat.UNIVERSITIES)}"
        self._add_ptr(ip, name, confirmed=True)
        return ip

    # Visitors ---------------------------------------------------------------------------

    def _browser(self) -> str:
        template = self.rng.choice(cat.BROWSERS)
        return template.format(v=self.rng.randrange(118, 132), m=self.rng.randrange(0, 7))

    def _visitor_ip(self, archetype: str) -> tuple[str, str]:
        """The visitor's IP and the domain of the company it belongs to (if any)."""
        if archetype in AT_WORK:
            wanted = {"competitor": "competitor", "customer": "customer"}.get(archetype, "prospect")
            pool = [c for c in self.companies if c.relationship == wanted] or self.companies
            company = self.rng.choice(pool)
            return self.rng.choice(company.ips), company.domain
        if archetype == "student":
            return self._campus_ip(), ""
        if archetype == "scraper":
            return self._cloud_ip(), ""
        if archetype == "blog_reader" and self.rng.random() < 0.4:
            company = self.rng.choice([c for c in self.companies if c.relationship == "prospect"])
            return self.rng.choice(company.ips), company.domain
        return self._home_ip(), ""

    def _landing_referrer(self, archetype: str) -> tuple[str, str]:
        """(referrer, query string) for the first page of a session."""
        roll = self.rng.random()
        if archetype in {"blog_reader", "student"}:
            pick = cat.SEARCH_REFERRERS if roll < 0.6 else cat.SOCIAL_REFERRERS
            return self.rng.choice(pick), ""
        if archetype == "job_seeker":
            return (
                self.rng.choice(cat.SEARCH_REFERRERS)
                if roll < 0.5
                else "https://www.linkedin.com/jobs/"
            ), ""
        if roll < 0.35:
            return self.rng.choice(cat.SEARCH_REFERRERS), ""
        if roll < 0.5:
            return self.rng.choice(cat.PARTNER_REFERRERS), ""
        if roll < 0.6:
            return "-", self.rng.choice(cat.CAMPAIGN_QUERIES)
        return "-", ""

    def _session_pages(self, archetype: str) -> list[str]:
        rng = self.rng
        if archetype == "evaluator":
            pool = [
                (cat.PRODUCT, 35),
                (cat.PRICING, 20),
                (cat.DOCS, 10),
                (cat.COMPANY, 14),
                (cat.PREMIUM, 11),
                (cat.BLOG, 10),
            ]
            n = rng.randint(3, 9)
        elif archetype == "blog_reader":
            pool = [(cat.BLOG, 85), (["/"], 8), (cat.PRODUCT, 5), (cat.PREMIUM, 2)]
            n = rng.randint(1, 3)
        elif archetype == "job_seeker":
            pool = [(cat.JOBS, 75), (["/"], 10), (cat.COMPANY, 10), (cat.PRESS, 5)]
            n = rng.randint(1, 5)
        elif archetype == "competitor":
            pool = [(cat.PRODUCT, 60), (cat.SCREENSHOTS, 30), (cat.PRICING, 10)]
            n = rng.randint(3, 10)
        elif archetype == "customer":
            pool = [(cat.DOCS, 80), (cat.BLOG, 10), (["/"], 10)]
            n = rng.randint(1, 6)
        elif archetype == "student":
            pool = [(cat.BLOG, 60), (cat.PREMIUM, 30), (cat.COMPANY, 10)]
            n = rng.randint(1, 4)
        elif archetype in {"scraper", "bot"}:
            everything = cat.BLOG + cat.PRODUCT + cat.PRICING + cat.COMPANY + cat.PRESS + cat.DOCS
            return [rng.choice(everything) for _ in range(rng.randint(5, 30))]
        else:  # home_user, casual_business
            pool = [
                (["/"], 35),
                (cat.BLOG, 30),
                (cat.PRODUCT, 20),
                (cat.COMPANY, 10),
                (cat.PRESS, 5),
            ]
            n = rng.randint(1, 4)
        lists, weights = zip(*pool, strict=True)
        return [rng.choice(rng.choices(lists, weights)[0]) for _ in range(n)]

    def _session_count(self, archetype: str) -> int:
        if archetype == "evaluator":
            return self.rng.randint(2, 6)
        if archetype in {"competitor", "customer"}:
            return self.rng.randint(1, 4)
        if archetype in {"blog_reader", "job_seeker"}:
            return self.rng.choice((1, 1, 1, 2))
        return 1

    def _session_start(self, archetype: str, day: int) -> dt.datetime:
        hour = self.rng.randint(8, 17) if archetype in AT_WORK else self.rng.randint(6, 23)
        return self.start + dt.timedelta(
            days=day, hours=hour, minutes=self.rng.randrange(60), seconds=self.rng.randrange(60)
        )

    def _hits_for_visitor(self, archetype: str, ip: str, agent: str) -> tuple[list[Hit], bool]:
        rng = self.rng
        is_bot = archetype == "bot"
        if is_bot:
            agent = rng.choice(cat.BOTS)
        days = sorted(rng.sample(range(self.days), min(self.days, self._session_count(archetype))))
        converts = rng.random() < CONVERSION_RATE.get(archetype, 0.0)
        hits: list[Hit] = []
        for n, day in enumerate(days):
            ts = self._session_start(archetype, day)
            referrer, query = self._landing_referrer(archetype)
            pages = self._session_pages(archetype)
            if converts and n == len(days) - 1:
                form = rng.choice(("/trial", "/contact"))
                pages += ["/pricing", form]
            previous = None
            for i, path in enumerate(pages):
                url = f"{path}?{query}" if (i == 0 and query) else path
                ref = referrer if i == 0 else f"https://{cat.SITE}{previous}"
                status = 304 if (previous == path and not is_bot) else 200
                hits.append(Hit(ts, ip, "GET", url, status, rng.randint(4000, 60000), ref, agent))
                hits.extend(self._assets(ts, ip, path, agent, first=(i == 0)))
                previous = path
                ts += dt.timedelta(seconds=self._dwell(path, archetype))
            if converts and n == len(days) - 1:
                ref = f"https://{cat.SITE}{previous}"
                hits.append(Hit(ts, ip, "POST", previous, 302, 0, ref, agent))
                ts += dt.timedelta(seconds=1)
                hits.append(Hit(ts, ip, "GET", f"{previous}/thanks", 200, 5200, ref, agent))
            if is_bot and rng.random() < 0.3:
                hits.append(Hit(ts, ip, "GET", "/wp-login.php", 404, 196, "-", agent))
        return hits, converts

    def _dwell(self, path: str, archetype: str) -> int:
        if archetype in {"scraper", "bot"}:
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
        return [
            Hit(
                ts + dt.timedelta(seconds=1),
                ip,
                "GET",
                a,
                200,
                self.rng.randint(300, 90000),
                ref,
                agent,
            )
            for a in assets
        ]

    def generate(self):
        """Yield (archetype, ip, agent, company domain, converted, hits) per visitor."""
        names = list(ARCHETYPES)
        weights = list(ARCHETYPES.values())
        for _ in range(self.n_visitors):
            archetype = self.rng.choices(names, weights)[0]
            ip, domain = self._visitor_ip(archetype)
            agent = self._browser()
            hits, converted = self._hits_for_visitor(archetype, ip, agent)
            yield archetype, ip, agent, domain, converted, hits


def format_line(hit: Hit) -> str:
    """One Apache combined-format line."""
    t = hit.ts
    stamp = f"{t.day:02d}/{MONTHS[t.month - 1]}/{t.year}:{t.hour:02d}:{t.minute:02d}:{t.second:02d} +0000"
    size = str(hit.size) if hit.size else "-"
    return (
        f'{hit.ip} - - [{stamp}] "{hit.method} {hit.path} HTTP/1.1" {hit.status} {size} '
        f'"{hit.referrer}" "{hit.agent or "-"}"'
    )


def write_demo_data(
    *,
    out: Path,
    visitors: int,
    days: int,
    seed: int,
    end: dt.date,
    zone: Path | None = None,
    truth: Path | None = None,
) -> DemoOutput:
    """Write the log (time-ordered) and, if asked, the DNS zone JSON and the truth CSV."""
    gen = Generator(visitors=visitors, days=days, seed=seed, end=end)
    result = DemoOutput(companies=len(gen.companies))
    all_hits: list[Hit] = []
    truth_rows = []
    for archetype, ip, agent, domain, converted, hits in gen.generate():
        all_hits.extend(hits)
        result.visitors += 1
        result.conversions += converted
        result.archetypes[archetype] = result.archetypes.get(archetype, 0) + 1
        truth_rows.append((ip, agent, archetype, domain, int(converted)))
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
        relationships = {c.domain: c.relationship for c in gen.companies}
        zone.parent.mkdir(parents=True, exist_ok=True)
        zone.write_text(
            json.dumps({"records": gen.records, "relationships": relationships}, indent=0)
        )
    if truth:
        truth.parent.mkdir(parents=True, exist_ok=True)
        with truth.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["ip", "user_agent", "archetype", "company_domain", "converted"])
            writer.writerows(truth_rows)
    return result
