"""Deal and company timelines: the record's own stage moves and activities next to the
marketing events, lifecycle moves and assignments of its contacts.

The contacts' items come from every other app's timeline provider (core/timeline.py),
so a deal or company shows what its people did without this app knowing the
tracking or handoff models. A company's timeline reads its MAX_CONTACTS most
recently changed contacts; a deal's, all of its contacts (a handful).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable

from django.db.models import QuerySet

from smarketing.core.timeline import TimelineItem, TimelinePage, timeline_providers
from smarketing.people.models import Company, Contact
from smarketing.pipeline.models import Activity, Deal, DealStageChange
from smarketing.pipeline.selectors import activity_item, deal_change_item

MAX_CONTACTS = 20
OWN_PROVIDERS = "pipeline."  # this app's contact providers: replaced by the record's own


def _contact_items(
    contacts: Iterable[Contact], before: dt.datetime | None, limit: int
) -> list[TimelineItem]:
    """The contacts' items from the other apps' providers, each naming its contact."""
    providers = [p for name, p in timeline_providers().items()
                 if not name.startswith(OWN_PROVIDERS)]
    items: list[TimelineItem] = []
    for contact in contacts:
        label = str(contact)
        for provider in providers:
            items.extend(
                dataclasses.replace(item, data={**item.data, "contact": label,
                                                "contact_id": contact.pk})
                for item in provider(contact.pk, before, limit)
            )
    return items


def _page(items: list[TimelineItem], limit: int) -> TimelinePage:
    items.sort(key=lambda item: item.at, reverse=True)
    page = items[:limit]
    more = len(items) > limit
    return TimelinePage(items=page, next_before=page[-1].at if more and page else None)


def _own_items(
    changes: QuerySet[DealStageChange], activities: QuerySet[Activity],
    before: dt.datetime | None, limit: int,
) -> list[TimelineItem]:
    if before is not None:
        changes, activities = changes.filter(at__lt=before), activities.filter(at__lt=before)
    changes = changes.select_related("deal", "from_stage", "to_stage", "actor")
    return (
        [deal_change_item(c) for c in changes.order_by("-at", "-id")[:limit]]
        + [activity_item(a) for a in activities.select_related("owner").order_by(
            "-at", "-id")[:limit]]
    )


def deal_timeline(
    deal: Deal, *, before: dt.datetime | None = None, limit: int = 50
) -> TimelinePage:
    """The deal's stage moves and activities with its contacts' events, newest first."""
    own = _own_items(DealStageChange.objects.filter(deal=deal),
                     Activity.objects.filter(deal=deal), before, limit + 1)
    contacts = Contact.objects.filter(deal_links__deal=deal).order_by("id")
    return _page(own + _contact_items(contacts, before, limit + 1), limit)


def company_timeline(
    company: Company, *, before: dt.datetime | None = None, limit: int = 50
) -> TimelinePage:
    """The moves of the company's deals, its activities, and its most recently changed
    contacts' events and lifecycle moves, newest first."""
    own = _own_items(DealStageChange.objects.filter(deal__company=company),
                     Activity.objects.filter(company=company), before, limit + 1)
    contacts = Contact.objects.filter(company=company).order_by("-updated_at", "-id")
    return _page(own + _contact_items(contacts[:MAX_CONTACTS], before, limit + 1), limit)
