"""Reads for the company page and a person's work; the only place that shapes their queries."""

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ObjectDoesNotExist
from django.db import connection
from django.db.models import (
    BooleanField,
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
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from leadgen.db import newest_of_parents
from prospects.models import (
    Company,
    Contact,
    IdentificationOverride,
    IPResolution,
    Note,
    PageView,
    Session,
    StatusChange,
    Task,
    Touchpoint,
    Visitor,
    Watch,
)

# A claim with no note, status move or touchpoint for this long is shown as stale.
STALE_CLAIM_DAYS = 7

# The company page shows this many of the latest sessions.
TIMELINE_SESSIONS = 25

# ... and this many of its latest visitors and IP addresses (a big company has thousands).
DETAIL_ROWS = 50

# ... and this many of its latest notes, touchpoints, moves and tasks each.
TIMELINE_ITEMS = 100

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


def company_list(user) -> QuerySet[Company]:
    """Every company this person may open (Company.objects.visible_to), dead ends included, by
    name, with `probability` and `last_visit` for the queue's filters: the companies API and
    the companies CSV, from the page and the API, read this one list."""
    companies = (
        Company.objects.visible_to(user)
        .select_related("assignee", "rep")
        .annotate(probability=F("score__probability"))
    )
    return with_last_visit(companies).order_by("name", "pk")


def count_per_company(rows: QuerySet) -> Coalesce:
    """A subquery for a company queryset's annotate: how many of these rows (a model with a
    `company` key) are the row's company's, 0 for none."""
    counted = (
        rows.filter(company=OuterRef("pk")).order_by().values("company").annotate(n=Count("pk"))
    )
    return Coalesce(Subquery(counted.values("n"), output_field=IntegerField()), 0)


def visible_contacts(user) -> QuerySet[Contact]:
    """The contacts at the companies this person may open (Company.objects.visible_to), by
    company domain and name: one list for the API, the CSV downloads and their filters."""
    return (
        Contact.objects.filter(company__in=Company.objects.visible_to(user).values("pk"))
        .select_related("company", "created_by")
        .order_by("company__domain", "name", "pk")
    )


def visible_touchpoints(user) -> QuerySet[Touchpoint]:
    """The touchpoints with the companies this person may open, newest first."""
    return (
        Touchpoint.objects.filter(company__in=Company.objects.visible_to(user).values("pk"))
        .select_related("company", "contact", "logged_by")
        .order_by("-happened_on", "-pk")
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
    tasks: list = field(default_factory=list)
    overrides: list = field(default_factory=list)

    @property
    def open_tasks(self) -> list:
        """The company's tasks still to do, soonest first."""
        return sorted((t for t in self.tasks if t.done_at is None), key=lambda t: (t.due_on, t.pk))

    @property
    def next_task(self):
        """The open task due first, or None."""
        return next(iter(self.open_tasks), None)

    @property
    def latest_change(self):
        """The company's latest status move (the one an undo would undo), or None."""
        return self.status_changes[0] if self.status_changes else None

    @property
    def segment(self):
        """The company's behaviour segment in the latest clustering, or None (joined in)."""
        try:
            return self.company.segment_link.segment
        except ObjectDoesNotExist:
            return None

    @property
    def newest_visit(self):
        """When the company's most recently seen visitor was last seen, or None."""
        return self.visitors[0].last_seen if self.visitors else None


def _latest_sessions(company_id: int) -> tuple[list[int], int]:
    """The ids of the company's latest TIMELINE_SESSIONS sessions, and how many sessions it
    has, counted up to SESSION_COUNT_CAP + 1: one query for both."""
    sql, params = newest_of_parents(
        f"{Session._meta.db_table} s",
        columns="s.id",
        order="s.started_at DESC, s.id DESC",
        parents=Visitor.objects.filter(company_id=company_id).order_by().values("id"),
        limit=SESSION_COUNT_CAP + 1,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = [row[0] for row in cursor.fetchall()]
    return ids[:TIMELINE_SESSIONS], len(ids)


def company_detail(*, company_id, user, items: int = TIMELINE_ITEMS) -> CompanyDetail:
    """A company with its evidence, latest sessions, score, tasks and work history.

    Raises Company.DoesNotExist, also for a company held out from this person. Neither the
    number of queries nor the rows rendered grow with the data: the timeline holds the latest
    TIMELINE_SESSIONS sessions, the latest `items` (at most TIMELINE_ITEMS) notes, touchpoints
    and status moves, whose totals the company row counts (`note_total`, `touchpoint_total`,
    `status_change_total`), the latest TIMELINE_ITEMS tasks, the visitor and IP lists the
    latest DETAIL_ROWS. The company row brings its score, segment, visitor count and
    whether this person watches it (`watching`), so no panel asks again.
    """
    company = with_activity(
        with_last_visit(
            Company.objects.visible_to(user)
            .select_related(
                "assignee", "rep", "score", "score__model_version", "segment_link__segment"
            )
            .annotate(
                visitor_total=count_per_company(Visitor.objects.all()),
                note_total=count_per_company(Note.objects.all()),
                touchpoint_total=count_per_company(Touchpoint.objects.all()),
                status_change_total=count_per_company(StatusChange.objects.all()),
                watching=Exists(Watch.objects.filter(company=OuterRef("pk"), user_id=user.pk)),
            )
        )
    ).get(pk=company_id)
    visitors_qs = Visitor.objects.filter(company=company)
    # Nulls last on every database: the first visitor is the one seen most recently.
    visitors = list(visitors_qs.order_by(F("last_seen").desc(nulls_last=True), "pk")[:DETAIL_ROWS])
    ip_list = {v.ip for v in visitors}
    ips = list(
        IPResolution.objects.filter(Q(company=company) | Q(ip__in=ip_list)).order_by("ip")[
            :DETAIL_ROWS
        ]
    )
    latest_ids, session_total = _latest_sessions(company.pk)
    sessions = list(
        Session.objects.filter(pk__in=latest_ids)
        .select_related("visitor", "landing_page")
        # The timeline lists each session's page views: one query for all of them.
        .prefetch_related(
            Prefetch(
                "pageviews",
                queryset=PageView.objects.select_related("page").order_by("ts", "pk"),
                to_attr="timeline_views",
            )
        )
        .order_by("-started_at", "-pk")
    )
    latest = min(items, TIMELINE_ITEMS)
    return CompanyDetail(
        company=company,
        ips=ips,
        sessions=sessions,
        session_total=min(session_total, SESSION_COUNT_CAP),
        session_total_capped=session_total > SESSION_COUNT_CAP,
        visitors=visitors,
        visitor_total=company.visitor_total,
        contacts=list(company.contacts.all()),
        notes=list(company.notes.select_related("author")[:latest]),
        touchpoints=list(
            company.touchpoints.select_related("contact", "logged_by").order_by(
                "-created_at", "-id"
            )[:latest]
        ),
        status_changes=list(company.status_changes.select_related("changed_by")[:latest]),
        # Open tasks first (all of them are shown), then the latest done ones.
        tasks=list(
            company.tasks.select_related("owner", "contact", "done_by").order_by(
                F("done_at").desc(nulls_first=True), "due_on", "pk"
            )[:TIMELINE_ITEMS]
        ),
        overrides=list(IdentificationOverride.objects.filter(company=company)),
    )


def _next_task(field_name: str):
    """A subquery: the named field of the company's open task due first."""
    rows = Task.objects.filter(company=OuterRef("pk"), done_at__isnull=True).order_by(
        "due_on", "pk"
    )
    return Subquery(rows.values(field_name)[:1])


def with_next_task(queryset: QuerySet[Company]) -> QuerySet[Company]:
    """Annotate `next_task_due`, `next_task_kind` and `next_task_title` (open tasks only)."""
    return queryset.annotate(
        next_task_due=_next_task("due_on"),
        next_task_kind=_next_task("kind"),
        next_task_title=_next_task("title"),
    )


@dataclass
class Agenda:
    """A person's open tasks: overdue, due today, and upcoming, each soonest first."""

    today: dt.date
    overdue: list = field(default_factory=list)
    due_today: list = field(default_factory=list)
    upcoming: list = field(default_factory=list)

    def __len__(self):
        return len(self.overdue) + len(self.due_today) + len(self.upcoming)


# Upcoming tasks are listed this far ahead.
AGENDA_DAYS = 30
AGENDA_ROWS = 100


def task_agenda(*, user, today=None) -> Agenda:
    """The user's open tasks, split by their due day against today in the active time zone."""
    today = today or timezone.localdate()
    rows = (
        Task.objects.filter(
            owner=user, done_at__isnull=True, due_on__lte=today + dt.timedelta(days=AGENDA_DAYS)
        )
        .exclude(company__status__in=Company.ENDED_STATUSES)
        .select_related("company", "contact")
        .order_by("due_on", "pk")[:AGENDA_ROWS]
    )
    agenda = Agenda(today=today)
    for task in rows:
        if task.due_on < today:
            agenda.overdue.append(task)
        elif task.due_on == today:
            agenda.due_today.append(task)
        else:
            agenda.upcoming.append(task)
    return agenda


def my_work(*, user) -> dict:
    """A researcher's work: the companies they hold (open ones), and their tasks."""
    claimed = (
        with_next_task(with_activity(with_last_visit(Company.objects.filter(assignee=user))))
        .select_related("score", "rep")
        .exclude(status__in=Company.CLOSED_STATUSES)
        .order_by("snoozed_until", "-claimed_at")
    )
    return {"claimed": claimed, "agenda": task_agenda(user=user)}


def my_outreach(*, user) -> dict:
    """A rep's home: their companies (next task first, so overdue ones lead), their tasks, and
    the companies ready for outreach that no rep has taken yet (best score first)."""
    mine = (
        with_next_task(with_activity(Company.objects.filter(rep=user)))
        .exclude(status__in=Company.ENDED_STATUSES)
        .select_related("score", "assignee")
        .annotate(touchpoint_count=count_per_company(Touchpoint.objects.all()))
        .order_by(
            F("next_task_due").asc(nulls_last=True),
            F("last_touch_at").asc(nulls_first=True),
            "name",
        )
    )
    waiting = (
        Company.objects.ready_for_outreach()
        .select_related("score", "assignee")
        .order_by(F("score__probability").desc(nulls_last=True), "name")[:DETAIL_ROWS]
    )
    return {"mine": mine, "waiting": waiting, "agenda": task_agenda(user=user)}
