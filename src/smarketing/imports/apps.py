from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "smarketing.imports"
    label = "imports"
    verbose_name = "Imports"

    def ready(self) -> None:
        from smarketing.core.jobs import register_job
        from smarketing.imports.tasks import run_import_job

        register_job("imports.run", run_import_job)
