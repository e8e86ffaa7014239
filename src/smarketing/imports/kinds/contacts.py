"""Contacts: deduplicated by external id then email; new ones are written set-based
(contacts, email identities, stage history, external ids: one INSERT each per batch)."""

from __future__ import annotations

import datetime as dt
import functools
import operator
from types import SimpleNamespace
from typing import Any

from django.core.validators import validate_email
from django.utils import timezone
from pydantic import Field, field_validator, model_validator

from smarketing.core.errors import DomainError
from smarketing.core.events import publish
from smarketing.core.roles import role_of
from smarketing.imports import bulk
from smarketing.imports.history import CHANGE_COLUMNS, apply_path, change_rows, stage_path
from smarketing.imports.kinds.base import (
    CREATED,
    ERROR,
    SKIPPED,
    UPDATED,
    Context,
    Flag,
    Kind,
    Outcome,
    Row,
    RowError,
    RowModel,
    Stamp,
)
from smarketing.imports.values import (
    LEAD_STATUS_WORDS,
    SOURCE_WORDS,
    STAGE_WORDS,
    vocabulary,
)
from smarketing.integrations.webhooks import subscribed
from smarketing.people.events import contact_data
from smarketing.people.lifecycle import contact_transition, funnel_position
from smarketing.people.models import (
    ORDERED_STAGES,
    Cause,
    Contact,
    Identity,
    IdentityKind,
    Stage,
    StageChange,
    stage_rank,
)
from smarketing.people.services import contact_update, normalize_email

STAGE_DATES = tuple(f"became_{s}_at" for s in ORDERED_STAGES)
DATED_STAGES = tuple(zip(ORDERED_STAGES, STAGE_DATES, strict=True))
NO_STAGE_DATES = dict.fromkeys(STAGE_DATES)
UPDATABLE = ("first_name", "last_name", "title", "phone", "lead_status", "original_source",
             "original_campaign", "latest_source", "latest_campaign")


_USER_PART = validate_email.user_regex.match  # Django's own rules, bound once


@functools.lru_cache(maxsize=16384)
def _domain_ok(domain: str) -> bool:
    return domain in validate_email.domain_allowlist or bool(
        validate_email.validate_domain_part(domain))


def fast_normalize_email(raw: str) -> str:
    """people's normalize_email with Django's domain check remembered (a file repeats
    its domains); anything it does not accept at once goes to normalize_email."""
    email = raw.strip().lower()
    user, at, domain = email.rpartition("@")
    if at and len(email) <= 320 and _USER_PART(user) and _domain_ok(domain):
        return email
    return normalize_email(raw)


class ContactIn(RowModel):
    external_id: str = Field("", max_length=200)
    email: str = ""
    first_name: str = Field("", max_length=100)
    last_name: str = Field("", max_length=100)
    title: str = Field("", max_length=200)
    phone: str = Field("", max_length=50)
    company: str = Field("", max_length=200)
    company_domain: str = ""
    company_external_id: str = ""
    owner: str = ""
    lifecycle_stage: str = ""
    lead_status: str = ""
    original_source: str = ""
    original_campaign: str = Field("", max_length=200)
    latest_source: str = ""
    latest_campaign: str = Field("", max_length=200)
    created_at: Stamp = None
    became_subscriber_at: Stamp = None
    became_lead_at: Stamp = None
    became_mql_at: Stamp = None
    became_sql_at: Stamp = None
    became_opportunity_at: Stamp = None
    became_customer_at: Stamp = None
    became_evangelist_at: Stamp = None
    converted: Flag = None
    converted_at: Stamp = None
    converted_contact_id: str = ""
    converted_opportunity_id: str = ""
    properties: dict[str, Any] = Field(default_factory=dict)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        try:
            return fast_normalize_email(value)
        except DomainError as exc:
            raise ValueError(exc.message.split(": ", 1)[-1]) from exc

    @field_validator("company_external_id")
    @classmethod
    def _first_company(cls, value: str) -> str:
        return value.split(";")[0].strip()

    @field_validator("lifecycle_stage")
    @classmethod
    def _stage(cls, value: str) -> str:
        return vocabulary(STAGE_WORDS, value, "lifecycle stage")

    @field_validator("lead_status")
    @classmethod
    def _status(cls, value: str) -> str:
        return vocabulary(LEAD_STATUS_WORDS, value, "lead status")

    @field_validator("original_source", "latest_source")
    @classmethod
    def _source(cls, value: str) -> str:
        return vocabulary(SOURCE_WORDS, value, "source")

    @model_validator(mode="after")
    def _identified(self) -> ContactIn:
        if not (self.email or self.first_name or self.last_name or self.external_id):
            raise ValueError("a contact needs an email, a name or an id")
        return self

    def path(self) -> list[tuple[str, dt.datetime]]:
        dates = {stage: getattr(self, attr) for stage, attr in DATED_STAGES}
        final = self.lifecycle_stage
        if self.converted and stage_rank(final or Stage.LEAD) < stage_rank(Stage.SQL):
            final = Stage.SQL
            dates[Stage.SQL] = dates[Stage.SQL] or self.converted_at
        if self.created_at and final != Stage.OTHER and not (
                dates[Stage.SUBSCRIBER] or dates[Stage.LEAD]):  # created = entered the funnel
            dates[Stage.SUBSCRIBER if final == Stage.SUBSCRIBER else Stage.LEAD] = self.created_at
        first = min([d for d in dates.values() if d] or [self.created_at or timezone.now()])
        fallback = self.created_at or first
        return stage_path(final, dates, fallback)


