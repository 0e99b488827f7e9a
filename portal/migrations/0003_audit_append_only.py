"""The audit table is append-only in the database itself, on PostgreSQL.

The model already refuses save-after-create, delete and queryset update/delete; this
trigger also stops raw SQL, the shell and any other client of the database. Only row
UPDATE and DELETE are refused: TRUNCATE (used by the test framework's flush between
transactional tests, and by an operator wiping a whole database) fires no row trigger.
Deleting a User or Unit that an event names is already refused by PROTECT.
SQLite has no equivalent worth the name, so the migration does nothing there.
"""

from django.db import migrations

FUNCTION = "portal_auditevent_append_only"


def _is_postgres(schema_editor) -> bool:
    return schema_editor.connection.vendor == "postgresql"


def create_trigger(apps, schema_editor):
    if not _is_postgres(schema_editor):
        return
    table = schema_editor.quote_name(apps.get_model("portal", "AuditEvent")._meta.db_table)
    # Identifiers come from the model's own table name, never from input.
    # No "%" in the SQL: the driver would read it as a parameter placeholder.
    schema_editor.execute(f"""
        CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION USING
                MESSAGE = 'audit events are append-only: ' || TG_OP || ' on ' || TG_TABLE_NAME || ' refused',
                ERRCODE = 'restrict_violation';
        END;
        $$
    """)
    schema_editor.execute(f"""
        CREATE TRIGGER {FUNCTION} BEFORE UPDATE OR DELETE ON {table}
        FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()
    """)  # nosec B608 - no user input: fixed names and the model's table name


def drop_trigger(apps, schema_editor):
    if not _is_postgres(schema_editor):
        return
    table = schema_editor.quote_name(apps.get_model("portal", "AuditEvent")._meta.db_table)
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {FUNCTION} ON {table}")
    schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")


class Migration(migrations.Migration):
    dependencies = [("portal", "0002_notifications")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
