from django.apps import AppConfig


class PipelineConfig(AppConfig):
    name = "smarketing.pipeline"
    label = "pipeline"
    verbose_name = "Pipeline"

    def ready(self) -> None:
        from smarketing.core.jobs import register_job, register_periodic
        from smarketing.core.timeline import register_timeline_provider
        from smarketing.people.generate.extensions import Extension, register_generate_extension
        from smarketing.pipeline.demo import clear_pipeline_data, generate_pipeline
        from smarketing.pipeline.rates import RATES_JOB, rates_due, run_rates_job
        from smarketing.pipeline.selectors import (
            activities_for_timeline,
            deal_changes_for_timeline,
        )

        register_timeline_provider("pipeline.activities", activities_for_timeline)
        register_timeline_provider("pipeline.deal_changes", deal_changes_for_timeline)
        register_generate_extension(
            "pipeline", Extension(generate=generate_pipeline, clear=clear_pipeline_data)
        )
        register_job(RATES_JOB, run_rates_job)
        register_periodic("pipeline.rates", rates_due)
