from django.urls import path

from smarketing.pipeline import (
    company_views,
    deal_views,
    product_views,
    quota_views,
    setup_views,
    views,
)

app_name = "pipeline"
urlpatterns = [
    path("deals/", views.deal_board, name="board"),
    path("deals/column/<int:stage_id>/", views.board_column, name="board_column"),
    path("deals/export.csv", views.deal_export, name="deal_export"),
    path("deals/new/", views.deal_new, name="deal_new"),
    path("deals/<int:deal_id>/", views.deal_detail, name="deal_detail"),
    path("deals/<int:deal_id>/move/", views.deal_move, name="deal_move"),
    path("deals/<int:deal_id>/edit/", deal_views.deal_edit, name="deal_edit"),
    path("deals/<int:deal_id>/contacts/", deal_views.deal_contact_add, name="deal_contact_add"),
    path("deals/<int:deal_id>/delete/", views.deal_delete, name="deal_delete"),
    path("deals/<int:deal_id>/win/", views.deal_close, {"action": "win"}, name="deal_win"),
    path("deals/<int:deal_id>/reopen/", views.deal_close, {"action": "reopen"},
         name="deal_reopen"),
    path("deals/<int:deal_id>/lines/", views.line_add, name="line_add"),
    path("deals/<int:deal_id>/lines/<int:line_id>/remove/", views.line_remove,
         name="line_remove"),
    path("activities/new/", views.activity_new, name="activity_new"),
    path("activities/<int:activity_id>/done/", views.task_done, name="task_done"),
    path("contacts/<int:contact_id>/sales/", views.contact_activities, name="contact_sales"),
    path("work/", views.my_work, name="my_work"),
    path("forecast/", views.forecast_page, name="forecast"),
    path("quotas/", quota_views.quota_admin, name="quotas"),
    path("products/", product_views.product_list, name="products"),
    path("products/<int:product_id>/", product_views.product_edit, name="product_edit"),
    path("products/<int:product_id>/toggle/", product_views.product_toggle,
         name="product_toggle"),
    path("companies/<int:company_id>/", company_views.company_detail, name="company_detail"),
    path("pipelines/", setup_views.pipeline_setup, name="pipelines"),
    path("customers/", views.customer_list, name="customers"),
    path("customers/<int:company_id>/suggestions/<int:product_id>/", views.suggestion_accept,
         name="suggestion_accept"),
]
