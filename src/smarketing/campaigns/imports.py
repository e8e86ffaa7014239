"""CSV import of campaign costs and channel metrics (formats in docs/campaigns.md).

A file is read whole and checked row by row before anything is written; the first
bad value is reported as "line N, column C: ..." (line 1 is the header) with `field`
set to the column, and then nothing is stored (all or nothing).

Formats:
- costs (generic): campaign, kind, amount, start_date, end_date, note;
- metrics (generic): campaign, day, impressions, clicks, spend, likes, shares,
  comments, video_views;
- metrics, Facebook Ads-style export: Campaign name, Day (or Reporting starts),
  Impressions, Clicks (or Link clicks), Spent (or "Amount spent (EUR)"), Post
  reactions, Post shares, Post comments, Video plays: these headers are recognised
  in every metrics file (here and in the import engine's channel_metrics kind), so
  `format="facebook"` is accepted but not needed.
A cost row equal in every value to a stored cost is not added again, so importing a
file again (or the whole file after the import engine refused some rows) does not
double the spend.
`campaign` is a campaign's name or its utm_campaign, case-insensitive. Headers
match case-insensitively; a `mapping` {file column: field} renames other exports'
columns. Counts may use thousands separators; money may carry a currency sign.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from functools import partial
from typing import Any

from django.db import transaction

from smarketing.campaigns.models import Campaign, CampaignCost
from smarketing.campaigns.services import (
    COUNT_FIELDS,
    MetricRow,
    cost_add,
    metrics_upsert,
    money,
    utm_key,
    whole_number,
)
from smarketing.core.errors import ValidationFailed
from smarketing.core.tabular import table_from_text

MAX_ROWS = 100_000
COST_COLUMNS = ("campaign", "kind", "amount", "start_date", "end_date", "note")
METRIC_COLUMNS = ("campaign", "day", *COUNT_FIELDS, "spend")
FACEBOOK: dict[str, str] = {
    "campaign name": "campaign", "day": "day", "reporting starts": "day", "date": "day",
    "impressions": "impressions", "clicks": "clicks", "clicks (all)": "clicks",
    "link clicks": "clicks", "spent": "spend", "amount spent": "spend",
    "post reactions": "likes", "post shares": "shares", "post comments": "comments",
    "video plays": "video_views", "3-second video plays": "video_views",
}
REQUIRED = {"costs": ("campaign", "kind", "amount", "start_date"),
            "metrics": ("campaign", "day")}


class LineError(ValidationFailed):
    """A bad value in a file: the message names the line and the column."""


def header_columns(header: list[str], mapping: dict[str, str], kind: str) -> dict[int, str]:
    """{column index: field} for a costs or metrics file; a required field missing
    from the header is an error on line 1."""
    known = COST_COLUMNS if kind == "costs" else METRIC_COLUMNS
    aliases = FACEBOOK if kind == "metrics" else {}  # an ad export's headers, always read
    lowered = {**aliases, **{k.strip().lower(): v for k, v in mapping.items()}}
    columns: dict[int, str] = {}
    for index, name in enumerate(header):
        key = re.sub(r"\s*\([a-z]{3}\)$", "", name.strip().lower())  # "Amount spent (EUR)"
        target = lowered.get(key, key)
        if target in known:
            columns[index] = target
    missing = [c for c in REQUIRED[kind] if c not in columns.values()]
    if missing:
        raise LineError(f"line 1, column {missing[0]}: missing from the header",
                        field=missing[0])
    return columns


def row_values(values: list[str], columns: dict[int, str]) -> dict[str, str]:
    return {name: values[i].strip() if i < len(values) else "" for i, name in columns.items()}


def _rows(text: str, kind: str, mapping: dict[str, str]) -> Iterator[tuple[int, dict[str, str]]]:
    table = table_from_text(text)
    columns = header_columns(table.header, mapping, kind)
    for number, values in table.rows:
        if number > MAX_ROWS + 1:
            raise LineError(f"line {number}: more than {MAX_ROWS} rows", field="file")
        yield number, row_values(values, columns)


def _at(line: int, column: str, parse: Callable[[str], Any], raw: str) -> Any:
    try:
        return parse(raw)
    except (ValueError, ArithmeticError, ValidationFailed) as exc:
        detail = exc.message.split(": ", 1)[-1] if isinstance(exc, ValidationFailed) else (
            f"{raw!r} is not valid")
        raise LineError(f"line {line}, column {column}: {detail}", field=column) from exc


def _money(raw: str) -> Decimal:
    return money(raw.replace(",", "").strip().lstrip("$€£¥").strip() or "0", "amount")


def _date(raw: str) -> dt.date:
    return dt.date.fromisoformat(raw)


class CampaignLookup:
    def __init__(self) -> None:
        self.by_key: dict[str, Campaign] = {}
        for campaign in Campaign.objects.all():
            self.by_key.setdefault(campaign.utm_campaign, campaign)
        for campaign in Campaign.objects.all():
            self.by_key[campaign.name.strip().lower()] = campaign

    def __call__(self, raw: str) -> Campaign:
        found = self.by_key.get(utm_key(raw))
        if found is None:
            raise ValueError(raw)
        return found


def metric_row(line: int, row: dict[str, str], campaigns: CampaignLookup) -> MetricRow:
    counts = {f: _at(line, f, partial(whole_number, field=f), row.get(f, ""))
              for f in COUNT_FIELDS}
    return MetricRow(
        campaign_id=_at(line, "campaign", campaigns, row["campaign"]).pk,
        day=_at(line, "day", _date, row["day"]),
        spend=_at(line, "spend", _money, row.get("spend", "")), **counts,
    )


def import_metrics(*, actor: Any, text: str, format: str = "generic",
                   mapping: dict[str, str] | None = None) -> int:
    """Store the metrics of a CSV file; returns the number of campaign-days stored."""
    if format not in ("generic", "facebook"):
        raise ValidationFailed("format: use generic or facebook", field="format")
    campaigns = CampaignLookup()
    rows = [metric_row(line, row, campaigns)
            for line, row in _rows(text, "metrics", mapping or {})]
    return metrics_upsert(actor=actor, rows=rows)


def cost_row(*, line: int, row: dict[str, str], campaigns: CampaignLookup, actor: Any) -> bool:
    """Add the cost of one row (False: the same cost, every value equal, is already
    stored, so a file imported again adds nothing); a bad value raises LineError
    naming line and column."""
    campaign = _at(line, "campaign", campaigns, row["campaign"])
    start = _at(line, "start_date", _date, row["start_date"])
    end = _at(line, "end_date", _date, row["end_date"]) if row.get("end_date") else None
    amount = _at(line, "amount", _money, row["amount"]) if row["amount"] else ""
    try:
        cost = cost_add(campaign=campaign, actor=actor, kind=row["kind"].lower(),
                        amount=amount, start_date=start, end_date=end,
                        note=row.get("note", ""))
    except ValidationFailed as exc:
        column = exc.field or "amount"
        raise LineError(f"line {line}, column {column}: {exc.message.split(': ', 1)[-1]}",
                        field=column) from exc
    same = CampaignCost.objects.filter(
        campaign=campaign, kind=cost.kind, amount=cost.amount, start_date=cost.start_date,
        end_date=cost.end_date, note=cost.note).exclude(pk=cost.pk)
    if same.exists():
        cost.delete()
        return False
    return True


@transaction.atomic
def import_costs(*, actor: Any, text: str, mapping: dict[str, str] | None = None) -> int:
    """Add the costs of a CSV file (all or nothing); returns how many were added."""
    campaigns = CampaignLookup()
    added = 0
    for line, row in _rows(text, "costs", mapping or {}):
        added += cost_row(line=line, row=row, campaigns=campaigns, actor=actor)
    return added
