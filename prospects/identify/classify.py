"""Turn what is known about one IP into a classification with human-readable evidence.

Order (first match wins): private, hosting range, hosting domain, known ISP domain,
education/government domain (a campus Wi-Fi pool with dynamic-looking names is still the
university), dynamic/residential name, hosting ASN (only without a confirmed PTR), no usable
PTR, business. Only a forward-confirmed PTR makes a business: a PTR
that does not resolve back to the address can be set by anyone who controls the range.
"""

from dataclasses import dataclass, field

from prospects.identify.models import Classification

from . import datasets, domains
from .addresses import IPAddress, private_reason
from .dynamic import dynamic_evidence
from .resolver import Lookup


@dataclass
class Verdict:
    """The classification of one IP, the registrable domain it points at, and why."""

    classification: str
    domain: str = ""
    evidence: list[str] = field(default_factory=list)
    asn_name: str = ""
    # Set by a hand override that names its company directly.
    company_id: int | None = None

    @property
    def is_business(self) -> bool:
        """Whether this verdict names a company (a business with a domain)."""
        return self.classification == Classification.BUSINESS and bool(self.domain)


def classify_offline(address: IPAddress) -> Verdict | None:
    """A verdict that needs no DNS (private or hosting range), or None."""
    reason = private_reason(address)
    if reason:
        return Verdict(Classification.PRIVATE, evidence=[f"private or reserved address ({reason})"])
    in_range = datasets.hosting_range(address)
    if in_range:
        return Verdict(Classification.HOSTING, evidence=[in_range])
    return None


def classify(address: IPAddress, lookup: Lookup, asn_name: str = "") -> Verdict:
    """Classify an address from its DNS lookup and offline data."""
    offline = classify_offline(address)
    if offline:
        offline.asn_name = asn_name
        return offline
    evidence = []
    if asn_name:
        evidence.append(f"announced by AS {asn_name}")
    ptr = lookup.ptr_name
    domain, suffix = domains.split_name(ptr) if ptr else ("", "")

    def verdict(classification: str, reason: str) -> Verdict:
        return Verdict(classification, domain, [reason, *evidence], asn_name)

    if ptr and domain in domains.HOSTING_DOMAINS:
        return verdict(Classification.HOSTING, f"PTR {ptr} is under hosting domain {domain}")
    if ptr and domain in domains.ISP_DOMAINS:
        return verdict(Classification.ISP, f"PTR {ptr} is under ISP domain {domain}")
    kind = domains.sector(domain, suffix) if domain else None
    if kind:
        confirmation = "resolves back" if lookup.forward_confirmed else "is not forward-confirmed"
        classification = (
            Classification.EDUCATION if kind == "education" else Classification.GOVERNMENT
        )
        return verdict(
            classification, f"PTR {ptr} ({confirmation}) is under {kind} domain {domain}"
        )
    if ptr:
        dynamic = dynamic_evidence(ptr, domain, address)
        if dynamic:
            return verdict(Classification.ISP, f"{dynamic}: {ptr}")
    if not lookup.forward_confirmed and asn_name.lower() in datasets.hosting_asn_names():
        return verdict(Classification.HOSTING, f"AS {asn_name} is on the hosting ASN lists")
    if lookup.outcome == "failed":
        return verdict(Classification.UNKNOWN, f"reverse DNS failed: {lookup.error}")
    if not ptr:
        return verdict(Classification.UNKNOWN, "no PTR record")
    if not domain:
        return verdict(Classification.UNKNOWN, f"PTR {ptr} has no registrable domain")
    if not lookup.forward_confirmed:
        return verdict(
            Classification.UNKNOWN,
            f"PTR {ptr} does not resolve back to {address.compressed} (not forward-confirmed)",
        )
    return verdict(Classification.BUSINESS, f"PTR {ptr} resolves back to {address.compressed}")
