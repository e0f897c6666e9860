"""Benchmark of the first-party tracker: beacons accepted by gunicorn, then hits written.

    python bench/track.py [--seconds 10] [--workers 4] [--clients 2] [--threads 8] [--hits 200000]

Accept: gunicorn on loopback (sync workers) over a fresh throwaway database of the kind
DATABASE_URL names; client processes send snippet-shaped POST beacons, one connection each (as
browsers' beacons mostly are), for --seconds. Beacons go to the Redis queue when
LEADGEN_TRACKER_REDIS_URL (or a redis:// CELERY_BROKER_URL) is set, else to the database.
Server time: 2,000 beacons through the Django stack in process (p50/p99).
Write: --hits beacons from 20,000 visitors over a day are queued (pushed 1,000 at a time),
then written through `ingest_hits` by the tracker's writer. Prints ``name: value`` lines.
"""

import argparse
import datetime as dt
import json
import multiprocessing
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parents[1])

from bench.scratch import scratch_database  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SITE = "https://northwind-software.com"
CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/{v}.0.0.0 Safari/537.36"
)
PAGES = ["/", "/pricing", "/trial", "/contact", "/about"] + [f"/blog/post-{i}" for i in range(200)]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (2 x cores)")
    parser.add_argument("--worker-class", default="sync", help="gunicorn worker class")
    parser.add_argument("--clients", type=int, default=2, help="client processes")
    parser.add_argument("--threads", type=int, default=8, help="connections per client")
    parser.add_argument("--warmup", type=float, default=15, help="seconds before timing")
    parser.add_argument("--hits", type=int, default=200_000, help="beacons written")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--only", choices=["accept", "write"], help="run one half only")
    return parser.parse_args()


