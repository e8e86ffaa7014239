"""Sources pages of the web UI."""

from django.urls import path

from smarketing.tracking import views

app_name = "tracking"
urlpatterns = [
    path("sources/", views.source_index, name="source_list"),
    path("sources/<int:source_id>/", views.source_detail, name="source_detail"),
    path("sources/<int:source_id>/rotate/", views.source_rotate, name="source_rotate"),
    path("sources/<int:source_id>/forms/", views.source_form_create, name="source_form_create"),
    path("sources/forms/<int:form_id>/enabled/", views.source_form_enabled,
         name="source_form_enabled"),
    path("sources/<int:source_id>/debugger/", views.source_debugger, name="source_debugger"),
    path("contacts/<int:contact_id>/activity/", views.contact_activity, name="contact_activity"),
    path("f/<slug:slug>/", views.hosted_form, name="hosted_form"),
]
