"""The API's filter backend: django-filter's, answering 400 to a parameter it does not know.

A misspelt or unsupported filter (``?serch=acme``) would otherwise be ignored and answer with
every row, which reads as "the filter matched everything".
"""

import json

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions
from rest_framework.renderers import BaseRenderer

# Parameters every list takes besides its filters: paging and the response format.
GENERAL_PARAMS = {"page", "format"}


def refuse_unknown_params(params, filterset_fields) -> None:
    """Raise a 400 naming each query parameter that is neither a filter nor a general one."""
    unknown = sorted(set(params) - set(filterset_fields) - GENERAL_PARAMS)
    if unknown:
        raise exceptions.ValidationError(dict.fromkeys(unknown, "Unknown filter parameter."))


class StrictFilterBackend(DjangoFilterBackend):
    """DjangoFilterBackend that refuses unknown query parameters."""

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is not None:
            refuse_unknown_params(request.query_params, filterset.form.fields)
        return super().filter_queryset(request, queryset, view)


class CSVRenderer(BaseRenderer):
    """Lets ``?format=csv`` through content negotiation; the list answers with a streamed CSV
    itself (prospects.exports), so this renderer never renders a body."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        # Reached only for errors (a 400 on a bad filter): they are shown as JSON text.
        return json.dumps(data).encode()


def wants_csv(request) -> bool:
    """Whether the API request asked for CSV (``?format=csv`` or ``Accept: text/csv``)."""
    renderer = getattr(request, "accepted_renderer", None)
    return isinstance(renderer, CSVRenderer)
