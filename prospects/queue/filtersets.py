"""The research queue's FilterSet, shared by the queue page and the REST API."""

import datetime as dt

import django_filters
from django.db.models import Exists, OuterRef
from django.utils import timezone

from prospects.crm.selectors import with_last_visit
from prospects.filterfields import PlausibleDateFilter
from prospects.models import Company, Visitor
from prospects.visits.choices import Category, FunnelStage, SourceType

# "anyone" first: with no empty choice, the form shows it when the filter is not set.
ASSIGNEE_CHOICES = [("anyone", "Anyone"), ("me", "Me"), ("nobody", "Nobody")]


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class CompanyQueueFilter(django_filters.FilterSet):
    """Filters and ordering for research_queue() rows; needs `request` for "assignee=me"."""

    status = django_filters.ChoiceFilter(choices=Company.Status.choices, empty_label="Any")
    assignee = django_filters.ChoiceFilter(
        choices=ASSIGNEE_CHOICES, method="filter_assignee", empty_label=None
    )
    score_min = django_filters.NumberFilter(
        field_name="score__probability", lookup_expr="gte", label="Score from"
    )
    score_max = django_filters.NumberFilter(
        field_name="score__probability", lookup_expr="lte", label="Score to"
    )
    last_visit_after = PlausibleDateFilter(method="filter_last_visit", label="Last visit from")
    last_visit_before = PlausibleDateFilter(method="filter_last_visit", label="Last visit to")
    category = django_filters.ChoiceFilter(
        choices=Category.choices, method="filter_pageviews", label="Content seen", empty_label="Any"
    )
    funnel_stage = django_filters.ChoiceFilter(
        choices=FunnelStage.choices,
        method="filter_pageviews",
        label="Funnel stage",
        empty_label="Any",
    )
    source_type = django_filters.ChoiceFilter(
        choices=SourceType.choices, method="filter_source", label="Source", empty_label="Any"
    )
    ordering = django_filters.OrderingFilter(
        fields=(("score__probability", "score"), ("last_visit", "recency")),
        field_labels={"score__probability": "Score", "last_visit": "Last visit"},
        label="Sort by",
        empty_label="Score, best first",
    )

    class Meta:
        model = Company
        fields = []

    def filter_queryset(self, queryset):
        # Ordering and date filters use the last_visit annotation; add it if the caller did not.
        return super().filter_queryset(with_last_visit(queryset))

    def filter_assignee(self, queryset, name, value):
        if value == "me":
            user = getattr(self.request, "user", None)
            return queryset.filter(assignee_id=getattr(user, "pk", None))
        if value == "nobody":
            return queryset.filter(assignee__isnull=True)
        return queryset

    def filter_last_visit(self, queryset, name, value):
        if name == "last_visit_after":
            return queryset.filter(last_visit__gte=_day_start(value))
        return queryset.filter(last_visit__lt=_day_start(value + dt.timedelta(days=1)))

    def filter_pageviews(self, queryset, name, value):
        lookup = (
            "pageviews__page__category" if name == "category" else "pageviews__page__funnel_stage"
        )
        return queryset.filter(Exists(_eligible_visitors().filter(**{lookup: value})))

    def filter_source(self, queryset, name, value):
        return queryset.filter(Exists(_eligible_visitors().filter(sessions__source_type=value)))


def _eligible_visitors():
    """The row's company's eligible visitors, for Exists() filters."""
    return Visitor.objects.eligible().filter(company=OuterRef("pk"))
