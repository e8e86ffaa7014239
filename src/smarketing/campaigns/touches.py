"""Touch points materialised from the events, kept exactly up to date.

A touch point is a contact event carrying a `utm_campaign` or naming an asset
(`properties.asset_id`, an integer or a string of digits). Attribution reads them by
(contact, time) through one index instead of parsing every event of every contact.

How they stay exact (late events included, since an event belongs to its own
`timestamp`, never to when it arrived):
- `touches_sync()` runs before every attribution read: it materialises the events
  stored since the last event id it read (one INSERT ... SELECT) and resolves their
  campaigns; when the campaigns changed (created, edited, deleted: their count, sum
  of ids and latest `updated_at`), it re-resolves every distinct UTM combination.
- Ingestion (the tracking API) also materialises, inside the request's transaction,
  the touch points of the events it stored and of every event of the contacts it
  restitched (`touches_for_batch`, a batch listener): this covers anonymous events
  stitched to a contact later and, on PostgreSQL, events committed out of id order.
- A merge repoints `TouchPoint.contact` like every contact relation (and is noticed
  by its ContactMerge record); deleting an event or a contact deletes its touch
  points; an asset is joined when the deal's shares are computed.
Every change marks stale the attribution rows of the deals of the contacts concerned
(campaigns/rollup.py computes them again before the next read).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import Max, Q, QuerySet, Sum

from smarketing.campaigns.models import (
    Campaign,
    ContentAsset,
    DealAttribution,
    DealAttributionState,
    TouchPoint,
    TouchSync,
)
from smarketing.campaigns.resolution import UtmKeys, campaign_ids_for
from smarketing.people.models import ContactMerge
from smarketing.pipeline.models import DealContact
from smarketing.tracking.hooks import StoredBatch
from smarketing.tracking.models import Event

UTM = ("utm_campaign", "utm_source", "utm_medium")


def _asset_sql(column: str) -> str:
    """SQL for the asset id an event's properties name, NULL unless whole digits."""
    if connection.vendor == "postgresql":
        raw = f"({column} ->> 'asset_id')"
        return f"(CASE WHEN {raw} ~ '^[0-9]{{1,18}}$' THEN CAST({raw} AS BIGINT) END)"
    raw = f"json_extract({column}, '$.asset_id')"
    kind = f"json_type({column}, '$.asset_id')"
    return (f"(CASE WHEN {kind} = 'integer' THEN {raw} WHEN {kind} = 'text' AND "
            f"length({raw}) BETWEEN 1 AND 18 AND {raw} NOT GLOB '*[^0-9]*' "
            f"THEN CAST({raw} AS INTEGER) END)")


