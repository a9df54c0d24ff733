"""A conference report's project is its event's. Its own migration: on PostgreSQL, rows updated
in the transaction that then makes the column NOT NULL would stop that ALTER TABLE (pending
deferred foreign-key checks)."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def fill_project(apps, schema_editor):
    Event = apps.get_model("events", "Event")
    for name in ("ConferenceReport", "HistoricalConferenceReport"):
        apps.get_model("reports", name).objects.update(
            project_id=Subquery(Event.objects.filter(pk=OuterRef("event_id")).values("project_id"))
        )


class Migration(migrations.Migration):

    dependencies = [
        ('events', '0001_initial'),
        ('reports', '0002_generatedreport'),
    ]

    operations = [
        migrations.RunPython(fill_project, migrations.RunPython.noop),
    ]
