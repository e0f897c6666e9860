"""A lean asynchronous DNS stub client: many queries in flight over a few UDP sockets.

dnspython's asyncresolver opens a socket and builds a full message object model per query;
at a thousand lookups a second that overhead dominates. Here a small pool of UDP sockets is
shared, each reply is matched to its query by ID, nameserver address and question (a packet
that matches nothing is dropped), and a truncated reply is fetched again over TCP. The wire
format lives in `wire.py`.
"""

import asyncio
import random
import socket
import struct

import dns.resolver

from .wire import Reply, WireError, build_query, parse_reply

_SOCKETS_PER_FAMILY = 8


def system_nameservers() -> list[tuple[str, int]]:
    """The nameservers of the system resolver configuration (resolv.conf)."""
    resolver = dns.resolver.Resolver()
    return [(str(address), resolver.port) for address in resolver.nameservers]


def _family(host: str) -> int:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


class _Datagrams(asyncio.DatagramProtocol):
    def __init__(self):
        self.transport = None
        # query id -> (future, nameserver, qname, qtype) for the queries in flight here
        self.pending: dict[int, tuple[asyncio.Future, tuple[str, int], str, int]] = {}

    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        if len(data) < 2:
            return
        entry = self.pending.get(int.from_bytes(data[:2], "big"))
        if entry is None or entry[0].done() or (addr[0], addr[1]) != entry[1]:
            return
        try:
            reply = parse_reply(data)
        except WireError:
            return
        if reply.qname == entry[2] and reply.qtype == entry[3]:
            entry[0].set_result(reply)

    def error_received(self, exc):
        # ICMP errors cannot be tied to one query on a shared socket: those queries time out.
        pass


class DnsClient:
    """Sends queries to nameservers; `open` them first, `exchange` returns a reply or None."""

    def __init__(self, timeout: float):
        self.timeout = timeout
        self._pools: dict[int, list[_Datagrams]] = {}

    async def open(self, servers: list[tuple[str, int]]) -> None:
        """Bind the sockets needed to reach these nameservers (once, before any query)."""
        loop = asyncio.get_running_loop()
        for family in {_family(host) for host, _ in servers} - self._pools.keys():
            local = ("::", 0) if family == socket.AF_INET6 else ("0.0.0.0", 0)  # noqa: S104 - client port
            self._pools[family] = [
                (await loop.create_datagram_endpoint(_Datagrams, local_addr=local, family=family))[
                    1
                ]
                for _ in range(_SOCKETS_PER_FAMILY)
            ]

    def close(self) -> None:
        """Close every socket."""
        for pool in self._pools.values():
            for protocol in pool:
                protocol.transport.close()
        self._pools.clear()

    async def exchange(self, qname: str, qtype: int, server: tuple[str, int]) -> Reply | None:
        """Send one query to `server`; its reply, or None after the timeout."""
        qname = qname.rstrip(".").lower()
        protocol = random.choice(self._pools[_family(server[0])])
        qid = random.randrange(65536)
        while qid in protocol.pending:
            qid = random.randrange(65536)
        query = build_query(qid, qname, qtype)
        future = asyncio.get_running_loop().create_future()
        protocol.pending[qid] = (future, server, qname, qtype)
        try:
            protocol.transport.sendto(query, server)
            reply = await asyncio.wait_for(future, self.timeout)
        except TimeoutError:
            return None
        finally:
            protocol.pending.pop(qid, None)
        if reply.truncated:
            return await self._exchange_tcp(query, qname, qtype, server)
        return reply

    async def _exchange_tcp(self, query: bytes, qname: str, qtype: int, server) -> Reply | None:
        try:
            async with asyncio.timeout(self.timeout):
                reader, writer = await asyncio.open_connection(server[0], server[1])
                try:
                    writer.write(struct.pack("!H", len(query)) + query)
                    await writer.drain()
                    length = struct.unpack("!H", await reader.readexactly(2))[0]
                    reply = parse_reply(await reader.readexactly(length))
                finally:
                    writer.close()
        except (TimeoutError, OSError, asyncio.IncompleteReadError, WireError):
            return None
        if reply.qid != int.from_bytes(query[:2], "big") or (reply.qname, reply.qtype) != (
            qname,
            qtype,
        ):
            return None
        return reply
