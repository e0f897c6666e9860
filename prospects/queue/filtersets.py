"""The research queue's FilterSet, shared by the queue page, the API, bulk actions and CSV."""

import datetime as dt
from decimal import Decimal

import django_filters
from django import forms
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from prospects.crm.selectors import with_last_visit
from prospects.filterfields import PlausibleDateFilter
from prospects.models import Company, PageView, Segment, Visitor
from prospects.visits.choices import Category, FunnelStage, SourceType
from prospects.widgets import QuickSelect

# "anyone" first: with no empty choice, the form shows it when the filter is not set.
ASSIGNEE_CHOICES = [("anyone", "Anyone"), ("me", "Me"), ("nobody", "Nobody")]
# The longest look-back a "seen in the last D days" filter takes.
MAX_SEEN_DAYS = 3650
MAX_SEEN_TIMES = 10_000


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class PercentFilter(django_filters.NumberFilter):
    """A score bound typed in percent (0 to 100), as the table shows scores."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", 100)
        kwargs.setdefault("widget", forms.NumberInput(attrs={"step": "1", "min": 0, "max": 100}))
        super().__init__(*args, **kwargs)


class DayFilter(PlausibleDateFilter):
    """A calendar day as a date picker gives it: ISO 8601 (2026-03-31), never US m/d/Y."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("input_formats", ["%Y-%m-%d"])
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
        super().__init__(*args, **kwargs)


class CompanyQueueFilter(django_filters.FilterSet):
    """Filters and ordering for research_queue() rows; needs `request` for "assignee=me"."""

    search = django_filters.CharFilter(
        method="filter_search", label="Name or domain", max_length=200
    )
    domain = django_filters.CharFilter(
        field_name="domain", lookup_expr="iexact", label="Domain", max_length=253
    )
    status = django_filters.ChoiceFilter(
        choices=Company.Status.choices, empty_label="Any", label="Status", widget=QuickSelect
    )
    assignee = django_filters.ChoiceFilter(
        choices=ASSIGNEE_CHOICES,
        method="filter_assignee",
        empty_label=None,
        label="Assignee",
        widget=QuickSelect,
    )
    score_min = PercentFilter(method="filter_score", label="Score from (%)")
    score_max = PercentFilter(method="filter_score", label="Score to (%)")
    last_visit_after = DayFilter(method="filter_last_visit", label="Last visit from")
    last_visit_before = DayFilter(method="filter_last_visit", label="Last visit to")
    category = django_filters.ChoiceFilter(
        choices=Category.choices,
        method="filter_pageviews",
        label="Content seen",
        empty_label="Any",
        widget=QuickSelect,
    )
    funnel_stage = django_filters.ChoiceFilter(
        choices=FunnelStage.choices,
        method="filter_pageviews",
        label="Funnel stage",
        empty_label="Any",
        widget=QuickSelect,
    )
    # With a content or stage above: how many views, and how recent, make a company qualify.
    seen_times = django_filters.NumberFilter(
        method="filter_nothing",
        label="Seen at least (times)",
        min_value=1,
        max_value=MAX_SEEN_TIMES,
        widget=forms.NumberInput(attrs={"step": "1", "min": 1}),
    )
    seen_days = django_filters.NumberFilter(
        method="filter_nothing",
        label="In the last (days)",
        min_value=1,
        max_value=MAX_SEEN_DAYS,
        widget=forms.NumberInput(attrs={"step": "1", "min": 1}),
    )
    source_type = django_filters.ChoiceFilter(
        choices=SourceType.choices,
        method="filter_source",
        label="Source",
        empty_label="Any",
        widget=QuickSelect,
    )
    segment = django_filters.ModelChoiceFilter(
        queryset=Segment.objects.active(),
        field_name="segment_link__segment",
        label="Segment",
        empty_label="Any",
        widget=QuickSelect,
    )
    ordering = django_filters.OrderingFilter(
        fields=(("score__probability", "score"), ("last_visit", "recency"), ("name", "name")),
        field_labels={"score__probability": "Score", "last_visit": "Last visit", "name": "Name"},
        label="Sort by",
        empty_label="Score, best first",
    )

    class Meta:
        model = Company
        fields = []

    def filter_queryset(self, queryset):
        # Ordering and date filters use the last_visit annotation; add it if the caller did not.
        return super().filter_queryset(with_last_visit(queryset))

    def filter_nothing(self, queryset, name, value):
        # Read by filter_pageviews: alone they filter nothing.
        return queryset

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(domain__icontains=value))

    def filter_score(self, queryset, name, value):
        bound = float(Decimal(value) / 100)
        lookup = "gte" if name == "score_min" else "lte"
        return queryset.filter(**{f"score__probability__{lookup}": bound})

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
        lookup = {"page__category" if name == "category" else "page__funnel_stage": value}
        times = int(self.form.cleaned_data.get("seen_times") or 1)
        days = self.form.cleaned_data.get("seen_days")
        if times == 1 and not days:
            return queryset.filter(
                Exists(
                    _eligible_visitors().filter(**{f"pageviews__{k}": v for k, v in lookup.items()})
                )
            )
        views = PageView.objects.filter(
            visitor__company=OuterRef("pk"), visitor__in=Visitor.objects.eligible(), **lookup
        )
        if days:
            views = views.filter(ts__gte=timezone.now() - dt.timedelta(days=int(days)))
        counted = views.order_by().values("visitor__company").annotate(n=Count("pk")).values("n")
        return queryset.annotate(**{f"{name}_views": Coalesce(Subquery(counted), 0)}).filter(
            **{f"{name}_views__gte": times}
        )

    def filter_source(self, queryset, name, value):
        return queryset.filter(Exists(_eligible_visitors().filter(sessions__source_type=value)))


def _eligible_visitors():
    """The row's company's eligible visitors, for Exists() filters."""
    return Visitor.objects.eligible().filter(company=OuterRef("pk"))
