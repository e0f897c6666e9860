"""Reads for the company page and a person's work; the only place that shapes their queries."""

import datetime as dt
from dataclasses import dataclass, field

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

from prospects.models import (
    Company,
    IdentificationOverride,
    IPResolution,
    Note,
    PageView,
    Session,
    StatusChange,
    Touchpoint,
    Visitor,
)

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

# Statuses that count as work in progress for the capacity page's team load.
ACTIVE_STATUSES = (Company.Status.RESEARCHING, Company.Status.READY, Company.Status.IN_OUTREACH)


def with_last_visit(queryset: QuerySet[Company]) -> QuerySet[Company]:
    """Annotate `last_visit`: the latest visit of the company's eligible visitors.

    One meaning on every page, filter and endpoint: the figure the company's score stored at
    the last rescore (the pipeline rescores minutes after an import), none for a company
    without an eligible, scored visitor.
    """
    if "last_visit" in queryset.query.annotations:
        return queryset
    return queryset.annotate(last_visit=F("score__last_visit"))


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
        .exclude(status__in=Company.CLOSED_STATUSES)
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
