from django.apps import AppConfig


class PipelineConfig(AppConfig):
    name = "smarketing.pipeline"
    label = "pipeline"
    verbose_name = "Pipeline"
