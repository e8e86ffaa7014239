from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "smarketing.analytics"
    label = "analytics"
    verbose_name = "Analytics"

    def ready(self) -> None:
        from smarketing.analytics import (
            families,  # noqa: F401  (registers every KPI)
            folds,
            tasks,
            webqueue,
        )
        from smarketing.core.jobs import register_job, register_periodic
        from smarketing.tracking.hooks import register_stored_listener

        register_job(tasks.JOB, tasks.send_report)
        register_periodic(tasks.JOB, tasks.schedule_report)
        register_job(webqueue.JOB, webqueue.run_job)  # the web rollups' queue
        register_periodic(webqueue.JOB, webqueue.due)
        register_periodic("analytics.fold", folds.due)  # SQLite: rows counted by id
        register_stored_listener(webqueue.JOB, webqueue.schedule)
