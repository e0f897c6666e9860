"""The REST API's routes, mounted at /api/ (schema and docs are in leadgen.urls)."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from prospects.api.token import ObtainToken
from prospects.crm.api.lists import ContactViewSet, TouchpointViewSet
from prospects.crm.api.views import CompanyViewSet, TaskViewSet
from prospects.queue.api.views import QueueViewSet, ThresholdViewSet
from prospects.visits.api.views import PageViewViewSet, VisitorViewSet


class Router(DefaultRouter):
    """The API root and the viewsets' routes, without a ".json" twin of every route.

    `?format=json` or an Accept header choose the format; the suffix routes passed a `format`
    argument that the handlers do not take.
    """

    include_format_suffixes = False


router = Router()
router.register("queue", QueueViewSet, basename="api-queue")
router.register("companies", CompanyViewSet, basename="api-company")
router.register("contacts", ContactViewSet, basename="api-contact")
router.register("touchpoints", TouchpointViewSet, basename="api-touchpoint")
router.register("tasks", TaskViewSet, basename="api-task")
router.register("visitors", VisitorViewSet, basename="api-visitor")
router.register("pageviews", PageViewViewSet, basename="api-pageview")
router.register("threshold", ThresholdViewSet, basename="api-threshold")

urlpatterns = [
    path("token/", ObtainToken.as_view(), name="api-token"),
    *router.urls,
]
