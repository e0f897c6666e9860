"""Workspace pages. Names are shared with the API and browser tests: keep them stable."""

from django.urls import path

from .accounts import views as accounts
from .alerts import views as alerts
from .attribution import views as attribution
from .crm.views import actions as act
from .crm.views import page as company
from .crm.views import work
from .experiments import views as experiments
from .exports import views as exports
from .identify import views as identify
from .privacy import views as privacy
from .queue import actions as queue_actions
from .queue import views as queue
from .search import views as search
from .segments import views as segments
from .visits import views as visits

urlpatterns = [
    path("", queue.queue, name="queue"),
    path("home/", work.home, name="home"),
    path("search/", search.search_page, name="search"),
    path("queue/bulk/", queue_actions.bulk_action, name="queue_bulk"),
    path("queue/views/", queue_actions.save_view, name="view_save"),
    path("queue/views/<int:view_id>/delete/", queue_actions.delete_view, name="view_delete"),
    path("queue/views/<int:view_id>/default/", queue_actions.default_view, name="view_default"),
    path("exports/queue/", exports.queue_csv, name="export_queue"),
    path("exports/companies/", exports.companies_csv, name="export_companies"),
    path("exports/contacts/", exports.contacts_csv, name="export_contacts"),
    path("exports/touchpoints/", exports.touchpoints_csv, name="export_touchpoints"),
    path("my-work/", work.my_work, name="my_work"),
    path("my-outreach/", work.my_outreach, name="my_outreach"),
    path("companies/<int:company_id>/", company.company, name="company"),
    path("companies/<int:company_id>/claim/", act.claim, name="company_claim"),
    path("companies/<int:company_id>/release/", act.release, name="company_release"),
    path("companies/<int:company_id>/take/", act.take, name="company_take"),
    path(
        "companies/<int:company_id>/release-outreach/",
        act.release_outreach,
        name="company_release_outreach",
    ),
    path("companies/<int:company_id>/reassign/", act.reassign, name="company_reassign"),
    path("companies/<int:company_id>/reassign-rep/", act.reassign_rep, name="company_reassign_rep"),
    path("companies/<int:company_id>/status/", act.change_status, name="company_status"),
    path("companies/<int:company_id>/undo/<int:change_id>/", act.undo, name="company_undo"),
    path("companies/<int:company_id>/notes/", act.add_note, name="company_note"),
    path("companies/<int:company_id>/contacts/", act.add_contact, name="company_contact"),
    path("companies/<int:company_id>/touchpoints/", act.log_touchpoint, name="company_touchpoint"),
    path("companies/<int:company_id>/tasks/", act.add_task, name="company_task"),
    path("tasks/<int:task_id>/done/", act.complete_task, name="task_done"),
    path("companies/<int:company_id>/edit/", act.edit, name="company_edit"),
    path("companies/<int:company_id>/mark-wrong/", act.mark_wrong, name="company_mark_wrong"),
    path("settings/", accounts.settings_view, name="settings"),
    path("settings/time-zone/", accounts.save_time_zone, name="settings_time_zone"),
    path("settings/alerts/", alerts.save_alerts, name="settings_alerts"),
    path("settings/webhooks/", alerts.add_webhook, name="webhook_add"),
    path(
        "settings/webhooks/<int:webhook_id>/remove/", alerts.remove_webhook, name="webhook_remove"
    ),
    path("settings/webhooks/<int:webhook_id>/test/", alerts.test_webhook, name="webhook_test"),
    path("companies/<int:company_id>/watch/", alerts.watch, name="company_watch"),
    path("alerts/deliveries/", alerts.deliveries, name="deliveries"),
    path("capacity/", queue.capacity, name="capacity"),
    path("imports/", visits.imports, name="imports"),
    path("privacy/", privacy.privacy, name="privacy"),
    path("privacy/erase/", privacy.erase, name="privacy_erase"),
    path("identification/", identify.identification, name="identification"),
    path("identification/overrides/", identify.add_override, name="override_add"),
    path(
        "identification/overrides/<int:override_id>/remove/",
        identify.remove_override,
        name="override_remove",
    ),
    path("experiments/", experiments.experiments, name="experiments"),
    path("experiments/<int:experiment_id>/", experiments.experiment, name="experiment"),
    path("experiments/<int:experiment_id>/stop/", experiments.stop, name="experiment_stop"),
    path("segments/", segments.segments, name="segments"),
    path("attribution/", attribution.attribution, name="attribution"),
    path("attribution/recompute/", attribution.recompute, name="attribution_recompute"),
    path("segments/<int:segment_id>/rename/", segments.rename, name="segment_rename"),
]
