"""The audit table is append-only in the database itself (PostgreSQL trigger, migration 0003).

The model refuses updates and deletes already; these tests go around it with raw SQL,
as the shell, a script or a compromised component could.
"""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from portal.models import AuditEvent
from portal.services.audit import audit_record

pytestmark = pytest.mark.postgres
TABLE = AuditEvent._meta.db_table


@pytest.fixture
def event(hr, dinkes):
    return audit_record(actor=hr, verb="unit.updated", obj=dinkes, before={"name": "A"}, after={"name": "B"},
                        unit=dinkes)


def raw(sql: str, params=()):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_it_refuses_a_raw_update(event):
    with pytest.raises(IntegrityError, match="append-only: UPDATE"):
        raw(f"UPDATE {TABLE} SET verb = %s, after = NULL WHERE id = %s", ["forged", event.pk])  # noqa: S608
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.verb, stored.after) == ("unit.updated", {"name": "B"})


def test_it_refuses_a_raw_delete(event):
    with pytest.raises(IntegrityError, match="append-only: DELETE"):
        raw(f"DELETE FROM {TABLE} WHERE id = %s", [event.pk])  # noqa: S608
    with pytest.raises(IntegrityError):
        raw(f"DELETE FROM {TABLE}")  # noqa: S608
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_it_still_appends(event, hr, dinkes):
    before = AuditEvent.objects.count()
    audit_record(actor=hr, verb="unit.updated", obj=dinkes, unit=dinkes)
    assert AuditEvent.objects.count() == before + 1


def test_it_installs_the_trigger_for_update_and_delete_only(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT event_manipulation FROM information_schema.triggers WHERE event_object_table = %s "
            "AND trigger_name = 'portal_auditevent_append_only' ORDER BY 1", [TABLE])
        assert [row[0] for row in cursor.fetchall()] == ["DELETE", "UPDATE"]


def test_it_is_enabled_again_after_the_chain_migration_disabled_it(db):
    """Migration portal/0007 chains older events with the trigger off, then turns it back on."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgenabled FROM pg_trigger WHERE tgname = 'portal_auditevent_append_only'")
        assert cursor.fetchone() == ("O",)  # O: fires in the origin (normal) replication role
