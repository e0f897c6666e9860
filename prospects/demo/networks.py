"""The demo's networks: company offices, home broadband, clouds and campuses, with their DNS zone."""

import ipaddress
import random
from dataclasses import dataclass

from prospects.identify.datasets import hosting_range

from . import catalogue as cat


@dataclass
class DemoCompany:
    domain: str
    relationship: str
    ips: list[str]


class Networks:
    """Fresh addresses for every kind of network a visitor browses from, and their PTR records."""

    def __init__(self, rng: random.Random, *, companies: int):
        self.rng = rng
        self.records: list[dict] = []
        self.used_ips: set[str] = set()
        self.companies = self._make_companies(companies)

    def _fresh_ip(self, make) -> str:
        while True:
            ip = make()
            if ip is not None and ip not in self.used_ips:
                self.used_ips.add(ip)
                return ip

    def _random_ip(self, first: int, seconds=range(256), *, hosting: bool = False) -> str:
        """A fresh, unused IPv4 address first.b.c.d with b drawn from `seconds`.

        Offices, homes and campuses are kept out of the published datacenter ranges, so that
        the demo's dead ends are dead for the reason the generator meant.
        """
        rng = self.rng

        def make():
            ip = f"{first}.{rng.choice(seconds)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
            if not hosting and hosting_range(ipaddress.ip_address(ip)):
                return None
            return ip

        return self._fresh_ip(make)

    def _office_ip(self) -> str:
        first, seconds = self.rng.choice(cat.OFFICE_BLOCKS)
        return self._random_ip(first, seconds)

    def _add_ptr(self, ip: str, name: str, *, confirmed: bool) -> None:
        rev = ipaddress.ip_address(ip).reverse_pointer + "."
        self.records.append({"type": "PTR", "name": rev, "value": name + "."})
        if confirmed:
            rtype = "AAAA" if ":" in ip else "A"
            self.records.append({"type": rtype, "name": name + ".", "value": ip})

    def _make_companies(self, count: int) -> list[DemoCompany]:
        rng = self.rng
        domains = sorted(
            {
                f"{a}-{b}.{t}"
                for a in cat.NAME_FIRST
                for b in cat.NAME_SECOND
                for t in ("com", "co.uk", "de", "io")
            }
        )
        rng.shuffle(domains)
        companies = []
        for i, domain in enumerate(domains[:count]):
            if i % 10 == 0:
                relationship = "customer"
            elif i % 33 == 1:
                relationship = "competitor"
            else:
                relationship = "prospect"
            ips = [self._office_ip() for _ in range(rng.choice((1, 1, 1, 2, 3)))]
            if i % 40 == 7:
                ips.append(f"2a0b:4d07:{rng.randrange(1, 0xFFFF):x}::{rng.randrange(1, 0xFF):x}")
            roll = rng.random()
            for n, ip in enumerate(ips):
                name = f"{rng.choice(cat.ROUTER_NAMES)}{n + 1}.{domain}"
                if roll < 0.85:
                    self._add_ptr(ip, name, confirmed=True)
                elif roll < 0.95:
                    self._add_ptr(ip, name, confirmed=False)
            companies.append(DemoCompany(domain, relationship, ips))
        return companies

    def home_ip(self) -> str:
        """A residential broadband address with its ISP's PTR name."""
        firsts, template = self.rng.choice(cat.ISP_POOLS)
        ip = self._random_ip(self.rng.choice(firsts))
        a, b, c, d = (int(x) for x in ip.split("."))
        self._add_ptr(ip, template.format(a=a, b=b, c=c, d=d), confirmed=True)
        return ip

    def cloud_ip(self) -> str:
        """A datacenter address named like AWS's."""
        ip = self._random_ip(self.rng.choice(cat.CLOUD_FIRST_OCTETS), hosting=True)
        a, b, c, d = (int(x) for x in ip.split("."))
        self._add_ptr(ip, cat.CLOUD_PTR.format(a=a, b=b, c=c, d=d), confirmed=True)
        return ip

    def campus_ip(self) -> str:
        """A university wifi address."""
        ip = self._random_ip(128)
        name = f"wifi-{ip.replace('.', '-')}.{self.rng.choice(cat.UNIVERSITIES)}"
        self._add_ptr(ip, name, confirmed=True)
        return ip