def _key(data: ContactIn) -> str:
    return data.email or (f"id:{data.external_id}" if data.external_id else "")


def _existing(rows: list[Row], ctx: Context) -> dict[int, Contact]:
    """Line -> the contact a row is a duplicate of (by external id, then email)."""
    ids = ctx.lookups.object_ids("contact", [r.data.external_id for r in rows
                                             if r.data.external_id])
    email_ids = bulk.ids_by(Contact, "email", [r.data.email for r in rows if r.data.email])
    if not ids and not email_ids:
        return {}
    contacts = Contact.objects.filter(pk__in={*ids.values(), *email_ids.values()})
    by_pk = {c.pk: c for c in contacts}
    by_email = {c.email: c for c in by_pk.values() if c.email}
    found: dict[int, Contact] = {}
    for row in rows:
        contact = by_pk.get(ids.get(row.data.external_id, -1)) or by_email.get(row.data.email)
        if contact is not None:
            found[row.line] = contact
    return found


class NewContact(SimpleNamespace):
    """A contact about to be inserted: its column values (attnames), its stage path
    and, once inserted, its id. Lighter than a model instance on the hot path."""

    pk: int | None
    email: str
    path: list[tuple[str, dt.datetime]]


COLUMNS = ["email", "first_name", "last_name", "title", "phone", "company_id", "owner_id",
           "lifecycle_stage", "lead_status", "lead_status_reason", "original_source",
           "original_campaign", "latest_source", "latest_campaign", "properties",
           *(f"became_{s}_at" for s in ORDERED_STAGES)]
VALUES = operator.attrgetter(*COLUMNS)


def _new_contact(data: ContactIn, ctx: Context) -> NewContact:
    company = ctx.lookups.company(name=data.company, domain=data.company_domain,
                                  external_id=data.company_external_id)
    owner = ctx.lookups.owner(data.owner)
    contact = NewContact(
        pk=None, email=data.email, first_name=data.first_name, last_name=data.last_name,
        title=data.title, phone=data.phone, company_id=getattr(company, "pk", None),
        owner_id=getattr(owner, "pk", None), lifecycle_stage="", lead_status=data.lead_status,
        lead_status_reason="", original_source=data.original_source,
        original_campaign=data.original_campaign, latest_source=data.latest_source,
        latest_campaign=data.latest_campaign, properties=data.properties, path=data.path(),
        **NO_STAGE_DATES,
    )
    apply_path(contact, contact.path)
    return contact


def _guard(ctx: Context, row: Row, build: Any) -> Any:
    try:
        return build(row.data, ctx)
    except (DomainError, ValueError) as exc:
        field = "owner" if "user" in str(exc) else "company"
        raise ctx.refuse(getattr(exc, "field", "") or field, exc) from exc


def _insert_contacts(contacts: list[NewContact]) -> None:
    """Insert set-based, with the new ids (bulk.insert_ids; the few without an email
    go through bulk_create, which returns them)."""
    with_email = [c for c in contacts if c.email]
    ids = bulk.insert_ids(Contact, COLUMNS, [VALUES(c) for c in with_email], "email")
    for contact, pk in zip(with_email, ids, strict=True):
        contact.pk = pk
    nameless = [c for c in contacts if not c.email]
    created = Contact.objects.bulk_create([
        Contact(**{n: getattr(c, n) for n in COLUMNS}) for c in nameless])
    for contact, row in zip(nameless, created, strict=True):
        contact.pk = row.pk


