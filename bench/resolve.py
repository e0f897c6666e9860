"""Benchmark: resolve 10,000 distinct visitor IPs against a local DNS server that delays
every answer by 50 ms, then again with a warm cache.

Prints `ips_per_s: N` (cold run) and `warm_dns_queries: 0` (the second run touches no DNS;
counted by the server itself). The DNS server is the project's ZoneServer (dnslib), run in
its own process so it does not share the resolver's interpreter. Uses a throw-away SQLite
database. Run: `DEBUG=1 .venv/bin/python bench/resolve.py [--ips 10000] [--delay 0.05]`.
"""

import argparse
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The project root, not bench/ (whose queue.py would shadow the standard library's queue).
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]


def build_zone(count: int) -> tuple[list[str], list[dict]]:
    """`count` IPs in 198.18.0.0/15: half business (500 companies), a fifth ISP, the rest NXDOMAIN."""
    ips, records = [], []
    for n in range(count):
        ip = f"198.{18 + n // 65536}.{(n // 256) % 256}.{n % 256 + 0}"
        ips.append(ip)
        if n % 10 < 5:
            name = f"gw{n}.bench-company-{n % 500}.com"
        elif n % 10 < 7:
            name = f"dyn-{n}.pool.bench-broadband.net"
        else:
            continue
        records.append({"type": "PTR", "name": ip, "value": name, "ttl": 86400})
        records.append({"type": "A", "name": name, "value": ip, "ttl": 86400})
    return ips, records


def serve(records, delay, conn):
    """Child process: run the zone server until told to stop; report its query count."""
    from prospects.demo.zone_server import ZoneServer

    with ZoneServer.from_records(records, delay=delay) as server:
        conn.send(server.port)
        while (command := conn.recv()) != "stop":
            if command == "queries":
                conn.send(server.queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ips", type=int, default=10_000)
    parser.add_argument("--delay", type=float, default=0.05)
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="leadgen-bench-resolve-")
    os.environ["DEBUG"] = "1"
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadgen.settings")
    ips, records = build_zone(args.ips)

    parent, child = multiprocessing.Pipe()
    server = multiprocessing.get_context("spawn").Process(
        target=serve, args=(records, args.delay, child), daemon=True
    )
    server.start()
    port = parent.recv()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from prospects.identify.services import resolve_pending_ips
    from prospects.models import Visitor

    call_command("migrate", verbosity=0, interactive=False)
    settings.LEADGEN_DNS_NAMESERVERS = [f"127.0.0.1:{port}"]
    Visitor.objects.bulk_create(
        [Visitor(ip=ip, user_agent="bench", ua_hash=1) for ip in ips], batch_size=2000
    )

    started = time.perf_counter()
    cold = resolve_pending_ips()
    cold_seconds = time.perf_counter() - started
    parent.send("queries")
    cold_queries = parent.recv()

    started = time.perf_counter()
    warm = resolve_pending_ips()
    warm_seconds = time.perf_counter() - started
    parent.send("queries")
    warm_queries = parent.recv() - cold_queries
    parent.send("stop")
    server.join(10)

    expected_business = sum(1 for n in range(args.ips) if n % 10 < 5)
    assert cold.resolved == args.ips, cold
    assert cold.failed == 0, cold
    assert cold.business == expected_business, cold
    assert warm.resolved == 0 and warm.dns_queries == 0, warm

    print(f"ips: {cold.resolved} (delay {args.delay * 1000:.0f} ms per answer)")
    print(
        f"cold: {cold_seconds:.2f} s, {cold_queries} DNS queries, business {cold.business}, "
        f"isp {cold.isp}, unknown {cold.unknown}, companies {cold.companies_total}"
    )
    print(f"ips_per_s: {cold.resolved / cold_seconds:.0f}")
    print(f"warm_seconds: {warm_seconds:.3f}")
    print(f"warm_dns_queries: {warm_queries}")
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
