"""Forms of the people pages: list filters, the contact edit form, lifecycle actions.

Forms only parse and present input. The rules live in selectors, services,
permissions and the lifecycle; their DomainErrors are shown on the field they name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.urls import reverse_lazy

from smarketing.core.errors import DomainError, TransitionRefused, ValidationFailed
from smarketing.core.models import Region
from smarketing.core.roles import role_of
from smarketing.core.selectors import sales_users
from smarketing.people.lifecycle import (
    CAUSES_NEEDING_ACTOR,
    RECYCLABLE,
    check_transition,
    funnel_position,
)
from smarketing.people.models import (
    Cause,
    Company,
    Contact,
    LeadStatus,
    PropertyDefinition,
    PropertyObject,
    PropertyType,
    SourceChannel,
    Stage,
)
from smarketing.people.permissions import can_assign_owner
from smarketing.people.selectors import (
    COMPANY_SORTS,
    CONTACT_SORTS,
    ContactFilters,
    company_lookup,
)

OWNER_NONE = "unowned"
DEFAULT_CONTACT_SORT = "-created_at"
DEFAULT_COMPANY_SORT = "name"
SORT_LABELS = {
    "-created_at": "Newest first",
    "created_at": "Oldest first",
    "-updated_at": "Recently updated",
    "-score": "Highest score",
    "score": "Lowest score",
    "last_name": "Last name",
    "email": "Email",
    "name": "Name",
}
BLANK = ("", "—")


def _sort_choices(sorts: dict[str, Any], default: str) -> list[tuple[str, str]]:
    """The sorts a selector knows, its default first (what an empty select means)."""
    keys = [default, *(key for key in sorts if key != default)]
    return [(key, SORT_LABELS.get(key, key)) for key in keys]


def user_label(user: Any) -> str:
    full = user.get_full_name()
    return f"{full} ({user.username})" if full else str(user.username)


def form_error(form: forms.Form) -> ValidationFailed:
    """The form's first error as a DomainError naming its field."""
    name, errors = next(iter(form.errors.items()))
    return ValidationFailed(f"{name}: {errors[0]}", field=name)


def field_label(form: forms.Form, name: str) -> str:
    field = form.fields.get(name)
    return str(field.label) if field is not None and field.label else name


class ContactFilterForm(forms.Form):
    """The contacts list's query string, turned into selectors.ContactFilters."""

    q = forms.CharField(required=False, label="Search", widget=forms.TextInput(attrs={
        "type": "search", "placeholder": "Name, email, company", "autocomplete": "off",
    }))
    stage = forms.CharField(required=False, label="Stage", widget=forms.Select(
        choices=[("", "All stages"), *Stage.choices]
    ))
    owner = forms.CharField(required=False, label="Owner", widget=forms.Select)
    score_min = forms.IntegerField(required=False, label="Score min")
    score_max = forms.IntegerField(required=False, label="Score max")
    prop = forms.CharField(required=False, label="Property", widget=forms.TextInput(attrs={
        "placeholder": "name:value",
        "title": "A custom property: name:value, or name:op:value with op eq, gte, lte, contains",
    }))
    sort = forms.CharField(required=False, label="Sort", widget=forms.Select(
        choices=_sort_choices(CONTACT_SORTS, DEFAULT_CONTACT_SORT)
    ))
    company = forms.IntegerField(required=False, label="Company", widget=forms.HiddenInput)
    offset = forms.IntegerField(required=False, min_value=0, label="Offset")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owners = [(str(u.pk), user_label(u)) for u in sales_users()]
        choices = [("", "Any owner"), (OWNER_NONE, "Unowned"), *owners]
        self.fields["owner"].widget.choices = choices  # type: ignore[attr-defined]

    def clean_owner(self) -> str:
        owner = str(self.cleaned_data["owner"]).strip()
        if owner and owner != OWNER_NONE and not owner.isdigit():
            raise forms.ValidationError(f"{owner!r} is not a user: pick one from the list")
        return owner

    def to_filters(self) -> tuple[ContactFilters, int]:
        """The filters and offset asked for; raises ValidationFailed on bad input."""
        if not self.is_valid():
            raise form_error(self)
        data = self.cleaned_data
        owner, prop = data["owner"], data["prop"].strip()
        filters = ContactFilters(
            q=data["q"], stage=data["stage"].strip(),
            owner_id=int(owner) if owner.isdigit() else None, unowned=owner == OWNER_NONE,
            company_id=data["company"], score_min=data["score_min"],
            score_max=data["score_max"], props=[prop] if prop else [],
            sort=data["sort"] or DEFAULT_CONTACT_SORT,
        )
        return filters, data["offset"] or 0


class CompanyFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Search", widget=forms.TextInput(attrs={
        "type": "search", "placeholder": "Name or domain…", "autocomplete": "off",
    }))
    region = forms.ChoiceField(
        required=False, label="Region", choices=[("", "All regions"), *Region.choices]
    )
    sort = forms.CharField(required=False, label="Sort", widget=forms.Select(
        choices=_sort_choices(COMPANY_SORTS, DEFAULT_COMPANY_SORT)
    ))
    offset = forms.IntegerField(required=False, min_value=0, label="Offset")

    def to_query(self) -> tuple[dict[str, Any], int]:
        """Keyword arguments of selectors.company_list, and the offset."""
        if not self.is_valid():
            raise form_error(self)
        data = self.cleaned_data
        sort = data["sort"] or DEFAULT_COMPANY_SORT
        query = {"q": data["q"], "region": data["region"], "sort": sort}
        return query, data["offset"] or 0


def _text_field(definition: PropertyDefinition) -> forms.Field:
    return forms.CharField(max_length=1000)


def _number_field(definition: PropertyDefinition) -> forms.Field:
    return forms.CharField(widget=forms.TextInput(attrs={"inputmode": "decimal"}))


def _date_field(definition: PropertyDefinition) -> forms.Field:
    return forms.CharField(widget=forms.DateInput(attrs={"type": "date"}))


def _bool_field(definition: PropertyDefinition) -> forms.Field:
    return forms.ChoiceField(choices=[BLANK, ("true", "Yes"), ("false", "No")])


def _choice_field(definition: PropertyDefinition) -> forms.Field:
    return forms.ChoiceField(choices=[BLANK, *((c, c) for c in definition.choices)])


PROPERTY_FIELDS: dict[str, Callable[[PropertyDefinition], forms.Field]] = {
    PropertyType.TEXT: _text_field,
    PropertyType.NUMBER: _number_field,
    PropertyType.DATE: _date_field,
    PropertyType.BOOL: _bool_field,
    PropertyType.CHOICE: _choice_field,
}


def property_field(definition: PropertyDefinition) -> forms.Field:
    """An optional form field for a custom property; the service validates its value."""
    field = PROPERTY_FIELDS[definition.type](definition)
    field.required = False
    field.label = definition.label
    field.help_text = definition.description
    return field


