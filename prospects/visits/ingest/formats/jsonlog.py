"""JSON access logs: Caddy, Traefik and nginx `log_format ... escape=json`, field names configurable.

Each logical field is looked up under the names these servers use (a dotted name reaches into
nested objects, as Caddy nests its request); names given in LEADGEN_JSON_LOG_FIELDS
(`ip=client,time=when,...`) or in `--format json:ip=client,...` are tried first. Header
values logged as lists (Caddy) give their first item.
"""

import json

from django.conf import settings

from . import pattern

# Our field -> the names servers log it under, most specific first.
DEFAULT_NAMES = {
    "ip": ["request.client_ip", "request.remote_ip", "remote_addr", "ClientHost", "client_ip"],
    "forwarded": [
        "request.headers.X-Forwarded-For",
        "http_x_forwarded_for",
        "request_X-Forwarded-For",
        "x_forwarded_for",
    ],
    "time": ["ts", "time_iso8601", "StartUTC", "time", "timestamp", "@timestamp", "time_local"],
    "request": ["request_line"],
    "method": ["request.method", "request_method", "RequestMethod", "method"],
    "target": ["request.uri", "request_uri", "RequestPath", "uri", "path"],
    "status": ["status", "DownstreamStatus", "response_status", "OriginStatus"],
    "size": ["size", "body_bytes_sent", "DownstreamContentSize", "bytes_sent"],
    "referrer": [
        "request.headers.Referer",
        "http_referer",
        "request_Referer",
        "referer",
        "referrer",
    ],
    "agent": [
        "request.headers.User-Agent",
        "http_user_agent",
        "request_User-Agent",
        "user_agent",
    ],
    "host": ["request.host", "host", "http_host", "RequestHost", "server_name"],
}
# nginx logs the request line as `request`; Caddy logs an object under that name.
_REQUEST_LINE = "request"
MAX_LINE = 64 * 1024


def parse_names(text: str) -> dict[str, list[str]]:
    """'ip=client,time=when' to {'ip': ['client'], 'time': ['when']}; unknown fields refused."""
    names: dict[str, list[str]] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        field, _, name = item.partition("=")
        field, name = field.strip(), name.strip()
        if field not in DEFAULT_NAMES or not name:
            raise pattern.PatternError(
                f"JSON field {item!r}: use FIELD=NAME with FIELD one of {', '.join(DEFAULT_NAMES)}"
            )
        names.setdefault(field, []).append(name)
    return names


class JSONParser:
    """Parses one JSON object per line into the importer's field tuple."""

    has_host = True

    def __init__(self, names: str = ""):
        configured = parse_names(settings.LEADGEN_JSON_LOG_FIELDS)
        for field, extra in parse_names(names).items():
            configured[field] = extra + configured.get(field, [])
        self.names = {
            field: [*configured.get(field, []), *defaults]
            for field, defaults in DEFAULT_NAMES.items()
        }
        self.has_user_agent = True

    def __call__(self, line: str) -> tuple | None:
        """The field tuple, or None when the line is not an object with an address and a time."""
        if not line.startswith("{") or len(line) > MAX_LINE:
            return None
        try:
            record = json.loads(line)
        except (ValueError, RecursionError):
            return None
        if not isinstance(record, dict):
            return None
        values = {}
        for field, names in self.names.items():
            value = _first(record, names)
            if value is not None:
                values[field] = value if isinstance(value, int | float | str) else _text(value)
        request = record.get(_REQUEST_LINE)
        if isinstance(request, str) and "method" not in values:
            values["request"] = request
        if "time" not in values:
            return None
        for field in ("ip", "forwarded", "method", "target", "referrer", "agent", "host"):
            if field in values and not isinstance(values[field], str):
                values[field] = str(values[field])
        return pattern.from_values(values)


def _first(record: dict, names: list[str]):
    for name in names:
        value = record.get(name)
        if value is None and "." in name:
            value = record
            for part in name.split("."):
                value = value.get(part) if isinstance(value, dict) else None
        if value not in (None, ""):
            return value
    return None


def _text(value) -> str:
    """A header logged as a list (Caddy) gives its first item; anything else is no value."""
    if isinstance(value, list) and value and isinstance(value[0], str):
        return value[0]
    return ""
