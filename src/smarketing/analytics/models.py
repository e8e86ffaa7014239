"""Exact rollups of the web events (analytics/webrollup.py), kept from a queue of changed
visitors that database triggers fill and `webqueue.apply()` drains (analytics/webqueue.py).

A WebSession is one session of KPI.md (a visitor's page and track events, split where
two consecutive ones are more than 30 minutes apart); a WebVisit is one visitor's page
views in one 15-minute UTC bucket (every organisation time zone's midnight falls on a
quarter hour, so a period of whole local days is a whole number of buckets). Both are
derived data: never written by application code, rebuilt by `webrollup.rebuild()`.
A WebVisit also carries the visitor's previous page-view bucket, so the visitors of a
period are its rows whose previous bucket lies before it; a WebBucket holds one
quarter hour's sessions started, bounces and page views (per database writer).
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
    previous = models.DateTimeField(
        null=True, blank=True,
        help_text="The visitor's previous bucket with a page view (None: the first)")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["visitor", "bucket"], name="web_visit_unique"),
        ]
        indexes = [
            models.Index(fields=["bucket", "previous"], name="web_visit_first"),
            models.Index(fields=["contact_id", "bucket"], name="web_visit_contact"),
        ]

    def __str__(self) -> str:
        return f"{self.visitor} {self.bucket:%Y-%m-%d %H:%M} ({self.pages} page views)"


class WebBucket(models.Model):
    """Counters of one UTC quarter hour, kept by triggers on the two rollups above. On
    PostgreSQL each backend counts in its own row (`writer`, its process id), so
    concurrent ingestion never waits on or deadlocks over a shared counter; a figure is
    the sum over the writers."""

    bucket = models.DateTimeField()
    writer = models.BigIntegerField(default=0)
    sessions = models.IntegerField(default=0, help_text="Sessions started in the bucket")
    bounces = models.IntegerField(default=0)
    pages = models.IntegerField(default=0, help_text="Page views in the bucket")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bucket", "writer"], name="web_bucket_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.bucket:%Y-%m-%d %H:%M} ({self.sessions} sessions, {self.pages} views)"


class WebDirty(models.Model):
    """A visitor whose page or track events changed since the rollups were last applied,
    and the earliest and latest time touched (analytics/webqueue.py: written by database
    triggers on the events, drained by `webqueue.apply()`). `writer`: the PostgreSQL
    backend that recorded it (0 on SQLite), so concurrent writers never share a row."""

    visitor = models.CharField(max_length=402)
    writer = models.BigIntegerField(default=0)
    lo = models.DateTimeField()
    hi = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["visitor", "writer"], name="web_dirty_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.visitor} {self.lo:%Y-%m-%d %H:%M}..{self.hi:%Y-%m-%d %H:%M}"


class WebMark(models.Model):
    """SQLite: the highest event id already swept onto the queue (one row, id 1).
    Inserted events are not queued by a trigger there (a row trigger on the events
    costs more than the insert itself): `webqueue.apply()` sweeps the events above the
    mark, whose ids only grow (AUTOINCREMENT, one writer at a time). No row: 0, every
    event is new. Unused on PostgreSQL, whose statement triggers queue inserts."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    upto = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="web_mark_single_row"),
            models.CheckConstraint(condition=models.Q(upto__gte=0), name="web_mark_upto_valid"),
        ]

    def __str__(self) -> str:
        return f"events up to {self.upto} swept"


class DealSpan(models.Model):
    """One deal stage change and how long it held (analytics/dealspans.py, kept by
    database triggers on the stage changes and deals): `until` is the deal's next change,
    dealspans.FOREVER for its latest; `created` the deal's created_at. Derived data."""

    change_id = models.BigIntegerField(primary_key=True, help_text="pipeline.DealStageChange")
    deal = models.ForeignKey("pipeline.Deal", on_delete=models.DO_NOTHING, db_constraint=False,
                             related_name="+")
    stage = models.ForeignKey("pipeline.PipelineStage", on_delete=models.DO_NOTHING,
                              db_constraint=False, db_index=False, related_name="+")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    at = models.DateTimeField()
    until = models.DateTimeField()
    created = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["stage", "until", "at", "created", "amount"],
                         name="deal_span_open"),
        ]

    def __str__(self) -> str:
        return f"deal {self.deal_id} in stage {self.stage_id} from {self.at:%Y-%m-%d %H:%M}"


