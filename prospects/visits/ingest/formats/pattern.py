"""Log formats written as the web server writes them: nginx `log_format` or Apache `LogFormat`.

A pattern such as `$remote_addr - $remote_user [$time_local] "$request" $status
$body_bytes_sent "$http_referer" "$http_user_agent" "$http_x_forwarded_for"` or
`%v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i"` compiles to one regex with
a group per field the importer needs; every other variable matches one token (or one quoted
string) and is ignored. Fields the importer does not know are skipped, so any pattern a server
accepts can be read; a pattern with no address or no time is refused.
"""

import re

from . import fields

# What each variable holds. nginx names first, then Apache's % directives.
_NGINX = {
    "remote_addr": "ip",
    "binary_remote_addr": "ip",
    "realip_remote_addr": "ip",
    "http_x_forwarded_for": "forwarded",
    "proxy_add_x_forwarded_for": "forwarded",
    "time_local": "clf_time",
    "time_iso8601": "iso_time",
    "msec": "epoch_time",
    "request": "request",
    "request_method": "method",
    "request_uri": "target",
    "uri": "path",
    "document_uri": "path",
    "args": "query",
    "query_string": "query",
    "status": "status",
    "body_bytes_sent": "size",
    "bytes_sent": "size",
    "http_referer": "referrer",
    "http_user_agent": "agent",
    "host": "host",
    "http_host": "host",
    "server_name": "host",
}
_APACHE = {
    "h": "ip",
    "a": "ip",
    "{c}a": "ip",
    "t": "clf_time_bracketed",
    "r": "request",
    "m": "method",
    "U": "path",
    "q": "query",
    ">s": "status",
    "s": "status",
    "<s": "status",
    "b": "size",
    "B": "size",
    "O": "size",
    "{Referer}i": "referrer",
    "{User-Agent}i": "agent",
    "{X-Forwarded-For}i": "forwarded",
    "v": "host",
    "V": "host",
    "{Host}i": "host",
}
_TOKEN = re.compile(
    r"\$(\w+)|\$\{(\w+)\}|%(?:[<>]?\d{3}(?:,\d{3})*)?([<>]?(?:\{[^}]*\})?[a-zA-Z%])"
)
_QUOTED = r'([^"\\]*(?:\\.[^"\\]*)*)'
_UNESCAPE = re.compile(r"\\(.)")
_REQUIRED = ("ip", "forwarded")


class PatternError(ValueError):
    """A pattern the importer cannot read lines with."""


def _group(kind: str, quoted: bool) -> str:
    """The regex of one variable, inside double quotes or not."""
    if kind == "clf_time_bracketed":
        return r"\[([^\]]{1,40})\]"
    if quoted:
        return _QUOTED
    if kind == "clf_time":
        return r"(\d\d/[A-Za-z]{3}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4})"
    if kind == "forwarded":
        return r"(\S+(?:, \S+)*)"
    if kind == "request":
        return r"(\S+ \S+(?: \S+)?)"
    if kind == "host":
        return r"([\w.-]+)"
    return r"(\S+)"


def compile_pattern(pattern: str):
    """(regex, list of field kinds in group order) for a log_format / LogFormat pattern."""
    parts: list[str] = []
    kinds: list[str] = []
    position = 0
    quoted = False
    for match in _TOKEN.finditer(pattern):
        literal = pattern[position : match.start()]
        quoted ^= literal.count('"') % 2 == 1
        parts.append(re.escape(literal))
        nginx = match.group(1) or match.group(2)
        kind = _NGINX.get(nginx) if nginx else _APACHE.get(match.group(3))
        if match.group(3) == "%":
            parts.append("%")
        elif kind is None:
            parts.append(_QUOTED if quoted else r"\S*")
        else:
            parts.append(_group(kind, quoted))
            kinds.append(kind)
        position = match.end()
    literal = pattern[position:]
    parts.append(re.escape(literal))
    if not any(kind in kinds for kind in _REQUIRED):
        raise PatternError("the pattern has no client address ($remote_addr or %h)")
    if not any(kind.endswith("time") or kind == "clf_time_bracketed" for kind in kinds):
        raise PatternError("the pattern has no time ($time_local, $time_iso8601, $msec or %t)")
    if "request" not in kinds and not ({"method", "target"} <= set(kinds) or "path" in kinds):
        raise PatternError("the pattern has no request ($request or $request_uri)")
    # Servers append fields over the years: anything after the pattern is ignored.
    regex = re.compile("".join(parts) + r"(?:\s.*)?", re.ASCII | re.DOTALL)
    return regex, kinds


class PatternParser:
    """Parses lines of one compiled pattern into the importer's field tuple."""

    def __init__(self, pattern: str):
        self.regex, self.kinds = compile_pattern(pattern)
        self.has_user_agent = "agent" in self.kinds
        self.has_host = "host" in self.kinds

    def __call__(self, line: str) -> tuple | None:
        """(ip, ts, method, path, query, status, referrer, agent, size, host), or None."""
        match = self.regex.fullmatch(line)
        if match is None:
            return None
        values: dict[str, str] = {}
        for kind, value in zip(self.kinds, match.groups(), strict=True):
            values.setdefault(kind, _UNESCAPE.sub(r"\1", value) if "\\" in value else value)
        return from_values(values)


def from_values(values: dict) -> tuple | None:
    """The field tuple from named raw values (pattern groups, or a JSON line's keys)."""
    ip = fields.client_ip(values.get("ip"), fields.text_value(values.get("forwarded", "")))
    if ip is None:
        return None
    ts = _time(values)
    if ts is None:
        return None
    status = fields.status_value(values.get("status"))
    if status is None:
        return None
    if "request" in values:
        method, path, query = fields.split_request(values["request"])
    else:
        method = values.get("method", "")
        target = values.get("target") or values.get("path", "")
        path, _, query = target.partition("?")
        query = query or values.get("query", "").lstrip("?")
        if not (method.isalpha() and method.isupper()):
            method = ""
    if query == "-":
        query = ""
    return (
        ip,
        ts,
        method,
        path,
        query,
        status,
        fields.text_value(values.get("referrer", "")),
        fields.text_value(values.get("agent", "")),
        fields.size_value(values.get("size")),
        fields.host_name(fields.text_value(values.get("host", ""))),
    )


def _time(values: dict) -> str | None:
    if "clf_time" in values:
        return fields.clf_time(values["clf_time"])
    if "clf_time_bracketed" in values:
        return fields.clf_time(values["clf_time_bracketed"])
    if "iso_time" in values:
        return fields.iso_time(values["iso_time"])
    if "epoch_time" in values:
        return fields.epoch_time(values["epoch_time"])
    if "time" in values:
        return fields.any_time(values["time"])
    return None
