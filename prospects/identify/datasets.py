"""Offline data shipped in `data/`: hosting ranges, hosting ASN names, GeoLite2 ASN names.

Each list is parsed once per process into sorted integer ranges searched with `bisect`
(a lookup costs a few microseconds; loading everything takes well under a second).
"""

import bisect
import csv
import re
import socket
import struct
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .addresses import IPAddress

DATA_DIR = Path(__file__).resolve().parent / "data"
X4BNET_IPV4 = DATA_DIR / "x4bnet_datacenter_ipv4.txt"
X4BNET_ASN = DATA_DIR / "x4bnet_datacenter_asn.txt"
BAD_ASN = DATA_DIR / "bad-asn-list.csv"
IPCAT = DATA_DIR / "ipcat_datacenters.csv"


def _ipv4_int(text: str) -> int:
    return struct.unpack("!I", socket.inet_aton(text))[0]


@dataclass(frozen=True)
class RangeTable:
    """Non-overlapping inclusive integer ranges with a label each, searched by bisect."""

    starts: tuple[int, ...]
    ends: tuple[int, ...]
    labels: tuple[str, ...]
    source: str

    @classmethod
    def build(cls, ranges: list[tuple[int, int, str]], source: str) -> "RangeTable":
        """A table from (start, end, label) triples in any order."""
        ranges.sort()
        return cls(
            starts=tuple(r[0] for r in ranges),
            ends=tuple(r[1] for r in ranges),
            labels=tuple(r[2] for r in ranges),
            source=source,
        )

    def find(self, value: int) -> str | None:
        """The label of the range holding `value`, or None."""
        index = bisect.bisect_right(self.starts, value) - 1
        if index >= 0 and value <= self.ends[index]:
            return self.labels[index]
        return None

    def __len__(self) -> int:
        return len(self.starts)


@cache
def x4bnet_ranges() -> RangeTable:
    """X4BNet datacenter/VPN IPv4 CIDRs; the label is the CIDR itself."""
    ranges = []
    for line in X4BNET_IPV4.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        address, _, prefix = line.partition("/")
        start = _ipv4_int(address)
        ranges.append((start, start + (1 << (32 - int(prefix or 32))) - 1, line))
    return RangeTable.build(ranges, "x4bnet datacenter list")


@cache
def ipcat_ranges() -> RangeTable:
    """ipcat datacenter ranges; the label is "start-end provider"."""
    ranges = []
    with IPCAT.open(newline="") as handle:
        for row in csv.reader(handle):
            if len(row) < 3:
                continue
            ranges.append(
                (_ipv4_int(row[0]), _ipv4_int(row[1]), f"{row[0]}-{row[1]} of {row[2].strip()}")
            )
    return RangeTable.build(ranges, "ipcat datacenter list")


def hosting_range(address: IPAddress) -> str | None:
    """Evidence that an IPv4 address lies in a known datacenter range, else None."""
    if address.version != 4:
        return None
    value = int(address)
    for table in (x4bnet_ranges(), ipcat_ranges()):
        label = table.find(value)
        if label is not None:
            return f"in hosting range {label} ({table.source})"
    return None


def _asn_name_keys(comment: str) -> set[str]:
    """Lower-cased AS handle and organisation from "AMAZON-02 - Amazon.com, Inc., US"."""
    text = re.sub(r",\s*[A-Z]{2}\s*$", "", comment.strip().strip('"'))
    keys = {part.strip().lower() for part in text.split(" - ") if part.strip()}
    return {key for key in keys if len(key) >= 3}


@cache
def hosting_asn_names() -> frozenset[str]:
    """Names of hosting/datacenter ASNs from the X4BNet and bad-asn lists, lower-cased."""
    names: set[str] = set()
    for line in X4BNET_ASN.read_text().splitlines():
        _, _, comment = line.partition("#")
        names |= _asn_name_keys(comment)
    with BAD_ASN.open(newline="") as handle:
        for row in csv.DictReader(handle, skipinitialspace=True):
            names |= _asn_name_keys(row.get("Entity") or "")
    return frozenset(names)


_geoip_lock = threading.Lock()


@cache
def _geoip():
    # geoip2fast ships GeoLite2 ASN data (IPv4 + IPv6) inside the package: no download.
    from geoip2fast import GeoIP2Fast

    return GeoIP2Fast(geoip2fast_data_file="geoip2fast-asn-ipv6.dat.gz", verbose=False)


def asn_name(address: IPAddress) -> str:
    """The AS organisation announcing the address (offline GeoLite2 data), or ""."""
    with _geoip_lock:
        geoip = _geoip()
    try:
        return (geoip.lookup(address.compressed).asn_name or "").strip()
    except Exception:  # a broken lookup only means "no ASN name"
        return ""
