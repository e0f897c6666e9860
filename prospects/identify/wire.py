"""The few bits of the DNS wire format the stub client needs (RFC 1035 section 4).

A query is one question with recursion desired; a reply is read for its ID, rcode, TC flag,
question and the A, AAAA, PTR and CNAME records of its answer section. Every length and
compression pointer is bounds-checked: a reply is untrusted input, and anything odd raises
WireError (the client then ignores the packet and the query times out or is retried).
dnspython does the same job with a full object model at about 20 times the CPU cost, which
is what limits a thousand lookups a second.
"""

import re
import socket
import struct
from dataclasses import dataclass, field

TYPE_A = 1
TYPE_CNAME = 5
TYPE_PTR = 12
TYPE_AAAA = 28
TYPES = {"A": TYPE_A, "AAAA": TYPE_AAAA, "PTR": TYPE_PTR, "CNAME": TYPE_CNAME}
RCODE_NOERROR = 0
RCODE_SERVFAIL = 2
RCODE_NXDOMAIN = 3
RCODE_NAMES = {1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED"}

_CLASS_IN = 1
_HEADER = struct.Struct("!HHHHHH")
_RR = struct.Struct("!HHIH")
_PLAIN_LABEL = re.compile(rb"[A-Za-z0-9_-]+")
# The zone-file escape _label_text() writes for a byte outside [A-Za-z0-9_-].
_ESCAPE = re.compile(rb"\\(\d{3})")
_MAX_POINTERS = 64
_MAX_CHAIN = 16


class WireError(ValueError):
    """A DNS message that cannot be built or read."""


@dataclass
class Reply:
    """The parts of a DNS reply the resolver uses."""

    qid: int
    rcode: int
    truncated: bool
    qname: str
    qtype: int
    # (owner, type, ttl, value) of the A, AAAA, PTR and CNAME answers; names lower-case.
    records: list[tuple[str, int, int, str]] = field(default_factory=list)


def _label_bytes(label: str, name: str) -> bytes:
    """The raw bytes of a label as _label_text() writes it: \\DDD stands for one byte."""
    try:
        text = label.encode("ascii")
    except UnicodeEncodeError as exc:
        raise WireError(f"non-ASCII label in {name!r}") from exc
    if b"\\" not in text:
        return text
    if b"\\" in _ESCAPE.sub(b"", text):
        raise WireError(f"bad escape in {name!r}")
    values = [int(match.group(1)) for match in _ESCAPE.finditer(text)]
    if max(values) > 255:
        raise WireError(f"bad escape in {name!r}")
    return _ESCAPE.sub(lambda match: bytes([int(match.group(1))]), text)


def encode_name(name: str) -> bytes:
    """A host name in wire format; raises WireError for an invalid name.

    Labels may carry the \\DDD escapes that read_name() writes for unusual bytes, so a PTR
    name read from a reply is queried forward as the very bytes it was received as (and the
    reply to that query reads back as the same text).
    """
    out = bytearray()
    for label in name.rstrip(".").split("."):
        raw = _label_bytes(label, name)
        if not 0 < len(raw) <= 63:
            raise WireError(f"bad label length in {name!r}")
        out.append(len(raw))
        out += raw
    out.append(0)
    if len(out) > 255:
        raise WireError(f"name too long: {name!r}")
    return bytes(out)


def build_query(qid: int, qname: str, qtype: int) -> bytes:
    """A recursive query for one (name, type) in class IN."""
    return (
        _HEADER.pack(qid, 0x0100, 1, 0, 0, 0)
        + encode_name(qname)
        + struct.pack("!HH", qtype, _CLASS_IN)
    )


def _label_text(raw: bytes) -> str:
    if _PLAIN_LABEL.fullmatch(raw):
        return raw.decode("ascii").lower()
    # Any other byte is written as \DDD (zone-file style), so a hostile PTR can never carry
    # markup, spaces, dots or control characters into the evidence and the pages.
    return "".join(
        chr(b).lower() if _PLAIN_LABEL.fullmatch(bytes([b])) else f"\\{b:03d}" for b in raw
    )


def read_name(data: bytes, offset: int) -> tuple[str, int]:
    """(name, offset after it) at `offset`, following compression pointers safely."""
    labels: list[str] = []
    resume = None
    pointers = 0
    wire_length = 0
    while True:
        if offset >= len(data):
            raise WireError("name runs past the end of the message")
        length = data[offset]
        if length & 0xC0 == 0xC0:
            if offset + 1 >= len(data):
                raise WireError("truncated compression pointer")
            if resume is None:
                resume = offset + 2
            pointers += 1
            if pointers > _MAX_POINTERS:
                raise WireError("compression loop")
            offset = ((length & 0x3F) << 8) | data[offset + 1]
            continue
        if length & 0xC0:
            raise WireError("unknown label type")
        offset += 1
        if length == 0:
            break
        if offset + length > len(data):
            raise WireError("label runs past the end of the message")
        wire_length += length + 1
        if wire_length > 255:
            raise WireError("name too long")
        labels.append(_label_text(data[offset : offset + length]))
        offset += length
    return ".".join(labels), (resume if resume is not None else offset)


def parse_reply(data: bytes) -> Reply:
    """Read a reply to a one-question query; raises WireError when it is malformed."""
    if len(data) < _HEADER.size:
        raise WireError("message shorter than a header")
    qid, flags, qdcount, ancount, _, _ = _HEADER.unpack_from(data)
    if not flags & 0x8000:
        raise WireError("not a response")
    if qdcount != 1:
        raise WireError("reply does not carry exactly one question")
    qname, offset = read_name(data, _HEADER.size)
    if offset + 4 > len(data):
        raise WireError("truncated question")
    qtype, _ = struct.unpack_from("!HH", data, offset)
    offset += 4
    reply = Reply(qid, flags & 0x000F, bool(flags & 0x0200), qname, qtype)
    for _ in range(ancount):
        owner, offset = read_name(data, offset)
        if offset + _RR.size > len(data):
            raise WireError("truncated record")
        rtype, rclass, ttl, rdlength = _RR.unpack_from(data, offset)
        offset += _RR.size
        end = offset + rdlength
        if end > len(data):
            raise WireError("record data runs past the end of the message")
        if rclass == _CLASS_IN:
            value = _rdata(data, offset, end, rtype)
            if value is not None:
                reply.records.append((owner, rtype, ttl, value))
        offset = end
    return reply


def _rdata(data: bytes, offset: int, end: int, rtype: int) -> str | None:
    if rtype == TYPE_A and end - offset == 4:
        return socket.inet_ntop(socket.AF_INET, data[offset:end])
    if rtype == TYPE_AAAA and end - offset == 16:
        return socket.inet_ntop(socket.AF_INET6, data[offset:end])
    if rtype in (TYPE_PTR, TYPE_CNAME):
        name, after = read_name(data, offset)
        if after != end:
            raise WireError("name does not fill its record")
        return name
    return None


def answer_values(reply: Reply) -> tuple[list[str], int] | None:
    """(values, ttl) answering the question, following CNAMEs in the answer; None if none."""
    name = reply.qname
    ttl = None
    for _ in range(_MAX_CHAIN):
        found = [
            (v, t) for owner, rtype, t, v in reply.records if owner == name and rtype == reply.qtype
        ]
        if found:
            ttls = [t for _, t in found] + ([ttl] if ttl is not None else [])
            return [v for v, _ in found], min(ttls)
        alias = next(
            (
                (v, t)
                for owner, rtype, t, v in reply.records
                if owner == name and rtype == TYPE_CNAME
            ),
            None,
        )
        if alias is None:
            return None
        name, ttl = alias[0], alias[1] if ttl is None else min(ttl, alias[1])
    return None
