from django.urls import path

from smarketing.analytics.views import dashboards, records, report

app_name = "analytics"
urlpatterns = [
    path("dashboards/", dashboards.dashboard_page, name="shared"),
    path("dashboards/journey/", dashboards.journey_page, name="journey"),
    path("dashboards/journey/phases/<str:phase>/", records.phase_records, name="phase_records"),
    path("dashboards/journey/flows/<str:source>/<str:target>/", records.flow_records,
         name="flow_records"),
    path("dashboards/funnel/<str:stage>/", records.funnel_step_records, name="funnel_records"),
    path("dashboards/records/<str:name>/", records.kpi_records, name="records"),
    path("dashboards/forecast/<str:figure>/", records.forecast_figure_records,
         name="forecast_records"),
    path("dashboards/report/", report.report_download, name="report"),
    path("dashboards/<slug:slug>/", dashboards.dashboard_page, name="dashboard"),
    path("dashboards/<slug:slug>/tables/<str:key>.csv", dashboards.table_csv, name="table_csv"),
]
