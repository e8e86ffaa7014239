from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "smarketing.campaigns"
    label = "campaigns"
    verbose_name = "Campaigns"

    def ready(self) -> None:
        from smarketing.campaigns.demo import clear_campaign_data, generate_campaigns
        from smarketing.campaigns.rollup import REFRESH_JOB, refresh_due, run_refresh_job
        from smarketing.campaigns.sources import (
            LATEST_SOURCE_JOB,
            after_events_ingested,
            run_latest_source,
        )
        from smarketing.campaigns.touches import touches_for_batch
        from smarketing.core.jobs import merge_contacts, register_job, register_periodic
        from smarketing.people.generate.extensions import Extension, register_generate_extension
        from smarketing.tracking.hooks import register_batch_listener, register_events_listener

        # Touch points of ingested (and stitched) events, in the request's transaction.
        register_batch_listener("campaigns.touches", touches_for_batch)
        # Contacts' latest source and campaign follow their newest touch (a job queued
        # at the ingesting request's commit, run by the worker).
        register_events_listener("campaigns.latest_source", after_events_ingested)
        register_job(LATEST_SOURCE_JOB, run_latest_source, merge=merge_contacts)
        # Attribution's rollup: refreshed by the worker when anything changed.
        register_job(REFRESH_JOB, run_refresh_job)
        register_periodic("campaigns.attribution", refresh_due)

        # Named to run after the pipeline extension (extensions run by name).
        register_generate_extension(
            "utm_campaigns", Extension(generate=generate_campaigns, clear=clear_campaign_data)
        )
