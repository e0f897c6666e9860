"""Queue and threshold endpoints: the research queue as the page shows it, and capacity."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.settings import api_settings

from prospects.api.base import ServiceAPIMixin
from prospects.api.filters import CSVRenderer, refuse_unknown_params, wants_csv
from prospects.exports import csvstream, tables
from prospects.models import Company, ThresholdChange
from prospects.privacy.audit import record
from prospects.privacy.models import AuditEvent
from prospects.queue import selectors, services
from prospects.queue.filtersets import CompanyQueueFilter
from prospects.roles import ADMIN

from . import serializers as s


class QueueViewSet(ServiceAPIMixin, viewsets.GenericViewSet):
    """The research queue at the current threshold, through the queue page's own selector."""

    serializer_class = s.QueueCompanySerializer
    # Declared for the schema's parameters; queue_page applies the filters.
    filterset_class = CompanyQueueFilter
    queryset = Company.objects.none()
    renderer_classes = [*api_settings.DEFAULT_RENDERER_CLASSES, CSVRenderer]

    def list(self, request):
        refuse_unknown_params(request.query_params, CompanyQueueFilter.base_filters)
        if wants_csv(request):
            # Every matching row, not one page, streamed: the queue page's CSV.
            filterset = selectors.queue_filter(params=request.query_params, request=request)
            if filterset.errors:
                raise exceptions.ValidationError(filterset.errors)
            record(request, action=AuditEvent.Action.EXPORT, kind="queue")
            return csvstream.csv_response(
                "queue.csv", tables.COMPANY_HEADER, tables.company_rows(filterset.qs)
            )
        result = selectors.queue_page(request=request)
        if result.filterset.errors:
            raise exceptions.ValidationError(result.filterset.errors)
        paginator = self.paginator
        paginator.request, paginator.page = request, result.page
        data = self.get_serializer(result.page.object_list, many=True).data
        return paginator.get_paginated_response(data)


class ThresholdViewSet(ServiceAPIMixin, viewsets.ViewSet):
    """The capacity threshold in force, its history and the queue length at each threshold."""

    action_roles = {"create": (ADMIN,)}

    @extend_schema(
        responses=inline_serializer(
            "Capacity",
            {
                "value": serializers.DecimalField(max_digits=3, decimal_places=2),
                "history": s.ThresholdSerializer(many=True),
                "queue_length_by_threshold": inline_serializer(
                    "QueueLength",
                    {
                        "threshold": serializers.DecimalField(max_digits=3, decimal_places=2),
                        "companies": serializers.IntegerField(),
                    },
                    many=True,
                ),
            },
        )
    )
    def list(self, request):
        return Response(
            {
                "value": f"{ThresholdChange.objects.current():.2f}",
                "history": s.ThresholdSerializer(selectors.threshold_history(), many=True).data,
                "queue_length_by_threshold": [
                    {"threshold": f"{row['threshold']:.2f}", "companies": row["companies"]}
                    for row in selectors.queue_length_by_threshold()
                ],
            }
        )

    @extend_schema(request=s.ThresholdInput, responses={201: s.ThresholdSerializer})
    def create(self, request):
        change = services.set_threshold(user=request.user, **self.parse(s.ThresholdInput))
        return Response(s.ThresholdSerializer(change).data, status=status.HTTP_201_CREATED)
