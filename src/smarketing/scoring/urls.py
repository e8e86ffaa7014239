"""Scoring pages of the web UI."""

from django.urls import path

from smarketing.scoring import views

app_name = "scoring"
urlpatterns = [
    path("scoring/", views.scoring_page, name="page"),
    path("scoring/settings/", views.settings_change, name="settings"),
    path("scoring/rescore/status/", views.rescore_status, name="rescore_status"),
    path("scoring/preview/", views.preview, name="preview"),
    path("scoring/predict/train/", views.predict_train, name="predict_train"),
    path("scoring/plan/apply/", views.plan_apply, name="plan_apply"),
    path("scoring/fit/add/", views.rule_add, {"family": "fit"}, name="fit_add"),
    path("scoring/engagement/add/", views.rule_add, {"family": "engagement"},
         name="engagement_add"),
    path("scoring/fit/<int:rule_id>/remove/", views.rule_remove, {"family": "fit"},
         name="fit_remove"),
    path("scoring/engagement/<int:rule_id>/remove/", views.rule_remove,
         {"family": "engagement"}, name="engagement_remove"),
    path("scoring/<str:family>/<int:rule_id>/edit/", views.rule_edit, name="rule_edit"),
    path("contacts/<int:contact_id>/score/", views.contact_score, name="contact_score"),
]
