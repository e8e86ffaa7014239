"""Per-day sums of the attribution rows (AttributionDay), so a period is read from about
365 rows per key instead of every deal's rows; the rows keep their channel key and a
once-per-deal-and-channel flag to make the channel deal counts exact.

Existing rows are dropped and every deal marked stale: campaigns/rollup.py computes
them (and the days) again on the next read. Triggers keep the days exact when rows
are deleted by any code path (a deal deleted, rows computed again), and mark stale
the deals with rows for a campaign whose channel changed. SQLite and PostgreSQL."""

from django.db import migrations, models

ROWS, DAYS = "campaigns_dealattribution", "campaigns_attributionday"
STATE, CAMPAIGN = "campaigns_dealattributionstate", "campaigns_campaign"


def _day(vendor: str) -> str:
    if vendor == "postgresql":
        return "CAST(OLD.at AT TIME ZONE 'UTC' AS DATE)"
    return "date(OLD.at)"


def _subtract(vendor: str) -> str:
    """The body removing a deleted row from its two day sums (and empty sums)."""
    day = _day(vendor)
    where = f"basis = OLD.basis AND model = OLD.model AND day = {day}"
    campaign = f"{where} AND kind = 'campaign' AND item = CAST(COALESCE(OLD.campaign_id, -1) AS TEXT)"
    channel = f"{where} AND kind = 'channel' AND item = OLD.channel"
    return (f"UPDATE {DAYS} SET cents = cents - OLD.cents, deals = deals - 1 WHERE {campaign}; "
            f"UPDATE {DAYS} SET cents = cents - OLD.cents, deals = deals - OLD.channel_deal "
            f"WHERE {channel}; "
            f"DELETE FROM {DAYS} WHERE deals = 0 AND {campaign}; "
            f"DELETE FROM {DAYS} WHERE deals = 0 AND {channel}")


CHANNEL_CHANGED = (f"UPDATE {STATE} SET stale = TRUE WHERE deal_id IN "
                   f"(SELECT deal_id FROM {ROWS} WHERE campaign_id = NEW.id)")


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    bodies = {"attr_rows_deleted": (ROWS, "DELETE", "", _subtract(vendor)),
              "attr_channel_changed": (CAMPAIGN, "UPDATE",
                                       "OLD.channel IS DISTINCT FROM NEW.channel",
                                       CHANNEL_CHANGED)}
    for name, (table, event, condition, body) in bodies.items():
        if vendor == "postgresql":
            when = f" WHEN ({condition})" if condition else ""
            schema_editor.execute(f"CREATE FUNCTION {name}() RETURNS trigger AS $$ BEGIN "
                                  f"{body}; RETURN NULL; END $$ LANGUAGE plpgsql")
            schema_editor.execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH "
                                  f"ROW{when} EXECUTE FUNCTION {name}()")
        else:
            when = f" WHEN {condition}" if condition else ""
            schema_editor.execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH "
                                  f"ROW{when} BEGIN {body}; END")


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    postgresql = schema_editor.connection.vendor == "postgresql"
    for name, table in (("attr_rows_deleted", ROWS), ("attr_channel_changed", CAMPAIGN)):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}"
                              + (f" ON {table}" if postgresql else ""))
        if postgresql:
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")


class Migration(migrations.Migration):

    dependencies = [
        ('campaigns', '0004_attribution_triggers'),
    ]

    operations = [
        migrations.RunSQL(f"DELETE FROM {ROWS}", migrations.RunSQL.noop),
        migrations.RunSQL(f"UPDATE {STATE} SET stale = TRUE", migrations.RunSQL.noop),
        migrations.CreateModel(
            name='AttributionDay',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('basis', models.CharField(max_length=10)),
                ('model', models.CharField(max_length=12)),
                ('kind', models.CharField(max_length=8)),
                ('day', models.DateField()),
                ('item', models.CharField(blank=True, max_length=20)),
                ('cents', models.BigIntegerField()),
                ('deals', models.BigIntegerField()),
            ],
        ),
        migrations.RemoveIndex(
            model_name='dealattribution',
            name='attr_basis_model_at',
        ),
        migrations.AddField(
            model_name='dealattribution',
            name='channel',
            field=models.CharField(blank=True, default='', help_text="The channel key: the campaign's channel, content_seo without a campaign, empty for (none).", max_length=20),
        ),
        migrations.AddField(
            model_name='dealattribution',
            name='channel_deal',
            field=models.PositiveSmallIntegerField(default=0, help_text='1 on one row per deal and channel: counts the deal once.'),
        ),
        migrations.AddIndex(
            model_name='dealattribution',
            index=models.Index(fields=['basis', 'model', 'at', 'campaign_id', 'deal', 'cents', 'channel', 'channel_deal'], name='attr_basis_model_at'),
        ),
        migrations.AddIndex(
            model_name='dealattribution',
            index=models.Index(fields=['campaign_id', 'channel', 'deal'], name='attr_campaign'),
        ),
        migrations.AddConstraint(
            model_name='attributionday',
            constraint=models.UniqueConstraint(fields=('basis', 'model', 'kind', 'day', 'item'), name='attr_day_unique'),
        ),
        migrations.RunPython(create, drop),
    ]
