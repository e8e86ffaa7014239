"""Hosted lead-capture forms: definitions, and submissions that go through the same
ingestion as the tracking API (identify + "Form Submitted" on the form's source).

Spam protection: a honeypot field that people never see (a filled one is thanked and
dropped, logged in the source's debugger), and at most SUBMISSIONS_PER_MINUTE
submissions per address and form (counted per server process).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.db import transaction

from smarketing.core.errors import ValidationFailed
from smarketing.tracking.messages import Envelope, Incoming, Problem, validate
from smarketing.tracking.models import HostedForm, Source
from smarketing.tracking.names import FORM_SUBMITTED, NEWSLETTER_FORM_TYPE
from smarketing.tracking.services import events_ingest, record_rejected_request
from smarketing.tracking.traits import trait_email

FIELD_TYPES = frozenset({"text", "email", "tel", "textarea"})
FIELD_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,59}")
HONEYPOT = "website_url"
SUBMISSIONS_PER_MINUTE = 5
MAX_VALUE = 1000


def _clean_fields(fields: Any) -> list[dict[str, Any]]:
    if not isinstance(fields, list) or not fields:
        raise ValidationFailed("fields: a list of fields is required", field="fields")
    cleaned = []
    for spec in fields:
        name = spec.get("name", "") if isinstance(spec, dict) else ""
        kind = spec.get("type", "text") if isinstance(spec, dict) else ""
        if not FIELD_NAME.fullmatch(name) or name == HONEYPOT or kind not in FIELD_TYPES:
            raise ValidationFailed(f"fields: {spec!r} needs a name and a type of "
                                   f"{', '.join(sorted(FIELD_TYPES))}", field="fields")
        cleaned.append({"name": name, "label": str(spec.get("label") or name)[:100],
                        "type": kind, "required": bool(spec.get("required"))})
    if "email" not in {f["name"] for f in cleaned}:
        raise ValidationFailed("fields: a form needs an email field", field="fields")
    return cleaned


def parse_field_lines(text: str) -> list[dict[str, Any]]:
    """The fields typed one per line as `name, Label, type[, required]` (the UI's format)."""
    fields = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split(",")]
        if len(parts) < 3 or len(parts) > 4 or parts[3:] not in ([], ["required"], [""]):
            raise ValidationFailed(
                f"fields: line {number}: write `name, Label, type` or "
                f"`name, Label, type, required`, not {line.strip()!r}", field="fields")
        fields.append({"name": parts[0], "label": parts[1], "type": parts[2],
                       "required": parts[3:] == ["required"]})
    return fields


OPTIONS = ("form_type", "consent_text", "thank_you_text", "redirect_url", "asset_url")
SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,59}")
URL = re.compile(r"https?://[^\s]+")


def _clean_options(options: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(options) - set(OPTIONS))
    if unknown:
        raise ValidationFailed(f"{unknown[0]}: unknown field", field=unknown[0])
    cleaned = {k: str(v or "").strip() for k, v in options.items()}
    if cleaned.get("form_type", "") not in ("", NEWSLETTER_FORM_TYPE):
        raise ValidationFailed(f'form_type: "" or "{NEWSLETTER_FORM_TYPE}"', field="form_type")
    for key in ("redirect_url", "asset_url"):
        if cleaned.get(key) and not URL.fullmatch(cleaned[key]):
            raise ValidationFailed(f"{key}: give an http(s) URL", field=key)
    for key, limit in (("consent_text", 500), ("thank_you_text", 500)):
        if len(cleaned.get(key, "")) > limit:
            raise ValidationFailed(f"{key}: at most {limit} characters", field=key)
    return cleaned


@transaction.atomic
def form_create(
    *, actor: Any, name: str, slug: str, source: Source, fields: list[dict[str, Any]],
    **options: Any,
) -> HostedForm:
    """Define a hosted form (the caller checked that `actor` may manage sources)."""
    name = _clean_name(name)
    if not SLUG.fullmatch(slug or ""):
        raise ValidationFailed("slug: lowercase letters, digits and dashes (at most 60)",
                               field="slug")
    if HostedForm.objects.filter(slug=slug).exists():
        raise ValidationFailed(f"slug: {slug!r} is already taken", field="slug")
    return HostedForm.objects.create(
        name=name, slug=slug, source=source, fields=_clean_fields(fields),
        **_clean_options(options),
    )


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationFailed("name: a form needs a name (at most 100 characters)",
                               field="name")
    return name


