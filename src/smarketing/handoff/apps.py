from django.apps import AppConfig


class HandoffConfig(AppConfig):
    name = "smarketing.handoff"
    label = "handoff"
    verbose_name = "Handoff and SLA"

    def ready(self) -> None:
        from smarketing.core.jobs import register_job, register_periodic
        from smarketing.core.timeline import register_timeline_provider
        from smarketing.handoff import notify, routing
        from smarketing.handoff.demo import clear_handoff_data, generate_handoff
        from smarketing.handoff.selectors import assignments_for_timeline
        from smarketing.people.generate.extensions import Extension, register_generate_extension
        from smarketing.people.lifecycle import on_stage_entered

        on_stage_entered(routing.on_stage_entered, batch=routing.on_stages_entered)
        register_job(routing.ROUTE_JOB, routing.run_route_job)
        register_job(notify.EMAIL_JOB, notify.send_email)
        register_periodic("handoff.sla", notify.scan_sla)
        register_timeline_provider("handoff.assignments", assignments_for_timeline)
        register_generate_extension(
            "handoff", Extension(generate=generate_handoff, clear=clear_handoff_data)
        )
