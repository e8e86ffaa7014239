"""PostgreSQL: the stage entries are counted by statement triggers over the transition
tables (one upsert a key a statement) instead of a row trigger (four upserts a
contact, slower with every upsert of the same counter in a transaction). SQLite's row
triggers stay as they are."""

from typing import Any

from django.db import migrations

from smarketing.analytics import stageentries


def by_statement(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        stageentries.uninstall(schema_editor)
        stageentries.install(schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ('analytics', '0010_fold_marks'),
    ]

    operations = [
        migrations.RunPython(by_statement, by_statement),
    ]
