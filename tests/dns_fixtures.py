"""pytest fixtures that start a real DNS server (dnslib, 127.0.0.1, free port) for a zone."""

import pytest

from prospects.demo.zone_server import ZoneServer


def host(ip: str, name: str, *, forward: bool = True, ttl: int = 86400) -> list[dict]:
    """Zone records for `name` at `ip`: a PTR, plus the matching A/AAAA when `forward`."""
    records = [{"type": "PTR", "name": ip, "value": name, "ttl": ttl}]
    if forward:
        records.append(
            {"type": "AAAA" if ":" in ip else "A", "name": name, "value": ip, "ttl": ttl}
        )
    return records


@pytest.fixture
def dns_server(settings):
    """Start a zone server: `dns_server(records, delay=..., never_answer=..., servfail_first=...)`.

    Points LEADGEN_DNS_NAMESERVERS at it. The per-query timeout is 1 s (a loaded CI machine
    must not turn slow answers into failures), 0.2 s for a server that never answers, so
    its three attempts cost under a second.
    """
    servers = []

    def start(records, **options) -> ZoneServer:
        server = ZoneServer.from_records(records, **options).start()
        servers.append(server)
        settings.LEADGEN_DNS_NAMESERVERS = [server.nameserver]
        settings.LEADGEN_DNS_TIMEOUT = 0.2 if options.get("never_answer") else 1.0
        settings.LEADGEN_DNS_RETRIES = 2
        settings.LEADGEN_DNS_BACKOFF = 0.02
        return server

    yield start
    for server in servers:
        server.stop()
