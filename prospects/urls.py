"""Workspace pages. Names are shared with the API and browser tests: keep them stable."""

from django.urls import path

from .crm import views as company
from .identify import views as identify
from .queue import views as queue
from .visits import views as visits

urlpatterns = [
    path("", queue.queue, name="queue"),
    path("my-work/", company.my_work, name="my_work"),
    path("companies/<int:company_id>/", company.company, name="company"),
    path("companies/<int:company_id>/claim/", company.claim, name="company_claim"),
    path("companies/<int:company_id>/release/", company.release, name="company_release"),
    path("companies/<int:company_id>/reassign/", company.reassign, name="company_reassign"),
    path("companies/<int:company_id>/status/", company.change_status, name="company_status"),
    path("companies/<int:company_id>/notes/", company.add_note, name="company_note"),
    path("companies/<int:company_id>/contacts/", company.add_contact, name="company_contact"),
    path(
        "companies/<int:company_id>/touchpoints/",
        company.log_touchpoint,
        name="company_touchpoint",
    ),
    path("companies/<int:company_id>/edit/", company.edit, name="company_edit"),
    path("companies/<int:company_id>/mark-wrong/", company.mark_wrong, name="company_mark_wrong"),
    path("capacity/", queue.capacity, name="capacity"),
    path("imports/", visits.imports, name="imports"),
    path("identification/", identify.identification, name="identification"),
]
