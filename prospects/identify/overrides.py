"""Hand overrides: "this IP / range / domain is company X" (or an ISP, hosting...).

This module validates and matches overrides; `identify.services` writes them. An override wins
over every later lookup: `resolve_pending_ips` consults the override index right before it
writes, and saving an override rewrites the matching IP resolutions, their visitors' companies
and exclusion reasons at once. The most specific override wins: IP, then the narrowest range,
then the longest domain.

Masked visitors (privacy.masking) have no full address: an override reaches them by the keyed
hash of the address (an IP override), by their kept prefix (a range at least as wide as it)
or by their company's domain (a domain override). A masked IP override matches by its key.
"""

import ipaddress
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Q

from prospects.identify.models import Classification
from prospects.models import Company, IdentificationOverride, IPResolution, Visitor
from prospects.visits import ipkeys

from .addresses import IPAddress, normalise_ip
from .classify import Verdict

Kind = IdentificationOverride.Kind


def normalise_value(kind: str, value: str) -> str:
    """The canonical form of an override's value; raises ValidationError when it is not valid."""
    value = (value or "").strip().lower()
    if kind == Kind.IP:
        ip = normalise_ip(value)
        if ip is None:
            raise ValidationError({"value": f"{value!r} is not an IP address."})
        return ip
    if kind == Kind.NETWORK:
        try:
            return ipaddress.ip_network(value, strict=False).compressed
        except ValueError as exc:
            raise ValidationError({"value": f"{value!r} is not a CIDR range: {exc}"}) from exc
    if kind == Kind.DOMAIN:
        value = value.rstrip(".")
        if "." not in value or any(not label for label in value.split(".")):
            raise ValidationError({"value": f"{value!r} is not a domain name."})
        return value
    raise ValidationError({"kind": f"Unknown override kind {kind!r}."})


def clean_override(*, kind: str, value: str, classification: str, company: Company | None) -> str:
    """Check an override the way every form, the API and the services do; return its value.

    Raises ValidationError (by field) when the value is not of its kind, the classification is
    missing or a business override names no company.
    """
    errors = {}
    try:
        value = normalise_value(kind, value)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if classification not in Classification.values or classification == Classification.PENDING:
        errors["classification"] = ["An override must name a classification."]
    elif classification == Classification.BUSINESS and company is None:
        errors["company"] = ["A business override needs a company."]
    if errors:
        raise ValidationError(errors)
    return value


@dataclass
class OverrideIndex:
    """All overrides, ready to match an address and its PTR name quickly."""

    by_ip: dict[str, IdentificationOverride] = field(default_factory=dict)
    networks: list[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, IdentificationOverride]] = (
        field(default_factory=list)
    )
    by_domain: dict[str, IdentificationOverride] = field(default_factory=dict)
    # Masked IP overrides by their key; every IP override by the key of its full address.
    by_key: dict[int, IdentificationOverride] = field(default_factory=dict)
    every_key: dict[int, IdentificationOverride] = field(default_factory=dict)

    @classmethod
    def load(cls) -> "OverrideIndex":
        """Every override from the database, with its company."""
        index = cls()
        for override in IdentificationOverride.objects.select_related("company", "created_by"):
            if override.kind == Kind.IP and override.ip_key:
                index.by_key[override.ip_key] = override
                index.every_key[override.ip_key] = override
            elif override.kind == Kind.IP:
                index.by_ip[override.value] = override
                index.every_key[ipkeys.key(override.value)] = override
            elif override.kind == Kind.NETWORK:
                index.networks.append((ipaddress.ip_network(override.value), override))
            else:
                index.by_domain[override.value] = override
        index.networks.sort(key=lambda pair: -pair[0].prefixlen)
        return index

    def __bool__(self) -> bool:
        return bool(self.by_ip or self.by_key or self.networks or self.by_domain)

    def match_address(self, address: IPAddress) -> IdentificationOverride | None:
        """The IP or range override covering an address (no DNS needed), or None."""
        found = self.by_ip.get(address.compressed)
        if found:
            return found
        if self.by_key:
            found = self.by_key.get(ipkeys.key(address.compressed))
            if found:
                return found
        for network, override in self.networks:
            if network.version == address.version and address in network:
                return override
        return None

    def match(self, address: IPAddress, ptr_name: str = "") -> IdentificationOverride | None:
        """The most specific override for an address and its PTR name, or None."""
        found = self.match_address(address)
        if found or not ptr_name or not self.by_domain:
            return found
        return self._match_domain(ptr_name)

    def match_masked(self, ip_key: int, prefix: str, domain: str) -> IdentificationOverride | None:
        """The most specific override for a masked visitor (key, kept prefix, company domain)."""
        found = self.every_key.get(ip_key)
        if found:
            return found
        address = ipaddress.ip_address(prefix)
        for network, override in self.networks:
            if network.version == address.version and _covers_prefix(network, address):
                return override
        return self._match_domain(domain) if domain and self.by_domain else None

    def _match_domain(self, name: str) -> IdentificationOverride | None:
        labels = name.lower().rstrip(".").split(".")
        for start in range(len(labels) - 1):
            found = self.by_domain.get(".".join(labels[start:]))
            if found:
                return found
        return None


