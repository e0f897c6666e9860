"""A visitor's address after masking: the kept prefix, and a keyed hash of the full address.

Masking (privacy.masking) replaces a resolved visitor's address with its first
LEADGEN_IP_MASK_IPV4_BITS / _IPV6_BITS bits and keeps `key(address)` beside it. The key, not
the masked address, is what a later log line of that visitor is matched on, so visitors of one
/24 with the same browser stay apart, and a re-imported line finds its masked visitor. It is a
keyed hash (HMAC-SHA256 with LEADGEN_IP_MASK_KEY): without the key nobody can test an address
against it, with it the server can (erasure by IP after masking needs exactly that), so masked
data is pseudonymous, not anonymous.
"""

import hashlib
import hmac
import ipaddress
import socket

from django.conf import settings

# Visitor.ip_key of a visitor whose address is still the full one.
RAW = 0
_KEY_BITS = (1 << 63) - 1


def normal(ip: str) -> str:
    """The address in the one text form the database keeps (lower case, compressed IPv6)."""
    # Addresses from the parsers are in that form already: inet_pton checks it in a tenth of
    # the time ipaddress takes (asked once per visitor of every import). IPv6 with a dotted
    # tail is written differently by the two, so it goes the slow way.
    try:
        if ":" not in ip:
            socket.inet_pton(socket.AF_INET, ip)
            return ip
        if (
            "." not in ip
            and socket.inet_ntop(socket.AF_INET6, socket.inet_pton(socket.AF_INET6, ip)) == ip
        ):
            return ip
    except (OSError, ValueError):  # ValueError: a NUL in the text
        pass
    try:
        return str(ipaddress.ip_address(ip.strip()))
    except ValueError:
        return ip


# Keys by address, for the secret in `_keys_secret`. Every import asks for the keys of its
# visitors' addresses (10 us each, most of it parsing the address), and the tracker's writer
# asks again for the same visitors every flush window. A plain dict emptied when full: 20,000
# entries take ~2 MB, where the lru_cache of 50,000 (secret, address) keys it replaces took
# ~13 MB, reached only by imports with that many visitors (a log import's peak memory then
# grew with the log by a tenth).
KEY_CACHE_LIMIT = 20_000
_keys: dict[str, int] = {}
_keys_secret = ""


def key(ip: str) -> int:
    """The keyed 63-bit hash of a full address, never RAW (Visitor.ip_key once masked)."""
    global _keys_secret
    secret = settings.LEADGEN_IP_MASK_KEY
    if secret != _keys_secret:
        _keys.clear()
        _keys_secret = secret
    found = _keys.get(ip)
    if found is None:
        if len(_keys) >= KEY_CACHE_LIMIT:
            _keys.clear()
        found = _keys[ip] = _key(secret, ip)
    return found


def _key(secret: str, ip: str) -> int:
    digest = hmac.digest(secret.encode(), normal(ip).encode(), hashlib.sha256)
    return (int.from_bytes(digest[:8], "big") & _KEY_BITS) or 1


def kept_bits(version: int) -> int:
    """How many leading bits masking keeps of an address of this IP version."""
    return (
        settings.LEADGEN_IP_MASK_IPV4_BITS if version == 4 else settings.LEADGEN_IP_MASK_IPV6_BITS
    )


def masked(ip: str) -> str:
    """The address with only its kept prefix: 203.0.113.77 → 203.0.113.0 at 24 bits."""
    address = ipaddress.ip_address(normal(ip))
    # An IPv4 address written as IPv6 (::ffff:a.b.c.d) is masked as the IPv4 address it is.
    address = getattr(address, "ipv4_mapped", None) or address
    return str(prefix_network(str(address)).network_address)


def prefix_network(prefix: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """The network a masked address stands for: 203.0.113.0 → 203.0.113.0/24 at 24 bits."""
    address = ipaddress.ip_address(prefix)
    return ipaddress.ip_network(f"{address}/{kept_bits(address.version)}", strict=False)
