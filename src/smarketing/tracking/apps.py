from django.apps import AppConfig


class TrackingConfig(AppConfig):
    name = "smarketing.tracking"
    label = "tracking"
    verbose_name = "Tracking"

    def ready(self) -> None:
        from smarketing.core.timeline import register_timeline_provider
        from smarketing.tracking.selectors import events_for_timeline

        register_timeline_provider("tracking.events", events_for_timeline)
