from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.core.validators import validate_email

from smarketing.core.models import Role
from smarketing.people.generate import GenerateOptions, clear_people_data, generate
from smarketing.people.generate.reference import COUNTRIES
from smarketing.people.lifecycle import RECYCLABLE, check_transition
from smarketing.people.models import (
    ORDERED_STAGES,
    Cause,
    Company,
    Contact,
    Identity,
    IdentityKind,
    LeadStatus,
    PropertyObject,
    Stage,
    StageChange,
    stage_rank,
)
from smarketing.people.properties import clean_properties

END = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)
REGION_OF_COUNTRY = {code: region for region, rows in COUNTRIES.items() for code, *_ in rows}
pytestmark = pytest.mark.django_db


def _generate(contacts: int, seed: int = 7) -> Any:
    return generate(GenerateOptions(contacts=contacts, seed=seed, end=END))


def _snapshot() -> list[tuple[Any, ...]]:
    return list(
        Contact.objects.order_by("id").values_list(
            "email", "lifecycle_stage", "lead_status", "created_at", "became_mql_at",
            "original_source", "company__domain",
        )
    )


def _derived_became(changes: list[StageChange]) -> dict[str, dt.datetime | None]:
    """became_X_at = earliest move whose to_stage is at or beyond X (KPI.md monotone rule)."""
    return {
        f"became_{stage}_at": min(
            (c.at for c in changes if stage_rank(c.to_stage) >= stage_rank(stage)), default=None
        )
        for stage in ORDERED_STAGES
    }


def test_the_same_seed_gives_the_same_data_and_another_seed_does_not() -> None:
    _generate(300, seed=3)
    first = _snapshot()
    clear_people_data()
    _generate(300, seed=3)
    assert _snapshot() == first
    clear_people_data()
    _generate(300, seed=4)
    assert [row[0] for row in _snapshot()] != [row[0] for row in first]


def test_funnel_rates_are_in_known_b2b_ranges() -> None:
    result = _generate(3000, seed=42)
    reached = {s: Contact.objects.filter(**{f"became_{s}_at__isnull": False}).count()
               for s in ORDERED_STAGES}
    assert Contact.objects.count() == 3000
    assert 0.15 <= reached["mql"] / reached["lead"] <= 0.30
    assert 0.30 <= reached["sql"] / reached["mql"] <= 0.50
    assert 0.50 <= reached["opportunity"] / reached["sql"] <= 0.70
    assert 0.15 <= reached["customer"] / reached["opportunity"] <= 0.30
    assert dict(result.tally.reached) == {s: n for s, n in reached.items() if n}
    recycled = Contact.objects.filter(lead_status=LeadStatus.RECYCLED)
    assert recycled.exists()
    assert not recycled.filter(lead_status_reason="").exists()


def test_became_fields_and_stage_agree_with_the_history_of_every_contact() -> None:
    _generate(800)
    history: dict[int, list[StageChange]] = {}
    for change in StageChange.objects.order_by("contact_id", "at", "id"):
        history.setdefault(change.contact_id, []).append(change)
    contacts = list(Contact.objects.all())
    assert len(history) == len(contacts) == 800
    for contact in contacts:
        changes = history[contact.pk]
        assert changes[0].from_stage == "" and changes[0].at == contact.created_at
        assert all(a.to_stage == b.from_stage for a, b in zip(changes, changes[1:], strict=False))
        assert all(a.at < b.at for a, b in zip(changes, changes[1:], strict=False))
        assert contact.lifecycle_stage == changes[-1].to_stage
        assert contact.updated_at == changes[-1].at
        for field, expected in _derived_became(changes).items():
            assert getattr(contact, field) == expected, (contact.pk, field)


def test_every_move_is_one_the_lifecycle_allows() -> None:
    _generate(800)
    users = {u.pk: u for u in User.objects.select_related("profile")}
    moves = StageChange.objects.all()
    for move in moves:
        actor = users.get(move.actor_id) if move.actor_id else None
        if move.cause == Cause.RECYCLE:
            assert move.from_stage in RECYCLABLE and move.to_stage == Stage.LEAD
            assert move.reason and actor is not None and actor.profile.role == Role.SALES_REP
            continue
        check_transition(
            current=move.from_stage, to_stage=move.to_stage, cause=move.cause, actor=actor
        )
    causes = Counter(moves.values_list("cause", flat=True))
    assert {Cause.TRACKING, Cause.IMPORT, Cause.SCORING, Cause.HANDOFF, Cause.PIPELINE,
            Cause.RECYCLE} <= set(causes)


