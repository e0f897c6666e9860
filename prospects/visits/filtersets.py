"""FilterSets for the API's visitor and page-view lists (the queue's is in queue.filtersets)."""

import django_filters

from prospects.filterfields import IdFilter, IPAddressFilter, PlausibleDateTimeFilter
from prospects.models import PageView, Visitor
from prospects.visits.choices import Category, FunnelStage, SourceType
from prospects.visits.models import ELIGIBLE


class VisitorFilter(django_filters.FilterSet):
    company = IdFilter(field_name="company_id")
    ip = IPAddressFilter(field_name="ip")
    seen_after = PlausibleDateTimeFilter(field_name="last_seen", lookup_expr="gte")
    eligible = django_filters.BooleanFilter(
        method="filter_eligible", label="Eligible for the queue"
    )

    class Meta:
        model = Visitor
        fields = []

    def filter_eligible(self, queryset, name, value):
        return queryset.eligible() if value else queryset.exclude(ELIGIBLE)


class PageViewFilter(django_filters.FilterSet):
    visitor = IdFilter(field_name="visitor_id")
    session = IdFilter(field_name="session_id")
    company = IdFilter(field_name="visitor__company_id")
    category = django_filters.ChoiceFilter(field_name="page__category", choices=Category.choices)
    funnel_stage = django_filters.ChoiceFilter(
        field_name="page__funnel_stage", choices=FunnelStage.choices
    )
    source_type = django_filters.ChoiceFilter(choices=SourceType.choices)
    after = PlausibleDateTimeFilter(field_name="ts", lookup_expr="gte")
    before = PlausibleDateTimeFilter(field_name="ts", lookup_expr="lt")

    class Meta:
        model = PageView
        fields = []
