"""Field conversions every log format shares: times, requests, sizes, client addresses, hosts.

Every function takes hostile text and returns a typed value or None; none raises. Answers for
values a log repeats (addresses, hosts, hours) are cached in bounded dicts.
"""

import datetime as dt
import ipaddress
from urllib.parse import unquote

from django.conf import settings

from ..parser import parse_ip, parse_timestamp

CACHE_LIMIT = 100_000
_trusted: dict[str, bool] = {}
_hosts: dict[str, bool] = {}
_networks: list | None = None
_site_domains: tuple[str, ...] | None = None
_local_zone: dt.tzinfo | None = None

EARLIEST = dt.datetime(1990, 1, 1)
FUTURE_SLACK = dt.timedelta(days=1)


def utc_text(moment: dt.datetime) -> str | None:
    """An aware or naive-UTC datetime as 'YYYY-MM-DD HH:MM:SS' UTC, None when implausible."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    latest = dt.datetime.now(dt.UTC).replace(tzinfo=None) + FUTURE_SLACK
    if not EARLIEST <= moment <= latest:
        return None
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def clf_time(text: str) -> str | None:
    """'10/Oct/2000:13:55:36 -0700' (Apache %t, nginx $time_local) to UTC text."""
    if len(text) != 26 or text[20] != " " or text[11] != ":":
        return None
    return parse_timestamp(text[:14], text[15:20], text[21:])


def iso_time(text: str) -> str | None:
    """ISO 8601 ('2015-05-13T23:39:43.945958Z', '...+01:00') to UTC text; no zone means UTC."""
    if not 19 <= len(text) <= 40 or not text.isascii() or not text[:4].isdigit():
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return utc_text(moment)


def epoch_time(value) -> str | None:
    """Seconds since 1970 (Caddy's `ts`, nginx's `$msec`), as a number or text, to UTC text."""
    try:
        seconds = float(value)
        moment = dt.datetime.fromtimestamp(seconds, dt.UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None
    return utc_text(moment)


def local_time(text: str, fmt: str) -> str | None:
    """A time without zone (HAProxy's accept date) read in LEADGEN_LOG_TIME_ZONE."""
    global _local_zone
    if _local_zone is None:
        from zoneinfo import ZoneInfo

        _local_zone = ZoneInfo(settings.LEADGEN_LOG_TIME_ZONE)
    try:
        moment = dt.datetime.strptime(text, fmt)
    except ValueError:
        return None
    return utc_text(moment.replace(tzinfo=_local_zone))


def any_time(value) -> str | None:
    """A JSON log's time in whichever shape it comes: epoch number, ISO 8601 or CLF."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return epoch_time(value)
    if not isinstance(value, str):
        return None
    if value.isascii() and value[:1].isdigit() and value.replace(".", "", 1).isdigit():
        return epoch_time(value)
    if len(value) == 26 and value[2:3] == "/":
        return clf_time(value)
    return iso_time(value)


def size_value(text) -> int:
    """A response size in bytes; -1 when the log says nothing ('-', empty, garbage)."""
    if isinstance(text, int) and not isinstance(text, bool):
        return text if text >= 0 else -1
    if isinstance(text, str) and text.isascii() and text.isdigit() and len(text) < 19:
        return int(text)
    return -1


def status_value(text) -> int | None:
    """An HTTP status 100-999, else None."""
    if isinstance(text, int) and not isinstance(text, bool):
        return text if 100 <= text <= 999 else None
    if (
        isinstance(text, str)
        and len(text) == 3
        and text.isascii()
        and text.isdigit()
        and text[0] != "0"
    ):
        return int(text)
    return None


def split_request(request: str) -> tuple[str, str, str] | None:
    """'GET /a?b HTTP/1.1' to (method, path, query); ('', '', '') for probes and garbage."""
    parts = request.split(" ")
    if len(parts) >= 2 and parts[0].isalpha() and parts[0].isupper() and len(parts[0]) <= 16:
        path, _, query = parts[1].partition("?")
        return parts[0], path, query
    return "", "", ""


def text_value(text) -> str:
    """A logged header value, with '-' (nothing logged) as empty text."""
    if not isinstance(text, str):
        if isinstance(text, list) and text and isinstance(text[0], str):
            text = text[0]
        else:
            return ""
    return "" if text == "-" else text


def plus_decoded(text: str) -> str:
    """IIS writes spaces in logged headers as '+'."""
    return text.replace("+", " ") if "+" in text else text


def percent_decoded(text: str) -> str:
    """CloudFront percent-encodes logged headers (and double-encodes some)."""
    return unquote(unquote(text)) if "%" in text else text


def _trusted_networks() -> list:
    global _networks
    if _networks is None:
        _networks = [
            ipaddress.ip_network(n, strict=False) for n in settings.LEADGEN_TRUSTED_PROXIES
        ]
    return _networks


def is_trusted_proxy(ip: str) -> bool:
    """Whether a canonical address is one of LEADGEN_TRUSTED_PROXIES (our own proxies)."""
    try:
        return _trusted[ip]
    except KeyError:
        pass
    address = ipaddress.ip_address(ip)
    value = any(address in network for network in _trusted_networks())
    if len(_trusted) >= CACHE_LIMIT:
        _trusted.clear()
    _trusted[ip] = value
    return value


def client_ip(remote: str | None, forwarded: str) -> str | None:
    """The visitor's address from the connecting address and an X-Forwarded-For value.

    X-Forwarded-For is believed only when the connection came from a trusted proxy (or the log
    holds no connecting address, so a proxy of ours wrote the line): the chain is read from the
    right, past our own proxies, and the first address that is not one of them is the visitor.
    Anyone can send the header, so an untrusted connection's own address is the visitor.
    """
    remote_ip = parse_ip(remote) if remote else None
    if remote and remote_ip is None and not forwarded:
        return None
    if not forwarded or forwarded == "-" or (remote_ip and not is_trusted_proxy(remote_ip)):
        return remote_ip
    hops = [parse_ip(hop.strip()) for hop in forwarded.split(",")[:20]]
    hops = [hop for hop in hops if hop is not None]
    for hop in reversed(hops):
        if not is_trusted_proxy(hop):
            return hop
    return hops[0] if hops else remote_ip


def host_name(text: str) -> str:
    """A logged Host value without port, trailing dot or case ('' when absent)."""
    if not text or text == "-":
        return ""
    host = text.strip().lower()
    if host.startswith("["):
        return host.partition("]")[0][1:]
    if host.count(":") == 1:
        host = host.partition(":")[0]
    return host.rstrip(".")


def is_site_host(host: str) -> bool:
    """Whether a host is the vendor's own site (LEADGEN_SITE_DOMAINS or a subdomain of one).

    A line with no host, or a deployment that names no site domains, is the vendor's.
    """
    if not host:
        return True
    try:
        return _hosts[host]
    except KeyError:
        pass
    global _site_domains
    if _site_domains is None:
        _site_domains = tuple(d.lower().strip(".") for d in settings.LEADGEN_SITE_DOMAINS if d)
    value = not _site_domains or any(
        host == domain or host.endswith("." + domain) for domain in _site_domains
    )
    if len(host) > 255:
        return value  # no host name is this long: not kept, as hostile text would fill memory
    if len(_hosts) >= CACHE_LIMIT:
        _hosts.clear()
    _hosts[host] = value
    return value


def reset_cache() -> None:
    """Forget cached answers and re-read the settings (tests change them)."""
    global _networks, _site_domains, _local_zone
    _trusted.clear()
    _hosts.clear()
    _networks = _site_domains = _local_zone = None
