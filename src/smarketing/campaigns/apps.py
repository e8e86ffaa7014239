from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "smarketing.campaigns"
    label = "campaigns"
    verbose_name = "Campaigns"

    def ready(self) -> None:
        from smarketing.campaigns.demo import clear_campaign_data, generate_campaigns
        from smarketing.campaigns.sources import latest_source_refresh
        from smarketing.campaigns.touches import touches_for_contacts
        from smarketing.people.generate.extensions import Extension, register_generate_extension
        from smarketing.tracking.hooks import register_events_listener

        # Touch points of ingested (and stitched) events, in the request's transaction.
        register_events_listener("campaigns.touches", touches_for_contacts)
        # Contacts' latest source and campaign follow their newest touch.
        register_events_listener("campaigns.latest_source", latest_source_refresh)

        # Named to run after the pipeline extension (extensions run by name).
        register_generate_extension(
            "utm_campaigns", Extension(generate=generate_campaigns, clear=clear_campaign_data)
        )
