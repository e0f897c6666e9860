"""W3C extended logs: IIS (`#Fields:` with spaces) and Amazon CloudFront (tabs, `#Fields:`).

The `#Fields:` directive names the columns and may change within a file (IIS writes a new
header when its settings change), so the parser keeps the latest one. Other `#` lines are
directives, not requests. Times are UTC by the specification.
"""

from . import fields

# Our field names for the W3C identifiers, in order of preference where several can say it.
_COLUMNS = {
    "c-ip": "ip",
    "x-forwarded-for": "forwarded",
    "date": "date",
    "time": "time",
    "cs-method": "method",
    "cs-uri-stem": "path",
    "cs-uri-query": "query",
    "sc-status": "status",
    "sc-bytes": "size",
    "cs(referer)": "referrer",
    "cs(referrer)": "referrer",
    "cs(user-agent)": "agent",
    "x-host-header": "host",
    "cs-host": "host",
    "cs(host)": "cloudfront_host",
}
DIRECTIVE = ()


class W3CParser:
    """Parses W3C extended lines; holds the current `#Fields:` directive."""

    has_host = True

    def __init__(self):
        self.columns: dict[str, int] = {}
        self.separator: str | None = None
        self.encoded = False

    @property
    def has_user_agent(self) -> bool:
        """Whether the current columns include the user agent (unknown before `#Fields:`)."""
        return not self.columns or "agent" in self.columns

    def __call__(self, line: str) -> tuple | None:
        """The field tuple, DIRECTIVE for a `#` line, or None when the line does not parse."""
        if line.startswith("#"):
            if line[:8].lower() == "#fields:":
                self._read_fields(line[8:])
            return DIRECTIVE
        if not self.columns:
            return None
        values = line.split(self.separator) if self.separator else line.split()
        if len(values) < len(self.columns_order):
            return None
        get = {name: values[i] for name, i in self.columns.items()}.get
        ts = fields.iso_time(f"{get('date', '')}T{get('time', '')}")
        status = fields.status_value(get("status"))
        ip = fields.client_ip(get("ip"), fields.text_value(get("forwarded", "")))
        if ts is None or status is None or ip is None:
            return None
        decode = fields.percent_decoded if self.encoded else fields.plus_decoded
        method = get("method", "")
        if not (method.isalpha() and method.isupper()):
            method = ""
        query = fields.text_value(get("query", ""))
        host = get("host") or get("cloudfront_host", "")
        return (
            ip,
            ts,
            method,
            get("path", ""),
            query,
            status,
            decode(fields.text_value(get("referrer", ""))),
            decode(fields.text_value(get("agent", ""))),
            fields.size_value(get("size")),
            fields.host_name(fields.text_value(host)),
        )

    def _read_fields(self, text: str) -> None:
        self.separator = "\t" if "\t" in text.strip() else None
        names = text.split(self.separator) if self.separator else text.split()
        names = [name.strip().lower() for name in names if name.strip()]
        self.columns_order = names
        # CloudFront percent-encodes its values; IIS writes '+' for spaces.
        self.encoded = "x-edge-location" in names
        self.columns = {}
        for index, name in enumerate(names):
            ours = _COLUMNS.get(name)
            if ours is not None and ours not in self.columns:
                self.columns[ours] = index

    columns_order: list[str] = []
