"""Reverse DNS for many IPs at once: bounded concurrency, per-query timeout, retries.

Each IP gets a PTR query; each PTR name (up to three) is resolved forward (A for IPv4, AAAA
for IPv6) and the name is forward-confirmed only if the answers include the original IP.
Timeouts and SERVFAIL (or REFUSED) are retried with exponential backoff, rotating through
the nameservers, and then reported as a failure; NXDOMAIN and an empty answer are results
("no PTR"), not failures. Sockets are in `dns_client.py`, the wire format in `wire.py`.
"""

import asyncio
import ipaddress
from dataclasses import dataclass, field

from django.conf import settings

from . import wire
from .dns_client import DnsClient, system_nameservers

OK = "ok"
NXDOMAIN = "nxdomain"
FAILED = "failed"
_NO_ANSWER = "noanswer"
_MAX_FORWARD_NAMES = 3


@dataclass(frozen=True)
class Lookup:
    """What reverse DNS said about one IP."""

    ip: str
    outcome: str
    ptr_name: str = ""
    forward_confirmed: bool = False
    ttl: int | None = None
    error: str = ""


@dataclass(frozen=True)
class ResolverConfig:
    """Where and how to query: host:port nameservers (empty = system resolver) and limits."""

    nameservers: tuple[tuple[str, int], ...] = ()
    timeout: float = 2.0
    retries: int = 2
    backoff: float = 0.25
    concurrency: int = 256

    @classmethod
    def from_settings(cls, nameservers: list[str] | None = None) -> "ResolverConfig":
        """The configuration from the LEADGEN_DNS_* settings; `nameservers` overrides theirs."""
        if nameservers is None:
            nameservers = settings.LEADGEN_DNS_NAMESERVERS
        return cls(
            nameservers=tuple(parse_nameserver(v) for v in nameservers),
            timeout=settings.LEADGEN_DNS_TIMEOUT,
            retries=settings.LEADGEN_DNS_RETRIES,
            backoff=settings.LEADGEN_DNS_BACKOFF,
            concurrency=settings.LEADGEN_DNS_CONCURRENCY,
        )


@dataclass
class LookupRun:
    """The lookups of one batch and how many DNS queries they took (retries included)."""

    lookups: dict[str, Lookup] = field(default_factory=dict)
    queries: int = 0


def parse_nameserver(text: str) -> tuple[str, int]:
    """("host", port) from "127.0.0.1:5353", "[::1]:53", "::1" or "192.0.2.53" (port 53)."""
    text = text.strip()
    if text.startswith("["):
        host, _, port = text[1:].partition("]")
        return host, int(port.lstrip(":") or 53)
    if text.count(":") == 1:
        host, _, port = text.partition(":")
        return host, int(port)
    return text, 53


def lookup_ips(ips: list[str], config: ResolverConfig) -> LookupRun:
    """Resolve the IPs concurrently (a fresh event loop and sockets per call)."""
    if not ips:
        return LookupRun()
    return asyncio.run(_Client(config).run(ips))


class _Client:
    def __init__(self, config: ResolverConfig):
        self.config = config
        self.servers = list(config.nameservers) or system_nameservers()
        self.dns = DnsClient(config.timeout)
        self.queries = 0

    async def run(self, ips: list[str]) -> LookupRun:
        semaphore = asyncio.Semaphore(max(1, self.config.concurrency))

        async def bounded(ip: str) -> Lookup:
            async with semaphore:
                return await self.lookup(ip)

        try:
            await self.dns.open(self.servers)
            results = await asyncio.gather(*(bounded(ip) for ip in ips))
        finally:
            self.dns.close()
        return LookupRun({lookup.ip: lookup for lookup in results}, self.queries)

    async def query(self, name: str, rdtype: str):
        """(status, (values, ttl), error), retrying timeouts and SERVFAIL with backoff."""
        error = ""
        attempts = self.config.retries + 1
        for attempt in range(attempts):
            self.queries += 1
            server = self.servers[attempt % len(self.servers)]
            try:
                reply = await self.dns.exchange(name, wire.TYPES[rdtype], server)
            except wire.WireError as exc:
                return FAILED, None, f"{rdtype} query for an invalid name: {exc}"[:200]
            if reply is None:
                error = f"{rdtype} query timed out after {self.config.timeout:g}s"
            elif reply.rcode == wire.RCODE_NXDOMAIN:
                return NXDOMAIN, None, ""
            elif reply.rcode == wire.RCODE_NOERROR:
                answer = wire.answer_values(reply)
                return (OK, answer, "") if answer else (_NO_ANSWER, None, "")
            else:
                error = f"{rdtype} query got {wire.RCODE_NAMES.get(reply.rcode, reply.rcode)}"
            if attempt + 1 < attempts:
                await asyncio.sleep(self.config.backoff * 2**attempt)
        return FAILED, None, f"{error}, {attempts} attempts"

    async def lookup(self, ip: str) -> Lookup:
        address = ipaddress.ip_address(ip)
        status, answer, error = await self.query(address.reverse_pointer, "PTR")
        if status == FAILED:
            return Lookup(ip, FAILED, error=error)
        if status != OK:
            return Lookup(ip, NXDOMAIN)
        names, ttl = sorted(set(answer[0])), answer[1]
        rdtype = "A" if address.version == 4 else "AAAA"
        forward_errors = []
        for name in names[:_MAX_FORWARD_NAMES]:
            status, forward, error = await self.query(name, rdtype)
            if status == OK and any(ipaddress.ip_address(value) == address for value in forward[0]):
                return Lookup(ip, OK, name, forward_confirmed=True, ttl=ttl)
            if status == FAILED:
                forward_errors.append(f"forward lookup of {name}: {error}")
        if forward_errors:
            # Unsure whether the PTR is genuine: retry later rather than cache a guess.
            return Lookup(ip, FAILED, names[0], ttl=ttl, error="; ".join(forward_errors)[:300])
        return Lookup(ip, OK, names[0], forward_confirmed=False, ttl=ttl)
