"""Benchmark of web-log ingestion: parse-only and end-to-end lines per second.

    python bench/ingest.py [--lines N] [--file PATH] [--existing N] [--rss-lines N,N]

Without --file it writes a realistic combined-format log of N lines (default 1,000,000) to a
temporary file: human visitors over many days reading pages that pull in assets, bots and
HTTP clients, 404s, POSTs, redirects and a few malformed lines. End to end goes into a fresh
throwaway database of the kind DATABASE_URL names: a temporary SQLite file, or a scratch
PostgreSQL database that is created, migrated and dropped. Then the same log goes into a
database that already holds --existing page views (another month's traffic, imported first,
not timed), and logs of --rss-lines lines are imported on their own to report each import's
peak resident memory. Every import runs in a fresh process, so its peak is its own.
"""

import argparse
import bisect
import datetime as dt
import hashlib
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# The project root replaces this script's folder on the path: bench/queue.py would shadow the
# standard library's queue module.
sys.path[0] = str(Path(__file__).resolve().parents[1])

from bench.scratch import scratch_database  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadgen.settings")
os.environ.setdefault("DEBUG", "1")

PAGES = (
    ["/", "/pricing", "/plans/enterprise", "/trial", "/trial/thanks", "/contact", "/contact/thanks"]
    + [f"/blog/post-{i}" for i in range(400)]
    + [f"/product/{name}" for name in ("reporting", "api", "security", "workflows", "mobile")]
    + [f"/features/{i}" for i in range(30)]
    + [f"/docs/guide/{i}" for i in range(300)]
    + [f"/careers/job-{i}" for i in range(25)]
    + [f"/resources/ebook-{i}.pdf" for i in range(15)]
    + ["/about", "/company/team", "/press", "/customers", "/compare/acme", "/integrations/slack"]
)
ASSETS = (
    [f"/static/css/site.{i}.css" for i in range(3)]
    + [f"/static/js/app.{i}.js" for i in range(4)]
    + [f"/static/img/hero-{i}.webp" for i in range(30)]
    + ["/favicon.ico", "/static/fonts/inter.woff2", "/static/js/app.js.map"]
)
BROWSERS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/{v}.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.{v} Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:{v}.0) Gecko/20100101 Firefox/{v}.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_{v} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.0 Mobile/15E148 Safari/604.1",
]
BOTS = [
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
    "curl/8.4.0",
    "python-requests/2.31.0",
    "Go-http-client/1.1",
    "-",
]
REFERRERS = [
    "-",
    "-",
    "https://www.google.com/",
    "https://www.bing.com/search?q=reporting+software",
    "https://www.linkedin.com/feed/",
    "https://t.co/abc123",
    "https://partner-blog.example.net/review",
    "https://news.ycombinator.com/item?id=1",
]
MALFORMED = [
    "this is not a log line",
    '10.0.0.999 - - [10/Oct/2025:13:55:36 +0000] "GET / HTTP/1.1" 200 512 "-" "Mozilla/5.0"',
    '10.0.0.1 - - [31/Feb/2025:13:55:36 +0000] "GET / HTTP/1.1" 200 512 "-" "Mozilla/5.0"',
    "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
]
SITE = "https://northwind-software.com"


