"""Reads for the research queue and the outreach workspace; the only place that shapes queries.

Scores are read through the `score` relation (`scoring.CompanyScore`), never by importing
scoring's models, so the dependency keeps pointing from scoring to prospects.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import (
    Company,
    IdentificationOverride,
    IPResolution,
    LogImport,
    Note,
    PageView,
    Session,
    StatusChange,
    ThresholdChange,
    Touchpoint,
    Visitor,
)

DEFAULT_THRESHOLD = Decimal("0.50")
# A claim with no note, status move or touchpoint for this long is shown as stale.
STALE_CLAIM_DAYS = 7
# A company in outreach whose last touchpoint is older than this is due a follow-up.
FOLLOW_UP_DAYS = 5
# The company page shows this many of the latest sessions.
TIMELINE_SESSIONS = 25
# ... and this many of its latest visitors and IP addresses (a big company has thousands).
DETAIL_ROWS = 50
# Sessions are counted up to this many: a big company's exact total costs a scan of them all.
SESSION_COUNT_CAP = 1000
# Thresholds on the capacity chart, highest first.
CAPACITY_STEPS = [Decimal(f"0.{n}") for n in range(9, 0, -1)]
# Statuses that never appear in the queue.
CLOSED_STATUSES = (Company.Status.CONVERTED, Company.Status.DISQUALIFIED)
# Relationships that make a company a dead end for research.
DEAD_END_RELATIONSHIPS = (
    Company.Relationship.CUSTOMER,
    Company.Relationship.COMPETITOR,
    Company.Relationship.EXCLUDED,
)
# Statuses that count as work in progress for the capacity page's team load.
ACTIVE_STATUSES = (Company.Status.RESEARCHING, Company.Status.READY, Company.Status.IN_OUTREACH)


def eligible_visitors() -> QuerySet[Visitor]:
    """Visitors that can put their company in the queue: not excluded and not converted."""
    return Visitor.objects.filter(excluded_reason="", converted_at__isnull=True)


def _eligible_of_outer_company() -> QuerySet[Visitor]:
    return eligible_visitors().filter(company=OuterRef("pk"))


def with_last_visit(queryset: QuerySet[Company]) -> QuerySet[Company]:
    """Annotate `last_visit` (latest eligible visitor's last_seen, live) unless already there.

    research_queue() rows already carry the score's `last_visit` (as of the last rescore), so
    the queue's filters and recency sort use that one.
    """
    if "last_visit" in queryset.query.annotations:
        return queryset
    latest = _eligible_of_outer_company().order_by(F("last_seen").desc(nulls_last=True))
    return queryset.annotate(
        last_visit=Subquery(latest.values("last_seen")[:1], output_field=DateTimeField())
    )


def with_activity(queryset: QuerySet[Company]) -> QuerySet[Company]:
    """Annotate `last_activity` (newest note, status move or touchpoint) and `is_stale`."""

    def newest(model, column):
        rows = model.objects.filter(company=OuterRef("pk")).order_by(f"-{column}")
        return Subquery(rows.values(column)[:1], output_field=DateTimeField())

    cutoff = timezone.now() - dt.timedelta(days=STALE_CLAIM_DAYS)
    recent = (
        Exists(Note.objects.filter(company=OuterRef("pk"), created_at__gte=cutoff))
        | Exists(StatusChange.objects.filter(company=OuterRef("pk"), changed_at__gte=cutoff))
        | Exists(Touchpoint.objects.filter(company=OuterRef("pk"), created_at__gte=cutoff))
    )
    return queryset.annotate(
        last_note_at=newest(Note, "created_at"),
        last_status_at=newest(StatusChange, "changed_at"),
        last_touch_at=newest(Touchpoint, "created_at"),
        is_stale=ExpressionWrapper(
            Q(assignee__isnull=False, claimed_at__lt=cutoff) & ~Q(recent),
            output_field=BooleanField(),
        ),
    )


def current_threshold() -> Decimal:
    """The capacity threshold in force: the newest ThresholdChange, else 0.50."""
    value = ThresholdChange.objects.order_by("-changed_at", "-id").values_list("value", flat=True)
    return value.first() or DEFAULT_THRESHOLD


def _queue_base() -> QuerySet[Company]:
    """Companies that may be researched, whatever their score."""
    today = timezone.localdate()
    return (
        Company.objects.filter(score__isnull=False)
        .exclude(relationship__in=DEAD_END_RELATIONSHIPS)
        .exclude(status__in=CLOSED_STATUSES)
        .exclude(status=Company.Status.SNOOZED, snoozed_until__gt=today)
        .filter(Exists(_eligible_of_outer_company()))
    )


def research_queue(*, user, threshold=None) -> QuerySet[Company]:
    """Companies at or above the threshold, best first, annotated for the queue table.

    Each row carries `probability`, `reasons`, `model_version_id`, `visitor_count` (eligible
    visitors), `last_visit`, `pricing_views`, `premium_views`, `is_mine`, `is_stale` and the
    `assignee` joined in; the whole page is one query plus the paginator's count. The visitor
    count, page views and last visit are the score's engagement summary, as of the last
    rescore (a live count over every visitor's page views is too slow for the queue).
    """
    if threshold is None:
        threshold = current_threshold()
    queryset = (
        _queue_base()
        .filter(score__probability__gte=float(threshold))
        .select_related("assignee")
        .annotate(
            probability=F("score__probability"),
            reasons=F("score__reasons"),
            model_version_id=F("score__model_version_id"),
            visitor_count=F("score__visitor_count"),
            pricing_views=F("score__pricing_views"),
            premium_views=F("score__premium_views"),
            last_visit=F("score__last_visit"),
            is_mine=ExpressionWrapper(
                Q(assignee_id=user.pk) if user.pk else Q(pk__in=[]), output_field=BooleanField()
            ),
        )
        .order_by(F("score__probability").desc(), "pk")
    )
    return with_activity(queryset)


def paginate_queue(queryset: QuerySet[Company], *, user, page_number, per_page: int = 50) -> Page:
    """One page of a (filtered) research_queue(), in three queries whatever the queue's size.

    The count and the page's ids come from the lean query; the row annotations are computed
    for the page's rows only (SQLite would otherwise compute them for every row it sorts).
    """
    page = Paginator(queryset.values_list("pk", flat=True), per_page).get_page(page_number)
    ids = list(page.object_list)
    rows = research_queue(user=user, threshold=0).filter(pk__in=ids).in_bulk()
    page.object_list = [rows[pk] for pk in ids if pk in rows]
    return page


def queue_length_by_threshold() -> list[dict]:
    """How many companies the queue holds at each threshold 0.9 … 0.1, in one query."""
    counts = _queue_base().aggregate(
        **{
            f"t{step}": Count("pk", filter=Q(score__probability__gte=float(step)))
            for step in CAPACITY_STEPS
        }
    )
    return [{"threshold": step, "companies": counts[f"t{step}"]} for step in CAPACITY_STEPS]


def team_load() -> dict:
    """Work in progress: companies claimed and active, and how many people hold claims."""
    active = Company.objects.filter(assignee__isnull=False, status__in=ACTIVE_STATUSES)
    return active.aggregate(claimed=Count("pk"), people=Count("assignee", distinct=True))


def threshold_history(limit: int = 20) -> QuerySet[ThresholdChange]:
    """The latest threshold changes with who made them."""
    return ThresholdChange.objects.select_related("changed_by").order_by("-changed_at", "-id")[
        :limit
    ]


@dataclass
class CompanyDetail:
    """Everything the company page shows, each list already fetched."""

    company: Company
    ips: list = field(default_factory=list)
    sessions: list = field(default_factory=list)
    # Counted up to SESSION_COUNT_CAP; `session_total_capped` says the real total is larger.
    session_total: int = 0
    session_total_capped: bool = False
    visitors: list = field(default_factory=list)
    visitor_total: int = 0
    contacts: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    touchpoints: list = field(default_factory=list)
    status_changes: list = field(default_factory=list)
    overrides: list = field(default_factory=list)


def company_detail(*, company_id) -> CompanyDetail:
    """A company with its evidence, latest sessions, score and work history.

    Raises Company.DoesNotExist. Neither the number of queries nor the rows rendered grow with
    the data: the timeline holds the latest TIMELINE_SESSIONS sessions, the visitor and IP
    lists the latest DETAIL_ROWS.
    """
    company = with_activity(
        with_last_visit(Company.objects.select_related("assignee", "score", "score__model_version"))
    ).get(pk=company_id)
    visitors_qs = Visitor.objects.filter(company=company)
    visitors = list(visitors_qs.order_by("-last_seen", "pk")[:DETAIL_ROWS])
    ip_list = {v.ip for v in visitors}
    ips = list(
        IPResolution.objects.filter(Q(company=company) | Q(ip__in=ip_list)).order_by("ip")[
            :DETAIL_ROWS
        ]
    )
    sessions_qs = Session.objects.filter(visitor__company=company)
    sessions = list(
        sessions_qs.select_related("visitor", "landing_page")
        # The timeline lists each session's page views: one query for all of them.
        .prefetch_related(
            Prefetch(
                "pageviews",
                queryset=PageView.objects.select_related("page").order_by("ts", "pk"),
                to_attr="timeline_views",
            )
        )
        .order_by("-started_at", "-pk")[:TIMELINE_SESSIONS]
    )
    session_total = sessions_qs.order_by()[: SESSION_COUNT_CAP + 1].count()
    return CompanyDetail(
        company=company,
        ips=ips,
        sessions=sessions,
        session_total=min(session_total, SESSION_COUNT_CAP),
        session_total_capped=session_total > SESSION_COUNT_CAP,
        visitors=visitors,
        visitor_total=visitors_qs.count(),
        contacts=list(company.contacts.all()),
        notes=list(company.notes.select_related("author")),
        touchpoints=list(company.touchpoints.select_related("contact", "logged_by")),
        status_changes=list(company.status_changes.select_related("changed_by")),
        overrides=list(IdentificationOverride.objects.filter(company=company)),
    )


def my_work(*, user) -> dict:
    """A person's work: companies they have claimed, and companies waiting on outreach.

    `claimed` holds their claims (open ones first); `outreach` holds companies ready for
    outreach or in outreach, with `last_touch_at` so the page can show follow-ups due.
    """
    claimed = (
        with_activity(with_last_visit(Company.objects.filter(assignee=user)))
        .select_related("score")
        .exclude(status__in=CLOSED_STATUSES)
        .order_by("snoozed_until", "-claimed_at")
    )
    follow_up = timezone.now() - dt.timedelta(days=FOLLOW_UP_DAYS)
    outreach = (
        with_activity(
            Company.objects.filter(
                status__in=(Company.Status.READY, Company.Status.IN_OUTREACH)
            ).select_related("assignee", "score")
        )
        .annotate(
            touchpoint_count=Coalesce(
                Subquery(
                    Touchpoint.objects.filter(company=OuterRef("pk"))
                    .order_by()
                    .values("company")
                    .annotate(n=Count("pk"))
                    .values("n"),
                    output_field=IntegerField(),
                ),
                0,
            ),
            due=Case(
                When(
                    status=Company.Status.READY,
                    last_touch_at__isnull=True,
                    then=Value("first touch"),
                ),
                When(last_touch_at__lt=follow_up, then=Value("follow up")),
                default=Value(""),
                output_field=CharField(),
            ),
        )
        .order_by(F("last_touch_at").asc(nulls_first=True), "name")
    )
    return {"claimed": claimed, "outreach": outreach}


def recent_imports(limit: int = 20) -> QuerySet[LogImport]:
    """The latest log imports with their counts and malformed samples."""
    return LogImport.objects.order_by("-started_at")[:limit]


def ip_classifications(*, classification: str = "", limit: int = 200) -> QuerySet[IPResolution]:
    """Resolved IPs, newest first, optionally of one classification, with their company."""
    rows = IPResolution.objects.select_related("company").order_by(
        F("resolved_at").desc(nulls_last=True), "ip"
    )
    if classification:
        rows = rows.filter(classification=classification)
    return rows[:limit]


def identification_counts() -> dict:
    """How many resolved IPs fall in each classification."""
    rows = IPResolution.objects.order_by().values("classification").annotate(n=Count("pk"))
    return {row["classification"]: row["n"] for row in rows}


def overrides(limit: int = 200) -> QuerySet[IdentificationOverride]:
    """Hand overrides of identification, newest first."""
    return IdentificationOverride.objects.select_related("company", "created_by")[:limit]
