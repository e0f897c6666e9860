"""FilterSets for the contact and touchpoint lists, shared by the API and the CSV downloads."""

import django_filters
from django.db.models import Q

from prospects.filterfields import IdFilter, PlausibleDateFilter
from prospects.models import Contact, Touchpoint

# A search term longer than any name, title or address is a mistake, not a query.
SEARCH_MAX_CHARS = 200


class ContactFilter(django_filters.FilterSet):
    company = IdFilter(field_name="company_id")
    persona = django_filters.ChoiceFilter(choices=Contact.Persona.choices)
    search = django_filters.CharFilter(
        method="filter_search", max_length=SEARCH_MAX_CHARS, label="Name, title or email"
    )

    class Meta:
        model = Contact
        fields = []

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value) | Q(title__icontains=value) | Q(email__icontains=value)
        )


class TouchpointFilter(django_filters.FilterSet):
    company = IdFilter(field_name="company_id")
    contact = IdFilter(field_name="contact_id")
    channel = django_filters.ChoiceFilter(choices=Touchpoint.Channel.choices)
    outcome = django_filters.ChoiceFilter(choices=Touchpoint.Outcome.choices)
    logged_by = django_filters.CharFilter(
        field_name="logged_by__username", max_length=150, label="Logged by (username)"
    )
    after = PlausibleDateFilter(field_name="happened_on", lookup_expr="gte", label="On or after")
    before = PlausibleDateFilter(field_name="happened_on", lookup_expr="lte", label="On or before")

    class Meta:
        model = Touchpoint
        fields = []
