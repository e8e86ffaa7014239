from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "smarketing.analytics"
    label = "analytics"
    verbose_name = "Analytics"

    def ready(self) -> None:
        from smarketing.analytics import families  # noqa: F401  (registers every KPI)
