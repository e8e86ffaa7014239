"""Reads for tracking: web KPIs with sessions (KPI.md), sources, the debugger, the timeline.

Sessions are derived, not stored: a visitor's page and track events split where two
consecutive ones are more than 30 minutes apart (SESSION_GAP). A visitor is the
contact once identified, else the anonymous id (else the user id). A session counts in
the period where it starts, so web_metrics reads the events of
[start - 30 min, end + 30 min): the half hour before tells whether the first event in
the period continues an earlier session, and the half hour after whether a session
that starts with a single page view before `end` goes on (and is no bounce).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from smarketing.core.errors import ValidationFailed
from smarketing.core.ordering import both_ways, check_sort, in_range, matching
from smarketing.core.timeline import TimelineItem
from smarketing.tracking.models import DebugMessage, Event, EventType, HostedForm, Source

SESSION_GAP = timedelta(minutes=30)
VISITOR = (
    "CASE WHEN contact_id IS NOT NULL THEN 'c' || CAST(contact_id AS TEXT) "
    "WHEN anonymous_id <> '' THEN 'a' || anonymous_id ELSE 'u' || user_id END"
)
GAP_SQL = {
    "sqlite": "ROUND((julianday({later}) - julianday({earlier})) * 86400000.0) > %s * 1000",
    "postgresql": "EXTRACT(EPOCH FROM {later} - {earlier}) > %s",
}
SESSIONS_CTE = """
WITH scoped AS (
    SELECT {visitor} AS visitor, timestamp AS ts, id, type
    FROM {table}
    WHERE timestamp >= %s AND timestamp < %s AND type IN ('page', 'track')
), lagged AS (
    SELECT visitor, ts, id, type,
           LAG(ts) OVER (PARTITION BY visitor ORDER BY ts, id) AS prev
    FROM scoped
), marked AS (
    SELECT visitor, ts, id, type,
           CASE WHEN prev IS NULL OR {gap} THEN 1 ELSE 0 END AS starts
    FROM lagged
), numbered AS (
    SELECT visitor, ts, type,
           SUM(starts) OVER (PARTITION BY visitor ORDER BY ts, id
                             ROWS UNBOUNDED PRECEDING) AS session
    FROM marked
), sessions AS (
    SELECT visitor, MIN(ts) AS started, COUNT(*) AS events,
           SUM(CASE WHEN type = 'page' THEN 1 ELSE 0 END) AS pages
    FROM numbered GROUP BY visitor, session
)
"""
SESSION_ROWS_SQL = SESSIONS_CTE + """
SELECT visitor, started, events, pages FROM sessions
WHERE started >= %s AND started < %s ORDER BY started, visitor
"""
# web_metrics in one pass over the covering index event_web_kpi: one sort by visitor
# (LAG, LEAD and the running count share one window), no per-session grouping; the
# visitor is VISITOR's partition as plain columns (no string built per event). A row
# starts a session when the gap to the visitor's previous event is over 30 minutes;
# a session is a bounce when its start is a page view and the next event starts
# another session (or there is none); a visitor counts at their first page view in P.
METRICS_SQL = """
WITH scoped AS (
    SELECT contact_id,
           CASE WHEN contact_id IS NULL THEN anonymous_id ELSE '' END AS anonymous_key,
           CASE WHEN contact_id IS NULL AND anonymous_id = '' THEN user_id ELSE '' END AS user_key,
           timestamp AS ts, id, type
    FROM {table}
    WHERE timestamp >= %s AND timestamp < %s AND type IN ('page', 'track')
), marked AS (
    SELECT ts, type,
           LAG(ts) OVER visit AS prev, LEAD(ts) OVER visit AS next_ts,
           COUNT(CASE WHEN type = 'page' AND ts >= %s AND ts < %s THEN 1 END)
               OVER (visit ROWS UNBOUNDED PRECEDING) AS pages_so_far
    FROM scoped
    WINDOW visit AS (PARTITION BY contact_id, anonymous_key, user_key ORDER BY ts, id)
), flagged AS (
    SELECT type, pages_so_far,
           CASE WHEN prev IS NULL OR {gap} THEN 1 ELSE 0 END AS starts,
           CASE WHEN next_ts IS NULL OR {next_gap} THEN 1 ELSE 0 END AS alone
    FROM marked WHERE ts >= %s AND ts < %s
)
SELECT COALESCE(SUM(CASE WHEN type = 'page' AND pages_so_far = 1 THEN 1 ELSE 0 END), 0),
       COALESCE(SUM(starts), 0),
       COALESCE(SUM(CASE WHEN type = 'page' THEN 1 ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN starts = 1 AND alone = 1 AND type = 'page' THEN 1 ELSE 0 END), 0)
