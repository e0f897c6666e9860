"""Reads for the research queue and the capacity page; the only place that shapes their queries.

Scores are read through the `score` relation (`scoring.CompanyScore`), never by importing
scoring's models, so the dependency keeps pointing from scoring to prospects.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q, QuerySet, Sum

from prospects.crm.selectors import ACTIVE_STATUSES, with_activity
from prospects.forecast.selectors import with_stage_chances
from prospects.models import Company, ThresholdChange
from prospects.queue.filtersets import CompanyQueueFilter

# Companies per page of the queue, on the page and in the API.
PAGE_SIZE = 50

# Thresholds on the capacity chart, highest first.
CAPACITY_STEPS = [Decimal(f"0.{n}") for n in range(9, 0, -1)]


def _queue_base() -> QuerySet[Company]:
    """Scored companies open for research, whatever their score."""
    return Company.objects.open_for_research().filter(score__isnull=False)


def research_queue(*, threshold=None) -> QuerySet[Company]:
    """Companies at or above the threshold (default: the one in force), best first.

    Lean rows for filtering, counting and paging: `probability` and `last_visit` (the score's,
    as of the last rescore, which is what "last visit" means on every page and endpoint) are
    annotated for the filters and the sort; `queue_page` adds the table's annotations to the
    rows of one page only.
    """
    if threshold is None:
        threshold = ThresholdChange.objects.current()
    return (
        _queue_base()
        .filter(score__probability__gte=float(threshold))
        .annotate(probability=F("score__probability"), last_visit=F("score__last_visit"))
        # Equal chances: the company seen most recently first.
        .order_by(
            F("score__probability").desc(), F("score__last_visit").desc(nulls_last=True), "pk"
        )
    )


def queue_rows(*, user, ids) -> list[Company]:
    """The queue table's rows for these company ids, in that order, in one query.

    Each row carries `probability`, `reasons`, `model_version_id`, `visitor_count` (eligible
    visitors), `last_visit`, `pricing_views`, `premium_views`, `is_mine`, `is_stale` and the
    `assignee` joined in. The visitor count, page views and last visit are the score's
    engagement summary, as of the last rescore (a live count is too slow for the queue).
    """
    rows = with_activity(
        with_stage_chances(Company.objects.filter(pk__in=ids))
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
    ).in_bulk()
    return [rows[pk] for pk in ids if pk in rows]


@dataclass
class QueuePage:
    """One page of the filtered queue: the filterset (with its errors), the page, the threshold."""

    filterset: CompanyQueueFilter
    page: Page
    threshold: Decimal


def queue_filter(*, params, request, threshold=None) -> CompanyQueueFilter:
    """The queue's FilterSet over research_queue() for these query parameters.

    Every reader of "the queue as filtered" (the page, the API, bulk actions, the CSV) starts
    here, so a filter means the same everywhere.
    """
    return CompanyQueueFilter(
        params or None, queryset=research_queue(threshold=threshold), request=request
    )


def queue_page(*, request, per_page: int = PAGE_SIZE) -> QueuePage:
    """The queue as the page and the API show it: the request's filters, sort and page number.

    One path for both, so a filter means the same everywhere. Three queries whatever the
    queue's size: the count and the page's ids from the lean rows, then the page's rows.
    Invalid filter values are left out and reported on `filterset.errors`.
    """
    threshold = ThresholdChange.objects.current()
    filterset = queue_filter(params=request.GET, request=request, threshold=threshold)
    ids = filterset.qs.values_list("pk", flat=True)
    page = Paginator(ids, per_page).get_page(request.GET.get("page"))
    page.object_list = queue_rows(user=request.user, ids=list(page.object_list))
    return QueuePage(filterset=filterset, page=page, threshold=threshold)


def queue_length_by_threshold() -> list[dict]:
    """Per threshold 0.9 … 0.1: companies at or above it and their expected conversions.

    A company's score is its chance of at least one conversion within the horizon, so the
    sum over the companies above a threshold is how many of them are expected to convert.
    One query.
    """
    figures = {}
    for step in CAPACITY_STEPS:
        above = Q(score__probability__gte=float(step))
        figures[f"t{step}"] = Count("pk", filter=above)
        figures[f"e{step}"] = Sum("score__probability", filter=above)
    counts = _queue_base().aggregate(**figures)
    return [
        {
            "threshold": step,
            "companies": counts[f"t{step}"],
            "expected": round(counts[f"e{step}"] or 0.0, 1),
        }
        for step in CAPACITY_STEPS
    ]


def team_load() -> dict:
    """Work in progress: companies claimed and active, and how many people hold claims."""
    active = Company.objects.filter(assignee__isnull=False, status__in=ACTIVE_STATUSES)
    return active.aggregate(claimed=Count("pk"), people=Count("assignee", distinct=True))


def threshold_history(limit: int = 20) -> QuerySet[ThresholdChange]:
    """The latest threshold changes with who made them."""
    return ThresholdChange.objects.select_related("changed_by").order_by("-changed_at", "-id")[
        :limit
    ]
