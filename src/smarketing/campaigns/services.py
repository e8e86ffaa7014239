"""Writes for campaigns, costs, channel metrics and content assets.

Services trust their caller for authorisation (the API and views ask
campaigns/permissions.py first); `actor` is the user acting, None for the system
(imports run by the CLI, demo data).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import IntegrityError, transaction

from smarketing.campaigns.models import (
    AssetShare,
    AssetType,
    Campaign,
    CampaignCost,
    CampaignStatus,
    Channel,
    ChannelMetric,
    ContentAsset,
    CostKind,
)
from smarketing.core.errors import NotFound, ValidationFailed

CENT = Decimal("0.01")
CAMPAIGN_FIELDS = frozenset({
    "name", "channel", "utm_campaign", "utm_source", "utm_medium", "start_date", "end_date",
    "budget", "owner", "status",
})
ASSET_FIELDS = frozenset({"title", "type", "url", "campaign", "gated"})
COUNT_FIELDS = ("impressions", "clicks", "likes", "shares", "comments", "video_views")


def money(value: Any, field: str) -> Decimal:
    """A non-negative Decimal with two places; floats are refused (never money)."""
    if isinstance(value, (float, bool)):
        raise ValidationFailed(f"{field}: give money as a decimal string", field=field)
    try:
        amount = Decimal(str(value).strip())
    except ArithmeticError as exc:
        raise ValidationFailed(f"{field}: {value!r} is not a number", field=field) from exc
    if not amount.is_finite() or amount < 0:
        raise ValidationFailed(f"{field}: must be a number >= 0", field=field)
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def utm_key(value: Any) -> str:
    """How UTM values are stored and compared: trimmed, lower-case."""
    return str(value or "").strip().lower()


def _refuse_unknown(fields: dict[str, Any], known: frozenset[str], kind: str) -> None:
    unknown = sorted(set(fields) - known)
    if unknown:
        raise ValidationFailed(f"{unknown[0]}: not a {kind} field", field=unknown[0])


def _check_choice(field: str, value: Any, allowed: list[str]) -> None:
    if value not in allowed:
        raise ValidationFailed(f"{field}: {value!r} is not one of {', '.join(allowed)}",
                               field=field)


def _clean_campaign(fields: dict[str, Any]) -> dict[str, Any]:
    _refuse_unknown(fields, CAMPAIGN_FIELDS, "campaign")
    cleaned = dict(fields)
    for key in ("utm_campaign", "utm_source", "utm_medium"):
        if key in cleaned:
            cleaned[key] = utm_key(cleaned[key])
    if "name" in cleaned:
        cleaned["name"] = str(cleaned["name"] or "").strip()
        if not cleaned["name"]:
            raise ValidationFailed("name: a campaign needs a name", field="name")
    if "utm_campaign" in cleaned and not cleaned["utm_campaign"]:
        raise ValidationFailed("utm_campaign: a campaign needs its utm_campaign value",
                               field="utm_campaign")
    if "channel" in cleaned:
        _check_choice("channel", cleaned["channel"], Channel.values)
    if "status" in cleaned:
        _check_choice("status", cleaned["status"], CampaignStatus.values)
    if "budget" in cleaned:
        cleaned["budget"] = money(cleaned["budget"], "budget")
    return cleaned


def _check_campaign(campaign: Campaign) -> None:
    if campaign.end_date and campaign.end_date < campaign.start_date:
        raise ValidationFailed("end_date: before start_date", field="end_date")
    if Campaign.objects.filter(name=campaign.name).exclude(pk=campaign.pk).exists():
        raise ValidationFailed(f"name: {campaign.name!r} is already taken", field="name")
    same_keys = Campaign.objects.filter(
        utm_campaign=campaign.utm_campaign, utm_source=campaign.utm_source,
        utm_medium=campaign.utm_medium,
    ).exclude(pk=campaign.pk)
    if same_keys.exists():
        raise ValidationFailed(
            "utm_campaign: another campaign has these UTM keys", field="utm_campaign"
        )


def _save(obj: Any) -> None:
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        raise ValidationFailed(f"{type(obj).__name__.lower()}: {exc}", field="") from exc


@transaction.atomic
def campaign_create(
    *, actor: Any, name: str, channel: str, utm_campaign: str, start_date: dt.date,
    **fields: Any,
) -> Campaign:
    cleaned = _clean_campaign({
        "name": name, "channel": channel, "utm_campaign": utm_campaign,
        "start_date": start_date, **fields,
    })
    campaign = Campaign(**cleaned)
    _check_campaign(campaign)
    _save(campaign)
    return campaign


@transaction.atomic
def campaign_update(*, campaign: Campaign, actor: Any, **fields: Any) -> Campaign:
    for key, value in _clean_campaign(fields).items():
        setattr(campaign, key, value)
    _check_campaign(campaign)
    _save(campaign)
    return campaign


@transaction.atomic
def campaign_delete(*, campaign: Campaign, actor: Any) -> None:
    campaign.delete()


def _cost_dates(kind: str, start_date: dt.date, end_date: dt.date | None) -> dt.date:
    _check_choice("kind", kind, CostKind.values)
    if kind == CostKind.LUMP_SUM:
        if end_date not in (None, start_date):
            raise ValidationFailed("end_date: a lump sum is dated on one day", field="end_date")
        return start_date
    if end_date is None:
        raise ValidationFailed("end_date: a daily cost needs an end date", field="end_date")
    if end_date < start_date:
        raise ValidationFailed("end_date: before start_date", field="end_date")
    return end_date


@transaction.atomic
def cost_add(
    *, campaign: Campaign, actor: Any, kind: str, amount: Any, start_date: dt.date,
    end_date: dt.date | None = None, note: str = "",
) -> CampaignCost:
    """A lump sum on `start_date`, or `amount` per day from start to end inclusive."""
    end = _cost_dates(kind, start_date, end_date)
    return CampaignCost.objects.create(
        campaign=campaign, kind=kind, amount=money(amount, "amount"), start_date=start_date,
        end_date=end, note=(note or "").strip()[:300],
    )


@transaction.atomic
def cost_update(*, cost: CampaignCost, actor: Any, **fields: Any) -> CampaignCost:
    _refuse_unknown(fields, frozenset({"kind", "amount", "start_date", "end_date", "note"}),
                    "cost")
    kind = fields.get("kind", cost.kind)
    start = fields.get("start_date", cost.start_date)
    end = fields.get("end_date", None if kind == CostKind.LUMP_SUM else cost.end_date)
    cost.kind, cost.start_date, cost.end_date = kind, start, _cost_dates(kind, start, end)
    if "amount" in fields:
        cost.amount = money(fields["amount"], "amount")
    if "note" in fields:
        cost.note = (fields["note"] or "").strip()[:300]
    cost.save()
    return cost


@transaction.atomic
def cost_delete(*, cost: CampaignCost, actor: Any) -> None:
    cost.delete()


@dataclass(frozen=True)
class MetricRow:
    """One campaign-day of channel metrics (counts are whole numbers >= 0)."""

    campaign_id: int
    day: dt.date
    impressions: int = 0
    clicks: int = 0
    spend: Decimal = Decimal("0")
    likes: int = 0
    shares: int = 0
    comments: int = 0
    video_views: int = 0


def _metric(row: MetricRow) -> ChannelMetric:
    for field in COUNT_FIELDS:
        value = getattr(row, field)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValidationFailed(f"{field}: must be a whole number >= 0", field=field)
    counts = {field: getattr(row, field) for field in COUNT_FIELDS}
    return ChannelMetric(campaign_id=row.campaign_id, day=row.day,
                         spend=money(row.spend, "spend"), **counts)


@transaction.atomic
def metrics_upsert(*, actor: Any, rows: list[MetricRow]) -> int:
    """Store campaign-days, replacing the numbers of days already stored; all or nothing.
    A campaign-day given twice keeps the last row. Returns the number of rows stored."""
    metrics = {(r.campaign_id, r.day): _metric(r) for r in rows}
    known = set(Campaign.objects.filter(
        pk__in={key[0] for key in metrics}).values_list("pk", flat=True))
    missing = sorted({key[0] for key in metrics} - known)
    if missing:
        raise ValidationFailed(f"campaign_id: campaign {missing[0]} not found",
                               field="campaign_id")
    ChannelMetric.objects.bulk_create(
        list(metrics.values()), update_conflicts=True,
        unique_fields=["campaign", "day"], update_fields=["spend", *COUNT_FIELDS],
    )
    return len(metrics)


def whole_number(raw: Any, field: str) -> int:
    """A count typed by a person or read from a file: digits, thousands separators
    allowed (`12,000`), empty is 0; anything else names the field."""
    text = str(raw if raw is not None else "").replace(",", "").replace(" ", "").strip()
    if not text:
        return 0
    if not text.isdigit():
        raise ValidationFailed(f"{field}: {raw!r} is not a whole number >= 0", field=field)
    return int(text)


def metric_from_form(*, campaign: Campaign, day: dt.date | None,
                     values: dict[str, Any]) -> MetricRow:
    """One campaign-day typed in the UI: each bad value names its field."""
    if day is None:
        raise ValidationFailed("day: give the day as YYYY-MM-DD", field="day")
    counts = {field: whole_number(values.get(field), field) for field in COUNT_FIELDS}
    spend = str(values.get("spend") or "0").replace(",", "")
    return MetricRow(campaign_id=campaign.pk, day=day, spend=money(spend, "spend"), **counts)


@transaction.atomic
def metric_delete(*, campaign: Campaign, day: dt.date, actor: Any) -> None:
    """Remove a campaign-day of channel metrics (missing: NotFound naming the day)."""
    deleted, _ = ChannelMetric.objects.filter(campaign=campaign, day=day).delete()
    if not deleted:
        raise NotFound(f"day: no channel metrics on {day.isoformat()}", field="day")


def _clean_asset(fields: dict[str, Any]) -> dict[str, Any]:
    _refuse_unknown(fields, ASSET_FIELDS, "asset")
    cleaned = dict(fields)
    if "title" in cleaned:
        cleaned["title"] = str(cleaned["title"] or "").strip()
        if not cleaned["title"]:
            raise ValidationFailed("title: an asset needs a title", field="title")
    if "type" in cleaned:
        _check_choice("type", cleaned["type"], AssetType.values)
    if "url" in cleaned:
        cleaned["url"] = str(cleaned["url"] or "").strip()
        if cleaned["url"] and not cleaned["url"].startswith(("http://", "https://")):
            raise ValidationFailed("url: must start with http:// or https://", field="url")
    return cleaned


@transaction.atomic
def asset_create(*, actor: Any, title: str, type: str, **fields: Any) -> ContentAsset:
    asset = ContentAsset(**_clean_asset({"title": title, "type": type, **fields}))
    _save(asset)
    return asset


@transaction.atomic
def asset_update(*, asset: ContentAsset, actor: Any, **fields: Any) -> ContentAsset:
    for key, value in _clean_asset(fields).items():
        setattr(asset, key, value)
    _save(asset)
    return asset


@transaction.atomic
def asset_delete(*, asset: ContentAsset, actor: Any) -> None:
    asset.delete()


@transaction.atomic
def asset_share(
    *, asset: ContentAsset, contact: Any, actor: Any, note: str = "",
    at: dt.datetime | None = None,
) -> AssetShare:
    """Send `asset` to `contact`: an email activity by `actor` plus the share record."""
    from django.utils import timezone

    from smarketing.pipeline.services import activity_log

    at = at or timezone.now()
    body = "\n\n".join(part for part in (note.strip(), asset.url) if part)
    activity = activity_log(actor=actor, kind="email", subject=f"Shared: {asset.title}"[:200],
                            body=body, at=at, contact=contact)
    return AssetShare.objects.create(asset=asset, contact=contact, activity=activity,
                                     shared_by=actor, at=at)