FROM flagged
"""


@dataclass(frozen=True)
class WebMetrics:
    """The web KPIs of KPI.md for one period; bounce_rate is None without sessions."""

    visitors: int
    sessions: int
    page_views: int
    bounce_rate: float | None


def _db_time(value: datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def web_metrics(start: datetime, end: datetime) -> WebMetrics:
    """visitors, sessions, page_views and bounce_rate for [start, end), in one query."""
    sql, params = _sessions_query(METRICS_SQL, start, end)
    with connection.cursor() as cursor:
        cursor.execute(sql, params[:2] + params[2:] * 2)
        visitors, sessions, page_views, bounces = cursor.fetchone()
    return WebMetrics(
        visitors=visitors, sessions=sessions, page_views=page_views,
        bounce_rate=bounces / sessions if sessions else None,
    )


def _sessions_query(sql: str, start: datetime, end: datetime) -> tuple[str, list[Any]]:
    gap = GAP_SQL[connection.vendor].replace("%s", str(SESSION_GAP.total_seconds()))
    params = [_db_time(start - SESSION_GAP), _db_time(end + SESSION_GAP),
              _db_time(start), _db_time(end)]
    return sql.format(visitor=VISITOR, table=Event._meta.db_table,
                      gap=gap.format(later="ts", earlier="prev"),
                      next_gap=gap.format(later="next_ts", earlier="ts")), params


def session_rows(start: datetime, end: datetime) -> list[tuple[str, datetime, int, int]]:
    """The sessions web_metrics counts, one (visitor, started, events, page views) each."""
    with connection.cursor() as cursor:
        cursor.execute(*_sessions_query(SESSION_ROWS_SQL, start, end))
        rows = cursor.fetchall()
    return [(visitor, _aware(started), events, pages) for visitor, started, events, pages in rows]


def _aware(value: Any) -> datetime:
    """A timestamp read by raw SQL: SQLite returns UTC text, PostgreSQL a datetime."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


SOURCE_SORTS = {
    "name": ("name", "id"),
    "-created_at": ("-created_at", "-id"),
    "created_at": ("created_at", "id"),
}


def source_list(
    *, kind: str = "", enabled: bool | None = None, sort: str = "name"
) -> QuerySet[Source]:
    qs = Source.objects.select_related("created_by").order_by(*check_sort(sort, SOURCE_SORTS))
    if kind:
        qs = qs.filter(kind=kind)
    return qs if enabled is None else qs.filter(enabled=enabled)


FORM_SORTS = both_ways("name", "created_at", "slug")


def form_list(
    source: Source, *, q: str = "", enabled: bool | None = None, form_type: str | None = None,
    sort: str = "name",
) -> QuerySet[HostedForm]:
    """A source's hosted forms in `sort` order (default: by name), the name containing
    `q` (any case), enabled or not, of a `form_type` ("" the plain lead form)."""
    qs = source.forms.order_by(*check_sort(sort, FORM_SORTS))
    if q.strip():
        qs = qs.filter(name__icontains=q.strip())
    return matching(qs, enabled=enabled, form_type=form_type)


