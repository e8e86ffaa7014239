"""Bring a generated data set up to a pipeline scale (e.g. 50k deals, 500k activities).

`smarketing generate` makes about 4 deals and 21 activities per 100 contacts,
consistent with the contacts' histories. For a pipeline benchmark at 50k deals
without millions of contacts, the generated deals are copied, set-based, with
their contact links, line items, stage history and activities (each copy's id is
the original's plus a shift, so every child row finds its copy with one
INSERT .. SELECT); then activities are copied until the target count is reached.
The copies are realistic in shape (same stages, amounts, dates and owners), which
is what the board, forecast and timeline timings depend on. Not used by tests.
"""

from __future__ import annotations

from typing import Any

from django.core.management.color import no_style
from django.db import connection, models, transaction


def _columns(model: type[models.Model]) -> list[str]:
    return [f.column for f in model._meta.concrete_fields if not f.primary_key]


def _copy_children(model: type[models.Model], shift: int, cutoff: int) -> None:
    """Copy the rows of `model` linked to deals id <= cutoff onto the shifted deal ids."""
    columns = [c for c in _columns(model) if c != "deal_id"]
    names = ", ".join(columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {model._meta.db_table} (deal_id, {names}) "  # noqa: S608 - model names
            f"SELECT deal_id + %s, {names} FROM {model._meta.db_table} WHERE deal_id <= %s",
            [shift, cutoff],
        )


def _copy_deals(shift: int, cutoff: int) -> None:
    from smarketing.pipeline.models import Activity, Deal, DealContact, DealStageChange, LineItem

    columns = ", ".join(_columns(Deal))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Deal._meta.db_table} (id, {columns}) "  # noqa: S608 - model names
            f"SELECT id + %s, {columns} FROM {Deal._meta.db_table} WHERE id <= %s",
            [shift, cutoff],
        )
    for child in (DealContact, LineItem, DealStageChange, Activity):
        _copy_children(child, shift, cutoff)


def _nth_id(model: type[models.Model], n: int) -> int:
    """The id of the n-th row by id (1-based)."""
    return int(model.objects.order_by("id").values_list("id", flat=True)[n - 1])


def _copy_activities(needed: int) -> None:
    from smarketing.pipeline.models import Activity

    columns = ", ".join(_columns(Activity))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Activity._meta.db_table} ({columns}) "  # noqa: S608 - model names
            f"SELECT {columns} FROM {Activity._meta.db_table} WHERE id <= %s",
            [_nth_id(Activity, needed)],
        )


def _reset_sequences() -> None:
    from smarketing.pipeline.models import Activity, Deal, DealContact, DealStageChange, LineItem

    statements = connection.ops.sequence_reset_sql(
        no_style(), [Deal, DealContact, LineItem, DealStageChange, Activity])
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def scale_up(deals: int, activities: int) -> dict[str, Any]:
    """Copy deals (with their rows) until there are `deals`, then activities until
    `activities`; returns what was added. Idempotent: nothing to do at the target."""
    from smarketing.pipeline.models import Activity, Deal

    added = {"deals": 0, "activities": 0}
    with transaction.atomic():
        original = Deal.objects.count()
        if not original:
            raise SystemExit("no deal to copy: generate contacts first")
        while (have := Deal.objects.count()) < deals:
            shift = int(Deal.objects.order_by("-id").values_list("id", flat=True)[0])
            _copy_deals(shift, _nth_id(Deal, min(have, deals - have)))
        added["deals"] = Deal.objects.count() - original
        before = Activity.objects.count()
        while (have := Activity.objects.count()) < activities:
            _copy_activities(min(have, activities - have))
        added["activities"] = Activity.objects.count() - before
        _reset_sequences()
    return added
