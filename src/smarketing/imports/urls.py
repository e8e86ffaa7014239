from django.urls import path

from smarketing.imports import views

app_name = "imports"
urlpatterns = [
    path("imports/", views.import_list, name="list"),
    path("imports/<int:run_id>/", views.import_detail, name="detail"),
    path("imports/<int:run_id>/run/", views.import_run, name="run"),
    path("imports/<int:run_id>/progress/", views.import_progress, name="progress"),
    path("imports/<int:run_id>/errors.csv", views.import_errors_csv, name="errors"),
]
