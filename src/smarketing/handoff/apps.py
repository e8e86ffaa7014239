from django.apps import AppConfig


class HandoffConfig(AppConfig):
    name = "smarketing.handoff"
    label = "handoff"
    verbose_name = "Handoff and SLA"

    def ready(self) -> None:
        from smarketing.core.timeline import register_timeline_provider
        from smarketing.handoff import routing
        from smarketing.handoff.selectors import assignments_for_timeline
        from smarketing.people.lifecycle import on_stage_entered

        on_stage_entered(routing.on_stage_entered)
        register_timeline_provider("handoff.assignments", assignments_for_timeline)