def _create(rows: list[Row], ctx: Context) -> list[Outcome]:
    built, outcomes = [], []
    for row in rows:
        try:
            built.append((row, _guard(ctx, row, _new_contact)))
        except RowError as err:
            outcomes.append(Outcome(row.line, ERROR, err.column, err.reason))
    _insert_contacts([c for _, c in built])
    actor = ctx.actor if role_of(ctx.actor) else None
    bulk.insert_values(Identity, ["contact_id", "kind", "value"], [
        (c.pk, IdentityKind.EMAIL, c.email) for _, c in built if c.email])
    bulk.insert_values(StageChange, CHANGE_COLUMNS, [
        change for _, c in built
        for change in change_rows(c.pk, c.path, actor)
    ])
    _remember(ctx, [(r.data, c.pk) for r, c in built])
    _announce([c.pk for _, c in built])
    return outcomes + [Outcome(row.line, CREATED) for row, _ in built]


def _announce(ids: list[int]) -> None:
    """`contact.created` for each new contact, as a contact made by hand sends it
    (only read back when a webhook subscription takes the event)."""
    if ids and subscribed("contact.created"):
        for contact in Contact.objects.filter(pk__in=ids).select_related("scores").order_by("pk"):
            publish("contact.created", f"contact.created:{contact.pk}", contact_data(contact))


def _remember(ctx: Context, pairs: list[tuple[ContactIn, int]], replace: bool = False) -> None:
    """The source's ids of the contact (and, for a converted Salesforce lead, of the
    contact and opportunity it became)."""
    for kind, attr in (("contact", "external_id"), ("contact", "converted_contact_id"),
                       ("opportunity_contact", "converted_opportunity_id")):
        ids = [(getattr(d, attr), pk) for d, pk in pairs if getattr(d, attr)]
        if replace:
            for external_id, pk in ids:
                ctx.lookups.remember(kind, external_id, pk)
        else:
            ctx.lookups.remember_many(kind, ids)


def _update(row: Row, contact: Contact, ctx: Context) -> Outcome:
    data: ContactIn = row.data
    fields = {f: getattr(data, f) for f in UPDATABLE if getattr(data, f)}
    if data.properties:
        fields["properties"] = data.properties
    if data.owner:
        fields["owner"] = ctx.lookups.owner(data.owner)
    if data.company or data.company_domain or data.company_external_id:
        fields["company"] = ctx.lookups.company(
            name=data.company, domain=data.company_domain, external_id=data.company_external_id)
    contact_update(contact=contact, actor=ctx.actor, **fields)
    for stage, at in data.path():
        if stage_rank(stage) > stage_rank(funnel_position(contact)) or (
                stage == Stage.OTHER and contact.lifecycle_stage != Stage.OTHER):
            last = contact.stage_changes.order_by("-at").values_list("at", flat=True).first()
            contact_transition(contact=contact, to_stage=stage, cause=Cause.IMPORT,
                               actor=ctx.actor, reason="Imported", at=max(at, last or at))
            contact.refresh_from_db()
    _remember(ctx, [(data, contact.pk)], replace=True)
    return Outcome(row.line, UPDATED)


def _duplicate(row: Row, contact: Contact, ctx: Context) -> Outcome:
    if ctx.on_duplicate == "skip":
        return Outcome(row.line, SKIPPED, reason=f"contact {contact.pk} exists")
    if ctx.on_duplicate == "create" and row.data.email != contact.email:
        return Outcome(row.line, ERROR)  # replaced below by a created row
    if ctx.on_duplicate == "create":
        return Outcome(row.line, ERROR, ctx.column("email"),
                       f"{contact.email!r} is already taken (emails are unique)")
    try:
        return _update(row, contact, ctx)
    except (DomainError, ValueError) as exc:
        err = ctx.refuse("email", exc)
        return Outcome(row.line, ERROR, err.column, err.reason)


def write_contacts(rows: list[Row], ctx: Context) -> list[Outcome]:
    existing = _existing(rows, ctx)
    fresh = [r for r in rows if r.line not in existing]
    outcomes = []
    for row in rows:
        if row.line in existing:
            outcome = _duplicate(row, existing[row.line], ctx)
            if outcome.result == ERROR and not outcome.column:
                fresh.append(row)
            else:
                outcomes.append(outcome)
    return outcomes + _create(fresh, ctx)


CONTACTS = Kind(name="contacts", model=ContactIn, write=write_contacts, key=_key,
                key_field="email", property_object="contact")
