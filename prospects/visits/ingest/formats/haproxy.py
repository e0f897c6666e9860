"""HAProxy's HTTP log format (`option httplog`), with or without the syslog prefix.

    Feb  6 12:14:14 lb haproxy[14389]: 10.0.1.2:33317 [06/Feb/2009:12:14:14.655] http-in
    static/srv1 10/0/30/69/109 200 2750 - - ---- 1/1/1/1/0 0/0 {1wt.eu|Mozilla/5.0} {} "GET /i HTTP/1.1"

Headers appear only where the configuration captures them (`capture request header`), in
braces separated by '|', in the order configured: LEADGEN_HAPROXY_CAPTURES names that order.
The accept date has no zone: it is read in LEADGEN_LOG_TIME_ZONE.
"""

import re

from django.conf import settings

from . import fields

_LINE = re.compile(
    r"(?:.*?: )?(\S+):\d+ \[(\d\d/[A-Za-z]{3}/\d{4}:\d\d:\d\d:\d\d)(?:\.\d+)?\] \S+ \S+ "
    r"\S+ (-?\d+) (\d+) \S+ \S+ \S+ \S+ \S+(?: \{([^}]*)\})?(?: \{[^}]*\})? \"([^\"]*)\"?.*",
    re.ASCII | re.DOTALL,
)
CAPTURE_FIELDS = ("host", "user_agent", "referrer", "x_forwarded_for")


class HAProxyParser:
    """Parses HAProxy HTTP log lines; the request header captures follow the setting."""

    def __init__(self):
        self.captures = [
            name.strip().lower().replace("-", "_") for name in settings.LEADGEN_HAPROXY_CAPTURES
        ]
        self.has_user_agent = "user_agent" in self.captures
        self.has_host = "host" in self.captures

    def __call__(self, line: str) -> tuple | None:
        """The field tuple, or None."""
        match = _LINE.fullmatch(line)
        if match is None:
            return None
        address, stamp, status, size, captured, request = match.groups()
        headers = dict(zip(self.captures, (captured or "").split("|"), strict=False))
        ip = fields.client_ip(address, headers.get("x_forwarded_for", ""))
        ts = fields.local_time(stamp, "%d/%b/%Y:%H:%M:%S")
        # -1: the connection was aborted before a response.
        status_code = fields.status_value(status)
        if ip is None or ts is None or status_code is None:
            return None
        method, path, query = fields.split_request(request)
        return (
            ip,
            ts,
            method,
            path,
            query,
            status_code,
            fields.text_value(headers.get("referrer", "")),
            fields.text_value(headers.get("user_agent", "")),
            fields.size_value(size),
            fields.host_name(headers.get("host", "")),
        )