def property_initial(definition: PropertyDefinition, value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else value


CONTACT_TEXT_FIELDS = (
    "first_name", "last_name", "email", "title", "phone", "original_campaign", "latest_campaign",
)


class ContactEditForm(forms.Form):
    """Every editable field of a contact; saved through services.contact_update."""

    first_name = forms.CharField(max_length=100, required=False)
    last_name = forms.CharField(max_length=100, required=False)
    email = forms.CharField(max_length=254, required=False, widget=forms.EmailInput)
    title = forms.CharField(max_length=200, required=False, label="Job title")
    phone = forms.CharField(max_length=50, required=False)
    company = forms.CharField(max_length=200, required=False, widget=forms.TextInput(attrs={
        "list": "company-options", "autocomplete": "off",
        "hx-get": reverse_lazy("people:company_options"), "hx-target": "#company-options",
        "hx-trigger": "input changed delay:250ms, focus once",
    }), help_text="Type to search; a company name or its domain.")
    owner = forms.ChoiceField(required=False)
    lead_status = forms.ChoiceField(required=False, choices=[BLANK, *LeadStatus.choices])
    original_source = forms.ChoiceField(required=False, choices=[BLANK, *SourceChannel.choices])
    original_campaign = forms.CharField(max_length=200, required=False)
    latest_source = forms.ChoiceField(required=False, choices=[BLANK, *SourceChannel.choices])
    latest_campaign = forms.CharField(max_length=200, required=False)

    def __init__(self, data: Any = None, *, contact: Contact, user: Any) -> None:
        self.contact, self.user = contact, user
        self.definitions = list(
            PropertyDefinition.objects.filter(object_type=PropertyObject.CONTACT)
        )
        super().__init__(data, initial=self._initial())
        self._owners = {str(u.pk): u for u in self._owner_candidates()}
        self.fields["owner"].choices = [  # type: ignore[attr-defined]
            ("", "No owner"), *((pk, user_label(u)) for pk, u in self._owners.items())
        ]
        for definition in self.definitions:
            self.fields[f"prop_{definition.name}"] = property_field(definition)

    def _initial(self) -> dict[str, Any]:
        contact = self.contact
        initial: dict[str, Any] = {name: getattr(contact, name) for name in CONTACT_TEXT_FIELDS}
        initial.update(
            company=contact.company.name if contact.company else "",
            owner=str(contact.owner_id or ""), lead_status=contact.lead_status,
            original_source=contact.original_source, latest_source=contact.latest_source,
        )
        for definition in self.definitions:
            value = contact.properties.get(definition.name)
            initial[f"prop_{definition.name}"] = property_initial(definition, value)
        return initial

    def _owner_candidates(self) -> list[Any]:
        """Sales users this user may assign the contact to, plus its current owner."""
        current = self.contact.owner
        users = [u for u in sales_users() if can_assign_owner(self.user, u.pk)]
        if current is not None and current.pk not in {u.pk for u in users}:
            users.insert(0, current)
        return users

    @property
    def property_fields(self) -> list[forms.BoundField]:
        return [self[f"prop_{d.name}"] for d in self.definitions]

    @property
    def standard_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.base_fields]

    def clean_owner(self) -> Any:
        return self._owners.get(self.cleaned_data["owner"])

    def clean_company(self) -> Company | None:
        text = self.cleaned_data["company"].strip()
        current = self.contact.company
        if not text:
            return None
        if current is not None and text in {current.name, current.domain}:
            return current
        matches = company_lookup(text, limit=2)
        if not matches:
            raise forms.ValidationError(f"No company named {text!r}: pick one from the list.")
        if len(matches) > 1:
            raise forms.ValidationError("Several companies have that name: type its domain.")
        return matches[0]

    def changes(self) -> dict[str, Any]:
        """Keyword arguments for services.contact_update."""
        data = dict(self.cleaned_data)
        data["properties"] = {
            d.name: data.pop(f"prop_{d.name}") or None for d in self.definitions
        }
        return data

    def add_domain_error(self, exc: DomainError) -> None:
        """Show a service's error on the field it names (or above the form)."""
        name = exc.field.replace("properties.", "prop_", 1)
        if name in self.fields:
            self.add_error(name, exc.message.removeprefix(f"{exc.field}: "))
        else:
            self.add_error(None, exc.message)


def manual_targets(contact: Contact, user: Any) -> list[tuple[str, str]]:
    """Stages `user` may move `contact` to by hand, as the lifecycle table says."""
    targets = []
    position = funnel_position(contact)
    for value, label in Stage.choices:
        if value == contact.lifecycle_stage:
            continue
        try:
            check_transition(
                current=position, to_stage=value, cause=Cause.MANUAL, actor=user
            )
        except TransitionRefused:
            continue
        targets.append((value, label))
    return targets


def can_recycle(contact: Contact, user: Any) -> bool:
    allowed = CAUSES_NEEDING_ACTOR[Cause.RECYCLE]
    return contact.lifecycle_stage in RECYCLABLE and role_of(user) in allowed


class TransitionForm(forms.Form):
    to_stage = forms.CharField(label="Move to", widget=forms.Select(attrs={"required": True}))
    reason = forms.CharField(max_length=500, required=False, widget=forms.TextInput(
        attrs={"placeholder": "Reason (optional)"}
    ))

    def __init__(self, *args: Any, targets: list[tuple[str, str]] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "Choose a stage…"), *(targets or [])]
        self.fields["to_stage"].widget.choices = choices  # type: ignore[attr-defined]


class RecycleForm(forms.Form):
    reason = forms.CharField(max_length=500, required=False, widget=forms.TextInput(attrs={
        "required": True, "placeholder": "Why is it going back to nurture?",
    }))
