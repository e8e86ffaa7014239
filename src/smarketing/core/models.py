"""Base model, users' profiles, roles and teams."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Role(models.TextChoices):
    MARKETING = "marketing", "Marketing"
    SALES_REP = "sales_rep", "Sales rep"
    SALES_MANAGER = "sales_manager", "Sales manager"
    ADMIN = "admin", "Admin"


SALES_ROLES = frozenset({Role.SALES_REP, Role.SALES_MANAGER})


class Region(models.TextChoices):
    NA = "NA", "North America"
    LATAM = "LATAM", "Latin America"
    EMEA = "EMEA", "Europe, Middle East & Africa"
    APAC = "APAC", "Asia Pacific"


class Team(TimeStampedModel):
    name = models.CharField(max_length=100, unique=True)
    region = models.CharField(max_length=8, choices=Region.choices, blank=True, default="")

    def __str__(self) -> str:
        return self.name


class Profile(TimeStampedModel):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.SALES_REP)
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="members"
    )
    region = models.CharField(max_length=8, choices=Region.choices, blank=True, default="")
    capacity = models.PositiveIntegerField(
        default=50, help_text="The most open MQLs this person may hold at once."
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=[r.value for r in Role]), name="profile_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role})"


class Job(models.Model):
    """A unit of background work, claimed by one worker at a time (see core/jobs.py)."""

    kind = models.CharField(max_length=100)
    payload = models.JSONField(default=dict, blank=True)
    dedupe_key = models.CharField(
        max_length=200, blank=True, default="", help_text="Non-empty: enqueued at most once."
    )
    run_at = models.DateTimeField()
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=5)
    claimed_by = models.CharField(max_length=100, blank=True, default="")
    claimed_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"], condition=~models.Q(dedupe_key=""), name="job_dedupe_once"
            ),
        ]
        indexes = [models.Index(fields=["done_at", "failed_at", "run_at"], name="job_due")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class Notification(models.Model):
    """An in-app message to one user (the bell in the header)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=50)
    title = models.CharField(max_length=200)
    body = models.CharField(max_length=1000, blank=True, default="")
    url = models.CharField(max_length=300, blank=True, default="")
    dedupe_key = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "dedupe_key"], condition=~models.Q(dedupe_key=""),
                name="notification_once",
            ),
        ]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return f"{self.user}: {self.title}"
