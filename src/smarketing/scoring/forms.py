"""Forms of the scoring page; they only parse input, services validate the rules."""

from __future__ import annotations

import json
from typing import Any

from django import forms

from smarketing.scoring.models import AccountAggregate, Operator

EVENT_TYPES = [("", "any"), ("page", "page"), ("track", "track"), ("identify", "identify"),
               ("screen", "screen"), ("group", "group"), ("alias", "alias")]


def _json(text: str, what: str) -> Any:
    if not text.strip():
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise forms.ValidationError(f"{what}: not JSON ({error.msg})") from error


class SettingsForm(forms.Form):
    threshold = forms.IntegerField(min_value=0, label="MQL threshold")
    half_life_days = forms.IntegerField(min_value=0, label="Half-life (days, 0: none)")
    hand_raise_events = forms.CharField(required=False, label="Hand-raise events (comma-separated)")
    account_aggregate = forms.ChoiceField(choices=AccountAggregate.choices, label="Account score")
    note = forms.CharField(required=False, max_length=500, label="Why")

    def changes(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("note")
        names = data["hand_raise_events"].split(",")
        data["hand_raise_events"] = [n.strip() for n in names if n.strip()]
        return data


class FitRuleForm(forms.Form):
    label = forms.CharField(required=False, max_length=200)
    field = forms.CharField(max_length=200, help_text="title, company.employee_count, properties.x")
    operator = forms.ChoiceField(choices=Operator.choices)
    value = forms.CharField(required=False, help_text='JSON: "VP", ["US","CA"], {"min": 200}')
    points = forms.IntegerField()

    def clean_value(self) -> Any:
        return _json(self.cleaned_data["value"], "value")


class EngagementRuleForm(forms.Form):
    label = forms.CharField(required=False, max_length=200)
    event_type = forms.ChoiceField(choices=EVENT_TYPES, required=False, label="Event type")
    event_name = forms.CharField(required=False, max_length=200, label="Event name")
    property_filters = forms.CharField(required=False, label="Property filters",
                                       help_text='JSON: {"page_path": "/pricing*"}')
    points = forms.IntegerField()
    daily_cap = forms.IntegerField(min_value=0, initial=0, label="Daily cap")
    rule_cap = forms.IntegerField(min_value=0, initial=0, label="Rule cap")
    recency_days = forms.IntegerField(min_value=0, initial=0, label="Recency (days)")

    def clean_property_filters(self) -> Any:
        return _json(self.cleaned_data["property_filters"], "property_filters") or {}


def first_error(form: forms.Form) -> str:
    for field, errors in form.errors.items():
        return f"{field}: {errors[0]}" if field != "__all__" else str(errors[0])
    return "invalid input"
