"""The database cache's table (settings.CACHES without Redis), made by `migrate` itself so that a
fresh deployment has it before the first request. Written by hand: no model owns the table."""

from typing import Any

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps: Any, schema_editor: Any) -> None:
    # createcachetable skips a table that exists, and does nothing when no cache is a
    # DatabaseCache (Redis, or the test run's local memory).
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_securityevent_outboxemail")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
