from django.apps import AppConfig


class ScoringConfig(AppConfig):
    name = "smarketing.scoring"
    label = "scoring"
    verbose_name = "Scoring"

    def ready(self) -> None:
        from smarketing.core.jobs import merge_contacts, register_job, register_periodic
        from smarketing.core.timeline import register_timeline_provider
        from smarketing.scoring.days import BUILD_JOB, run_build
        from smarketing.scoring.scoring import (
            INCREMENTAL_JOB,
            after_events_ingested,
            periodic_apply,
            run_incremental,
            run_queued_rescore,
        )
        from smarketing.scoring.selectors import score_changes_for_timeline
        from smarketing.scoring.services import RESCORE_JOB
        from smarketing.tracking.hooks import register_events_listener

        # Incremental scoring: the ingested events' contacts, by a job queued at commit.
        register_events_listener("scoring.rescore", after_events_ingested)
        register_job(INCREMENTAL_JOB, run_incremental, merge=merge_contacts)
        # The daily engagement counts: a new matcher's built, the queue applied each pass.
        register_job(BUILD_JOB, run_build)
        register_periodic("scoring.days", periodic_apply)
        # A full rescore after a model change runs in the worker, not the request.
        register_job(RESCORE_JOB, run_queued_rescore)
        # Score changes (with the model version) on the contact timeline.
        register_timeline_provider("scoring.score_changes", score_changes_for_timeline)
