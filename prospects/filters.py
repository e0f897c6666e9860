"""The research queue's FilterSet, shared by the queue page and the REST API."""

import datetime as dt

import django_filters
from django.db.models import Exists, OuterRef
from django.utils import timezone

from .models import Company, PageView, Session
from .models.choices import Category, FunnelStage, SourceType
from .selectors import with_last_visit

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
    last_visit_after = django_filters.DateFilter(
        method="filter_last_visit", label="Last visit from"
    )
    last_visit_before = django_filters.DateFilter(method="filter_last_visit", label="Last visit to")
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
        lookup = "page__category" if name == "category" else "page__funnel_stage"
        views = PageView.objects.filter(
            visitor__company=OuterRef("pk"),
            visitor__excluded_reason="",
            visitor__converted_at__isnull=True,
            **{lookup: value},
        )
        return queryset.filter(Exists(views))

    def filter_source(self, queryset, name, value):
        sessions = Session.objects.filter(
            visitor__company=OuterRef("pk"),
            visitor__excluded_reason="",
            visitor__converted_at__isnull=True,
            source_type=value,
        )
        return queryset.filter(Exists(sessions))
