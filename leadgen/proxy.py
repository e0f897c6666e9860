"""The address a request came from, as the proxies in front of gunicorn report it."""

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    """The address a Django request came from (`client_ip_of` its META)."""
    return client_ip_of(request.META)


def client_ip_of(meta) -> str | None:
    """The client's address in a WSGI environ: REMOTE_ADDR, or the hop LEADGEN_PROXY_COUNT
    proxies appended.

    Each trusted proxy appends the address it was reached from to X-Forwarded-For, so the
    N-th entry from the right is the client as seen by the outermost trusted proxy; entries
    further left are whatever the client chose to send and are never believed.
    """
    remote = meta.get("REMOTE_ADDR")
    count = settings.LEADGEN_PROXY_COUNT
    if count <= 0:
        return remote
    hops = [hop.strip() for hop in meta.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [hop for hop in hops if hop]
    if len(hops) < count:
        return remote
    try:
        return str(ipaddress.ip_address(hops[-count]))
    except ValueError:
        return remote
