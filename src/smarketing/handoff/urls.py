from django.urls import path

from smarketing.handoff import views

app_name = "handoff"
urlpatterns = [
    path("inbox/", views.inbox_page, name="inbox"),
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
]