def generate_log(
    path: Path,
    lines: int,
    *,
    days: int = 30,
    seed: int = 1,
    visitors: int | None = None,
    months_before: int = 0,
) -> None:
    """Write `lines` time-ordered combined-format lines: visits with their assets, bots, noise.

    The visitors (`visitors` of them, default one per 25 lines) depend on `seed` only, so a
    log of `months_before` earlier months of 30 days has the same people coming back. The log
    is written an hour of log time at a time, each hour given its share of the lines, so
    memory holds one hour's events whatever the size (a 20M-line log held every event and
    visitor before, gigabytes).
    """
    rng = random.Random(seed * 1000 + months_before if months_before else seed)
    start = dt.datetime(2026, 3, 1, tzinfo=dt.UTC).timestamp() - months_before * 30 * 86400
    hours = days * 24
    population = visitors or max(lines // 25, 10)
    pending: list[tuple] = []
    made = written = 0
    with path.open("w", encoding="utf-8", errors="surrogateescape") as out:
        for hour in range(hours):
            end = start + (hour + 1) * 3600
            while made < lines * (hour + 1) // hours:
                made += _visit(pending, rng, end - 3600, seed, population)
            # A visit may run into the next hours; what starts later is not made yet.
            pending.sort(key=lambda e: e[0])
            ready = len(pending) if hour == hours - 1 else bisect.bisect_left(pending, (end,))
            written += _write(out, pending[:ready], rng, lines - written)
            del pending[:ready]


def _visit(events: list, rng: random.Random, hour_start: float, seed: int, population: int) -> int:
    """Append one bot hit, malformed line or visit (pages with assets) of that hour; count them."""
    before = len(events)
    roll = rng.random()
    t = hour_start + rng.random() * 3600
    if roll < 0.45:
        ip = f"66.249.{rng.randint(64, 95)}.{rng.randint(1, 254)}"
        events.append((t, ip, "GET", rng.choice(PAGES), 200, "-", rng.choice(BOTS)))
        return 1
    if roll < 0.452:
        events.append((t, None, rng.choice(MALFORMED)))
        return 1
    ip, agent = _visitor(seed, rng.randrange(population))
    referrer = rng.choice(REFERRERS)
    for _ in range(rng.randint(1, 8)):
        page = rng.choice(PAGES)
        if rng.random() < 0.05:
            page += "?utm_source=newsletter&utm_medium=email&utm_campaign=spring"
        status = 200 if rng.random() < 0.9 else rng.choice((304, 404, 301, 500))
        method = "POST" if page.startswith(("/trial", "/contact")) and rng.random() < 0.3 else "GET"
        events.append((t, ip, method, page, status, referrer, agent))
        for asset in rng.sample(ASSETS, rng.randint(0, 2)):
            events.append((t + 1, ip, "GET", asset, 200, SITE + page, agent))
        referrer = SITE + page
        t += rng.expovariate(1 / 90)
    return len(events) - before


def _visitor(seed: int, number: int) -> tuple[str, str]:
    """Visitor `number`'s (IP, user agent), from a hash of seed and number (no list to hold)."""
    d = hashlib.blake2b(b"%d:%d" % (seed, number), digest_size=8).digest()
    if d[0] < 230:  # nine in ten on IPv4
        ip = f"{1 + d[1] % 223}.{d[2]}.{d[3]}.{1 + d[4] % 254}"
    else:
        ip = f"2001:db8:{d[1] << 8 | d[2]:x}::{(d[3] << 8 | d[4]) or 1:x}"
    return ip, BROWSERS[d[5] % len(BROWSERS)].format(v=100 + d[6] % 41)


def _write(out, events: list[tuple], rng: random.Random, room: int) -> int:
    """Write at most `room` events as log lines; return how many were written."""
    for event in events[:room]:
        if event[1] is None:
            out.write(event[2] + "\n")
            continue
        t, ip, method, page, status, referrer, agent = event
        stamp = dt.datetime.fromtimestamp(t, dt.UTC).strftime("%d/%b/%Y:%H:%M:%S +0000")
        size = rng.randint(200, 90000)
        out.write(
            f'{ip} - - [{stamp}] "{method} {page} HTTP/1.1" {status} {size} "{referrer}" "{agent}"\n'
        )
    return min(len(events), max(room, 0))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--file", type=Path)
    parser.add_argument(
        "--existing",
        type=int,
        default=1_000_000,
        help="page views the database holds before the second timed import (0: skip)",
    )
    parser.add_argument(
        "--rss-lines",
        default="200000,2000000",
        help="comma-separated log sizes whose import's peak RSS is measured ('': skip)",
    )
    parser.add_argument("--child", nargs="+", metavar="LOG", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    with tempfile.TemporaryDirectory() as tmp:
        if args.lines or args.file:
            timed_runs(args, Path(tmp))
        for size in filter(None, args.rss_lines.split(",")):
            sized = Path(tmp) / f"rss_{size}.log"
            generate_log(sized, int(size), seed=3)
            measured = in_child([sized])
            sized.unlink()
            print(f"peak_rss_mb_{size}_lines: {measured['peak_rss_mb']:.0f}")


def timed_runs(args, tmp: Path) -> None:
    """Parse only, end to end into an empty database, then into one holding --existing views.

    The machine is shared: besides wall-clock lines/s, lines per CPU second of the importing
    process are printed, and on PostgreSQL the CPU seconds of the server's backend apart.
    """
    log = args.file
    if log is None:
        log = tmp / "bench.log"
        began = time.perf_counter()
        generate_log(log, args.lines)
        print(
            f"generated {args.lines} lines in {time.perf_counter() - began:.1f}s",
            file=sys.stderr,
        )
    parse_only(log)
    empty = in_child([log])
    print(f"e2e: {empty}", file=sys.stderr)
    print(f"e2e_lines_per_s: {empty['lines'] / empty['seconds']:.0f}")
    print(f"e2e_lines_per_cpu_s: {empty['lines'] / empty['cpu']:.0f}")
    print(f"e2e_server_cpu_s: {empty['server_cpu']}")
    if args.existing:
        # The month before, the same visitors: about as many page views as asked (~42%).
        before = tmp / "before.log"
        generate_log(
            before,
            int(args.existing / 0.42),
            visitors=max(args.lines // 25, 10),
            months_before=1,
        )
        full = in_child([before, log])
        print(f"e2e into a full database: {full}", file=sys.stderr)
        print(f"existing_pageviews: {full['existing']}")
        print(f"e2e_full_lines_per_s: {full['lines'] / full['seconds']:.0f}")
        print(f"e2e_full_lines_per_cpu_s: {full['lines'] / full['cpu']:.0f}")
        print(f"e2e_full_server_cpu_s: {full['server_cpu']}")


def parse_only(log: Path) -> None:
    """Parse and classify the log with no database: the parser's own speed."""
    setup_django("sqlite:///:memory:")
    from prospects.visits.ingest.classify import LineClassifier
    from prospects.visits.ingest.reader import LogReader
    from prospects.visits.ingest.runs import ImportResult

    result = ImportResult()
    began, cpu = time.perf_counter(), time.process_time()
    with LogReader(log) as reader:
        classifier = LineClassifier(result)
        views = 0
        for offset, lines in reader.chunks():
            classifier.identity = reader.identity
            views += len(classifier.classify(lines, offset))
    parse_seconds, parse_cpu = time.perf_counter() - began, time.process_time() - cpu
    print(
        f"parse: {result.lines} lines, {views} page views in {parse_seconds:.2f}s "
        f"({parse_cpu:.2f}s CPU)",
        file=sys.stderr,
    )
    print(f"parse_lines_per_s: {result.lines / parse_seconds:.0f}")
    print(f"parse_lines_per_cpu_s: {result.lines / parse_cpu:.0f}")


def in_child(logs: list[Path]) -> dict:
    """Import `logs` in a fresh process and scratch database; the last one is timed."""
    db_url, drop_database = scratch_database(os.environ.get("DATABASE_URL", "sqlite:///"), "ingest")
    try:
        done = subprocess.run(
            [sys.executable, __file__, "--child", *map(str, logs)],
            env=os.environ | {"DATABASE_URL": db_url},
            check=True,
            capture_output=True,
            text=True,
        )
    finally:
        drop_database()
    return json.loads(done.stdout.splitlines()[-1])


def setup_django(db_url: str) -> None:
    os.environ.setdefault("DATABASE_URL", db_url)
    import django

    django.setup()


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM; ru_maxrss would carry the parent's peak
    over the fork and exec that started it)."""
    for row in Path("/proc/self/status").read_text().splitlines():
        if row.startswith("VmHWM:"):
            return int(row.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def server_cpu() -> float:
    """CPU seconds the PostgreSQL backend of this connection has used (0 on SQLite).

    The server runs on this machine; its work (COPY, the merge) is most of an import's.
    """
    from django.db import connection

    from leadgen.db import is_postgresql

    if not is_postgresql():
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def child(*logs: str) -> None:
    """In the child: migrate, import all but the last log untimed, time the last one."""
    setup_django("sqlite:///")
    from django.core.management import call_command

    from prospects.models import PageView
    from prospects.visits.ingest.importer import clear_caches, ingest_file
    from prospects.visits.partitions import ensure_partitions

    call_command("migrate", verbosity=0)
    # As a deployed database has them: the logs' months (January to March 2026) get their
    # partitions on PostgreSQL, instead of all going to the default partition.
    ensure_partitions(now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC), ahead=3)
    for log in logs[:-1]:
        ingest_file(log)
    existing = PageView.objects.count()
    clear_caches()
    server = server_cpu()
    began, cpu = time.perf_counter(), time.process_time()
    imported = ingest_file(logs[-1])
    seconds = time.perf_counter() - began
    server = server_cpu() - server
    peak = peak_rss_mb()
    print(
        json.dumps(
            imported.counts()
            | {
                "seconds": round(seconds, 3),
                "cpu": round(time.process_time() - cpu, 2),
                "server_cpu": round(server, 2),
                "existing": existing,
                "peak_rss_mb": round(peak, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