class StageEntry(models.Model):
    """How many contacts reached a funnel stage on one UTC day with one breakdown key
    (analytics/stageentries.py, kept by database triggers on the contacts and companies;
    on PostgreSQL per writing backend). Derived data."""

    day = models.DateField()
    stage = models.CharField(max_length=20)
    dimension = models.CharField(max_length=10, help_text="channel, campaign, region, owner")
    key = models.CharField(max_length=200, blank=True, help_text='"" : none')
    writer = models.BigIntegerField(default=0)
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "stage", "dimension", "key", "writer"],
                                    name="stage_entry_unique"),
        ]
        indexes = [
            models.Index(fields=["stage", "dimension", "day", "key", "n"],
                         name="stage_entry_read"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.stage} {self.dimension}={self.key!r}: {self.n}"


class LeadVisit(models.Model):
    """A contact that reached lead, with its page-view buckets just before and after that
    moment (analytics/leadvisits.py, kept by database triggers on the contacts and the
    visit rollup). Derived data."""

    contact_id = models.BigIntegerField(primary_key=True)
    lead_at = models.DateTimeField()
    viewed_before = models.DateTimeField(null=True, blank=True,
                                         help_text="Latest page-view bucket <= lead_at")
    viewed_after = models.DateTimeField(null=True, blank=True,
                                        help_text="Earliest page-view bucket > lead_at")

    class Meta:
        indexes = [
            models.Index(fields=["lead_at", "viewed_before", "viewed_after"],
                         name="lead_visit_read"),
        ]

    def __str__(self) -> str:
        return f"contact {self.contact_id} lead at {self.lead_at:%Y-%m-%d %H:%M}"


class StageFlow(models.Model):
    """How many lifecycle moves (people.StageChange) went from one stage to another on one
    UTC day (analytics/stageflows.py; from_stage "" is a contact's first row). On
    PostgreSQL kept by statement triggers, per writing backend; on SQLite folded in from
    the history's new ids before each read (FoldMark), with row triggers for deletes and
    changes. Derived data."""

    day = models.DateField()
    from_stage = models.CharField(max_length=20, blank=True)
    to_stage = models.CharField(max_length=20)
    writer = models.BigIntegerField(default=0)
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "from_stage", "to_stage", "writer"],
                                    name="stage_flow_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.from_stage or '(new)'} -> {self.to_stage}: {self.n}"


class FoldMark(models.Model):
    """SQLite: the largest id of its source table that a rollup has counted, one row per
    rollup (analytics/folds.py: stageflows, stageentries, leadvisits; no row: 0). Unused
    on PostgreSQL. Derived data."""

    name = models.CharField(max_length=30, primary_key=True)
    upto = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}: rows up to id {self.upto} counted"


class DealSource(models.Model):
    """A deal with its primary contact (analytics/dealsources.py, kept by database
    triggers on the deals and their contacts): marketing-sourced pipeline and revenue
    as an index range. Derived data."""

    deal_id = models.BigIntegerField(primary_key=True)
    created_at = models.DateTimeField()
    won_at = models.DateTimeField(null=True, blank=True, help_text="closed_at of a won deal")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    contact_id = models.BigIntegerField(null=True, blank=True, help_text="The primary contact")

    class Meta:
        indexes = [
            models.Index(fields=["created_at", "contact_id", "amount"],
                         name="deal_source_created"),
            models.Index(fields=["won_at", "contact_id", "amount"], name="deal_source_won"),
        ]

    def __str__(self) -> str:
        return f"deal {self.deal_id} (primary contact {self.contact_id})"
