"""Why a visitor is out of the research queue; the data stays, only the reason is recorded.

Rules, first match wins: internal network (setting LEADGEN_INTERNAL_NETWORKS), private
address, the visitor converted, the visitor's company is a customer / competitor / excluded
or already an SQL (or a later stage; a won customer counts as a customer), the IP is an ISP / residential line, the IP is hosting / cloud, and, before
all of them, a behaviour rule showed the visitor is a bot (ingest.behaviour) or asked for
nothing but account pages (sign-in, registration: a reason of its own). Bots known by
their user agent never become visitors: ingestion drops them. A blank reason means the visitor
is eligible.
"""

from django.conf import settings
from django.db.models import Case, F, OuterRef, Q, QuerySet, Subquery, When

from prospects.identify.models import Classification
from prospects.models import Company, IPResolution, Visitor

from .addresses import internal_network, parse_ip

BOT = "bot"
# A behaviour rule's name and the reason it gives: not shown to be a bot, not a prospect.
ACCOUNT_PAGES = "account pages only"
INTERNAL = "internal network"
PRIVATE = "private address"
CONVERTED = "converted"
CUSTOMER = "customer"
COMPETITOR = "competitor"
EXCLUDED_COMPANY = "excluded company"
SQL_COMPANY = "company already an SQL"
ISP = "ISP / residential"
HOSTING = "hosting / cloud"

REASONS = (
    BOT,
    ACCOUNT_PAGES,
    INTERNAL,
    PRIVATE,
    CONVERTED,
    CUSTOMER,
    COMPETITOR,
    EXCLUDED_COMPANY,
    SQL_COMPANY,
    ISP,
    HOSTING,
)
# The reason recorded for each of Company.DEAD_END_RELATIONSHIPS.
_COMPANY_REASONS = {
    Company.Relationship.CUSTOMER: CUSTOMER,
    Company.Relationship.COMPETITOR: COMPETITOR,
    Company.Relationship.EXCLUDED: EXCLUDED_COMPANY,
}
_CLASSIFICATION_REASONS = {
    Classification.PRIVATE: PRIVATE,
    Classification.ISP: ISP,
    Classification.HOSTING: HOSTING,
}


def bot_reason(bot_rule: str) -> str:
    """The exclusion reason a behaviour rule (`Visitor.bot_rule`, not blank) gives."""
    return ACCOUNT_PAGES if bot_rule == ACCOUNT_PAGES else BOT


def exclusion_reason(
    *,
    ip: str,
    classification: str | None,
    converted: bool,
    relationship: str | None,
    status: str | None,
    bot_rule: str = "",
) -> str:
    """The first exclusion rule a visitor meets, or "" when it is eligible."""
    if bot_rule:
        return bot_reason(bot_rule)
    address = parse_ip(ip)
    if address is not None and internal_network(address, settings.LEADGEN_INTERNAL_NETWORKS):
        return INTERNAL
    if classification == Classification.PRIVATE:
        return PRIVATE
    if converted:
        return CONVERTED
    if relationship in Company.DEAD_END_RELATIONSHIPS:
        return _COMPANY_REASONS[relationship]
    if status == Company.Status.CUSTOMER:
        return CUSTOMER
    if status in Company.SQL_STATUSES:
        return SQL_COMPANY
    return _CLASSIFICATION_REASONS.get(classification, "")


def stale_visitors() -> QuerySet:
    """Visitors whose reason may be out of date: new ones, and company or conversion changes."""
    excluded_company = Q(company__relationship__in=Company.DEAD_END_RELATIONSHIPS) | Q(
        company__status__in=Company.SQL_STATUSES
    )
    company_reasons = [*_COMPANY_REASONS.values(), SQL_COMPANY]
    return Visitor.objects.filter(
        Q(excluded_reason="")
        & (
            Q(company__isnull=True)
            | excluded_company
            | Q(converted_at__isnull=False)
            | ~Q(bot_rule="")
        )
        | Q(excluded_reason__in=company_reasons) & ~excluded_company
    )


def refresh_exclusions(visitors: QuerySet | None = None) -> int:
    """Recompute `excluded_reason` for the given visitors (default: all); returns how many changed."""
    visitors = Visitor.objects.all() if visitors is None else visitors
    # A masked visitor's resolution is gone: the classification kept at masking stands for it.
    classification = Case(
        When(
            ip_key=0,
            then=Subquery(
                IPResolution.objects.filter(ip=OuterRef("ip")).values("classification")[:1]
            ),
        ),
        default=F("masked_classification"),
    )
    rows = visitors.annotate(ip_class=classification).values_list(
        "pk",
        "ip",
        "excluded_reason",
        "converted_at",
        "company__relationship",
        "company__status",
        "ip_class",
        "bot_rule",
    )
    changes: dict[str, list[int]] = {}
    for pk, ip, current, converted_at, relationship, status, ip_class, bot_rule in rows.iterator(
        chunk_size=2000
    ):
        reason = exclusion_reason(
            ip=ip,
            classification=ip_class,
            converted=converted_at is not None,
            relationship=relationship,
            status=status,
            bot_rule=bot_rule,
        )
        if reason != current:
            changes.setdefault(reason, []).append(pk)
    for reason, pks in changes.items():
        for start in range(0, len(pks), 500):
            Visitor.objects.filter(pk__in=pks[start : start + 500]).update(excluded_reason=reason)
    return sum(len(pks) for pks in changes.values())


def refresh_exclusions_for_ips(ips: list[str]) -> int:
    """Recompute the reasons of the visitors coming from these IPs."""
    changed = 0
    for start in range(0, len(ips), 500):
        changed += refresh_exclusions(Visitor.objects.filter(ip__in=ips[start : start + 500]))
    return changed


def refresh_exclusions_for_companies(company_ids: list[int]) -> int:
    """Recompute the reasons of a company's visitors, e.g. after its relationship changed."""
    return refresh_exclusions(Visitor.objects.filter(company_id__in=company_ids))
