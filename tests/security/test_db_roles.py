"""On PostgreSQL the application's role cannot rewrite the audit trail, whatever SQL it sends."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.utils import DatabaseError

from portal.models import AuditEvent

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

APP_ROLE = "portal_app_test"


@pytest.fixture
def app_role():
    # A role belongs to the whole cluster, not to one test database: in a parallel run (pytest -n 2)
    # another process may be creating it at this very moment.
    with connection.cursor() as cursor:
        cursor.execute(f"DO $$ BEGIN CREATE ROLE {APP_ROLE} NOLOGIN; "
                       "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$")
    call_command("grant_app_role", APP_ROLE)
    yield APP_ROLE


def _as_app(role: str, sql: str, params=()) -> None:
    """Run one statement as the application role, inside a savepoint that is always undone."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {role}")
        cursor.execute(sql, params)
        transaction.set_rollback(True)


def test_it_lets_the_application_role_append_and_read_the_trail_only(app_role, hr, dinkes):
    from portal.services.audit import audit_record

    event = audit_record(actor=hr, verb="unit.updated", obj=dinkes, unit=dinkes)
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    _as_app(app_role, f"SELECT count(*) FROM {table}")  # noqa: S608 - our own table name
    _as_app(app_role, f"INSERT INTO {table} (at, acting_for, verb, object_type, object_id, object_repr, "  # noqa: S608
                      "chain, seq, prev_hash, hash) VALUES (now(), '', 'unit.updated', 'portal.unit', '1', 'x', "
                      "'raw', 1, '', '')")
    refused = {
        "update": f"UPDATE {table} SET verb = 'unit.tampered' WHERE id = {event.pk}",  # noqa: S608
        "delete": f"DELETE FROM {table} WHERE id = {event.pk}",  # noqa: S608
        "truncate": f"TRUNCATE {table}",
        "disable the trigger": f"ALTER TABLE {table} DISABLE TRIGGER ALL",
        "skip triggers": "SET session_replication_role = replica",
    }
    for what, sql in refused.items():
        with pytest.raises(DatabaseError, match="permission denied|must be owner|must be superuser"):
            _as_app(app_role, sql)
        assert AuditEvent.objects.filter(pk=event.pk, verb="unit.updated").exists(), what


def test_it_lets_the_application_role_do_its_ordinary_work(app_role, dinkes):
    table = connection.ops.quote_name("portal_unit")
    _as_app(app_role, f"UPDATE {table} SET name = name WHERE id = %s", [dinkes.pk])  # noqa: S608


def test_it_lets_the_application_role_chain_and_sign_but_not_rewrite_either(app_role, hr, dinkes):
    """The hash chain (issue 14.4): the role moves the chain head and adds checkpoints, nothing more."""
    from portal.models.audit import AuditChainHead, AuditCheckpoint
    from portal.services import audit_chain
    from portal.services.audit import audit_record

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL ROLE {app_role}")
        event = audit_record(actor=hr, verb="unit.updated", obj=dinkes, unit=dinkes)  # locks and moves the head
        assert audit_chain.checkpoint_write(event.chain).seq == event.seq
        transaction.set_rollback(True)
    audit_record(actor=hr, verb="unit.updated", obj=dinkes, unit=dinkes)
    checkpoint = audit_chain.checkpoint_write(event.chain)
    checkpoints = connection.ops.quote_name(AuditCheckpoint._meta.db_table)
    heads = connection.ops.quote_name(AuditChainHead._meta.db_table)
    refused = {
        "re-sign a checkpoint": f"UPDATE {checkpoints} SET seq = 1 WHERE id = {checkpoint.pk}",  # noqa: S608
        "delete a checkpoint": f"DELETE FROM {checkpoints}",  # noqa: S608
        "truncate the checkpoints": f"TRUNCATE {checkpoints}",
        "delete a chain head": f"DELETE FROM {heads}",  # noqa: S608
        "truncate the chain heads": f"TRUNCATE {heads}",
    }
    for what, sql in refused.items():
        with pytest.raises(DatabaseError, match="permission denied|must be owner"):
            _as_app(app_role, sql)
        assert AuditCheckpoint.objects.filter(pk=checkpoint.pk, seq=checkpoint.seq).exists(), what
    assert audit_chain.chain_verify(event.chain).broken is None
