"""The REST API's routes, mounted at /api/ (schema and docs are in leadgen.urls)."""

from django.urls import path
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from prospects.crm.api.views import CompanyViewSet
from prospects.queue.api.views import QueueViewSet, ThresholdViewSet
from prospects.visits.api.views import PageViewViewSet, VisitorViewSet

router = DefaultRouter()
router.register("queue", QueueViewSet, basename="api-queue")
router.register("companies", CompanyViewSet, basename="api-company")
router.register("visitors", VisitorViewSet, basename="api-visitor")
router.register("pageviews", PageViewViewSet, basename="api-pageview")
router.register("threshold", ThresholdViewSet, basename="api-threshold")

urlpatterns = [
    path("token/", obtain_auth_token, name="api-token"),
    *router.urls,
]
