"""Reads for the research queue and the capacity page; the only place that shapes their queries.

Scores are read through the `score` relation (`scoring.CompanyScore`), never by importing
scoring's models, so the dependency keeps pointing from scoring to prospects.
"""

from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q, QuerySet

from prospects.crm.selectors import ACTIVE_STATUSES, with_activity
from prospects.models import Company, ThresholdChange

# Thresholds on the capacity chart, highest first.
CAPACITY_STEPS = [Decimal(f"0.{n}") for n in range(9, 0, -1)]


def _queue_base() -> QuerySet[Company]:
    """Scored companies open for research, whatever their score."""
    return Company.objects.open_for_research().filter(score__isnull=False)


def research_queue(*, user, threshold=None) -> QuerySet[Company]:
    """Companies at or above the threshold, best first, annotated for the queue table.

    Each row carries `probability`, `reasons`, `model_version_id`, `visitor_count` (eligible
    visitors), `last_visit`, `pricing_views`, `premium_views`, `is_mine`, `is_stale` and the
    `assignee` joined in; the whole page is one query plus the paginator's count. The visitor
    count, page views and last visit are the score's engagement summary, as of the last
    rescore (a live count over every visitor's page views is too slow for the queue).
    """
    if threshold is None:
        threshold = ThresholdChange.objects.current()
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
