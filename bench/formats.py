"""Benchmark of every log format's parser: lines per second, parse only.

    python bench/formats.py [--lines N]

For each format it writes N lines (default 200,000) in that format from the same stream of
generated requests (many visitors, paths, agents and seconds, so caches see a realistic mix),
then times the format's parser over them, after detecting the format from the first lines.
"""

import argparse
import datetime as dt
import json
import os
import random
import sys
import time
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parents[1])
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadgen.settings")
os.environ.setdefault("DEBUG", "1")

AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/{v}.0.0.0 Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:{v}.0) Gecko/20100101 Firefox/{v}.0",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
]
HOST = "www.northwind-software.com"


def requests(n: int, seed: int = 1):
    """(ip, utc datetime, path, query, status, size, referrer, agent) tuples."""
    rng = random.Random(seed)
    start = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    ips = [
        f"{rng.randint(1, 223)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
        for _ in range(n // 20 + 1)
    ]
    for i in range(n):
        moment = start + dt.timedelta(seconds=i * 2 + rng.randint(0, 1))
        agent = rng.choice(AGENTS).format(v=rng.randint(100, 140))
        path = rng.choice(
            [
                "/",
                "/pricing",
                f"/docs/guide/{rng.randint(0, 300)}",
                f"/blog/post-{rng.randint(0, 400)}",
            ]
        )
        query = "utm_source=news" if rng.random() < 0.05 else ""
        yield (
            rng.choice(ips),
            moment,
            path,
            query,
            200,
            rng.randint(200, 90000),
            "https://www.google.com/",
            agent,
        )


def render(name: str, r) -> str:
    ip, moment, path, query, status, size, referrer, agent = r
    target = path + ("?" + query if query else "")
    clf = moment.strftime("%d/%b/%Y:%H:%M:%S +0000")
    iso = moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if name == "combined":
        return f'{ip} - - [{clf}] "GET {target} HTTP/1.1" {status} {size} "{referrer}" "{agent}"'
    if name == "common":
        return f'{ip} - - [{clf}] "GET {target} HTTP/1.1" {status} {size}'
    if name == "vhost_combined":
        return f'{HOST}:443 {ip} - - [{clf}] "GET {target} HTTP/1.1" {status} {size} "{referrer}" "{agent}"'
    if name == "common_vhost":
        return f'{HOST} {ip} - - [{clf}] "GET {target} HTTP/1.1" {status} {size}'
    if name == "nginx_main":
        return f'10.0.0.5 - - [{clf}] "GET {target} HTTP/1.1" {status} {size} "{referrer}" "{agent}" "{ip}"'
    if name == "w3c":
        return f"{moment:%Y-%m-%d %H:%M:%S} GET {path} {query or '-'} {ip} {agent.replace(' ', '+')} {referrer} {status} {size}"
    if name == "elb":
        return f'{iso} lb {ip}:2817 10.0.0.1:80 0.000073 0.001048 0.000057 {status} {status} 0 {size} "GET https://{HOST}:443{target} HTTP/1.1" "{agent}" - -'
    if name == "alb":
        return f'https {iso} app/lb/50dc6c495c0c9188 {ip}:2817 10.0.0.1:80 0.000 0.001 0.000 {status} {status} 34 {size} "GET https://{HOST}:443{target} HTTP/1.1" "{agent}" - - arn "Root=1" "{HOST}" "-" 0 {iso} "forward" "-" "-" "10.0.0.1:80" "200" "-" "-"'
    if name == "s3":
        return f'owner site [{clf}] {ip} - REQ WEBSITE.GET.OBJECT key "GET {target} HTTP/1.1" {status} - {size} {size} 7 6 "{referrer}" "{agent}" - hostid SigV4 cipher AuthHeader {HOST} TLSv1.2 -'
    if name == "json":
        return json.dumps(
            {
                "level": "info",
                "ts": moment.timestamp(),
                "logger": "http.log.access",
                "request": {
                    "client_ip": ip,
                    "method": "GET",
                    "host": HOST,
                    "uri": target,
                    "headers": {"User-Agent": [agent], "Referer": [referrer]},
                },
                "size": size,
                "status": status,
            }
        )
    if name == "haproxy":
        return f'Mar  1 00:00:00 lb haproxy[1]: {ip}:33317 [{moment:%d/%b/%Y:%H:%M:%S}.655] in web/srv1 10/0/30/69/109 {status} {size} - - ---- 1/1/1/1/0 0/0 {{{HOST}|{agent}|{referrer}}} {{}} "GET {target} HTTP/1.1"'
    raise ValueError(name)


FORMAT_NAMES = [
    "combined",
    "common",
    "vhost_combined",
    "common_vhost",
    "nginx_main",
    "w3c",
    "elb",
    "alb",
    "s3",
    "json",
    "haproxy",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=200_000)
    args = parser.parse_args()
    import django

    django.setup()
    from prospects.visits.ingest import formats
    from prospects.visits.ingest.importer import clear_caches

    stream = list(requests(args.lines))
    for name in FORMAT_NAMES:
        lines = [render(name, r) for r in stream]
        if name == "w3c":
            lines.insert(
                0,
                "#Fields: date time cs-method cs-uri-stem cs-uri-query c-ip cs(User-Agent) cs(Referer) sc-status sc-bytes",
            )
        clear_caches()
        detected = formats.detect(lines[:100])
        parse = detected.make_parser()
        began = time.perf_counter()
        parsed = sum(1 for line in lines if parse(line))
        seconds = time.perf_counter() - began
        print(f"parse_lines_per_s[{name}]: {len(lines) / seconds:.0f}")
        print(f"  detected {detected.name}, {parsed}/{len(lines)} read", file=sys.stderr)


if __name__ == "__main__":
    main()
