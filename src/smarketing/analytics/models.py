"""Exact rollups of the web events, kept by database triggers (analytics/webrollup.py).

A WebSession is one session of KPI.md (a visitor's page and track events, split where
two consecutive ones are more than 30 minutes apart); a WebVisit is one visitor's page
views in one 15-minute UTC bucket (every organisation time zone's midnight falls on a
quarter hour, so a period of whole local days is a whole number of buckets). Both are
derived data: never written by application code, rebuilt by `webrollup.rebuild()`.
"""

from __future__ import annotations

from django.db import models


class WebSession(models.Model):
    visitor = models.CharField(max_length=402, help_text="tracking.selectors.VISITOR")
    contact_id = models.BigIntegerField(null=True, blank=True)
    started = models.DateTimeField()
    ended = models.DateTimeField()
    events = models.IntegerField()
    pages = models.IntegerField()
    pending = models.BooleanField(default=False, help_text="Being rebuilt (SQLite triggers)")

    class Meta:
        indexes = [
            models.Index(fields=["visitor", "started"], name="web_session_visitor"),
            models.Index(fields=["started", "events", "pages"], name="web_session_started"),
        ]

    def __str__(self) -> str:
        return f"{self.visitor} {self.started:%Y-%m-%d %H:%M} ({self.events} events)"


class WebVisit(models.Model):
    visitor = models.CharField(max_length=402)
    contact_id = models.BigIntegerField(null=True, blank=True)
    bucket = models.DateTimeField(help_text="The quarter hour (UTC) of the page views")
    pages = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["visitor", "bucket"], name="web_visit_unique"),
        ]
        indexes = [
            models.Index(fields=["bucket", "visitor"], name="web_visit_bucket"),
            models.Index(fields=["contact_id", "bucket"], name="web_visit_contact"),
        ]

    def __str__(self) -> str:
        return f"{self.visitor} {self.bucket:%Y-%m-%d %H:%M} ({self.pages} page views)"