def _insert(where: str, params: list[Any], returning: bool = False) -> list[tuple[int, int]]:
    """Materialise the touch points of the events `where` selects; with `returning`,
    the (event id, contact id) of those added."""
    asset = _asset_sql("e.properties")
    sql = (
        f"INSERT INTO {TouchPoint._meta.db_table} "
        "(event_id, contact_id, at, utm_campaign, utm_source, utm_medium, campaign_id, "
        f"asset_ref) SELECT e.id, e.contact_id, e.timestamp, e.utm_campaign, e.utm_source, "
        f"e.utm_medium, NULL, {asset} FROM {Event._meta.db_table} e "
        f"WHERE {where} AND e.contact_id IS NOT NULL AND (e.utm_campaign <> '' OR "
        f"{asset} IS NOT NULL) ON CONFLICT (event_id) DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql + (" RETURNING event_id, contact_id" if returning else ""), params)
        return cursor.fetchall() if returning else []


def mark_deals_stale(contact_ids: QuerySet[Any] | list[int]) -> None:
    """The deals of these contacts get their attribution rows computed again."""
    deals = DealContact.objects.filter(contact_id__in=contact_ids).values("deal_id")
    DealAttributionState.objects.filter(stale=False, deal_id__in=deals).update(stale=True)


def _resolve(scope: Q | None = None) -> None:
    """Set `campaign` on the touch points in `scope` (all when None) whose UTM values
    resolve differently from what is stored: one UPDATE per changed combination."""
    found = TouchPoint.objects.exclude(utm_campaign="")
    if scope is not None:
        found = found.filter(scope)
    combos = set(found.values_list(*UTM, "campaign_id").distinct())
    resolved = campaign_ids_for(UtmKeys.of(*combo[:3]) for combo in combos)
    for *utm, current in combos:
        wanted = resolved[UtmKeys.of(*utm)]
        if wanted != current:
            changed = found.filter(**dict(zip(UTM, utm, strict=True)))
            mark_deals_stale(changed.values("contact_id"))
            changed.update(campaign_id=wanted)


def fingerprint(model: type[Campaign] | type[ContentAsset]) -> str:
    """Changes when a row is created, edited (through save) or deleted."""
    found = model.objects.aggregate(ids=Sum("pk"), at=Max("updated_at"))
    count = model.objects.count()
    return f"{count}:{found['ids']}:{found['at'].isoformat() if found['at'] else ''}"


def _mark_deleted_campaigns() -> None:
    """Deals with rows for a deleted campaign (its touches were set to no campaign)."""
    gone = DealAttribution.objects.filter(campaign_id__isnull=False).exclude(
        campaign_id__in=Campaign.objects.values("pk"))
    DealAttributionState.objects.filter(
        stale=False, deal_id__in=gone.values("deal_id")).update(stale=True)


def _latest_merge() -> int:
    return ContactMerge.objects.aggregate(n=Max("pk"))["n"] or 0


Marks = tuple[str, str, int]


def _marks() -> Marks:
    """The campaigns' and assets' fingerprints and the newest merge."""
    return fingerprint(Campaign), fingerprint(ContentAsset), _latest_merge()


def _stored(state: TouchSync) -> Marks:
    return state.campaigns_fingerprint, state.assets_fingerprint, state.last_merge_id


def _catch_up(state: TouchSync, newest: int, marks: Marks) -> None:
    if state.campaigns_fingerprint != marks[0]:
        _resolve()
        _mark_deleted_campaigns()
    if state.assets_fingerprint != marks[1]:
        mark_deals_stale(TouchPoint.objects.filter(asset_ref__isnull=False).values("contact_id"))
    if state.last_merge_id != marks[2]:
        merged = ContactMerge.objects.filter(pk__gt=state.last_merge_id)
        mark_deals_stale(merged.values("primary_id"))
    if newest > state.last_event_id:
        _insert("e.id > %s AND e.id <= %s", [state.last_event_id, newest])
        added = Q(event_id__gt=state.last_event_id, event_id__lte=newest)
        _resolve(scope=added)
        mark_deals_stale(TouchPoint.objects.filter(added).values("contact_id"))


def touches_pending() -> tuple[int, Marks] | None:
    """(newest event id, marks) when the touch points are behind the events, campaigns,
    assets or merges; None when up to date (a few indexed aggregates)."""
    newest = Event.objects.aggregate(n=Max("pk"))["n"] or 0
    marks, found = _marks(), TouchSync.objects.first()
    if found and found.last_event_id >= newest and _stored(found) == marks:
        return None
    return newest, marks


def touches_sync() -> None:
    """Bring the touch points up to date (module docstring) and mark stale the deals
    whose attribution they change. Nothing to do costs a few indexed aggregates."""
    pending = touches_pending()
    if pending is None:
        return
    newest, marks = pending
    with transaction.atomic():
        state = (TouchSync.objects.select_for_update().first()
                 or TouchSync.objects.create())
        _catch_up(state, newest, marks)
        state.last_event_id = max(newest, state.last_event_id)
        state.campaigns_fingerprint, state.assets_fingerprint, state.last_merge_id = marks
        state.save()


def touches_for_batch(batch: StoredBatch) -> None:
    """Materialise the touch points of one ingestion request (a batch listener, inside
    its transaction): its own stored events, found by their message ids, and every
    event of the contacts whose earlier events it moved (identify, alias). Reading only
    these keeps a request's cost independent of its contacts' history."""
    touches_for_contacts(batch.restitched)
    if not batch.message_ids:
        return
    marks = ", ".join(["%s"] * len(batch.message_ids))
    added = _insert(f"e.source_id = %s AND e.message_id IN ({marks})",
                    [batch.source_id, *batch.message_ids], returning=True)
    if added:  # by the events only: with `campaign IS NULL` too, SQLite picked that
        # index and read every unresolved touch point (11 ms a request at 20k of them)
        _resolve(scope=Q(event_id__in=[event for event, _ in added]))
        mark_deals_stale(sorted({contact for _, contact in added}))


def touches_for_contacts(contact_ids: Iterable[int | None]) -> None:
    """Materialise the touch points of these contacts' events not yet materialised
    (every event of theirs: for the contacts an ingestion request restitched)."""
    ids = sorted({pk for pk in contact_ids if pk is not None})
    if not ids:
        return
    marks = ", ".join(["%s"] * len(ids))
    _insert(f"e.contact_id IN ({marks})", list(ids))
    _resolve(scope=Q(contact_id__in=ids, campaign__isnull=True))
    mark_deals_stale(ids)
