"""Forms of the pipeline pages: filters and inputs, checked again by the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from smarketing.core.models import Team
from smarketing.core.periods import Period, month_of, quarter_of
from smarketing.core.selectors import sales_users
from smarketing.pipeline.models import (
    ActivityKind,
    ContactRole,
    DealType,
    ForecastCategory,
    LostReason,
    Pipeline,
    PipelineStage,
    Product,
    QuotaPeriod,
)


class UserChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.username)


CLOSE_CHOICES = [
    ("", "Any close date"), ("this_month", "This month"), ("this_quarter", "This quarter"),
    ("next_quarter", "Next quarter"), ("last_quarter", "Last quarter"),
]


def named_period(name: str, today: dt.date | None = None) -> Period | None:
    """The period a filter preset names, None for "any"."""
    today = today or timezone.localdate()
    if name == "this_month":
        return month_of(today)
    this = quarter_of(today)
    if name == "this_quarter":
        return this
    if name == "next_quarter":
        return quarter_of(this.end)
    if name == "last_quarter":
        return quarter_of(this.start - dt.timedelta(days=1))
    return None


class BoardFilterForm(forms.Form):
    pipeline = forms.ModelChoiceField(Pipeline.objects.all(), required=False, empty_label=None)
    owner = UserChoiceField(sales_users(), required=False, empty_label="Any owner")
    team = forms.ModelChoiceField(Team.objects.order_by("name"), required=False,
                                  empty_label="Any team")
    close = forms.ChoiceField(choices=CLOSE_CHOICES, required=False, label="Close")


class DealForm(forms.Form):
    name = forms.CharField(max_length=200)
    amount = forms.DecimalField(min_value=0, max_digits=14, decimal_places=2, initial=0)
    expected_close_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    stage = forms.ModelChoiceField(
        PipelineStage.objects.filter(is_won=False, is_lost=False).select_related("pipeline")
        .order_by("pipeline__name", "order"), required=False, empty_label="First stage")
    type = forms.ChoiceField(choices=DealType.choices, initial=DealType.NEW_BUSINESS)
    owner = UserChoiceField(sales_users(), required=False, empty_label="Me")
    contact = forms.IntegerField(required=False, widget=forms.HiddenInput)


class DealEditForm(forms.Form):
    """The deal page's edit form (the stage moves by its own form)."""

    name = forms.CharField(max_length=200)
    amount = forms.DecimalField(min_value=0, max_digits=14, decimal_places=2, required=False,
                                help_text="Ignored while the deal has line items.")
    expected_close_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    type = forms.ChoiceField(choices=DealType.choices)
    owner = UserChoiceField(sales_users())
    forecast_category_override = forms.ChoiceField(
        choices=[("", "From the stage"), *ForecastCategory.choices], required=False,
        label="Forecast category")
    source_campaign = forms.CharField(max_length=200, required=False)


def deal_edit_initial(deal: Any) -> dict[str, Any]:
    return {"name": deal.name, "amount": deal.amount, "owner": deal.owner_id,
            "expected_close_date": deal.expected_close_date, "type": deal.type,
            "forecast_category_override": deal.forecast_category_override,
            "source_campaign": deal.source_campaign}


class DealContactForm(forms.Form):
    email = forms.EmailField(label="Contact email")
    role = forms.ChoiceField(choices=ContactRole.choices, initial=ContactRole.USER)
    is_primary = forms.BooleanField(required=False, label="Primary")


class MoveForm(forms.Form):
    stage = forms.ModelChoiceField(PipelineStage.objects.all())
    lost_reason = forms.ModelChoiceField(LostReason.objects.filter(active=True), required=False)
    lost_note = forms.CharField(max_length=1000, required=False)


class LineItemForm(forms.Form):
    product = forms.ModelChoiceField(Product.objects.filter(active=True))
    quantity = forms.IntegerField(min_value=1, initial=1)
    unit_price = forms.DecimalField(min_value=0, max_digits=14, decimal_places=2, required=False,
                                    help_text="Empty: the list price.")
    discount_percent = forms.DecimalField(min_value=0, max_value=100, max_digits=5,
                                          decimal_places=2, initial=0)


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(choices=ActivityKind.choices, initial=ActivityKind.CALL)
    subject = forms.CharField(max_length=200)
    outcome = forms.CharField(max_length=200, required=False)
    body = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    due_at = forms.DateTimeField(required=False, widget=forms.DateTimeInput(
        attrs={"type": "datetime-local"}), help_text="Tasks only.")
    contact = forms.IntegerField(required=False, widget=forms.HiddenInput)
    deal = forms.IntegerField(required=False, widget=forms.HiddenInput)
    company = forms.IntegerField(required=False, widget=forms.HiddenInput)


class QuotaForm(forms.Form):
    owner = UserChoiceField(sales_users())
    period = forms.ChoiceField(choices=QuotaPeriod.choices, initial=QuotaPeriod.QUARTER)
    start = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}),
                            help_text="The first day of the month or quarter.")
    amount = forms.DecimalField(min_value=0, max_digits=14, decimal_places=2)


class ProductForm(forms.Form):
    name = forms.CharField(max_length=200)
    family = forms.CharField(max_length=100, required=False, label="Family / series")
    list_price = forms.DecimalField(min_value=0, max_digits=14, decimal_places=2)
    active = forms.BooleanField(required=False, initial=True)


class ForecastFilterForm(BoardFilterForm):
    close = forms.ChoiceField(choices=CLOSE_CHOICES[1:], required=False, label="Period",
                              initial="this_quarter")
