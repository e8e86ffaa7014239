"""Reads about users."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from smarketing.core.models import SALES_ROLES


def sales_users() -> QuerySet[Any]:
    """Active users with a sales role: the people contacts are assigned to."""
    return get_user_model().objects.filter(
        is_active=True, profile__role__in=SALES_ROLES
    ).order_by("username")
