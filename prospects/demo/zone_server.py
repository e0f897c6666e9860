"""A real DNS server for tests, the demo and the benchmark: a static zone on 127.0.0.1.

Packets are parsed and built with dnslib; the server is an asyncio UDP endpoint running in
a daemon thread, so thousands of delayed answers cost timers, not threads. Usage::

    with ZoneServer.from_file("var/demo/zone.json", delay=0.05) as server:
        settings.LEADGEN_DNS_NAMESERVERS = [f"127.0.0.1:{server.port}"]
        resolve_pending_ips()

The zone file is JSON: ``{"records": [{"type": "PTR", "name": "...", "value": "..."}, ...]}``
with types PTR, A, AAAA and CNAME and an optional integer "ttl" (default 86400). A PTR name may
be the reverse name (``7.100.51.198.in-addr.arpa``) or simply the IP address. Names without
any record get NXDOMAIN, names with other records get an empty answer, CNAME chains inside
the zone are followed (RFC 2317 delegation). Options: ``delay`` (seconds before each answer),
``never_answer`` (swallow every query: clients time out), ``servfail_first`` (answer the first
N queries with SERVFAIL). ``queries`` counts the queries received. UDP only.
"""

import asyncio
import ipaddress
import json
import threading
from pathlib import Path

from dnslib import AAAA, CNAME, PTR, QTYPE, RCODE, RR, A, DNSRecord

DEFAULT_TTL = 86400
_RDATA = {"A": A, "AAAA": AAAA, "CNAME": CNAME, "PTR": PTR}
_MAX_CHAIN = 8


def _normalise_name(name: str) -> str:
    return str(name).strip().rstrip(".").lower()


def _record_name(record: dict) -> str:
    name = _normalise_name(record["name"])
    if record["type"].upper() == "PTR":
        try:
            return ipaddress.ip_address(name).reverse_pointer
        except ValueError:
            return name
    return name


class Zone:
    """Records by (name, type), answering one question the way an authoritative server would."""

    def __init__(self, records: list[dict]):
        self.records: dict[str, dict[str, list[tuple[str, int]]]] = {}
        for record in records:
            rtype = str(record["type"]).upper()
            if rtype not in _RDATA:
                raise ValueError(f"unsupported record type {rtype!r} (PTR, A, AAAA, CNAME)")
            value = (
                _normalise_name(record["value"]) if rtype in ("PTR", "CNAME") else record["value"]
            )
            by_type = self.records.setdefault(_record_name(record), {})
            by_type.setdefault(rtype, []).append((str(value), int(record.get("ttl", DEFAULT_TTL))))

    def answer(self, request: DNSRecord) -> DNSRecord:
        """The reply to a one-question query."""
        reply = request.reply()
        qtype = QTYPE[request.q.qtype]
        name = _normalise_name(request.q.qname)
        for _ in range(_MAX_CHAIN):
            by_type = self.records.get(name)
            if by_type is None:
                if not reply.rr:
                    reply.header.rcode = RCODE.NXDOMAIN
                return reply
            if qtype in by_type:
                for value, ttl in by_type[qtype]:
                    reply.add_answer(
                        RR(name, QTYPE.reverse[qtype], rdata=_RDATA[qtype](value), ttl=ttl)
                    )
                return reply
            if "CNAME" not in by_type:
                return reply
            target, ttl = by_type["CNAME"][0]
            reply.add_answer(RR(name, QTYPE.CNAME, rdata=CNAME(target), ttl=ttl))
            name = target
        return reply


class _Protocol(asyncio.DatagramProtocol):
    def __init__(self, server: "ZoneServer"):
        self.server = server
        self.transport = None

    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        server = self.server
        server.queries += 1
        if server.never_answer:
            return
        try:
            request = DNSRecord.parse(data)
        except Exception:  # a malformed packet gets no answer, like a real server under attack
            return
        if server.queries <= server.servfail_first:
            reply = request.reply()
            reply.header.rcode = RCODE.SERVFAIL
        else:
            reply = server.zone.answer(request)
        packet = reply.pack()
        if server.delay > 0:
            asyncio.get_running_loop().call_later(server.delay, self.transport.sendto, packet, addr)
        else:
            self.transport.sendto(packet, addr)


class ZoneServer:
    """A DNS server for a static zone on 127.0.0.1 and a free UDP port; a context manager."""

    def __init__(
        self,
        records: list[dict],
        *,
        delay: float = 0.0,
        never_answer: bool = False,
        servfail_first: int = 0,
        host: str = "127.0.0.1",
        port: int = 0,
    ):
        self.zone = Zone(records)
        self.delay = delay
        self.never_answer = never_answer
        self.servfail_first = servfail_first
        self.host = host
        self.port = port
        self.queries = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    @classmethod
    def from_records(cls, records: list[dict], **options) -> "ZoneServer":
        """A server for a list of {"type", "name", "value"[, "ttl"]} records."""
        return cls(records, **options)

    @classmethod
    def from_file(cls, path, **options) -> "ZoneServer":
        """A server for a JSON zone file of the form {"records": [...]}."""
        data = json.loads(Path(path).read_text())
        return cls(data["records"], **options)

    @property
    def nameserver(self) -> str:
        """The "host:port" string for LEADGEN_DNS_NAMESERVERS."""
        return f"{self.host}:{self.port}"

    def start(self) -> "ZoneServer":
        """Bind the port and serve in a daemon thread; returns once the port is known."""
        ready = threading.Event()
        failure: list[BaseException] = []

        def serve():
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                transport, _ = loop.run_until_complete(
                    loop.create_datagram_endpoint(
                        lambda: _Protocol(self), local_addr=(self.host, self.port)
                    )
                )
            except OSError as exc:
                failure.append(exc)
                ready.set()
                loop.close()
                return
            self.port = transport.get_extra_info("sockname")[1]
            ready.set()
            try:
                loop.run_forever()
            finally:
                transport.close()
                loop.run_until_complete(asyncio.sleep(0))
                loop.close()

        self._thread = threading.Thread(target=serve, name=f"zone-server-{id(self)}", daemon=True)
        self._thread.start()
        ready.wait(10)
        if failure:
            raise failure[0]
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
        self._loop = None
        self._thread = None

    def __enter__(self) -> "ZoneServer":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()