def test_contacts_look_real_and_are_consistent_with_their_company() -> None:
    _generate(800)
    contacts = list(Contact.objects.select_related("company", "owner__profile"))
    emails = [c.email for c in contacts]
    assert len(set(emails)) == len(emails)
    for email in emails:
        validate_email(email)
    identities = dict(
        Identity.objects.filter(kind=IdentityKind.EMAIL).values_list("contact_id", "value")
    )
    assert identities == {c.pk: c.email for c in contacts}
    for contact in contacts:
        assert contact.first_name and contact.last_name and contact.original_source
        if contact.company is not None:
            assert contact.email.endswith("@" + contact.company.domain)
        reached_sql = contact.became_sql_at is not None
        assert (contact.owner is not None) == reached_sql
        if contact.owner is not None and contact.company is not None:
            assert contact.owner.profile.region == contact.company.region
    assert clean_properties(object_type=PropertyObject.CONTACT, values=contacts[0].properties)


def test_companies_have_regions_matching_their_country_and_owners_in_that_region() -> None:
    _generate(800)
    companies = list(Company.objects.select_related("owner__profile"))
    assert 60 <= len(companies) <= 160  # about one company per 8 contacts
    assert len({c.domain for c in companies}) == len(companies)
    for company in companies:
        assert REGION_OF_COUNTRY[company.country] == company.region
        assert company.owner.profile.region == company.region
        assert company.employee_count and company.annual_revenue
        clean_properties(object_type=PropertyObject.COMPANY, values=company.properties)
    assert len({c.industry for c in companies}) >= 6


def test_users_cover_every_role_with_teams_and_regions() -> None:
    _generate(300)
    profiles = {u.username: u.profile for u in User.objects.select_related("profile__team")}
    assert {p.role for p in profiles.values()} == set(Role.values)
    assert {"admin", "marketing", "manager", "rep1", "rep2", "rep3", "rep4"} <= set(profiles)
    reps = [p for p in profiles.values() if p.role == Role.SALES_REP]
    assert all(p.team is not None and p.team.region == p.region for p in reps)
    assert not User.objects.filter(username="rep1").first().has_usable_password()


def test_new_contacts_follow_the_working_week() -> None:
    _generate(3000)
    days = Counter(c.weekday() for c in Contact.objects.values_list("created_at", flat=True))
    weekday_mean = sum(days[d] for d in range(5)) / 5
    weekend_mean = (days[5] + days[6]) / 2
    assert weekday_mean > 2 * weekend_mean


def test_the_command_refuses_existing_data_unless_forced_and_checks_its_flags() -> None:
    call_command("generate", "--contacts", "200", "--seed", "1", verbosity=0)
    with pytest.raises(CommandError, match="--force"):
        call_command("generate", "--contacts", "200", verbosity=0)
    call_command("generate", "--contacts", "150", "--force", verbosity=0)
    assert Contact.objects.count() == 150
    with pytest.raises(CommandError, match="--contacts"):
        call_command("generate", "--contacts", "0", "--force")
    with pytest.raises(CommandError, match="--months"):
        call_command("generate", "--contacts", "10", "--months", "0", "--force")


def test_the_services_keep_working_after_a_bulk_load() -> None:
    from smarketing.testing.factories import make_company, make_contact

    _generate(50)
    company = make_company()
    contact = make_contact(company=company)
    assert contact.pk > Contact.objects.exclude(pk=contact.pk).latest("pk").pk
    assert StageChange.objects.filter(contact=contact).count() == 1


def test_stored_times_compare_in_sql_like_times_written_by_the_orm() -> None:
    _generate(300)
    times = sorted(Contact.objects.values_list("created_at", flat=True))
    middle = times[len(times) // 2]
    later_in_python = sum(1 for t in times if t >= middle)
    assert Contact.objects.filter(created_at__gte=middle).count() == later_in_python
    assert StageChange.objects.filter(at__gte=middle).count() == sum(
        1 for at in StageChange.objects.values_list("at", flat=True) if at >= middle
    )
