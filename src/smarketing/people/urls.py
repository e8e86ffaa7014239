from django.urls import path

from smarketing.people import views

app_name = "people"
urlpatterns = [
    path("contacts/", views.contact_index, name="contact_list"),
    path("contacts/<int:contact_id>/", views.contact_detail, name="contact_detail"),
]
