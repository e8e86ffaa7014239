"""Contacts' scores move to a narrow table of their own (people_score), one row a
contact (PostgreSQL: a statement trigger on the contacts' inserts; SQLite:
people/scores.py adds them by id); the scores there are copied from the contacts'
columns, which go."""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models

POSTGRESQL = [  # one statement trigger a statement (an import's batch), not one a row
    "CREATE FUNCTION people_score_rows() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "INSERT INTO people_score (contact_id, fit, engagement, total) "
    "SELECT id, 0, 0, 0 FROM new_contacts; RETURN NULL; END $$",
    "CREATE TRIGGER people_score_row AFTER INSERT ON people_contact "
    "REFERENCING NEW TABLE AS new_contacts FOR EACH STATEMENT "
    "EXECUTE FUNCTION people_score_rows()",
]
UNDO = ["DROP TRIGGER IF EXISTS people_score_row ON people_contact",
        "DROP FUNCTION IF EXISTS people_score_rows()"]


def _run(schema_editor: Any, statements: list[str]) -> None:
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


def install(apps: Any, schema_editor: Any) -> None:
    _run(schema_editor, POSTGRESQL)


def uninstall(apps: Any, schema_editor: Any) -> None:
    _run(schema_editor, UNDO)


class Migration(migrations.Migration):

    dependencies = [
        ('people', '0003_contact_reached_indexes'),
    ]

    operations = [
        migrations.CreateModel(
            name='Score',
            fields=[
                ('contact', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='scores', serialize=False, to='people.contact')),
                ('fit', models.IntegerField(default=0)),
                ('engagement', models.IntegerField(default=0)),
                ('total', models.IntegerField(default=0)),
            ],
        ),
        migrations.RunSQL(
            "INSERT INTO people_score (contact_id, fit, engagement, total) "
            "SELECT id, fit_score, engagement_score, score FROM people_contact",
            "UPDATE people_contact SET fit_score = s.fit, engagement_score = s.engagement, "
            "score = s.total FROM people_score s WHERE s.contact_id = people_contact.id",
        ),
        migrations.RunPython(install, uninstall),
        migrations.RemoveIndex(
            model_name='contact',
            name='contact_score',
        ),
        migrations.RemoveField(
            model_name='contact',
            name='engagement_score',
        ),
        migrations.RemoveField(
            model_name='contact',
            name='fit_score',
        ),
        migrations.RemoveField(
            model_name='contact',
            name='score',
        ),
        migrations.AddIndex(
            model_name='score',
            index=models.Index(fields=['-total', '-contact'], name='score_total'),
        ),
    ]
