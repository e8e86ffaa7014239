from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "smarketing.campaigns"
    label = "campaigns"
    verbose_name = "Campaigns"
