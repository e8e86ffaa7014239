"""entered(S, P) and the cohort view, from the contacts' `became_<stage>_at`.

`became_<stage>_at` is reached(S, c) of KPI.md: the first time the contact reached
the stage, filled for every earlier stage at the same instant (monotone funnel
rule) and never cleared by recycling (people/lifecycle.py keeps it equal to the
StageChange history). Each is indexed, so entered(S, P) is one range scan.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import cache
from typing import Any

from django.db.models import QuerySet

from smarketing.analytics import stageentries
from smarketing.analytics.measures import Measure
from smarketing.core.periods import Period
from smarketing.people.models import Contact

FUNNEL_STAGES = ("lead", "mql", "sql", "opportunity", "customer")
REACHABLE = ("subscriber", *FUNNEL_STAGES, "evangelist")
CONTACT_DIMENSIONS = {
    "channel": "original_source",
    "campaign": "original_campaign",
    "region": "company__region",
    "owner": "owner__username",
    "team": "owner__profile__team__name",
}
CONTACT_COLUMNS = {
    "contact_id": "pk", "email": "email", "first_name": "first_name",
    "last_name": "last_name", "lifecycle_stage": "lifecycle_stage",
    "original_source": "original_source", "original_campaign": "original_campaign",
    "owner": "owner__username",
}


def reached_field(stage: str) -> str:
    return f"became_{stage}_at"


def entered_rows(stage: str, period: Period) -> QuerySet[Contact]:
    """entered(stage, P): contacts whose reached(stage) lies in P."""
    return entered_between(stage, *period.bounds())


def cohort_rows(first: str, later: str, period: Period) -> QuerySet[Contact]:
    """Of entered(first, P), those that reached `later` by now."""
    return entered_rows(first, period).filter(**{f"{reached_field(later)}__isnull": False})


def _columns(*stages: str) -> dict[str, Any]:
    return {**CONTACT_COLUMNS, **{reached_field(s): reached_field(s) for s in stages}}


def entered_between(stage: str, start: dt.datetime, end: dt.datetime) -> QuerySet[Contact]:
    at = reached_field(stage)
    return Contact.objects.filter(**{f"{at}__gte": start, f"{at}__lt": end})


def entered_counts(stage: str) -> Callable[[Period, str], dict[str | None, int] | None]:
    """entered(stage, P) by a breakdown from the exact per-day rollup (stageentries.py)."""
    return lambda period, name: stageentries.counts(
        stage, name, period, lambda start, end: entered_between(stage, start, end))


@cache
def entered(stage: str) -> Measure:
    return Measure(lambda period: entered_rows(stage, period), _columns(stage),
                   dimensions=CONTACT_DIMENSIONS, grouped=entered_counts(stage))


@cache
def cohort_reached(first: str, later: str) -> Measure:
    return Measure(lambda period: cohort_rows(first, later, period), _columns(first, later),
                   dimensions=CONTACT_DIMENSIONS)
