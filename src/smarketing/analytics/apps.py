from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "smarketing.analytics"
    label = "analytics"
    verbose_name = "Analytics"

    def ready(self) -> None:
        from smarketing.analytics import (
            families,  # noqa: F401  (registers every KPI)
            tasks,
        )
        from smarketing.core.jobs import register_job, register_periodic

        register_job(tasks.JOB, tasks.send_report)
        register_periodic(tasks.JOB, tasks.schedule_report)
