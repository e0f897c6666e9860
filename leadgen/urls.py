"""Root URLs: the app pages, the REST API and its schema, Django admin, login, the tracker."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from prospects.tracking import views as tracking

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    # The first-party tracker's beacons: public by design (the vendor's visitors send them).
    path("t/", tracking.track, name="track"),
    # The OpenAPI schema and its Swagger UI (served from drf-spectacular-sidecar: works offline;
    # the split view serves its start-up script as a file, so the CSP needs no inline script).
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/", include("prospects.api.urls")),
    path("", include("prospects.urls")),
    path("scoring/", include("scoring.urls")),
]
