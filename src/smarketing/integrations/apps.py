from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "smarketing.integrations"
    label = "integrations"
    verbose_name = "Integrations"

    def ready(self) -> None:
        from smarketing.core.events import subscribe
        from smarketing.core.jobs import register_job
        from smarketing.integrations.webhooks import (
            JOB,
            deliver,
            on_domain_event,
            on_domain_events,
        )

        register_job(JOB, deliver)
        subscribe(on_domain_event, batch=on_domain_events)
