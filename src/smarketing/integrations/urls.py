from django.urls import path

from smarketing.integrations import views

app_name = "integrations"
urlpatterns = [
    path("integrations/webhooks/", views.webhook_index, name="webhook_list"),
    path(
        "integrations/webhooks/<int:webhook_id>/", views.webhook_detail, name="webhook_detail"
    ),
    path(
        "integrations/webhooks/<int:webhook_id>/<str:action>/",
        views.webhook_action,
        name="webhook_action",
    ),
    path(
        "integrations/webhooks/<int:webhook_id>/deliveries/<int:delivery_id>/resend/",
        views.delivery_resend,
        name="delivery_resend",
    ),
]
