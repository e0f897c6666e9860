"""IP masking after resolution: keep the company, drop the address's last bits.

With LEADGEN_IP_MASKING on, a visitor whose IP was resolved (looked up, or decided without
DNS) at least LEADGEN_IP_MASK_DELAY_HOURS ago gets its address cut to the first
LEADGEN_IP_MASK_IPV4_BITS / _IPV6_BITS bits; its company, exclusion reason and the
classification of the full address stay. The visitor key stops being the address: it becomes
the keyed hash of the full address (visits.ipkeys) with the user agent's hash, so

- two visitors of one /24 with the same browser stay two visitors (no merge);
- a later or re-imported line from the full address finds the masked visitor (no split, and
  the line hashes still make a re-import add nothing);
- the masked prefix is never looked up as a new IP: identification reads unmasked visitors only.

The IP resolution of an address goes once no unmasked visitor has it, and addresses in the
samples of malformed lines of imports older than the delay are masked the same way. So are
single-IP overrides (a researcher's "not this company" among them) saved before the cutoff:
the value keeps the prefix, the key beside it is what addresses and masked visitors are
matched on (identify.overrides), so the override still means the one address it named. Each
batch is one short transaction that waits for the importers' merge turn, so an import never
creates an unmasked twin of a visitor being masked. Idempotent: a masked visitor is never
masked again.
"""

import datetime as dt
import ipaddress
import re
from dataclasses import asdict, dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from prospects.identify.models import IdentificationOverride, IPResolution
from prospects.visits import ipkeys
from prospects.visits.ingest.sessions import take_merge_turn
from prospects.visits.models import LogImport, Visitor

# Outcomes that are an answer: a pending or failed lookup is retried, so not masked yet.
RESOLVED = (IPResolution.Outcome.OK, IPResolution.Outcome.NXDOMAIN, IPResolution.Outcome.SKIPPED)
# Candidate addresses in free text; each is parsed before it is masked.
_ADDRESS = re.compile(
    # A run of hex digits, dots and at least two colons (IPv6, IPv4-mapped too), or a dotted quad
    # (which may be followed by a port).
    r"(?<![\w.:])(?=[0-9A-Fa-f.:]*:[0-9A-Fa-f.]*:)[0-9A-Fa-f.:]{2,45}(?![\w.:])"
    r"|(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?![\w.])"
)


@dataclass
class MaskResult:
    """What one masking run changed."""

    visitors: int = 0
    resolutions: int = 0
    samples: int = 0
    overrides: int = 0

    def as_dict(self) -> dict:
        """The result as a JSON-ready dict."""
        return asdict(self)


def cutoff(now: dt.datetime | None = None) -> dt.datetime:
    """Addresses resolved (or imports started) before this are masked."""
    hours = settings.LEADGEN_IP_MASK_DELAY_HOURS
    return (now or timezone.now()) - dt.timedelta(hours=hours)


def due_visitors(now: dt.datetime | None = None):
    """Unmasked visitors whose IP has been resolved for at least the delay."""
    resolved = IPResolution.objects.filter(
        ip=OuterRef("ip"), outcome__in=RESOLVED, resolved_at__lte=cutoff(now)
    )
    return (
        Visitor.objects.filter(ip_key=ipkeys.RAW)
        .annotate(resolved_class=Subquery(resolved.values("classification")[:1]))
        .filter(resolved_class__isnull=False)
    )


def mask_resolved(*, now: dt.datetime | None = None, batch: int | None = None) -> MaskResult:
    """Mask every due visitor, `batch` per transaction, then the old malformed-line samples.

    Does nothing while LEADGEN_IP_MASKING is off.
    """
    result = MaskResult()
    if not settings.LEADGEN_IP_MASKING:
        return result
    batch = batch or settings.LEADGEN_IP_MASK_BATCH
    while True:
        with transaction.atomic():
            take_merge_turn()
            rows = list(
                due_visitors(now)
                .select_for_update(of=("self",))
                .order_by("pk")
                .values_list("pk", "ip", "resolved_class")[:batch]
            )
            if not rows:
                break
            result.visitors += _mask_visitors(rows)
            result.resolutions += _drop_resolutions({ip for _pk, ip, _class in rows})
    result.samples = mask_samples(now)
    result.overrides = mask_overrides(now)
    return result


def mask_overrides(now: dt.datetime | None = None) -> int:
    """Mask the single-IP overrides saved before the cutoff: prefix and key, as visitors."""
    due = IdentificationOverride.objects.filter(
        kind=IdentificationOverride.Kind.IP, ip_key=ipkeys.RAW, created_at__lte=cutoff(now)
    )
    overrides = [
        IdentificationOverride(pk=pk, value=ipkeys.masked(ip), ip_key=ipkeys.key(ip))
        for pk, ip in due.values_list("pk", "value")
    ]
    IdentificationOverride.objects.bulk_update(overrides, ["value", "ip_key"], batch_size=500)
    return len(overrides)


def _mask_visitors(rows: list[tuple[int, str, str]]) -> int:
    visitors = [
        Visitor(
            pk=pk,
            ip=ipkeys.masked(ip),
            ip_key=ipkeys.key(ip),
            masked_classification=classification,
        )
        for pk, ip, classification in rows
    ]
    Visitor.objects.bulk_update(visitors, ["ip", "ip_key", "masked_classification"])
    return len(visitors)


def _drop_resolutions(ips: set[str]) -> int:
    """Delete the resolutions of these addresses that no unmasked visitor has any more."""
    still_used = set(
        Visitor.objects.filter(ip__in=ips, ip_key=ipkeys.RAW).values_list("ip", flat=True)
    )
    gone = [ip for ip in ips if ip not in still_used]
    return IPResolution.objects.filter(ip__in=gone).delete()[0] if gone else 0


def mask_samples(now: dt.datetime | None = None) -> int:
    """Mask the addresses in malformed-line samples of imports started before the cutoff."""
    changed = 0
    old = LogImport.objects.filter(started_at__lte=cutoff(now), malformed__gt=0)
    for log_import in old.only("pk", "malformed_samples").iterator(chunk_size=200):
        samples = [mask_text(sample) for sample in log_import.malformed_samples]
        if samples != log_import.malformed_samples:
            changed += sum(
                new != was for new, was in zip(samples, log_import.malformed_samples, strict=True)
            )
            LogImport.objects.filter(pk=log_import.pk).update(malformed_samples=samples)
    return changed


def mask_text(value):
    """`value` (text, or a list or dict of them) with every IP address in it masked."""
    if isinstance(value, list):
        return [mask_text(item) for item in value]
    if isinstance(value, dict):
        return {key: mask_text(item) for key, item in value.items()}
    if not isinstance(value, str):
        return value
    return _ADDRESS.sub(_mask_match, value)


def _mask_match(match: re.Match) -> str:
    try:
        ipaddress.ip_address(match.group())
    except ValueError:
        return match.group()
    return ipkeys.masked(match.group())
