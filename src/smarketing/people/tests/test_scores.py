"""Contacts' score rows: one a contact whatever made it (PostgreSQL: a trigger; SQLite:
added by id), so lists by score miss none."""

from __future__ import annotations

from typing import Any

from django.db import connection

from smarketing.people.models import Contact, Score
from smarketing.people.scores import ensure_rows
from smarketing.people.selectors import ContactFilters, contact_list
from smarketing.testing.factories import make_contact, set_score


def test_every_contact_gets_a_zero_score_row_however_it_is_inserted(db: Any) -> None:
    by_service = make_contact()
    by_bulk = Contact.objects.bulk_create([Contact(email=f"bulk{n}@example.com")
                                           for n in range(3)])
    with connection.cursor() as cursor:  # as the imports insert them: plain SQL
        cursor.execute("INSERT INTO people_contact (created_at, updated_at, email, first_name, "
                       "last_name, title, phone, lifecycle_stage, lead_status, "
                       "lead_status_reason, original_source, original_campaign, "
                       "latest_source, latest_campaign, properties) VALUES (%s, %s, "
                       "'raw@example.com', '', '', '', '', 'lead', '', '', '', '', '', '', "
                       "'{}')", [by_service.created_at, by_service.created_at])
    added = ensure_rows()
    assert added == (5 if connection.vendor == "sqlite" else 0)
    assert ensure_rows() == 0  # nothing new: nothing written
    ids = set(Contact.objects.values_list("id", flat=True))
    assert len(ids) == 5
    rows = {row[0]: row[1:] for row in Score.objects.values_list(
        "contact_id", "fit", "engagement", "total")}
    assert rows == dict.fromkeys(ids, (0, 0, 0))
    assert {c.score for c in Contact.objects.filter(pk__in=[c.pk for c in by_bulk])} == {0}


def test_deleting_a_contact_deletes_its_score_row(db: Any) -> None:
    contact = make_contact()
    ensure_rows()
    assert Score.objects.filter(contact=contact).exists()
    contact.delete()
    assert not Score.objects.exists()


def test_the_list_by_score_keeps_the_contacts_never_scored(db: Any) -> None:
    scored, never = make_contact(), make_contact()
    set_score(scored, 12, fit=2)
    listed = [(c.pk, c.score, c.fit_score, c.engagement_score)
              for c in contact_list(ContactFilters(sort="-score"))]
    assert listed == [(scored.pk, 12, 2, 10), (never.pk, 0, 0, 0)]
    low_first = [c.pk for c in contact_list(ContactFilters(sort="score"))]
    assert low_first == [never.pk, scored.pk]
