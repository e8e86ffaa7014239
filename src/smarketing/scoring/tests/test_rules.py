"""Fit rule semantics: every operator, on contact fields, company fields and custom
properties, as the SQL the engine runs."""

from __future__ import annotations

from typing import Any

import pytest

from smarketing.core.errors import ValidationFailed
from smarketing.people.models import Company, Contact
from smarketing.scoring.rules import engagement_q, fit_q
from smarketing.testing.factories import make_company, make_contact


def matched(field: str, operator: str, value: Any) -> set[str]:
    rows = Contact.objects.filter(fit_q(field, operator, value))
    return set(rows.values_list("first_name", flat=True))


@pytest.fixture
def people(db: Any) -> None:
    """Custom properties are written directly: their definitions are people's concern."""
    big = make_company(name="Big", employee_count=1200, country="US")
    Company.objects.filter(pk=big.pk).update(properties={"plan": "enterprise"})
    small = make_company(name="Small", employee_count=12, country="FR")
    vera = make_contact(first_name="Vera", title="VP Marketing", email="vera@big.com",
                        company=big)
    dan = make_contact(first_name="Dan", title="Developer", email="dan@gmail.com",
                       company=small)
    Contact.objects.filter(pk=vera.pk).update(properties={"seats": 40, "tier": "gold"})
    Contact.objects.filter(pk=dan.pk).update(properties={"seats": 3})
    make_contact(first_name="Nora", title="", email="nora@free.fr")


def test_equals_compares_text_case_insensitively(people: None) -> None:
    assert matched("title", "equals", "vp marketing") == {"Vera"}
    assert matched("company.country", "equals", "FR") == {"Dan"}
    assert matched("properties.seats", "equals", 3) == {"Dan"}


def test_in_and_not_in_treat_a_missing_company_as_not_in(people: None) -> None:
    assert matched("company.country", "in", ["us", "DE"]) == {"Vera"}
    assert matched("company.country", "not_in", ["US"]) == {"Dan", "Nora"}
    assert matched("properties.tier", "in", ["gold", "silver"]) == {"Vera"}


def test_contains_matches_any_of_several_words(people: None) -> None:
    assert matched("title", "contains", ["vp", "Director"]) == {"Vera"}
    assert matched("email", "contains", "@gmail.") == {"Dan"}
    assert matched("company.properties.plan", "contains", "enter") == {"Vera"}


def test_range_is_inclusive_and_may_be_open(people: None) -> None:
    assert matched("company.employee_count", "range", {"min": 200, "max": 5000}) == {"Vera"}
    assert matched("company.employee_count", "range", {"max": 12}) == {"Dan"}
    assert matched("properties.seats", "range", {"min": 10}) == {"Vera"}


def test_exists_means_present_and_not_empty(people: None) -> None:
    assert matched("title", "exists", True) == {"Vera", "Dan"}
    assert matched("title", "exists", False) == {"Nora"}
    assert matched("properties.tier", "exists", True) == {"Vera"}
    assert matched("company.employee_count", "exists", False) == {"Nora"}


def test_regex_matches_case_insensitively(people: None) -> None:
    assert matched("email", "regex", r"@(GMAIL|yahoo)\.") == {"Dan"}
    assert matched("title", "regex", r"^(vp|chief) ") == {"Vera"}  # \b is not POSIX


@pytest.mark.parametrize(("field", "operator", "value", "bad"), [
    ("salary", "equals", 1, "field"),
    ("company.owner", "equals", 1, "field"),
    ("title", "like", "x", "operator"),
    ("title", "in", [], "value"),
    ("title", "range", 5, "value"),
    ("title", "contains", "", "value"),
])
def test_a_bad_rule_is_refused_naming_the_field(
    field: str, operator: str, value: Any, bad: str
) -> None:
    with pytest.raises(ValidationFailed) as error:
        fit_q(field, operator, value)
    assert error.value.field == bad


def test_engagement_filters_accept_event_columns_and_properties_only() -> None:
    engagement_q("page", "", {"page_path": "/pricing*", "properties.plan": "pro"})
    with pytest.raises(ValidationFailed) as error:
        engagement_q("page", "", {"password": "x"})
    assert error.value.field == "property_filters"
