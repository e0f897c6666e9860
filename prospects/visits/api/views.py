"""Visitor and page-view endpoints (read only)."""

from rest_framework import viewsets

from prospects.api.base import ServiceAPIMixin
from prospects.models import Company, PageView, Visitor
from prospects.privacy.audit import AuditedReads
from prospects.roles import ADMIN, has_role
from prospects.visits.filtersets import PageViewFilter, VisitorFilter

from . import serializers as s


class VisitorViewSet(AuditedReads, ServiceAPIMixin, viewsets.ReadOnlyModelViewSet):
    """Visitors (IP and user agent pairs) with their score; filter by company. Audited."""

    audit_kind = "visitors"
    serializer_class = s.VisitorSerializer
    filterset_class = VisitorFilter
    queryset = Visitor.objects.select_related("score").order_by("-last_seen", "pk")

    def get_queryset(self):
        if has_role(self.request.user, ADMIN):
            return self.queryset
        return self.queryset.exclude(company__in=Company.objects.held_out())


class PageViewViewSet(AuditedReads, ServiceAPIMixin, viewsets.ReadOnlyModelViewSet):
    """Page views with their content category and funnel stage, by visitor or company; audited."""

    audit_kind = "page views"
    serializer_class = s.PageViewSerializer
    filterset_class = PageViewFilter
    queryset = PageView.objects.select_related("page").order_by("-ts", "-pk")

    def get_queryset(self):
        if has_role(self.request.user, ADMIN):
            return self.queryset
        return self.queryset.exclude(visitor__company__in=Company.objects.held_out())
