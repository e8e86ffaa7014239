from django.urls import path

from smarketing.handoff import settings_views as settings
from smarketing.handoff import views

app_name = "handoff"
urlpatterns = [
    path("inbox/", views.inbox_page, name="inbox"),
    path("inbox/export.csv", views.inbox_export, name="inbox_export"),
    path("inbox/<int:assignment_id>/follow-up/", views.follow_up, name="follow_up"),
    path("inbox/<int:assignment_id>/accept/", views.decide, {"action": "accept"}, name="accept"),
    path("inbox/<int:assignment_id>/reject/", views.decide, {"action": "reject"}, name="reject"),
    path(
        "inbox/<int:assignment_id>/disqualify/",
        views.decide,
        {"action": "disqualify"},
        name="disqualify",
    ),
    path("sla/", views.scorecard_page, name="scorecard"),
    path("lead-quality/", views.lead_quality_page, name="lead_quality"),
    path("sla/settings/", settings.settings_page, name="settings"),
    path("sla/settings/sla/", settings.sla_publish_view, name="sla_publish"),
    path("sla/settings/rules/", settings.rule_save_view, name="rule_create"),
    path("sla/settings/rules/<int:rule_id>/", settings.rule_save_view, name="rule_save"),
    path("sla/settings/rules/<int:rule_id>/move/", settings.rule_move_view, name="rule_move"),
    path("sla/settings/rules/<int:rule_id>/delete/", settings.rule_delete_view,
         name="rule_delete"),
    path("sla/settings/reasons/", settings.reason_save_view, name="reason_create"),
    path("sla/settings/reasons/<int:reason_id>/", settings.reason_save_view, name="reason_save"),
    path("sla/settings/reps/<int:user_id>/", settings.rep_save_view, name="rep_save"),
    path("sla/settings/calendars/", settings.calendar_save_view, name="calendar_create"),
    path("sla/settings/calendars/<int:calendar_id>/", settings.calendar_save_view,
         name="calendar_save"),
]
