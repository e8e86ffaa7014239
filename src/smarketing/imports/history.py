"""Stage history from the dates in a file (HubSpot "Became a ... Date", Salesforce
ConvertedDate, created dates), kept to KPI.md's monotone rule: a stage is reached no
later than any later stage, and entering a stage reaches every earlier one."""

from __future__ import annotations

import datetime as dt
from typing import Any

from smarketing.people.lifecycle import _lead_status_on_entry, mark_reached
from smarketing.people.models import ORDERED_STAGES, Cause, Stage, stage_rank


def stage_path(
    final: str, dates: dict[str, dt.datetime | None], fallback: dt.datetime
) -> list[tuple[str, dt.datetime]]:
    """The moves that bring a new contact to `final` ('' = its latest dated stage)."""
    dated = {s: at for s, at in dates.items() if at is not None and s in ORDERED_STAGES}
    if not final:
        final = max(dated, key=stage_rank) if dated else Stage.LEAD
    top = stage_rank(final) if final != Stage.OTHER else len(ORDERED_STAGES)
    steps = sorted(((s, at) for s, at in dated.items() if stage_rank(s) <= top),
                   key=lambda item: stage_rank(item[0]))
    if not steps or steps[-1][0] != final:
        steps.append((final, dated.get(final) or max([fallback, *(a for _, a in steps)])))
    for index in range(len(steps) - 2, -1, -1):  # earlier stages no later than later ones
        stage, at = steps[index]
        steps[index] = (stage, min(at, steps[index + 1][1]))
    return steps


def apply_path(contact: Any, path: list[tuple[str, dt.datetime]]) -> None:
    """Set the stage, became_<stage>_at and lead status of a contact about to be
    inserted (anything with those attributes: lifecycle's own rules set them)."""
    for stage, at in path:
        mark_reached(contact, stage, at)
        _lead_status_on_entry(contact, stage)
        contact.lifecycle_stage = stage


CHANGE_COLUMNS = ["contact_id", "from_stage", "to_stage", "at", "actor_id", "cause", "reason"]


def change_rows(
    contact_id: int, path: list[tuple[str, dt.datetime]], actor: Any
) -> list[tuple[Any, ...]]:
    """StageChange rows (CHANGE_COLUMNS) of a new contact's path, cause `import`."""
    actor_id = getattr(actor, "pk", None)
    rows, previous = [], ""
    for stage, at in path:
        rows.append((contact_id, previous, stage, at, actor_id, Cause.IMPORT, "Imported"))
        previous = stage
    return rows
