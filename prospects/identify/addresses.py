"""IP normalisation and the address ranges that are never looked up in DNS.

Only ranges that can never name an organisation on the public internet count as private:
RFC 1918, shared CGNAT space, loopback, link-local, multicast, unspecified and the reserved
240/4 block (IPv6: ULA, link-local, loopback, multicast). The documentation ranges
(192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32) are resolved like public
addresses on purpose, so tests and the demo can use them with a local DNS zone.
"""

import ipaddress
from collections.abc import Iterable
from functools import cache

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_PRIVATE = [
    ("0.0.0.0/8", "unspecified / this network"),
    ("10.0.0.0/8", "RFC 1918 private network"),
    ("100.64.0.0/10", "shared address space (carrier-grade NAT)"),
    ("127.0.0.0/8", "loopback"),
    ("169.254.0.0/16", "link-local"),
    ("172.16.0.0/12", "RFC 1918 private network"),
    ("192.168.0.0/16", "RFC 1918 private network"),
    ("224.0.0.0/4", "multicast"),
    ("240.0.0.0/4", "reserved"),
    ("::/128", "unspecified"),
    ("::1/128", "loopback"),
    ("fc00::/7", "unique local address"),
    ("fe80::/10", "link-local"),
    ("ff00::/8", "multicast"),
]
PRIVATE_NETWORKS = [(ipaddress.ip_network(net), label) for net, label in _PRIVATE]


def parse_ip(text: str) -> IPAddress | None:
    """The address in `text`, with IPv4-mapped IPv6 (::ffff:a.b.c.d) unwrapped; None if invalid."""
    try:
        address = ipaddress.ip_address(str(text).strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def normalise_ip(text: str) -> str | None:
    """The canonical text of an address, as Django stores it (compressed, IPv4 unwrapped)."""
    address = parse_ip(text)
    return None if address is None else address.compressed


def private_reason(address: IPAddress) -> str | None:
    """Why an address is private or reserved (e.g. "10.0.0.0/8 RFC 1918 private network"), else None."""
    for network, label in PRIVATE_NETWORKS:
        if address.version == network.version and address in network:
            return f"{network} {label}"
    return None


def parse_networks(values: Iterable[str]) -> list[IPNetwork]:
    """CIDR strings as networks (host bits allowed); raises ValueError on a bad entry."""
    return [ipaddress.ip_network(value.strip(), strict=False) for value in values if value.strip()]


@cache
def _internal_networks(values: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(parse_networks(values))


def internal_network(address: IPAddress, values: Iterable[str]) -> IPNetwork | None:
    """The first of the vendor's own networks (setting LEADGEN_INTERNAL_NETWORKS) holding the address."""
    for network in _internal_networks(tuple(values)):
        if address.version == network.version and address in network:
            return network
    return None
