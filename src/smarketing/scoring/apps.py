from django.apps import AppConfig


class ScoringConfig(AppConfig):
    name = "smarketing.scoring"
    label = "scoring"
    verbose_name = "Scoring"

    def ready(self) -> None:
        from smarketing.scoring.scoring import after_events_ingested
        from smarketing.tracking.hooks import register_events_listener

        # Incremental scoring: the ingested events' contacts, right after the commit.
        register_events_listener("scoring.rescore", after_events_ingested)
