"""Writes of IP identification: `resolve_pending_ips` (the one way in) and hand overrides.

The Celery task `prospects.tasks.resolve_ips`, the `resolve_ips` command, the demo and the
tests all call it. It works in chunks: claim due rows (so concurrent runs take disjoint
rows), decide what needs no DNS (private, hosting range, IP/range override), resolve the rest
concurrently, then write the chunk under row locks with the overrides read fresh (an override
saved meanwhile still wins), link visitors to companies and refresh their exclusion reasons.
"""

import datetime as dt
import ipaddress
import time
from dataclasses import asdict, dataclass

from django.db import transaction
from django.utils import timezone

from prospects.identify.models import Classification
from prospects.models import Company, IdentificationOverride, IPResolution, Visitor

from . import records
from .classify import Verdict, classify, classify_offline
from .companies import companies_for_domains, link_visitors
from .datasets import asn_name
from .domains import registrable_domain
from .exclusions import refresh_exclusions, refresh_exclusions_for_ips, stale_visitors
from .overrides import (
    OverrideIndex,
    clean_override,
    masked_visitor_ids,
    matching_rows,
    override_verdict,
)
from .resolver import FAILED, NXDOMAIN, OK, Lookup, ResolverConfig, lookup_ips

CHUNK_SIZE = 1000
_WRITTEN_FIELDS = [
    "outcome",
    "ptr_name",
    "forward_confirmed",
    "domain",
    "asn_name",
    "classification",
    "evidence",
    "company",
    "attempts",
    "error",
    "resolved_at",
    "expires_at",
]
Outcome = IPResolution.Outcome


@dataclass
class ResolveResult:
    """What one run did. Classification counts cover the rows resolved in this run."""

    resolved: int = 0
    business: int = 0
    isp: int = 0
    hosting: int = 0
    education: int = 0
    government: int = 0
    private: int = 0
    unknown: int = 0
    # Lookups that timed out or got SERVFAIL after every retry (retried later, not cached).
    failed: int = 0
    nxdomain: int = 0
    # Rows decided without DNS: private, hosting range, IP or range override.
    skipped: int = 0
    dns_queries: int = 0
    exclusions_changed: int = 0
    companies_total: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict:
        """The result as a JSON-ready dict."""
        return asdict(self)


def resolve_pending_ips(
    *, all: bool = False, limit: int | None = None, nameservers: list[str] | None = None
) -> ResolveResult:
    """Resolve visitor IPs that are new, pending or expired (all of them with `all`).

    Creates IPResolution rows for visitor IPs that have none, classifies each IP with its
    evidence, creates one Company per business domain, links visitors and records why
    excluded visitors are out of the queue. Idempotent and safe to run concurrently.
    `nameservers` ("host:port" strings) replaces LEADGEN_DNS_NAMESERVERS for this run.
    """
    started = time.monotonic()
    result = ResolveResult()
    records.create_missing_resolutions()
    if all:
        IPResolution.objects.update(expires_at=timezone.now())
    config = ResolverConfig.from_settings(nameservers)
    # Rows another run holds are waited for, up to one lease: if that run died (a killed
    # worker), its rows lapse and are done here instead of waiting for the next run.
    deadline = time.monotonic() + records.lease().total_seconds() + 1
    while limit is None or result.resolved < limit:
        size = CHUNK_SIZE if limit is None else min(CHUNK_SIZE, limit - result.resolved)
        ids = records.claim_due(size, timezone.now())
        if not ids:
            if limit is None and records.wait_for_held_rows(deadline):
                continue
            break
        ips = _resolve_chunk(ids, config, result)
        link_visitors(ips=ips)
        result.exclusions_changed += refresh_exclusions_for_ips(ips)
    # Visitors new since their IP was resolved, and company or conversion changes.
    link_visitors()
    result.exclusions_changed += refresh_exclusions(None if all else stale_visitors())
    result.companies_total = Company.objects.count()
    result.seconds = round(time.monotonic() - started, 3)
    return result


