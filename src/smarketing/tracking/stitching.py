"""Identity stitching: what identify, alias and group messages do to contacts and
companies, and the tracking lifecycle rule (subscriber or lead). All writes go
through the people services; re-attributing a visitor's earlier events is one UPDATE.

Rules (docs/tracking.md):
- identify finds the contact by userId, then the email trait, then the anonymous id
  (unless that id's contact has another email or userId: a shared browser); with none
  found it creates one when there is a userId or an email. It attaches the ids that
  belong to no other contact, re-attributes their unattributed events, and updates
  fields from the traits (an existing email is kept; another one sent with the
  contact's userId is added as an identity).
- a contact created by tracking is a lead when its visitor had already sent a
  conversion event, else a subscriber; a later conversion event makes a subscriber a
  lead. Original source channel and campaign come from the first touch.
- alias merges the contact of previousId into the contact of userId (or attaches the
  missing id when only one exists); group links the contact to the group's company.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Q

from smarketing.core.errors import DomainError, ValidationFailed
from smarketing.people.lifecycle import contact_transition
from smarketing.people.merge import contact_merge
from smarketing.people.models import (
    Cause,
    Company,
    Contact,
    Identity,
    IdentityKind,
    SourceChannel,
    Stage,
)
from smarketing.people.services import (
    company_create,
    company_update,
    contact_create,
    contact_update,
    identity_add,
)
from smarketing.tracking import traits as trait_map
from smarketing.tracking.attribution import channel_for
from smarketing.tracking.messages import Incoming
from smarketing.tracking.models import Event, EventType, GroupLink, Source, SourceKind
from smarketing.tracking.names import CONVERSION_EVENTS, FORM_SUBMITTED, NEWSLETTER_FORM_TYPE

log = logging.getLogger(__name__)

# The channel of a contact whose history holds no web touch, by the kind of source.
CHANNEL_WITHOUT_TOUCH = {
    SourceKind.WEBSITE: SourceChannel.DIRECT,
    SourceKind.SERVER: SourceChannel.OFFLINE,
    SourceKind.EMAIL_TOOL: SourceChannel.EMAIL,
    SourceKind.IMPORT: SourceChannel.IMPORT,
}
TOUCH_FIELDS = ("utm_medium", "utm_source", "utm_campaign", "referrer", "page_url")


# --- looking contacts up -------------------------------------------------------------

def contact_ids_for(messages: Iterable[Incoming]) -> dict[tuple[str, str], int]:
    """{(kind, value): contact_id} for every userId and anonymousId of `messages` (1 query,
    plain SQL: it runs on every ingested batch, where building the ORM query cost more
    than the indexed lookups themselves)."""
    user_ids, anonymous_ids = set(), set()
    for message in messages:
        if message.user_id:
            user_ids.add(message.user_id)
        if message.anonymous_id:
            anonymous_ids.add(message.anonymous_id)
    wanted = [(kind, values) for kind, values in (
        (IdentityKind.USER_ID, user_ids), (IdentityKind.ANONYMOUS_ID, anonymous_ids)) if values]
    if not wanted:
        return {}
    where = " OR ".join(
        f"(kind = %s AND value IN ({', '.join(['%s'] * len(values))}))" for _, values in wanted)
    params = [p for kind, values in wanted for p in (str(kind), *values)]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT kind, value, contact_id FROM {Identity._meta.db_table} "
                       f"WHERE {where}", params)
        return {(kind, value): contact_id for kind, value, contact_id in cursor.fetchall()}


# plain strings: hashing the enum members (Enum.__hash__, in Python) for every event of
# every batch cost more than the two dict lookups themselves
_USER_ID, _ANONYMOUS_ID = str(IdentityKind.USER_ID), str(IdentityKind.ANONYMOUS_ID)


def owner_of(known: dict[tuple[str, str], int], message: Incoming) -> int | None:
    """The contact a message belongs to: its userId's, else its anonymousId's."""
    return known.get((_USER_ID, message.user_id)) or known.get(
        (_ANONYMOUS_ID, message.anonymous_id)
    )


def _owner(kind: str, value: str) -> Contact | None:
    if not value:
        return None
    identity = Identity.objects.select_related("contact").filter(kind=kind, value=value).first()
    return identity.contact if identity else None


def _find(*, user_id: str, email: str, anonymous_id: str) -> Contact | None:
    """By userId, else email, else the anonymous id, unless that id's contact is someone
    else (another email, or another userId): a shared browser."""
    found = _owner(IdentityKind.USER_ID, user_id) or _owner(IdentityKind.EMAIL, email)
    if found is not None:
        return found
    visitor = _owner(IdentityKind.ANONYMOUS_ID, anonymous_id)
    if visitor is None or (email and visitor.email and visitor.email != email):
        return None
    if user_id and visitor.identities.filter(kind=IdentityKind.USER_ID).exists():
        return None
    return visitor


# --- identify ------------------------------------------------------------------------

def apply_identify(message: Incoming, source: Source) -> Contact | None:
    email = trait_map.trait_email(message.traits)
    fields = trait_map.contact_fields(message.traits)
    contact = _find(user_id=message.user_id, email=email, anonymous_id=message.anonymous_id)
    if contact is None:
        if not (message.user_id or email):
            return None
        contact = _create(message, email, fields, source)
    else:
        contact = _update(contact, email, fields)
    _attach(contact, anonymous_ids=[message.anonymous_id], user_ids=[message.user_id])
    _link_company(contact, trait_map.company_traits(message.traits))
    set_first_touch(contact, source)
    promote_if_converted(contact)
    return contact


def _create(
    message: Incoming, email: str, fields: dict[str, Any], source: Source
) -> Contact:
    converted = _first_conversion(
        Q(contact__isnull=True) & _ids_q([message.anonymous_id], [message.user_id])
    )
    stage = Stage.LEAD if converted else Stage.SUBSCRIBER
    try:
        return contact_create(
            actor=None, stage=stage, cause=Cause.TRACKING, at=message.timestamp,
            reason=f"identify from {source.name}"[:500], email=email, **fields,
        )
    except ValidationFailed:
        # Created meanwhile by a concurrent request: use that contact.
        found = _find(user_id=message.user_id, email=email, anonymous_id="")
        if found is None:
            raise
        return found


def _update(contact: Contact, email: str, fields: dict[str, Any]) -> Contact:
    changes = {k: v for k, v in fields.items() if k == "properties" or getattr(contact, k) != v}
    if email and not contact.email:
        changes["email"] = email
    elif email and email != contact.email:
        _try_identity(contact, IdentityKind.EMAIL, email)
    if not changes:
        return contact
    try:
        return contact_update(contact=contact, actor=None, **changes)
    except DomainError as exc:
        log.info("identify left contact %s unchanged: %s", contact.pk, exc.message)
        return Contact.objects.get(pk=contact.pk)


def _try_identity(contact: Contact, kind: str, value: str) -> bool:
    """Attach the identity unless another contact holds it; True when it is this contact's."""
    if not value:
        return False
    try:
        identity_add(contact=contact, kind=kind, value=value)
    except ValidationFailed:
        return False
    return True


