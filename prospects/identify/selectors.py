"""Reads for the identification page: resolved IPs, their classifications, hand overrides."""

import ipaddress
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet

from prospects.models import IdentificationOverride, IPResolution, Visitor

from .overrides import masked_matcher, override_matcher


def ip_classifications(*, classification: str = "", search: str = "") -> QuerySet[IPResolution]:
    """Resolved IPs, newest first, of one classification and matching a search, with their company.

    The search matches the start of the IP, or part of the PTR name, domain, ASN name or company.
    """
    rows = IPResolution.objects.select_related("company").order_by(
        F("resolved_at").desc(nulls_last=True), "ip"
    )
    if classification:
        rows = rows.filter(classification=classification)
    search = search.strip()
    if search:
        rows = rows.filter(
            Q(ip__startswith=search)
            | Q(ptr_name__icontains=search)
            | Q(domain__icontains=search)
            | Q(asn_name__icontains=search)
            | Q(company__name__icontains=search)
        )
    return rows


def identification_counts() -> dict:
    """How many resolved IPs fall in each classification."""
    rows = IPResolution.objects.order_by().values("classification").annotate(n=Count("pk"))
    return {row["classification"]: row["n"] for row in rows}


def overrides() -> QuerySet[IdentificationOverride]:
    """Hand overrides of identification, newest first."""
    return IdentificationOverride.objects.select_related("company", "created_by")


@dataclass(frozen=True)
class Reach:
    """How much of the data an override covers."""

    ips: int
    visitors: int


def override_reach(overrides_: list[IdentificationOverride]) -> dict[int, Reach]:
    """The IPs and visitors each override covers, by override id, in three queries for any number.

    Every resolved IP is read once (address, PTR name, domain) with its visitor count, and so is
    every masked prefix (key, company domain: they have no resolution left); the overrides are
    matched in memory with the same rules as `overrides.matching_rows` and `masked_visitor_ids`.
    """
    if not overrides_:
        return {}
    full = Visitor.objects.filter(ip_key=0).order_by()
    visitors = dict(full.values("ip").annotate(n=Count("pk")).values_list("ip", "n"))
    masked = [
        (key, ipaddress.ip_address(prefix), domain or "", n)
        for prefix, key, domain, n in Visitor.objects.filter(ip_key__gt=0)
        .order_by()
        .values("ip", "ip_key", "company__domain")
        .annotate(n=Count("pk"))
        .values_list("ip", "ip_key", "company__domain", "n")
    ]
    rows = IPResolution.objects.values_list("ip", "ptr_name", "domain")
    # Parsing every address costs more than matching it: done once, and only for ranges.
    ranges = any(
        override.kind == IdentificationOverride.Kind.NETWORK or override.ip_key
        for override in overrides_
    )
    rows = [(ip, ipaddress.ip_address(ip) if ranges else None, ptr, dom) for ip, ptr, dom in rows]
    reach = {}
    for override in overrides_:
        covers, covers_masked = override_matcher(override), masked_matcher(override)
        covered = [row[0] for row in rows if covers(*row)]
        hidden = sum(n for key, prefix, domain, n in masked if covers_masked(key, prefix, domain))
        reach[override.pk] = Reach(
            ips=len(covered), visitors=sum(visitors.get(ip, 0) for ip in covered) + hidden
        )
    return reach