# Each order is served by an index of the filter in use: event_timestamp (SQLite's
# index entries end with the rowid, so (timestamp, id) comes from the index alone),
# event_contact_ts, event_anonymous_ts, event_type_name_ts, event_web_kpi (type alone)
# and event_utm_campaign_ts.
EVENT_SORTS = {
    "-timestamp": ("-timestamp", "-id"),
    "timestamp": ("timestamp", "id"),
}


@dataclass(frozen=True)
class EventFilters:
    source_id: int | None = None
    type: str = ""
    name: str = ""
    contact_id: int | None = None
    anonymous_id: str = ""
    user_id: str = ""
    utm_campaign: str = ""
    start: datetime | None = None
    end: datetime | None = None
    sort: str = "-timestamp"


EQUAL_FILTERS = ("source_id", "type", "name", "contact_id", "anonymous_id", "user_id")


def event_list(filters: EventFilters) -> QuerySet[Event]:
    """Stored events matching `filters` (each an equality or the timestamp range
    [start, end)), in the `sort` order."""
    order = check_sort(filters.sort, EVENT_SORTS)
    _check_event_filters(filters)
    conditions = {f: getattr(filters, f) for f in EQUAL_FILTERS if getattr(filters, f)}
    qs = Event.objects.filter(**conditions)
    if filters.utm_campaign:
        # states event_utm_campaign_ts's own condition, so both databases use it
        qs = qs.filter(utm_campaign=filters.utm_campaign).exclude(utm_campaign="")
    return in_range(qs, "timestamp", filters.start, filters.end).order_by(*order)


def _check_event_filters(filters: EventFilters) -> None:
    if filters.type and filters.type not in EventType.values:
        raise ValidationFailed(
            f"type: use one of {', '.join(EventType.values)}", field="type")
    if filters.name and not filters.type:
        raise ValidationFailed(
            "name: give the event's type too (track, page or screen)", field="name")


@dataclass(frozen=True)
class DebugRow:
    received_at: datetime
    status: str
    type: str
    name: str
    message_id: str
    reason: str = ""
    contact_id: int | None = None


def debugger_rows(source: Source, limit: int = 100) -> list[DebugRow]:
    """The last `limit` messages of a source, newest first: stored events, duplicates and
    rejected messages (with their reason)."""
    stored = Event.objects.filter(source=source).order_by("-id").values(
        "received_at", "type", "name", "message_id", "contact_id"
    )[:limit]
    rows = [DebugRow(status="stored", **row) for row in stored]
    unstored = DebugMessage.objects.filter(source=source).order_by("-id")[:limit]
    rows += [
        DebugRow(received_at=m.received_at, status=m.status, type=m.type, name=m.name,
                 message_id=m.message_id, reason=m.reason)
        for m in unstored
    ]
    rows.sort(key=lambda row: row.received_at, reverse=True)
    return rows[:limit]


def events_for_timeline(
    contact_id: int, before: datetime | None, limit: int
) -> list[TimelineItem]:
    """The contact's events (newest first, older than `before`) as timeline items."""
    qs = Event.objects.filter(contact_id=contact_id)
    if before is not None:
        qs = qs.filter(timestamp__lt=before)
    rows = qs.order_by("-timestamp", "-id").values(
        "id", "type", "name", "timestamp", "page_path", "page_url", "utm_campaign",
        "properties",
    )[:limit]
    return [_timeline_item(row) for row in rows]


def _timeline_item(row: Mapping[str, Any]) -> TimelineItem:
    kind = row["type"]
    if kind == "page":
        title = f"Viewed {row['page_path'] or row['name'] or 'a page'}"
    elif kind == "track":
        title = row["name"]
    else:
        title = kind.capitalize()
    detail = f"campaign {row['utm_campaign']}" if row["utm_campaign"] else ""
    return TimelineItem(
        at=row["timestamp"], kind="event", title=title, detail=detail,
        data={"id": row["id"], "type": kind, "name": row["name"], "url": row["page_url"],
              "properties": row["properties"]},
    )
