from django.urls import path

from smarketing.campaigns import views

app_name = "campaigns"
urlpatterns = [
    path("campaigns/", views.campaign_list_page, name="list"),
    path("campaigns/new/", views.campaign_form, name="new"),
    path("campaigns/<int:campaign_id>/", views.campaign_detail, name="detail"),
    path("campaigns/<int:campaign_id>/edit/", views.campaign_form, name="edit"),
    path("campaigns/<int:campaign_id>/costs/", views.campaign_cost_add, name="cost_add"),
    path("attribution/", views.attribution_page, name="attribution"),
    path("attribution/deals/", views.attribution_deals_page, name="attribution_deals"),
    path("content/", views.content_library, name="content"),
    path("content/new/", views.asset_form, name="asset_new"),
    path("content/<int:asset_id>/edit/", views.asset_form, name="asset_edit"),
]
