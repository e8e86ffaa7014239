"""Domain events of deals (core.events): `deal.created`, `deal.stage_changed`,
`deal.won`, `deal.lost`; each keyed by the deal's stage-history row, so a deal
won, reopened and won again sends two `deal.won` events, and a retry none."""

from __future__ import annotations

from typing import Any

from smarketing.core.events import publish
from smarketing.pipeline.models import Deal, DealStageChange


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def deal_data(deal: Deal) -> dict[str, Any]:
    return {
        "id": deal.pk,
        "name": deal.name,
        "company_id": deal.company_id,
        "owner_id": deal.owner_id,
        "amount": str(deal.amount),
        "expected_close_date": _iso(deal.expected_close_date),
        "type": deal.type,
        "source_campaign": deal.source_campaign,
        "pipeline_id": deal.stage.pipeline_id,
        "stage_id": deal.stage_id,
        "stage": deal.stage.name,
        "status": deal.status,
        "lost_reason": deal.lost_reason.name if deal.lost_reason else None,
        "lost_note": deal.lost_note,
        "created_at": _iso(deal.created_at),
        "closed_at": _iso(deal.closed_at),
    }


def publish_deal_created(deal: Deal) -> None:
    publish("deal.created", f"deal.created:{deal.pk}", deal_data(deal))


def _change_data(deal: Deal, change: DealStageChange) -> dict[str, Any]:
    return {
        "deal": deal_data(deal),
        "stage_change_id": change.pk,
        "from_stage_id": change.from_stage_id,
        "from_stage": change.from_stage.name if change.from_stage else None,
        "to_stage_id": change.to_stage_id,
        "to_stage": change.to_stage.name,
        "actor_id": change.actor_id,
        "at": _iso(change.at),
    }


def publish_deal_stage_changed(deal: Deal, change: DealStageChange) -> None:
    """`deal.stage_changed`, and `deal.won` when the move won it."""
    publish("deal.stage_changed", f"deal.stage_changed:{change.pk}", _change_data(deal, change))
    if deal.status == "won":
        publish("deal.won", f"deal.won:{change.pk}", _change_data(deal, change))


def publish_deal_lost(deal: Deal, change: DealStageChange) -> None:
    """Sent once the lost reason is recorded (after the stage change)."""
    publish("deal.lost", f"deal.lost:{change.pk}", _change_data(deal, change))
