"""Log formats: detected per file from its first lines, or named (`--format NAME`), or a pattern.

`get_format(spec)` takes a format name, `json:FIELD=NAME,...`, or an nginx `log_format` /
Apache `LogFormat` pattern; `detect(lines)` tries every named format on a file's first lines
and keeps the one that reads the most of them (ties go to the earlier, more specific one).
Each format's parser turns one line into `(ip, ts, method, path, query, status, referrer,
user_agent, size, host)`, with size -1 and host "" where the format does not log them; it
returns None for a line it cannot read and DIRECTIVE for a comment line (W3C headers).
"""

import dataclasses
from collections.abc import Callable

from . import aws, haproxy, jsonlog, w3c
from .pattern import PatternError, PatternParser
from .w3c import DIRECTIVE

__all__ = ["DIRECTIVE", "FORMATS", "LogFormat", "PatternError", "detect", "get_format"]

SAMPLE_LINES = 50


@dataclasses.dataclass(frozen=True)
class LogFormat:
    """A named way to read lines; `make_parser()` gives a fresh (per-file) parser."""

    name: str
    description: str
    make_parser: Callable[[], Callable[[str], tuple | None]]


def _combined():
    from .clf import CombinedParser

    return CombinedParser(user_agents=True)


def _common():
    from .clf import CombinedParser

    return CombinedParser(user_agents=False)


def _pattern(text: str) -> Callable[[], PatternParser]:
    return lambda: PatternParser(text)


NGINX_MAIN = (
    '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent '
    '"$http_referer" "$http_user_agent" "$http_x_forwarded_for"'
)
# Detection order: the most specific first, so a line two formats read goes to the stricter.
FORMATS = {
    f.name: f
    for f in [
        LogFormat("w3c", "W3C extended / IIS / CloudFront (#Fields: header)", w3c.W3CParser),
        LogFormat("json", "JSON lines: Caddy, Traefik, nginx escape=json", jsonlog.JSONParser),
        LogFormat("alb", "AWS Application Load Balancer", aws.ALBParser),
        LogFormat("elb", "AWS Classic Load Balancer", aws.ELBParser),
        LogFormat("s3", "AWS S3 server access log", aws.S3Parser),
        LogFormat("haproxy", "HAProxy option httplog", haproxy.HAProxyParser),
        LogFormat("nginx_main", "nginx main: combined + X-Forwarded-For", _pattern(NGINX_MAIN)),
        LogFormat(
            "vhost_combined",
            "Apache vhost_combined (%v:%p before combined)",
            _pattern('%v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i"'),
        ),
        LogFormat(
            "combined_vhost_first",
            "combined with the virtual host first (no port)",
            _pattern('%v %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i"'),
        ),
        LogFormat(
            "xff_combined",
            "combined with X-Forwarded-For as the first field",
            _pattern(
                '$http_x_forwarded_for - $remote_user [$time_local] "$request" $status '
                '$body_bytes_sent "$http_referer" "$http_user_agent"'
            ),
        ),
        LogFormat("combined", "Apache/nginx combined", _combined),
        LogFormat(
            "common_vhost",
            "Apache common with the virtual host",
            _pattern('%v %h %l %u %t "%r" %>s %b'),
        ),
        LogFormat("common", "Apache/nginx common (no referrer, no user agent)", _common),
    ]
}
FORMATS["caddy"] = dataclasses.replace(FORMATS["json"], name="caddy")
FORMATS["traefik"] = dataclasses.replace(FORMATS["json"], name="traefik")
FORMATS["nginx_json"] = dataclasses.replace(FORMATS["json"], name="nginx_json")
FORMATS["iis"] = dataclasses.replace(FORMATS["w3c"], name="iis")
FORMATS["cloudfront"] = dataclasses.replace(FORMATS["w3c"], name="cloudfront")
_DETECTED = [
    "w3c",
    "json",
    "alb",
    "elb",
    "s3",
    "haproxy",
    "nginx_main",
    "vhost_combined",
    "combined_vhost_first",
    "combined",
    "xff_combined",
    "common_vhost",
    "common",
]


def get_format(spec: str) -> LogFormat:
    """A format by name, `json:FIELD=NAME,...`, or an nginx/Apache pattern (PatternError if bad)."""
    spec = spec.strip()
    if spec in FORMATS:
        return FORMATS[spec]
    if spec.startswith("json:"):
        names = spec[5:]
        jsonlog.parse_names(names)
        return LogFormat(spec, "JSON lines with named fields", lambda: jsonlog.JSONParser(names))
    if "$" in spec or "%" in spec:
        PatternParser(spec)
        return LogFormat(spec, "custom pattern", _pattern(spec))
    raise PatternError(
        f"unknown log format {spec!r}: use one of {', '.join(sorted(FORMATS))}, or a pattern"
    )


def detect(lines: list[str]) -> LogFormat:
    """The named format that reads the most of these lines (combined when none reads any)."""
    sample = [line for line in lines if line.strip()][:SAMPLE_LINES]
    best, best_score = FORMATS["combined"], 0
    for name in _DETECTED:
        candidate = FORMATS[name]
        parse = candidate.make_parser()
        score = 0
        weight = getattr(parse, "weight", None)
        for line in sample:
            if parse(line):
                score += weight(line) if weight else 1
        if score > best_score:
            best, best_score = candidate, score
    return best
