"""Amazon load balancer (Classic ELB and ALB) and S3 server access logs.

The load balancers log the client as `address:port` and the request with its absolute URI
(`GET https://www.example.com:443/pricing HTTP/1.1`), which gives the host and the path. S3 logs name the Host header in a field of its own.
Layouts from the AWS documentation ("Access logs for your Classic Load Balancer", "Access log
entries" for ALB, "Amazon S3 server access log format"); fields added later are ignored.
"""

import re
from urllib.parse import urlsplit

from . import fields

_QUOTED = r'"([^"\\]*(?:\\.[^"\\]*)*)"'
_ELB = re.compile(
    r"(\d{4}-\d\d-\d\dT[\d:.]+Z) \S+ (\S+):\d+ \S+ \S+ \S+ \S+ (\d{3}|-) \S+ \d+ (\d+|-) "
    + _QUOTED
    + " "
    + _QUOTED
    + r"(?: .*)?",
    re.ASCII | re.DOTALL,
)
_ALB = re.compile(
    r"(?:https?|h2|grpcs?|wss?) (\d{4}-\d\d-\d\dT[\d:.]+Z) \S+ (\S+):\d+ \S+ \S+ \S+ \S+ "
    r"(\d{3}|-) \S+ \d+ (\d+|-) " + _QUOTED + " " + _QUOTED + r"(?: .*)?",
    re.ASCII | re.DOTALL,
)
_S3 = re.compile(
    r"\S+ \S+ \[([^\]]{26})\] (\S+) \S+ \S+ \S+ \S+ " + _QUOTED + r" (\d{3}|-) \S+ (\d+|-) \S+ "
    r"\S+ \S+ " + _QUOTED + " " + _QUOTED + r" \S+ \S+ \S+ \S+ \S+ (\S+)(?: .*)?",
    re.ASCII | re.DOTALL,
)


def _balancer_fields(match) -> tuple | None:
    stamp, address, status, size, request, agent = match.groups()
    ts = fields.iso_time(stamp)
    ip = fields.client_ip(address.strip("[]"), "")
    status_code = fields.status_value(status)
    if ts is None or ip is None or status_code is None:
        return None
    method, target, query = fields.split_request(request)
    host = ""
    if target.startswith(("http://", "https://", "ws://", "wss://")):
        try:
            parts = urlsplit(target)
            host = parts.hostname or ""
        except ValueError:
            return None
        target = parts.path or "/"
    return (
        ip,
        ts,
        method,
        target,
        query,
        status_code,
        "",
        fields.text_value(agent),
        fields.size_value(size),
        fields.host_name(host),
    )


class ELBParser:
    """Classic Load Balancer lines."""

    has_user_agent = True
    has_host = True

    def __call__(self, line: str) -> tuple | None:
        """The field tuple, or None."""
        match = _ELB.fullmatch(line)
        return None if match is None else _balancer_fields(match)


class ALBParser:
    """Application Load Balancer lines."""

    has_user_agent = True
    has_host = True

    def __call__(self, line: str) -> tuple | None:
        """The field tuple, or None."""
        match = _ALB.fullmatch(line)
        return None if match is None else _balancer_fields(match)


class S3Parser:
    """S3 server access log lines (a static site served from a bucket)."""

    has_user_agent = True
    has_host = True

    def __call__(self, line: str) -> tuple | None:
        """The field tuple, or None."""
        match = _S3.fullmatch(line)
        if match is None:
            return None
        stamp, address, request, status, size, referrer, agent, host = match.groups()
        ts = fields.clf_time(stamp)
        ip = fields.client_ip(address, "")
        status_code = fields.status_value(status)
        if ts is None or ip is None or status_code is None:
            return None
        method, path, query = fields.split_request(request)
        return (
            ip,
            ts,
            method,
            path,
            query,
            status_code,
            fields.text_value(referrer),
            fields.text_value(agent),
            fields.size_value(size),
            fields.host_name(host),
        )