def _ids_q(anonymous_ids: Iterable[str], user_ids: Iterable[str]) -> Q:
    anonymous = [a for a in anonymous_ids if a]
    users = [u for u in user_ids if u]
    condition = Q(pk__in=[])
    if anonymous:
        condition |= Q(anonymous_id__in=anonymous)
    if users:
        condition |= Q(user_id__in=users)
    return condition


def _attach(contact: Contact, *, anonymous_ids: list[str], user_ids: list[str]) -> None:
    """Attach the ids that no other contact holds and give this contact their
    unattributed events (one UPDATE)."""
    owned_anonymous = [
        a for a in anonymous_ids if _try_identity(contact, IdentityKind.ANONYMOUS_ID, a)
    ]
    owned_users = [u for u in user_ids if _try_identity(contact, IdentityKind.USER_ID, u)]
    if owned_anonymous or owned_users:
        Event.objects.filter(contact__isnull=True).filter(
            _ids_q(owned_anonymous, owned_users)
        ).update(contact=contact)


# --- first touch and lifecycle -------------------------------------------------------

def set_first_touch(contact: Contact, source: Source) -> None:
    """Original source channel and campaign from the contact's first web touch."""
    if contact.original_source:
        return
    has_touch = Q()
    for name in TOUCH_FIELDS:
        has_touch |= ~Q(**{name: ""})
    touch = (
        Event.objects.filter(contact=contact).filter(has_touch)
        .order_by("timestamp", "id").values(*TOUCH_FIELDS).first()
    )
    channel: str
    if touch is None:
        channel, campaign = CHANNEL_WITHOUT_TOUCH[SourceKind(source.kind)], ""
    else:
        channel, campaign = channel_for(**touch), touch["utm_campaign"]
    contact_update(
        contact=contact, actor=None, original_source=channel, original_campaign=campaign,
        latest_source=contact.latest_source or channel,
        latest_campaign=contact.latest_campaign or campaign,
    )


