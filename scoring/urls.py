"""Model-quality pages and the points rule, for admins."""

from django.urls import path

from . import point_views, views

app_name = "scoring"
urlpatterns = [
    path("model/", views.model_page, name="model"),
    path("model/train/", views.train, name="train"),
    path("model/<int:pk>/", views.model_page, name="version"),
    path("model/<int:pk>/activate/", views.activate, name="activate"),
    path("points/", point_views.points_page, name="points"),
    path("points/add/", point_views.add_rule, name="point_add"),
    path("points/<int:rule_id>/", point_views.edit_rule, name="point_edit"),
    path("points/<int:rule_id>/delete/", point_views.delete_rule, name="point_delete"),
    path("points/restore/", point_views.restore_defaults, name="points_restore"),
]