def _request(port: int, n: int) -> bytes:
    body = json.dumps(
        {"u": f"{SITE}{PAGES[n % len(PAGES)]}?utm_source=bench", "r": "", "i": f"b{n:015d}"}
    ).encode()
    head = (
        f"POST /t/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: {SITE}\r\n"
        f"User-Agent: {CHROME.format(v=120 + n % 5)}\r\nContent-Type: text/plain;charset=UTF-8\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    return head.encode() + body


def _client(port: int, seconds: float, threads: int, offset: int, out) -> None:
    """One client process: `threads` loops sending beacons until the time is up."""
    import threading

    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def loop(start: int):
        n, mine, codes = start, [], {}
        while time.monotonic() < stop:
            payload = _request(port, n)
            n += threads * 1000
            began = time.perf_counter()
            with socket.create_connection(("127.0.0.1", port)) as conn:
                conn.sendall(payload)
                answer = b""
                while chunk := conn.recv(4096):
                    answer += chunk
            mine.append(time.perf_counter() - began)
            code = int(answer[9:12] or 0)
            codes[code] = codes.get(code, 0) + 1
        with lock:
            latencies.extend(mine)
            for code, count in codes.items():
                statuses[code] = statuses.get(code, 0) + count

    workers = [threading.Thread(target=loop, args=(offset + i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    out.put((latencies, statuses))


def bench_accept(args, env) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "gunicorn", "leadgen.wsgi", "-b", f"127.0.0.1:{port}"]
    command += ["-w", str(args.workers), "-k", args.worker_class, "--backlog", "2048"]
    server = subprocess.Popen(
        [*command, "--timeout", "300"],
        env=env,
        cwd=ROOT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port)).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        # Each worker loads the URLconf (and the app's imports) on its first request: warm up.
        warm = multiprocessing.Queue()
        _client(port, args.warmup, args.workers * 2, 900, warm)
        warm.get()
        out = multiprocessing.Queue()
        clients = [
            multiprocessing.Process(
                target=_client, args=(port, args.seconds, args.threads, i * 100, out)
            )
            for i in range(args.clients)
        ]
        started = time.perf_counter()
        cpu_before = _cpu_seconds(_children(server.pid))
        for client in clients:
            client.start()
        latencies, statuses = [], {}
        for _ in clients:
            mine, codes = out.get()
            latencies += mine
            for code, count in codes.items():
                statuses[code] = statuses.get(code, 0) + count
        for client in clients:
            client.join()
        elapsed = time.perf_counter() - started
        server_cpu = _cpu_seconds(_children(server.pid)) - cpu_before
    finally:
        server.terminate()
        server.wait(timeout=30)
    accepted = statuses.get(202, 0)
    latencies.sort()
    print(f"accept_workers: {args.workers} {args.worker_class}")
    print(f"accept_statuses: {json.dumps(statuses, sort_keys=True)}")
    print(f"accepted_hits_per_s: {accepted / elapsed:.0f}")
    print(f"accept_p50_ms: {statistics.median(latencies) * 1000:.2f}")
    print(f"accept_p99_ms: {latencies[int(len(latencies) * 0.99)] * 1000:.2f}")
    # CPU the gunicorn workers spent per answered request: what a beacon costs the server
    # whatever the neighbours' load (the clients share these cores too).
    print(f"accept_worker_cpu_per_request_ms: {server_cpu / max(1, len(latencies)) * 1000:.3f}")


def _children(pid: int) -> list[int]:
    """The gunicorn workers: the master's child processes."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()]


def _cpu_seconds(pids: list[int]) -> float:
    """User and system CPU seconds of these processes so far (from /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / ticks


def bench_server_time(n: int = 2000) -> None:
    """Server time per beacon in this process (the whole Django stack, no network): wall
    p50/p99 and CPU per beacon (wall time on shared cores counts the neighbours' load)."""
    from django.test import Client

    client = Client()
    times, statuses = [], {}
    cpu = time.process_time()
    for i in range(n):
        body = json.dumps({"u": f"{SITE}/pricing", "i": f"s{i:015d}"})
        began = time.perf_counter()
        response = client.post(
            "/t/",
            body,
            content_type="text/plain;charset=UTF-8",
            HTTP_HOST="127.0.0.1",
            HTTP_ORIGIN=SITE,
            HTTP_USER_AGENT=CHROME.format(v=120),
        )
        times.append(time.perf_counter() - began)
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
    cpu = time.process_time() - cpu
    times.sort()
    print(f"server_time_statuses: {json.dumps(statuses, sort_keys=True)}")
    print(f"server_time_p50_ms: {statistics.median(times) * 1000:.2f}")
    print(f"server_time_p99_ms: {times[int(n * 0.99)] * 1000:.2f}")
    print(f"server_cpu_per_beacon_ms: {cpu / n * 1000:.3f}")


def bench_write(args) -> None:
    from django.db import transaction

    from prospects.models import PageView
    from prospects.tracking import beacons, queue, services

    rng = random.Random(args.seed)
    visitors = [
        (f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}", CHROME.format(v=110 + i % 20))
        for i in range(20_000)
    ]
    day = dt.datetime.now(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    started = time.perf_counter()
    # One transaction: the database queue's cost per beacon, not a commit's.
    with transaction.atomic():
        _queue(args, rng, visitors, day, beacons, services)
    queued_seconds = time.perf_counter() - started
    print(f"write_queue: {queue.queues()[0].name}")
    print(f"queued_hits_per_s_pushed_in_thousands: {args.hits / queued_seconds:.0f}")
    started, cpu = time.perf_counter(), time.process_time()
    results = services.write_queued_hits()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    written = sum(r.lines for r in results)
    print(f"written_hits: {written} in {len(results)} batches")
    print(f"written_pageviews: {PageView.objects.count()}")
    print(f"written_hits_per_s: {written / seconds:.0f}")
    # This process's CPU (on SQLite the database's work too): the rate the cores would give
    # it alone, whatever the neighbours' load.
    print(f"written_hits_per_cpu_s: {written / cpu:.0f}")


def _queue(args, rng, visitors, day, beacons, services) -> None:
    """Queue --hits beacons as the endpoint would, pushed 1,000 at a time (the accept half
    measures the endpoint; here only the writer is timed)."""
    from prospects.tracking import queue

    source = queue.queues()[0]
    payloads = []
    for n in range(args.hits):
        ip, agent = rng.choice(visitors)
        beacon = beacons.Beacon(rng.choice(PAGES), "utm_source=bench", "", "", "", f"w{n:015d}")
        now = day + dt.timedelta(seconds=rng.randrange(86_400))
        payloads.append(services.hit_payload(beacon, ip, agent, f"{ip}-{agent}", now))
        if len(payloads) == 1000:
            source.push(payloads)
            payloads = []
    if payloads:
        source.push(payloads)


def main():
    args = parse_args()
    url, drop = scratch_database(os.environ.get("DATABASE_URL", "sqlite:///bench.sqlite3"), "track")
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadgen.settings")
    os.environ.setdefault("DEBUG", "1")
    env = {
        **os.environ,
        "LEADGEN_TRACKER_RATE_PER_MINUTE": "100000000",
        "LEADGEN_TRACKER_FLUSH_SECONDS": "3600",
        "LOG_LEVEL": "WARNING",
    }
    try:
        subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), "migrate", "-v0"], env=env, check=True
        )
        print(f"database: {url.split(':', 1)[0]}")
        if args.only != "write":
            bench_accept(args, env)
        os.environ.update({k: env[k] for k in ("LEADGEN_TRACKER_RATE_PER_MINUTE", "LOG_LEVEL")})
        import django

        django.setup()
        if args.only != "write":
            bench_server_time()
        if args.only != "accept":
            bench_write(args)
    finally:
        drop()


if __name__ == "__main__":
    main()