def _resolve_chunk(ids: list[int], config: ResolverConfig, result: ResolveResult) -> list[str]:
    ips = list(IPResolution.objects.filter(pk__in=ids).values_list("ip", flat=True))
    addresses = {ip: ipaddress.ip_address(ip) for ip in ips}
    index = OverrideIndex.load()
    verdicts: dict[str, Verdict] = {}
    pending = []
    for ip, address in addresses.items():
        override = index.match_address(address)
        verdict = override_verdict(override) if override else classify_offline(address)
        if verdict is None:
            pending.append(ip)
        else:
            verdicts[ip] = verdict
    run = records.holding_lease(ids, lambda: lookup_ips(pending, config))
    result.dns_queries += run.queries
    for ip in pending:
        verdicts[ip] = classify(addresses[ip], run.lookups[ip], asn_name(addresses[ip]))
    for ip, verdict in verdicts.items():
        if verdict.classification == Classification.HOSTING and not verdict.asn_name:
            verdict.asn_name = asn_name(addresses[ip])
    _save_chunk(ids, verdicts, run.lookups, result)
    return ips


def _save_chunk(
    ids: list[int], verdicts: dict[str, Verdict], lookups: dict[str, Lookup], result: ResolveResult
) -> None:
    now = timezone.now()
    with transaction.atomic():
        rows = list(IPResolution.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
        # Read after taking the row locks: an override committed since the chunk began wins.
        index = OverrideIndex.load()
        for row in rows:
            lookup = lookups.get(row.ip)
            ptr = lookup.ptr_name if lookup else ""
            override = index.match(ipaddress.ip_address(row.ip), ptr)
            if override:
                verdict = override_verdict(override, ptr)
                verdict.domain = verdict.domain or (registrable_domain(ptr) if ptr else "")
                verdicts[row.ip] = verdict
            elif (
                lookup
                and lookup.outcome == FAILED
                and row.outcome in (Outcome.OK, Outcome.NXDOMAIN)
            ):
                # A timeout is not an answer: keep the previous result and retry later.
                verdicts[row.ip] = None
        companies = companies_for_domains(
            v.domain for v in verdicts.values() if v and v.is_business and v.company_id is None
        )
        for row in rows:
            _apply(row, verdicts.get(row.ip), lookups.get(row.ip), companies, now, result)
        records.write_rows(rows, _WRITTEN_FIELDS)


def _apply(
    row: IPResolution,
    verdict: Verdict | None,
    lookup: Lookup | None,
    companies: dict[str, Company],
    now: dt.datetime,
    result: ResolveResult,
) -> None:
    result.resolved += 1
    if verdict is None:
        row.attempts += 1
        row.error = lookup.error[:300]
        row.expires_at = now + records.failure_ttl(row.attempts)
        result.failed += 1
        _count(result, row.classification)
        return
    row.classification = verdict.classification
    row.evidence = verdict.evidence
    row.domain = verdict.domain[:253]
    row.asn_name = verdict.asn_name[:200]
    if verdict.company_id is not None:
        row.company_id = verdict.company_id
    elif verdict.is_business:
        row.company = companies[verdict.domain]
    else:
        row.company = None
    row.resolved_at = now
    if lookup is None:
        row.outcome, row.ptr_name, row.forward_confirmed = Outcome.SKIPPED, "", False
        row.attempts, row.error = 0, ""
        row.expires_at = now + records.OFFLINE_TTL
        result.skipped += 1
    else:
        row.outcome = lookup.outcome
        row.ptr_name = lookup.ptr_name[:253]
        row.forward_confirmed = lookup.forward_confirmed
        if lookup.outcome == OK:
            row.attempts, row.error = 0, ""
            row.expires_at = now + records.positive_ttl(lookup.ttl)
        elif lookup.outcome == NXDOMAIN:
            row.attempts, row.error = 0, ""
            row.expires_at = now + records.NEGATIVE_TTL
            result.nxdomain += 1
        else:
            row.attempts += 1
            row.error = lookup.error[:300]
            row.expires_at = now + records.failure_ttl(row.attempts)
            result.failed += 1
    _count(result, row.classification)


def _count(result: ResolveResult, classification: str) -> None:
    if (
        classification in (c.value for c in Classification)
        and classification != Classification.PENDING
    ):
        setattr(result, classification, getattr(result, classification) + 1)


@transaction.atomic
def create_override(
    *,
    kind: str,
    value: str,
    classification: str,
    company: Company | None = None,
    note: str = "",
    created_by=None,
    ip_key: int = 0,
) -> IdentificationOverride:
    """Create (or replace) the override for (kind, value) and apply it at once.

    `ip_key` makes an IP override a masked one: `value` is then a kept prefix and the override
    is for the full address of that keyed hash (privacy.masking).
    """
    value = clean_override(kind=kind, value=value, classification=classification, company=company)
    found = IdentificationOverride.objects.filter(kind=kind, value=value, ip_key=ip_key).first()
    override = found or IdentificationOverride(kind=kind, value=value, ip_key=ip_key)
    override.classification = classification
    override.company = company
    override.note = note
    override.created_by = created_by or override.created_by
    return save_override(override=override)


@transaction.atomic
def save_override(*, override: IdentificationOverride) -> IdentificationOverride:
    """Validate and save an override (new or edited), then apply it to existing IPs and visitors."""
    override.value = clean_override(
        kind=override.kind,
        value=override.value,
        classification=override.classification,
        company=override.company if override.company_id else None,
    )
    if override.classification != Classification.BUSINESS:
        override.company = None
    override.save()
    _apply_override(override)
    return override


def _apply_override(override: IdentificationOverride) -> int:
    """Rewrite the IP resolutions an override covers, then their visitors; returns rows changed."""
    now = timezone.now()
    records.create_missing_resolutions()
    index = OverrideIndex.load()
    changed = []
    for row in matching_rows(override):
        # A more specific override (an IP inside this range) keeps winning.
        winner = index.match(ipaddress.ip_address(row.ip), row.ptr_name) or override
        verdict = override_verdict(winner, row.ptr_name)
        row.classification = verdict.classification
        row.company = winner.company if verdict.classification == Classification.BUSINESS else None
        row.evidence = verdict.evidence
        row.domain = verdict.domain or row.domain
        if row.outcome in (Outcome.PENDING, Outcome.FAILED):
            row.outcome = Outcome.SKIPPED
            row.error = ""
            row.resolved_at = now
            row.expires_at = now + records.OFFLINE_TTL
        changed.append(row)
    records.write_rows(
        changed,
        [
            "classification",
            "company",
            "evidence",
            "domain",
            "outcome",
            "error",
            "resolved_at",
            "expires_at",
        ],
    )
    ips = [row.ip for row in changed]
    link_visitors(ips=ips)
    refresh_exclusions_for_ips(ips)
    return len(changed) + _apply_to_masked(override, index)


def _apply_to_masked(override: IdentificationOverride, index: OverrideIndex) -> int:
    """Give the masked visitors an override covers its verdict (they have no resolution left).

    Each takes the most specific override that covers it, as an address does.
    """
    ids = masked_visitor_ids(override)
    rows = Visitor.objects.values_list("pk", "ip", "ip_key", "company__domain")
    visitors = []
    for start in range(0, len(ids), 500):
        for pk, prefix, ip_key, domain in rows.filter(pk__in=ids[start : start + 500]):
            winner = index.match_masked(ip_key, prefix, domain or "") or override
            business = winner.classification == Classification.BUSINESS
            visitors.append(
                Visitor(
                    pk=pk,
                    company_id=winner.company_id if business else None,
                    masked_classification=winner.classification,
                )
            )
    Visitor.objects.bulk_update(visitors, ["company", "masked_classification"], batch_size=500)
    for start in range(0, len(ids), 500):
        refresh_exclusions(Visitor.objects.filter(pk__in=ids[start : start + 500]))
    return len(visitors)


@transaction.atomic
def remove_override(*, override: IdentificationOverride) -> int:
    """Delete an override; the IPs it covered are looked up again on the next run."""
    rows = matching_rows(override)
    override.delete()
    return IPResolution.objects.filter(pk__in=[row.pk for row in rows]).update(
        expires_at=timezone.now(), evidence=["override removed: due for a fresh lookup"]
    )
