"""The attribution benchmark's data set: a year of deals and the events of their contacts,
written set-based (bulk inserts for contacts and deals, `INSERT ... SELECT` over a
number series for the events), deterministic for the given sizes.

Shape (defaults: 50,000 deals, 10,000,000 events, 4 contacts per deal):
- deals created evenly over [YEAR_START, YEAR_END); 30 % won 7-56 days later, 10 %
  lost, the rest open; each deal has 1-3 contacts, the first of them a lead 5-44 days
  before the deal;
- events spread evenly over the year and the 90 days before it, each to a pseudo-random
  contact (one in five anonymous): one in 8 carries the utm_campaign of one of 30
  campaigns (3 per channel), one in 53 names one of 12 content assets (every 4th
  without a campaign); the rest are plain page views. A contact so has about 6
  touches over the 15 months (a deal, with 2 contacts on average, about 12).
- fewer events than FULL_EVENTS keep about the same touches: one in
  8 x events / FULL_EVENTS carries a campaign (all of them from 1.25M events down),
  so a quick run drops plain page views first and attribution does the same work.
"""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal
from typing import Any

YEAR_START = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
YEAR_END = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
EVENTS_FROM = YEAR_START - dt.timedelta(days=90)
CAMPAIGNS, ASSETS = 30, 12
FULL_EVENTS = 10_000_000
CHUNK = 1_000_000
INDEXED = "tracking_event"


def _say(message: str) -> None:
    print(message, flush=True)


def _campaigns(owner: Any) -> tuple[int, int]:
    """The campaigns and assets; returns the first asset id and their number."""
    from smarketing.campaigns.models import AssetType, Campaign, Channel, ContentAsset

    channels = list(Channel.values)
    made = Campaign.objects.bulk_create(
        Campaign(name=f"Bench campaign {k}", channel=channels[k % len(channels)],
                 utm_campaign=f"bench-c{k}", start_date=EVENTS_FROM.date(), owner=owner)
        for k in range(CAMPAIGNS))
    assets = ContentAsset.objects.bulk_create(
        ContentAsset(title=f"Bench asset {k}", type=AssetType.values[k % len(AssetType.values)],
                     campaign=None if k % 4 == 0 else made[k % CAMPAIGNS])
        for k in range(ASSETS))
    return min(a.pk for a in assets), len(assets)


def _created(i: int, deals: int) -> dt.datetime:
    """When deal i is created: evenly over the year."""
    year = (YEAR_END - YEAR_START).total_seconds()
    return YEAR_START + dt.timedelta(seconds=int(i * year / deals) + (i * 7) % 3600)


def _contact(n: int, deals: int) -> Any:
    """Contact n; contact 3i is the lead of deal i, 5-44 days before the deal."""
    from smarketing.people.models import Contact

    i, lead = divmod(n, 3)
    if lead or i >= deals:
        return Contact(first_name="Bench", last_name=f"C{n}")
    return Contact(first_name="Bench", last_name=f"C{n}", lifecycle_stage="lead",
                   became_lead_at=_created(i, deals) - dt.timedelta(days=5 + i % 40))


def _contacts(count: int, deals: int) -> int:
    """`count` contacts with contiguous ids; returns the first id."""
    from smarketing.people.models import Contact

    first = None
    for low in range(0, count, 20_000):
        made = Contact.objects.bulk_create(
            _contact(n, deals) for n in range(low, min(count, low + 20_000)))
        first = made[0].pk if first is None else first
    assert first is not None
    return first


def _deal(i: int, deals: int, stages: dict[str, Any], owner: Any) -> Any:
    from smarketing.pipeline.models import Deal, DealStatus

    created = _created(i, deals)
    status = (DealStatus.WON if i % 10 < 3 else DealStatus.LOST if i % 10 == 3
              else DealStatus.OPEN)
    closed = created + dt.timedelta(days=7 + i % 50) if status != DealStatus.OPEN else None
    return Deal(name=f"Bench deal {i}", owner=owner, stage=stages[status],
                amount=Decimal(1000 + (i * 7919) % 90000) + Decimal(i % 100) / 100,
                expected_close_date=(created + dt.timedelta(days=30)).date(),
                status=status, created_at=created, closed_at=closed)


def _deals(deals: int, first_contact: int, owner: Any) -> None:
    from smarketing.pipeline.models import Deal, DealContact, DealStatus
    from smarketing.pipeline.services import default_pipeline

    pipeline_stages = list(default_pipeline().stages.order_by("order"))
    stages = {DealStatus.OPEN: pipeline_stages[0],
              DealStatus.WON: next(s for s in pipeline_stages if s.is_won),
              DealStatus.LOST: next(s for s in pipeline_stages if s.is_lost)}
    for low in range(0, deals, 10_000):
        made = Deal.objects.bulk_create(_deal(i, deals, stages, owner)
                                        for i in range(low, min(deals, low + 10_000)))
        DealContact.objects.bulk_create(
            DealContact(deal=deal, contact_id=first_contact + 3 * i + k, is_primary=k == 0)
            for i, deal in zip(range(low, low + len(made)), made, strict=True)
            for k in range(1 + i % 3))


def _series(vendor: str, low: int, high: int) -> str:
    if vendor == "postgresql":
        return f"SELECT i FROM generate_series(CAST({low} AS BIGINT), {high}) AS s(i)"
    return (f"WITH RECURSIVE s(i) AS (SELECT {low} UNION ALL SELECT i + 1 FROM s "
            f"WHERE i < {high}) SELECT i FROM s")


