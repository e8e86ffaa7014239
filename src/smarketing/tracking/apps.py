from django.apps import AppConfig


class TrackingConfig(AppConfig):
    name = "smarketing.tracking"
    label = "tracking"
    verbose_name = "Tracking"
