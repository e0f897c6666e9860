"""Reads for the identification page: resolved IPs, their classifications, hand overrides."""

import ipaddress
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet

from prospects.models import IdentificationOverride, IPResolution, Visitor

from .overrides import override_matcher


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
    """The IPs and visitors each override covers, by override id, in two queries for any number.

    Every resolved IP is read once (address, PTR name, domain) with its visitor count, and the
    overrides are matched in memory with the same rules as `overrides.matching_rows`.
    """
    if not overrides_:
        return {}
    visitors = dict(
        Visitor.objects.order_by().values("ip").annotate(n=Count("pk")).values_list("ip", "n")
    )
    rows = IPResolution.objects.values_list("ip", "ptr_name", "domain")
    # Parsing every address costs more than matching it: done once, and only for ranges.
    ranges = any(
        override.kind == IdentificationOverride.Kind.NETWORK or override.ip_key
        for override in overrides_
    )
    rows = [(ip, ipaddress.ip_address(ip) if ranges else None, ptr, dom) for ip, ptr, dom in rows]
    reach = {}
    for override in overrides_:
        covers = override_matcher(override)
        covered = [row[0] for row in rows if covers(*row)]
        reach[override.pk] = Reach(
            ips=len(covered), visitors=sum(visitors.get(ip, 0) for ip in covered)
        )
    return reach
