"""PostgreSQL only: C-collated indexes for prefix search (see people/selectors.py).

A prefix search is a range comparison that is only correct by code point, so on
PostgreSQL it compares in the "C" collation; these indexes serve it whatever the
database's locale. SQLite compares by code point already and needs nothing.
"""

from django.db import migrations

INDEXES = {
    "contact_email_c": 'people_contact (email COLLATE "C")',
    "contact_first_name_c": 'people_contact ((lower(first_name)) COLLATE "C")',
    "contact_last_name_c": 'people_contact ((lower(last_name)) COLLATE "C")',
    "company_name_c": 'people_company ((lower(name)) COLLATE "C")',
    "company_domain_c": 'people_company (domain COLLATE "C")',
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, target in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
