"""The provision violated, apart from the provision applied (行政处罚法 第59条(二)(三)).

Raw ALTER TABLE rather than AddField: on SQLite, AddField of a column with a default rebuilds
the table, and the rebuild fails on the legal-review gate trigger that reads this table
(review migrations 0002/0003). ADD/DROP COLUMN is the same statement on SQLite (≥ 3.35) and
PostgreSQL and leaves the trigger alone.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_decision_kinds_apart"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="decisiondraft",
                    name="violated_provision",
                    field=models.TextField(blank=True, verbose_name="违反的条款"),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    sql="ALTER TABLE cases_decisiondraft "
                    "ADD COLUMN violated_provision text NOT NULL DEFAULT ''",
                    reverse_sql="ALTER TABLE cases_decisiondraft DROP COLUMN violated_provision",
                ),
            ],
        ),
    ]
