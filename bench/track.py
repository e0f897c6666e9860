"""Benchmark of the first-party tracker: beacons accepted by gunicorn, then hits written.

    python bench/track.py [--seconds 10] [--workers 4] [--worker-class sync|gthread]
        [--server-threads 4] [--keep-alive] [--clients 1] [--connections 16] [--hits 200000]

Accept: gunicorn on loopback over a fresh throwaway database of the kind DATABASE_URL names;
client processes (one thread each, epoll over --connections sockets) send snippet-shaped POST
beacons for --seconds, a new connection per beacon or, with --keep-alive, reusing each (as a
browser's sendBeacon reuses its connection to the endpoint; gunicorn's sync workers close
every connection, gthread's keep it). The clients' CPU is reported beside the workers'
(they share the cores). Beacons go to the Redis queue when
LEADGEN_TRACKER_REDIS_URL (or a redis:// CELERY_BROKER_URL) is set, else to the database;
with Redis no write is asked for meanwhile (the write half times the writer).
Server time: 2,000 beacons through the WSGI application in process (p50/p99, CPU).
Write: --hits beacons from 20,000 visitors over a day are queued (pushed 1,000 at a time) in
time order as the endpoint queues them (--order random: shuffled, the worst case, where the
second import recuts all of the first one's sessions), then written through `ingest_hits` by
the tracker's writer. Prints ``name: value`` lines.
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
    parser.add_argument("--server-threads", type=int, default=4, help="threads per gthread worker")
    parser.add_argument("--keep-alive", action="store_true", help="reuse each connection")
    parser.add_argument("--clients", type=int, default=1, help="client processes")
    parser.add_argument("--connections", type=int, default=16, help="connections per client")
    parser.add_argument("--warmup", type=float, default=15, help="seconds before timing")
    parser.add_argument("--hits", type=int, default=200_000, help="beacons written")
    parser.add_argument(
        "--order",
        choices=["time", "random"],
        default="time",
        help="queue order of the written beacons: arrival (time) or shuffled (each import "
        "then recuts the sessions of every earlier one)",
    )
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--only", choices=["accept", "write"], help="run one half only")
    return parser.parse_args()


def _request(port: int, n: int, keep_alive: bool) -> bytes:
    body = json.dumps(
        {"u": f"{SITE}{PAGES[n % len(PAGES)]}?utm_source=bench", "r": "", "i": f"b{n:015d}"}
    ).encode()
    head = (
        f"POST /t/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: {SITE}\r\n"
        f"User-Agent: {CHROME.format(v=120 + n % 5)}\r\nContent-Type: text/plain;charset=UTF-8\r\n"
        f"Content-Length: {len(body)}\r\n"
        f"Connection: {'keep-alive' if keep_alive else 'close'}\r\n\r\n"
    )
    return head.encode() + body


def _complete(answer: bytes, closed: bool) -> bool:
    """Whether a response has all arrived: by Content-Length, chunked end or EOF."""
    head_end = answer.find(b"\r\n\r\n")
    if head_end < 0:
        return closed
    head = answer[:head_end].lower()
    at = head.find(b"content-length:")
    if at >= 0:
        length = int(head[at + 15 :].split(b"\r\n", 1)[0])
        return len(answer) >= head_end + 4 + length
    if b"transfer-encoding: chunked" in head:
        return answer.endswith(b"0\r\n\r\n")
    return closed


def _client(port: int, seconds: float, connections: int, offset: int, keep_alive: bool, out):
    """One client process: `connections` sockets in one thread (epoll), each sending the next
    beacon once its answer is in, for `seconds`. Threads would cost the cores the server
    needs (the GIL handed over at every socket call); requests are built before timing."""
    import resource
    import selectors

    pool = [_request(port, offset * 100_000 + i, keep_alive) for i in range(2000)]
    selector = selectors.DefaultSelector()
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    stop = time.monotonic() + seconds
    sent = 0

    def send(conn):
        nonlocal sent
        if conn is None:
            conn = socket.create_connection(("127.0.0.1", port))
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conn.setblocking(False)
            selector.register(conn, selectors.EVENT_READ, [b"", 0.0])
        state = selector.get_key(conn).data
        state[0], state[1] = b"", time.perf_counter()
        conn.send(pool[sent % len(pool)])
        sent += 1

    def drop(conn):
        selector.unregister(conn)
        conn.close()
        if time.monotonic() < stop:
            send(None)

    for _ in range(connections):
        send(None)
    while selector.get_map():
        for key, _events in selector.select(timeout=1):
            conn, state = key.fileobj, key.data
            try:
                chunk = conn.recv(65536)
            except ConnectionError:
                chunk = b""
            if not chunk and not state[0]:
                # The server closed a kept connection before answering: not a response.
                drop(conn)
                continue
            state[0] += chunk
            if not _complete(state[0], closed=not chunk):
                continue
            latencies.append(time.perf_counter() - state[1])
            code = int(state[0][9:12] or 0)
            statuses[code] = statuses.get(code, 0) + 1
            if keep_alive and chunk and time.monotonic() < stop:
                try:
                    send(conn)
                    continue
                except ConnectionError:
                    pass
            drop(conn)
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    out.put((latencies, statuses, cpu))


def bench_accept(args, env) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "gunicorn", "leadgen.wsgi", "-b", f"127.0.0.1:{port}"]
    command += ["-w", str(args.workers), "-k", args.worker_class, "--backlog", "2048"]
    if args.worker_class == "gthread":
        command += ["--threads", str(args.server_threads)]
    server = subprocess.Popen([*command, "--timeout", "300"], env=env, cwd=ROOT)
    keep_alive = args.keep_alive
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
        _client(port, args.warmup, args.workers * 2, 900, keep_alive, warm)
        warm.get()
        out = multiprocessing.Queue()
        clients = [
            multiprocessing.Process(
                target=_client, args=(port, args.seconds, args.connections, i, keep_alive, out)
            )
            for i in range(args.clients)
        ]
        started = time.perf_counter()
        cpu_before = _cpu_seconds(_children(server.pid))
        for client in clients:
            client.start()
        latencies, statuses, client_cpu = [], {}, 0.0
        for _ in clients:
            mine, codes, cpu = out.get()
            latencies += mine
            client_cpu += cpu
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
    threads = f" x {args.server_threads} threads" if args.worker_class == "gthread" else ""
    print(f"accept_workers: {args.workers} {args.worker_class}{threads}")
    print(f"accept_connections: {args.clients} x {args.connections}, keep-alive {keep_alive}")
    print(f"accept_statuses: {json.dumps(statuses, sort_keys=True)}")
    print(f"accepted_hits_per_s: {accepted / elapsed:.0f}")
    print(f"accept_p50_ms: {statistics.median(latencies) * 1000:.2f}")
    print(f"accept_p99_ms: {latencies[int(len(latencies) * 0.99)] * 1000:.2f}")
    # CPU the gunicorn workers spent per answered request: what a beacon costs the server
    # whatever the neighbours' load (the clients share these cores too, and say what they took).
    print(f"accept_worker_cpu_per_request_ms: {server_cpu / max(1, len(latencies)) * 1000:.3f}")
    print(f"accept_client_cpu_per_request_ms: {client_cpu / max(1, len(latencies)) * 1000:.3f}")


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
    """Server time per beacon in this process through the WSGI application, as gunicorn calls
    it (no network): wall p50/p99 and CPU per beacon (wall time on shared cores counts the
    neighbours' load)."""
    import io

    from leadgen.wsgi import application

    times, statuses = [], {}

    def start_response(status, headers, exc_info=None):
        statuses[status] = statuses.get(status, 0) + 1

    environs = []
    for i in range(n):
        body = json.dumps({"u": f"{SITE}/pricing", "i": f"s{i:015d}"}).encode()
        environs.append(
            {
                "REQUEST_METHOD": "POST",
                "PATH_INFO": "/t/",
                "SCRIPT_NAME": "",
                "QUERY_STRING": "",
                "SERVER_NAME": "127.0.0.1",
                "SERVER_PORT": "8000",
                "SERVER_PROTOCOL": "HTTP/1.1",
                "REMOTE_ADDR": f"10.9.{i // 256 % 256}.{i % 256}",
                "HTTP_HOST": "127.0.0.1",
                "HTTP_ORIGIN": SITE,
                "HTTP_USER_AGENT": CHROME.format(v=120),
                "CONTENT_TYPE": "text/plain;charset=UTF-8",
                "CONTENT_LENGTH": str(len(body)),
                "wsgi.input": io.BytesIO(body),
                "wsgi.url_scheme": "http",
                "wsgi.errors": sys.stderr,
            }
        )
    cpu = time.process_time()
    for environ in environs:
        began = time.perf_counter()
        answer = application(environ, start_response)
        b"".join(answer)
        answer.close()
        times.append(time.perf_counter() - began)
    cpu = time.process_time() - cpu
    times.sort()
    print(f"server_time_statuses: {json.dumps(statuses, sort_keys=True)}")
    print(f"server_time_p50_ms: {statistics.median(times) * 1000:.3f}")
    print(f"server_time_p99_ms: {times[int(n * 0.99)] * 1000:.3f}")
    print(f"server_cpu_per_beacon_ms: {cpu / n * 1000:.3f}")


def _no_write_asked() -> None:
    """The writer is timed in the write half: none is asked for while accepting (with Celery
    eager it would run in a gunicorn worker, beside the beacons being timed)."""
    from prospects.tracking import queue

    found = queue.redis_queue()
    if found is not None:
        found.redis.set(queue.FLUSH_FLAG, b"1", ex=3600)


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
    print(f"write_queue: {queue.queues()[0].name}, {args.order} order")
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
    hits = []
    for n in range(args.hits):
        ip, agent = rng.choice(visitors)
        beacon = beacons.Beacon(rng.choice(PAGES), "utm_source=bench", "", "", "", f"w{n:015d}")
        hits.append((day + dt.timedelta(seconds=rng.randrange(86_400)), ip, agent, beacon))
    if args.order == "time":
        # As the endpoint queues them: each stamped with its arrival, so in time order.
        hits.sort(key=lambda hit: hit[0])
    for start in range(0, len(hits), 1000):
        source.push(
            [
                services.hit_payload(beacon, ip, agent, f"{ip}-{agent}", now)
                for now, ip, agent, beacon in hits[start : start + 1000]
            ]
        )


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
        print(f"load_before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        os.environ.update({k: env[k] for k in ("LEADGEN_TRACKER_RATE_PER_MINUTE", "LOG_LEVEL")})
        import django

        django.setup()
        if args.only != "write":
            _no_write_asked()
            bench_accept(args, env)
            bench_server_time()
        if args.only != "accept":
            bench_write(args)
        print(f"load_after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        drop()


if __name__ == "__main__":
    main()
