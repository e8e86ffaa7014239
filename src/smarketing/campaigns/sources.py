"""Contacts' latest source and campaign, kept current as events arrive.

The original (first-touch) source and campaign are set once by tracking's stitching
(`set_first_touch`). The latest ones follow the contact's newest *touch*: an event
carrying UTM fields, or a page view that arrived from outside the site (another
site's referrer, or none: direct). Navigating inside the site (a referrer on the
page's own host) is not a touch. The channel is tracking's `channel_for` (the same
rules as the original source), the campaign the touch's raw utm_campaign (empty for
an untagged visit). A tracking events listener queues a job with each request's
contacts inside its transaction (the request only inserts the job row, so ingestion
is not slowed down); the worker runs it, set-based (one query for the candidate
events), merged with the other such jobs waiting (each contact once)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber

from smarketing.core.jobs import enqueue_now
from smarketing.people.models import Contact
from smarketing.people.services import contact_update
from smarketing.tracking.attribution import channel_for, url_host
from smarketing.tracking.models import Event, EventType

CANDIDATES = 20  # newest candidate events read per contact
LATEST_SOURCE_JOB = "campaigns.latest_source"
FIELDS = ("utm_medium", "utm_source", "utm_campaign", "referrer", "page_url")


def is_touch(event: dict[str, Any]) -> bool:
    """UTM fields, or a page view from outside the site (or from nowhere: direct)."""
    if event["utm_campaign"] or event["utm_source"] or event["utm_medium"]:
        return True
    return event["type"] == EventType.PAGE and not (
        event["referrer"] and url_host(event["referrer"]) == url_host(event["page_url"]))


def latest_touches(contact_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """Contact id -> (source channel, utm_campaign) of its newest touch, for the
    contacts with one among their newest candidate events."""
    candidates = (Q(type=EventType.PAGE) | ~Q(utm_campaign="") | ~Q(utm_source="")
                  | ~Q(utm_medium=""))
    rows = (Event.objects.filter(contact_id__in=list(contact_ids)).filter(candidates)
            .annotate(rank=Window(RowNumber(), partition_by=F("contact_id"),
                                  order_by=[F("timestamp").desc(), F("id").desc()]))
            .filter(rank__lte=CANDIDATES).order_by("contact_id", "rank")
            .values("contact_id", "type", *FIELDS))
    found: dict[int, tuple[str, str]] = {}
    for row in rows:
        if row["contact_id"] not in found and is_touch(row):
            touch = {name: row[name] for name in FIELDS}
            found[row["contact_id"]] = (channel_for(**touch), row["utm_campaign"])
    return found


def latest_source_refresh(contact_ids: Iterable[int]) -> None:
    """Set latest_source / latest_campaign where the newest touch changed them (through
    people's contact_update, for the changed contacts only)."""
    latest = latest_touches(contact_ids)
    for contact in Contact.objects.filter(pk__in=list(latest)):
        source, campaign = latest[contact.pk]
        if (contact.latest_source, contact.latest_campaign) != (source, campaign):
            contact_update(contact=contact, actor=None, latest_source=source,
                           latest_campaign=campaign)


def after_events_ingested(contact_ids: Iterable[int | None]) -> None:
    """Tracking events listener: queue the refresh of these contacts (at commit)."""
    ids = sorted({i for i in contact_ids if i is not None})
    if ids:
        enqueue_now(LATEST_SOURCE_JOB, {"contacts": ids})


def run_latest_source(payload: dict[str, Any]) -> None:
    """Job handler: refresh the latest source of an ingested request's contacts."""
    latest_source_refresh([int(i) for i in payload["contacts"]])
