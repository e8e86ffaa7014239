from django.contrib import admin
from django.urls import include, path

from smarketing.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("smarketing.tracking.urls")),
    path("", include("smarketing.core.urls")),
    path("", include("smarketing.people.urls")),
    path("", include("smarketing.pipeline.urls")),
    path("", include("smarketing.scoring.urls")),
    path("", include("smarketing.tracking.page_urls")),
    path("", include("smarketing.campaigns.urls")),
    path("", include("smarketing.handoff.urls")),
    path("", include("smarketing.analytics.urls")),
    path("", include("smarketing.integrations.urls")),
    path("", include("smarketing.imports.urls")),
]
