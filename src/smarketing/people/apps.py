from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "smarketing.people"
    label = "people"
    verbose_name = "People"

    def ready(self) -> None:
        from smarketing.core.timeline import register_timeline_provider
        from smarketing.people.selectors import stage_changes_for_timeline

        register_timeline_provider("people.stage_changes", stage_changes_for_timeline)
