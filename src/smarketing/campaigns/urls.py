from django.urls import path

from smarketing.campaigns import content_views, spend_views, views

app_name = "campaigns"
urlpatterns = [
    path("campaigns/", views.campaign_list_page, name="list"),
    path("campaigns/new/", views.campaign_form, name="new"),
    path("campaigns/<int:campaign_id>/", views.campaign_detail, name="detail"),
    path("campaigns/<int:campaign_id>/edit/", views.campaign_form, name="edit"),
    path("campaigns/<int:campaign_id>/costs/", spend_views.costs, name="cost_add"),
    path("campaigns/<int:campaign_id>/costs/<int:cost_id>/", spend_views.cost_edit,
         name="cost_edit"),
    path("campaigns/<int:campaign_id>/costs/<int:cost_id>/delete/", spend_views.cost_remove,
         name="cost_delete"),
    path("campaigns/<int:campaign_id>/metrics/", spend_views.metrics, name="metrics"),
    path("campaigns/<int:campaign_id>/metrics/<str:day>/delete/", spend_views.metric_remove,
         name="metric_delete"),
    path("attribution/", views.attribution_page, name="attribution"),
    path("attribution/deals/", views.attribution_deals_page, name="attribution_deals"),
    path("content/", views.content_library, name="content"),
    path("content/export.csv", content_views.asset_export, name="asset_export"),
    path("contacts/<int:contact_id>/content/", content_views.contact_content,
         name="contact_content"),
    path("content/new/", views.asset_form, name="asset_new"),
    path("content/<int:asset_id>/deals/", content_views.asset_deals, name="asset_deals"),
    path("content/<int:asset_id>/edit/", views.asset_form, name="asset_edit"),
]
