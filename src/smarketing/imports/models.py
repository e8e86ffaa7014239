"""Import runs (resumable, with their per-row issues) and the source systems' ids."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from smarketing.core.models import TimeStampedModel


class ImportKind(models.TextChoices):
    COMPANIES = "companies", "Companies"
    CONTACTS = "contacts", "Contacts"
    DEALS = "deals", "Deals"
    LINE_ITEMS = "line_items", "Deal line items"
    ACTIVITIES = "activities", "Activities"
    CAMPAIGNS = "campaigns", "Campaigns"
    CAMPAIGN_COSTS = "campaign_costs", "Campaign costs"
    CHANNEL_METRICS = "channel_metrics", "Channel metrics"
    ORGANIC_TRAFFIC = "organic_traffic", "Organic traffic (SEO tools)"


class OnDuplicate(models.TextChoices):
    UPDATE = "update", "Update the existing record"
    SKIP = "skip", "Skip the row"
    CREATE = "create", "Create another record"


class ImportStatus(models.TextChoices):
    DRAFT = "draft", "Uploaded, not started"
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    FINISHED = "finished", "Finished"
    FAILED = "failed", "Failed"


class ImportRun(TimeStampedModel):
    """One import of one file; `rows_done` data rows are committed (resume point)."""

    kind = models.CharField(max_length=20, choices=ImportKind.choices)
    file_name = models.CharField(max_length=300)
    file_path = models.CharField(max_length=500, blank=True, default="")
    file_sha256 = models.CharField(max_length=64)
    options_key = models.CharField(max_length=64, help_text="Hash of mapping and options.")
    preset = models.CharField(max_length=40, blank=True, default="")
    mapping = models.JSONField(default=dict, blank=True)
    on_duplicate = models.CharField(
        max_length=10, choices=OnDuplicate.choices, default=OnDuplicate.UPDATE
    )
    dry_run = models.BooleanField(default=False)
    encoding = models.CharField(max_length=20, blank=True, default="")
    encoding_note = models.CharField(max_length=200, blank=True, default="")
    status = models.CharField(
        max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    total_rows = models.PositiveIntegerField(null=True, blank=True)
    rows_done = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=1000, blank=True, default="")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ImportKind.values),
                                   name="import_run_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=ImportStatus.values),
                                   name="import_run_status_valid"),
            models.CheckConstraint(condition=Q(on_duplicate__in=OnDuplicate.values),
                                   name="import_run_on_duplicate_valid"),
        ]
        indexes = [
            models.Index(fields=["file_sha256", "kind", "options_key"], name="import_run_file"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} from {self.file_name} ({self.status})"


class ImportIssue(models.Model):
    """A rejected row: where, why, and its raw values (for the failed-rows CSV)."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="issues")
    line = models.PositiveIntegerField()
    column = models.CharField(max_length=200, blank=True, default="")
    reason = models.CharField(max_length=1000)
    values = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["run", "line", "id"]
        indexes = [models.Index(fields=["run", "line"], name="import_issue_run_line")]

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.reason}"


class ExternalId(models.Model):
    """The id a source system (hubspot, salesforce, ...) gave a record we imported."""

    system = models.CharField(max_length=40)
    kind = models.CharField(max_length=40, help_text="company, contact, deal, activity, ...")
    external_id = models.CharField(max_length=200)
    object_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["system", "kind", "external_id"], name="external_id_unique"
            ),
            models.CheckConstraint(condition=~Q(external_id=""), name="external_id_set"),
        ]
        indexes = [models.Index(fields=["kind", "object_id"], name="external_id_object")]

    def __str__(self) -> str:
        return f"{self.system}:{self.kind}:{self.external_id} -> {self.object_id}"
