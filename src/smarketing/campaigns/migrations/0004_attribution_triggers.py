"""Triggers that mark a deal's attribution rows stale whenever an input of its
attribution changes, whatever code path writes it (campaigns/rollup.py reads them):
a deal created; its amount, status, created_at or closed_at changed; a contact link
added, removed or repointed; a linked contact's became_lead_at changed. Existing
deals start stale. SQLite and PostgreSQL each get their own syntax."""

from django.db import migrations

STATE = "campaigns_dealattributionstate"
DEAL, LINK, CONTACT = "pipeline_deal", "pipeline_dealcontact", "people_contact"
DEAL_CHANGED = (
    "OLD.amount IS DISTINCT FROM NEW.amount OR OLD.status IS DISTINCT FROM NEW.status OR "
    "OLD.created_at IS DISTINCT FROM NEW.created_at OR "
    "OLD.closed_at IS DISTINCT FROM NEW.closed_at"
)
LEAD_CHANGED = "OLD.became_lead_at IS DISTINCT FROM NEW.became_lead_at"
LINK_CHANGED = "OLD.deal_id IS DISTINCT FROM NEW.deal_id OR OLD.contact_id IS DISTINCT FROM NEW.contact_id"

# name: (table, event, condition or "", body using NEW / OLD)
TRIGGERS = {
    "attr_deal_created": (DEAL, "INSERT", "", f"INSERT INTO {STATE} (deal_id, stale) VALUES "
                          "(NEW.id, TRUE) ON CONFLICT (deal_id) DO UPDATE SET stale = TRUE"),
    "attr_deal_changed": (DEAL, "UPDATE", DEAL_CHANGED,
                          f"UPDATE {STATE} SET stale = TRUE WHERE deal_id = NEW.id"),
    "attr_link_added": (LINK, "INSERT", "",
                        f"UPDATE {STATE} SET stale = TRUE WHERE deal_id = NEW.deal_id"),
    "attr_link_removed": (LINK, "DELETE", "",
                          f"UPDATE {STATE} SET stale = TRUE WHERE deal_id = OLD.deal_id"),
    "attr_link_changed": (LINK, "UPDATE", LINK_CHANGED, f"UPDATE {STATE} SET stale = TRUE "
                          "WHERE deal_id = OLD.deal_id OR deal_id = NEW.deal_id"),
    "attr_lead_changed": (CONTACT, "UPDATE", LEAD_CHANGED, f"UPDATE {STATE} SET stale = TRUE "
                          f"WHERE deal_id IN (SELECT deal_id FROM {LINK} "
                          "WHERE contact_id = NEW.id)"),
}


def _sqlite(name: str, table: str, event: str, condition: str, body: str) -> list[str]:
    when = f" WHEN {condition}" if condition else ""
    return [f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW{when} "
            f"BEGIN {body}; END"]


def _postgresql(name: str, table: str, event: str, condition: str, body: str) -> list[str]:
    when = f" WHEN ({condition})" if condition else ""
    return [
        f"CREATE FUNCTION {name}() RETURNS trigger AS $$ BEGIN {body}; RETURN NULL; END "
        "$$ LANGUAGE plpgsql",
        f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW{when} "
        f"EXECUTE FUNCTION {name}()",
    ]


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    make = _postgresql if vendor == "postgresql" else _sqlite
    for name, spec in TRIGGERS.items():
        for sql in make(name, *spec):
            schema_editor.execute(sql)
    schema_editor.execute(f"INSERT INTO {STATE} (deal_id, stale) SELECT id, TRUE FROM {DEAL}")


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    postgresql = schema_editor.connection.vendor == "postgresql"
    for name, (table, *_) in TRIGGERS.items():
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if postgresql
                                                                   else ""))
        if postgresql:
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0003_touch_points_attribution_rollup"),
    ]

    operations = [migrations.RunPython(create, drop)]