def _event_columns(vendor: str, source: int, contacts: int, first_contact: int,
                   assets: tuple[int, int], events: int) -> dict[str, str]:
    """Each event column as an SQL expression of the event number `i`."""
    span = int((YEAR_END - EVENTS_FROM).total_seconds())
    base = int(EVENTS_FROM.timestamp())
    offset = f"((i * 40503 + (i % 977) * 7919) % {span})"
    at = (f"to_timestamp({base} + {offset})" if vendor == "postgresql"
          else f"datetime({base} + {offset}, 'unixepoch')")
    cat = "||"
    # h = i x a large odd constant: its remainder picks the contact, its quotient the
    # rest, so that a contact's events get every campaign, touch and anonymous share
    contact_index = f"((i * 2654435761) % {contacts})"
    q = f"((i * 2654435761) / {contacts})"
    asset = f"({assets[0]} + (i / 53) % {assets[1]})"
    properties = (f"CASE WHEN i % 53 = 1 THEN '{{\"asset_id\": ' {cat} CAST({asset} AS TEXT) "
                  f"{cat} '}}' ELSE '{{}}' END")
    json = "::jsonb" if vendor == "postgresql" else ""
    every = max(1, round(8 * events / FULL_EVENTS))  # one event in `every` has a campaign
    touch = f"{q} % {every} = 0"
    campaign = (f"CASE WHEN {touch} THEN 'bench-c' {cat} "
                f"CAST(({q} / {every}) % {CAMPAIGNS} AS TEXT) ELSE '' END")
    anonymous = f"{q} % 5 = 4"
    return {
        "source_id": str(source), "message_id": f"'b' {cat} CAST(i AS TEXT)",
        "type": "CASE WHEN i % 53 = 1 THEN 'track' ELSE 'page' END",
        "name": "CASE WHEN i % 53 = 1 THEN 'Asset Viewed' ELSE '' END",
        "contact_id": f"CASE WHEN {anonymous} THEN NULL ELSE {first_contact} + {contact_index} END",
        "anonymous_id": f"CASE WHEN {anonymous} THEN 'anon-x' {cat} CAST(i % 100000 AS TEXT) "
                        f"ELSE 'anon-' {cat} CAST({contact_index} AS TEXT) END",
        "user_id": "''", "group_id": "''", "previous_id": "''",
        "timestamp": at, "sent_at": "NULL", "received_at": at,
        "properties": f"({properties}){json}", "context": f"'{{}}'{json}",
        "utm_source": f"CASE WHEN {touch} THEN 'bench' ELSE '' END",
        "utm_medium": f"CASE WHEN {touch} THEN 'cpc' ELSE '' END",
        "utm_campaign": campaign, "utm_term": "''", "utm_content": "''", "referrer": "''",
        "page_path": f"'/p/' {cat} CAST(i % 50 AS TEXT)",
        "page_url": f"'https://example.com/p/' {cat} CAST(i % 50 AS TEXT)",
    }


def _secondary_indexes(cursor: Any, vendor: str) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the event table's named indexes (the model's Meta)."""
    from smarketing.tracking.models import Event

    names = [index.name for index in Event._meta.indexes]
    if vendor == "postgresql":
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s",
                       [INDEXED])
    else:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND "
                       "tbl_name = %s AND sql IS NOT NULL", [INDEXED])
    return [(name, sql) for name, sql in cursor.fetchall() if name in names]


def _events(events: int, columns: dict[str, str]) -> None:
    """The events in chunks of a million, with the event table's secondary indexes and
    the web rollup's per-event triggers (analytics/webrollup.py, ~15 ms an event on a
    loaded machine) dropped during the load; the indexes are built again and the
    triggers installed again after it (`install` rebuilds the rollups set-based)."""
    from django.db import connection

    from smarketing.analytics import webrollup

    with connection.schema_editor() as editor:
        webrollup.uninstall(editor)
    _load_events(events, columns)
    started = time.monotonic()
    with connection.schema_editor() as editor:
        webrollup.install(editor)
    _say(f"  web rollups rebuilt ({time.monotonic() - started:.0f} s)")


def _load_events(events: int, columns: dict[str, str]) -> None:
    from django.db import connection, transaction

    from smarketing.tracking.models import Event

    expected = {f.column for f in Event._meta.concrete_fields} - {"id"}
    if set(columns) != expected:
        raise SystemExit(f"event columns changed: {sorted(expected ^ set(columns))}")
    names = ", ".join(columns)
    values = ", ".join(columns.values())
    with connection.cursor() as cursor:
        indexes = _secondary_indexes(cursor, connection.vendor)
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {name}")
        for low in range(0, events, CHUNK):
            started = time.monotonic()
            series = _series(connection.vendor, low, min(events, low + CHUNK) - 1)
            with transaction.atomic():
                cursor.execute(f"INSERT INTO {INDEXED} ({names}) SELECT {values} FROM "
                               f"({series}) n")
            _say(f"  events {min(events, low + CHUNK):,} ({time.monotonic() - started:.0f} s)")
        for name, sql in indexes:
            started = time.monotonic()
            cursor.execute(sql)
            _say(f"  index {name} ({time.monotonic() - started:.0f} s)")


def generate(*, deals: int, events: int, contacts: int) -> None:
    """Write the data set into the (empty) database Django points at."""
    from django.contrib.auth.models import User
    from django.db import connection

    from smarketing.tracking.models import Source

    owner = User.objects.get(username="bench-admin")
    source = Source.objects.create(name="Bench site", kind="website", key_prefix="bench",
                                   key_hash="bench-attribution-" + "0" * 46)
    assets = _campaigns(owner)
    first_contact = _contacts(contacts, deals)
    _say(f"  {contacts:,} contacts")
    _deals(deals, first_contact, owner)
    _say(f"  {deals:,} deals")
    _events(events, _event_columns(connection.vendor, source.pk, contacts, first_contact,
                                   assets, events))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
