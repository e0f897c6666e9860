"""The REST API's routes, mounted at /api/ (schema and docs are in leadgen.urls)."""

from django.urls import path
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("queue", views.QueueViewSet, basename="api-queue")
router.register("companies", views.CompanyViewSet, basename="api-company")
router.register("visitors", views.VisitorViewSet, basename="api-visitor")
router.register("pageviews", views.PageViewViewSet, basename="api-pageview")
router.register("threshold", views.ThresholdViewSet, basename="api-threshold")

urlpatterns = [
    path("token/", obtain_auth_token, name="api-token"),
    *router.urls,
]
