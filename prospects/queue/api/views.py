"""Queue and threshold endpoints: the research queue as the page shows it, and capacity."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from prospects.api.base import ServiceAPIMixin
from prospects.models import Company, ThresholdChange
from prospects.queue import selectors, services
from prospects.queue.filtersets import CompanyQueueFilter
from prospects.roles import ADMIN

from . import serializers as s


class QueueViewSet(ServiceAPIMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The research queue at the current threshold, filtered exactly like the queue page."""

    serializer_class = s.QueueCompanySerializer
    filterset_class = CompanyQueueFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no real user
            return Company.objects.none()
        return selectors.research_queue(user=self.request.user)


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
