"""Page views lose their single-column visitor index: the (visitor, ts) index covers it."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("prospects", "0021_override_ip_key"),
    ]

    operations = [
        # The index is dropped by name, not by AlterField: SQLite would copy the whole page
        # view table to alter the column, and PostgreSQL's is a partitioned index.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="pageview",
                    name="visitor",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="pageviews",
                        to="prospects.visitor",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "prospects_pageview_visitor_id_4208fdf7"',
                    reverse_sql='CREATE INDEX "prospects_pageview_visitor_id_4208fdf7" '
                    'ON "prospects_pageview" ("visitor_id")',
                ),
            ],
        ),
    ]
