"""Reverse-DNS names typical of dynamic and residential address pools.

Tokens are matched as whole alphabetic runs of the host part (the labels left of the
registrable domain), never as substrings: "generaldynamics.com" is a company, while
"dyn-12.pool.example-isp.net" is a subscriber line. An address written into the name
(decimal in either order, zero-padded, or hex) marks a generated pool name too.
"""

import re

from .addresses import IPAddress

# Tokens seen in subscriber-pool names (SpamAssassin 20_dynrdns.cf, fqrdns.pcre). Words that
# also name company gateways (nat, client, mobile, wireless, wlan, vpn, gw) are left out on
# purpose: "nat1.atlas-consulting.io" is an office, not a home line.
DYNAMIC_TOKENS = frozenset(
    [
        *("dyn", "dynamic", "dynip", "dhcp", "dsl", "adsl", "vdsl", "xdsl", "sdsl"),
        *("cable", "cablemodem", "cpe", "pool", "ppp", "pppoe", "dial", "dialup", "dialin"),
        *("res", "resi", "resident", "residential", "cust", "customer", "broadband", "hsd"),
        *("ftth", "fttx", "fttc", "fttp"),
    ]
)
_WORD = re.compile(r"[a-z]+")
_NUMBER = re.compile(r"\d+")


def dynamic_evidence(ptr_name: str, domain: str, address: IPAddress) -> str | None:
    """Why a PTR name looks like a dynamic/residential pool name, or None."""
    name = ptr_name.lower().rstrip(".")
    host = name[: -len(domain)].rstrip(".") if domain and name.endswith(domain) else name
    if not host:
        return None
    for word in _WORD.findall(host):
        if word in DYNAMIC_TOKENS:
            return f"PTR contains dynamic token '{word}'"
    encoded = _encoded_address(host, address)
    if encoded:
        return f"PTR encodes the IP address ({encoded})"
    return None


def _encoded_address(host: str, address: IPAddress) -> str | None:
    if address.version == 4:
        octets = list(address.packed)
        numbers = [int(n) for n in _NUMBER.findall(host) if len(n) <= 3]
        for order in (octets, octets[::-1]):
            for start in range(len(numbers) - 3):
                if numbers[start : start + 4] == order:
                    return "-".join(str(o) for o in order)
        padded = "".join(f"{o:03d}" for o in octets)
        if padded in host:
            return padded
        hexed = f"{int(address):08x}"
        if hexed in host.replace("-", "").replace(".", ""):
            return hexed
        return None
    nibbles = address.exploded.replace(":", "")
    flat = re.sub(r"[^0-9a-f]", "", host)
    interface = nibbles[16:].lstrip("0")
    if len(interface) >= 6 and interface in flat:
        return address.compressed
    return None
