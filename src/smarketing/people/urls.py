from django.urls import path

from smarketing.people import views

app_name = "people"
urlpatterns = [
    path("contacts/", views.contact_index, name="contact_list"),
    path("contacts/export.csv", views.contact_export, name="contact_export"),
    path("contacts/<int:contact_id>/", views.contact_detail, name="contact_detail"),
    path("contacts/<int:contact_id>/edit/", views.contact_edit, name="contact_edit"),
    path("contacts/<int:contact_id>/move/", views.contact_move, name="contact_move"),
    path("contacts/<int:contact_id>/recycle/", views.contact_recycle_view, name="contact_recycle"),
    path("companies/", views.company_index, name="company_list"),
    path("companies/export.csv", views.company_export, name="company_export"),
    path("companies/options/", views.company_options, name="company_options"),
]