@transaction.atomic
def form_update(
    *, form: HostedForm, actor: Any, slug: str | None = None, name: str | None = None,
    fields: list[dict[str, Any]] | None = None, enabled: bool | None = None, **options: Any,
) -> HostedForm:
    """Change a form's definition; its slug stays (submissions already recorded carry it
    as `form_id`, and embedded iframes point at /f/<slug>/)."""
    if slug is not None and slug != form.slug:
        raise ValidationFailed("slug: a form's slug does not change (its submissions and "
                               "embeds use it); define a new form instead", field="slug")
    if name is not None:
        form.name = _clean_name(name)
    if fields is not None:
        form.fields = _clean_fields(fields)
    if enabled is not None:
        form.enabled = enabled
    for key, value in _clean_options(options).items():
        setattr(form, key, value)
    form.save()
    return form


def form_delete(*, form: HostedForm, actor: Any) -> None:
    """Remove a form's definition: /f/<slug>/ answers 404 from then on. The submissions
    already recorded stay: they are its source's events (identify + Form Submitted,
    `properties.form_id` = the slug), counted by KPIs, scoring and attribution."""
    form.delete()


def form_set_enabled(*, form: HostedForm, actor: Any, enabled: bool) -> HostedForm:
    form.enabled = enabled
    form.save(update_fields=["enabled", "updated_at"])
    return form


@dataclass
class Submission:
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    spam: bool = False


def read_submission(form: HostedForm, data: Any) -> Submission:
    """The posted values of the form's fields, and what is wrong with them."""
    result = Submission(spam=bool((data.get(HONEYPOT) or "").strip()))
    for spec in form.fields:
        value = (data.get(spec["name"]) or "").strip()[:MAX_VALUE]
        if value:
            result.values[spec["name"]] = value
        elif spec["required"] or spec["name"] == "email":
            result.errors[spec["name"]] = "This field is required."
    email = result.values.get("email", "")
    if email and not trait_email({"email": email}):
        result.errors["email"] = "Enter a valid email address."
    if form.consent_text and not data.get("consent"):
        result.errors["consent"] = "Please give your consent."
    return result


def too_many(form: HostedForm, address: str) -> bool:
    """Counts this submission; True past SUBMISSIONS_PER_MINUTE from one address."""
    key = f"smk-form:{form.pk}:{address}:{int(datetime.now().timestamp() // 60)}"
    cache.add(key, 0, timeout=120)
    try:
        return cache.incr(key) > SUBMISSIONS_PER_MINUTE
    except ValueError:
        return False


def form_submit(
    *, form: HostedForm, submission: Submission, anonymous_id: str, received_at: datetime
) -> None:
    """Store the submission as the tracking path would: identify + "Form Submitted"."""
    if submission.spam:
        problem = Problem(index=0, field=HONEYPOT, reason="spam: the honeypot field was filled",
                          type="track", name=FORM_SUBMITTED)
        record_rejected_request(source=form.source, problems=[problem], received_at=received_at)
        return
    context = {"library": {"name": "smarketing-forms", "version": "1"},
               "page": {"url": f"/f/{form.slug}/", "path": f"/f/{form.slug}/"}}
    raws = [
        {"type": "identify", "anonymousId": anonymous_id, "messageId": str(uuid.uuid4()),
         "traits": dict(submission.values), "context": context},
        {"type": "track", "anonymousId": anonymous_id, "messageId": str(uuid.uuid4()),
         "event": FORM_SUBMITTED, "context": context,
         "properties": {"form_id": form.slug, "form_type": form.form_type,
                        "fields": dict(submission.values), "consent": bool(form.consent_text)}},
    ]
    messages = [validate(raw, i, Envelope(), received_at) for i, raw in enumerate(raws)]
    incoming = [m for m in messages if isinstance(m, Incoming)]
    events_ingest(source=form.source, messages=incoming, problems=[], received_at=received_at)
