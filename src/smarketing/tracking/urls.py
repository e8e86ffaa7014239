"""Tracking URLs: the Segment-compatible API at the server root."""

from django.urls import re_path

from smarketing.tracking import endpoints

urlpatterns = [
    re_path(
        r"^v1/(?P<kind>identify|track|page|screen|group|alias|batch)/?$",
        endpoints.ingest,
        name="tracking_ingest",
    ),
]
