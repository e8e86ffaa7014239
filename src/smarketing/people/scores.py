"""Contacts' score rows (people.Score): one a contact, so that lists by score walk the
score index and miss no contact.

PostgreSQL: a statement trigger inserts them with the contacts (migration people
0004). SQLite: no trigger (a row trigger on the contacts cost ~55 us a contact
inserted: 78 against 23 us with the rows added set-based), so `ensure_rows` adds the
rows of the contacts inserted since its last call, by id, before anything reads or
writes scores (the contact list, merges, scoring). Ids only grow (AUTOINCREMENT) and
SQLite commits one writer at a time, so every contact up to the highest id with a
row has its row; with nothing new it is two index lookups and no write."""

from __future__ import annotations

from django.db import connection

from smarketing.people.models import Contact, Score


def ensure_rows() -> int:
    """SQLite: insert the missing score rows (zeros) of the contacts above the highest
    id with one; returns how many (always 0 on PostgreSQL, whose trigger keeps them)."""
    if connection.vendor != "sqlite":
        return 0
    scores, contacts = Score._meta.db_table, Contact._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(contact_id), 0) FROM {scores}")
        mark = cursor.fetchone()[0]
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {contacts} WHERE id > %s)", [mark])
        if not cursor.fetchone()[0]:
            return 0
        cursor.execute(  # another writer may have added some meanwhile: not twice
            f"INSERT INTO {scores} (contact_id, fit, engagement, total) SELECT id, 0, 0, 0 "
            f"FROM {contacts} WHERE id > %s ON CONFLICT (contact_id) DO NOTHING", [mark])
        return int(cursor.rowcount)
