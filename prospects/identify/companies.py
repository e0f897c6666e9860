"""Companies from business domains (one per registrable domain) and visitors linked to them."""

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Subquery

from prospects.models import Company, IPResolution, Visitor

from .domains import company_name


def derived_company_name(domain: str) -> str:
    """The display name a new company gets from its domain until a person edits it."""
    return company_name(domain)[:200]


def companies_for_domains(domains: Iterable[str]) -> dict[str, Company]:
    """The company of each registrable domain, created if missing; safe under concurrent runs.

    Uniqueness is the database's job (Company.domain is unique): rows are inserted with
    ON CONFLICT DO NOTHING and then read back, so two runs never create the same company twice.
    """
    wanted = {domain for domain in domains if domain}
    if not wanted:
        return {}
    found = {c.domain: c for c in Company.objects.filter(domain__in=wanted)}
    missing = sorted(wanted - found.keys())
    if missing:
        Company.objects.bulk_create(
            [Company(domain=d, name=derived_company_name(d)) for d in missing],
            ignore_conflicts=True,
            batch_size=500,
        )
        found.update({c.domain: c for c in Company.objects.filter(domain__in=missing)})
    return found


def company_for_domain(domain: str) -> Company:
    """The company of one registrable domain, created with a derived name if missing."""
    return companies_for_domains([domain])[domain]


def link_visitors(*, ips: Iterable[str] | None = None) -> int:
    """Point visitors at their IP's company (or none); without `ips`, only unlinked visitors.

    Masked visitors keep the company they had: their address is no longer the one resolved.

    One set-based UPDATE with a correlated subquery: it reads the committed resolution at
    the moment it runs, so concurrent runs converge instead of overwriting each other.
    """
    company = Subquery(IPResolution.objects.filter(ip=OuterRef("ip")).values("company_id")[:1])
    if ips is not None:
        ips = list(ips)
        changed = 0
        for start in range(0, len(ips), 500):
            changed += Visitor.objects.filter(ip__in=ips[start : start + 500], ip_key=0).update(
                company_id=company
            )
        return changed
    has_company = IPResolution.objects.filter(ip=OuterRef("ip"), company__isnull=False)
    return (
        Visitor.objects.filter(company__isnull=True, ip_key=0)
        .filter(Exists(has_company))
        .update(company_id=company)
    )