def is_conversion(name: str, properties: dict[str, Any]) -> bool:
    if name not in CONVERSION_EVENTS:
        return False
    return not (name == FORM_SUBMITTED and properties.get("form_type") == NEWSLETTER_FORM_TYPE)


def _first_conversion(condition: Q) -> tuple[str, datetime] | None:
    rows = (
        Event.objects.filter(condition, type=EventType.TRACK, name__in=CONVERSION_EVENTS)
        .order_by("timestamp").values_list("name", "properties", "timestamp")[:50]
    )
    for name, properties, timestamp in rows:
        if is_conversion(name, properties or {}):
            return name, timestamp
    return None


def promote_if_converted(contact: Contact) -> None:
    """A subscriber whose history holds a conversion event becomes a lead."""
    if contact.lifecycle_stage != Stage.SUBSCRIBER:
        return
    found = _first_conversion(Q(contact=contact))
    if found is None:
        return
    name, at = found
    last = contact.stage_changes.order_by("-at").values_list("at", flat=True).first()
    contact_transition(
        contact=contact, to_stage=Stage.LEAD, cause=Cause.TRACKING,
        at=max(at, last) if last else at, reason=f'"{name}" event',
    )


def promote_contacts(contact_ids: Iterable[int]) -> None:
    subscribers = Contact.objects.filter(
        pk__in=set(contact_ids), lifecycle_stage=Stage.SUBSCRIBER
    )
    for contact in subscribers:
        promote_if_converted(contact)


# --- alias and group -----------------------------------------------------------------

def apply_alias(message: Incoming) -> Contact | None:
    previous = _owner(IdentityKind.USER_ID, message.previous_id) or _owner(
        IdentityKind.ANONYMOUS_ID, message.previous_id
    )
    current = _owner(IdentityKind.USER_ID, message.user_id)
    if previous and current and previous.pk != current.pk:
        contact = contact_merge(primary=current, duplicate=previous, actor=None)
    elif previous or current:
        contact = previous or current  # type: ignore[assignment]
    else:
        return None
    _attach(contact, anonymous_ids=[message.previous_id], user_ids=[message.user_id])
    Event.objects.filter(contact__isnull=True, user_id=message.previous_id).update(
        contact=contact
    )
    promote_if_converted(contact)
    return contact


def apply_group(message: Incoming, known: dict[tuple[str, str], int]) -> None:
    company = _company_for_group(message.group_id, message.traits)
    contact_id = owner_of(known, message) or _owner_id(message)
    if contact_id is not None:
        contact = Contact.objects.get(pk=contact_id)
        if contact.company_id != company.pk:
            contact_update(contact=contact, actor=None, company=company)


def _owner_id(message: Incoming) -> int | None:
    contact = _owner(IdentityKind.USER_ID, message.user_id) or _owner(
        IdentityKind.ANONYMOUS_ID, message.anonymous_id
    )
    return contact.pk if contact else None


def _company_for_group(group_id: str, traits: dict[str, Any]) -> Company:
    link = GroupLink.objects.select_related("company").filter(group_id=group_id).first()
    fields = trait_map.company_fields(traits)
    if link is not None:
        return _update_company(link.company, fields)
    company = _company_for(fields, fallback_name=group_id)
    GroupLink.objects.create(group_id=group_id, company=company)
    return company


def _company_for(fields: dict[str, Any], *, fallback_name: str) -> Company:
    """The company with the domain, else the name, in `fields`; created when none."""
    company = None
    if fields.get("domain"):
        company = Company.objects.filter(domain=fields["domain"]).first()
    if company is None and fields.get("name"):
        company = Company.objects.filter(name__iexact=fields["name"]).order_by("id").first()
    if company is not None:
        return _update_company(company, fields)
    return company_create(actor=None, **{"name": fallback_name[:200], **fields})


def _update_company(company: Company, fields: dict[str, Any]) -> Company:
    changes = {
        k: v for k, v in fields.items() if k == "properties" or getattr(company, k) != v
    }
    if not changes:
        return company
    try:
        return company_update(company=company, actor=None, **changes)
    except DomainError as exc:
        log.info("group left company %s unchanged: %s", company.pk, exc.message)
        return Company.objects.get(pk=company.pk)


def _link_company(contact: Contact, company_traits: dict[str, Any]) -> None:
    fields = trait_map.company_fields(company_traits)
    if not fields.get("name") and not fields.get("domain"):
        return
    company = _company_for(fields, fallback_name=fields.get("domain", ""))
    if contact.company_id != company.pk:
        contact_update(contact=contact, actor=None, company=company)
