"""Model-quality pages for admins."""

from django.urls import path

from . import views

app_name = "scoring"
urlpatterns = [
    path("model/", views.model_page, name="model"),
    path("model/<int:pk>/", views.model_page, name="version"),
    path("model/<int:pk>/activate/", views.activate, name="activate"),
]
