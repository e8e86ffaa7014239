from django.contrib import admin

from smarketing.campaigns.models import Campaign, CampaignCost, ChannelMetric, ContentAsset

admin.site.register([Campaign, CampaignCost, ChannelMetric, ContentAsset])
