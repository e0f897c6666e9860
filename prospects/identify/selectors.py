"""Reads for the identification page: resolved IPs, their classifications, hand overrides."""

import ipaddress
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet

from prospects.models import IdentificationOverride, IPResolution, Visitor

from .overrides import Kind, domain_filter

# Queries of a page of overrides stay few: IPs are counted in chunks of this many.
_CHUNK = 500


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
    """The IPs and visitors each override covers, by override id (a few queries per override)."""
    all_ips = None
    reach = {}
    for override in overrides_:
        if override.kind == Kind.NETWORK:
            if all_ips is None:
                all_ips = [
                    ipaddress.ip_address(ip)
                    for ip in IPResolution.objects.values_list("ip", flat=True)
                ]
            network = ipaddress.ip_network(override.value)
            ips = [
                ip.compressed for ip in all_ips if ip.version == network.version and ip in network
            ]
            visitors = sum(
                Visitor.objects.filter(ip__in=ips[start : start + _CHUNK]).count()
                for start in range(0, len(ips), _CHUNK)
            )
            reach[override.pk] = Reach(ips=len(ips), visitors=visitors)
            continue
        if override.kind == Kind.IP:
            covered = IPResolution.objects.filter(ip=override.value)
        else:
            covered = IPResolution.objects.filter(domain_filter(override.value))
        reach[override.pk] = Reach(
            ips=covered.count(),
            visitors=Visitor.objects.filter(ip__in=covered.values("ip")).count(),
        )
    return reach