def _covers_prefix(network, prefix: IPAddress) -> bool:
    """Whether a range holds every address a masked prefix stands for (a narrower one may not)."""
    return network.prefixlen <= ipkeys.kept_bits(network.version) and prefix in network


def override_verdict(override: IdentificationOverride, ptr_name: str = "") -> Verdict:
    """The verdict an override imposes, with evidence naming the override and its author."""
    company = override.company if override.classification == Classification.BUSINESS else None
    subject = company.name if company else override.get_classification_display()
    line = f"hand override: {override.get_kind_display()} {override.value} is {subject}"
    if override.created_by_id:
        line += f" (set by {override.created_by.get_username()})"
    if override.note:
        line += f": {override.note}"
    evidence = [line] + ([f"PTR {ptr_name}"] if ptr_name else [])
    return Verdict(
        override.classification,
        company.domain if company else "",
        evidence,
        company_id=company.pk if company else None,
    )


def override_matcher(override: IdentificationOverride):
    """A test (ip, address, PTR name, domain) -> bool of the rows an override covers, in memory.

    The same rules as `matching_rows`, for pages that count many overrides' reach at once;
    `ip` is the stored address text, `address` the parsed one (read by range overrides only).
    """
    if override.kind == Kind.IP and override.ip_key:
        network, ip_key = ipkeys.prefix_network(override.value), override.ip_key
        return lambda ip, address, ptr_name, domain: (
            address.version == network.version and address in network and ipkeys.key(ip) == ip_key
        )
    if override.kind == Kind.IP:
        return lambda ip, address, ptr_name, domain: ip == override.value
    if override.kind == Kind.DOMAIN:
        value, suffix = override.value, f".{override.value}"
        return lambda ip, address, ptr_name, domain: (
            domain == value or ptr_name == value or ptr_name.endswith(suffix)
        )
    network = ipaddress.ip_network(override.value)
    return lambda ip, address, ptr_name, domain: (
        address.version == network.version and address in network
    )


def domain_filter(domain: str) -> Q:
    """The IP resolutions a domain override covers: that domain, or a PTR name under it."""
    return Q(domain=domain) | Q(ptr_name=domain) | Q(ptr_name__endswith=f".{domain}")


def matching_rows(override: IdentificationOverride) -> list[IPResolution]:
    """The IP resolutions an override covers, locked for update (call inside a transaction)."""
    rows = IPResolution.objects.select_for_update().order_by("pk")
    if override.kind == Kind.IP and not override.ip_key:
        return list(rows.filter(ip=override.value))
    if override.kind == Kind.DOMAIN:
        return list(rows.filter(domain_filter(override.value)))
    covers = override_matcher(override)
    ids = [
        pk
        for pk, ip in IPResolution.objects.values_list("pk", "ip").iterator(chunk_size=5000)
        if covers(ip, ipaddress.ip_address(ip), "", "")
    ]
    return [
        row
        for start in range(0, len(ids), 500)
        for row in rows.filter(pk__in=ids[start : start + 500])
    ]


def masked_matcher(override: IdentificationOverride):
    """A test (ip_key, prefix address, company domain) -> bool of the masked visitors an
    override covers, in memory: `masked_visitor_ids`'s rules, for counting many at once."""
    if override.kind == Kind.IP:
        ip_key = override.ip_key or ipkeys.key(override.value)
        return lambda key, prefix, domain: key == ip_key
    if override.kind == Kind.DOMAIN:
        value, suffix = override.value, f".{override.value}"
        return lambda key, prefix, domain: domain == value or domain.endswith(suffix)
    network = ipaddress.ip_network(override.value)
    return lambda key, prefix, domain: (
        prefix.version == network.version and _covers_prefix(network, prefix)
    )


def masked_visitor_ids(override: IdentificationOverride) -> list[int]:
    """The masked visitors an override covers (`OverrideIndex.match_masked`'s rules)."""
    masked = Visitor.objects.filter(ip_key__gt=0)
    if override.kind == Kind.IP:
        ip_key = override.ip_key or ipkeys.key(override.value)
        return list(masked.filter(ip_key=ip_key).values_list("pk", flat=True))
    if override.kind == Kind.DOMAIN:
        value = override.value
        found = masked.filter(Q(company__domain=value) | Q(company__domain__endswith=f".{value}"))
        return list(found.values_list("pk", flat=True))
    network = ipaddress.ip_network(override.value)
    prefixes = [
        prefix
        for prefix in masked.order_by().values_list("ip", flat=True).distinct().iterator()
        if ipaddress.ip_address(prefix).version == network.version
        and _covers_prefix(network, ipaddress.ip_address(prefix))
    ]
    return [
        pk
        for start in range(0, len(prefixes), 500)
        for pk in masked.filter(ip__in=prefixes[start : start + 500]).values_list("pk", flat=True)
    ]
