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
