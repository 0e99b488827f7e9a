"""Migration portal/0007 chains the events already in the trail (on PostgreSQL past the trigger).

The database goes back to 0006, events are written as they were then (no chain), and 0007 is
applied again: every event is a link, in id order per institution, and audit_verify says OK.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = [pytest.mark.now("2026-12-07 09:00"), pytest.mark.django_db(transaction=True)]

BEFORE, CHAIN = ("portal", "0006_employee_service_start"), ("portal", "0007_audit_chain")


def migrate(target) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    return executor


@pytest.fixture(autouse=True)
def _latest_schema_afterwards():
    """Going back to 0006 also unapplies what depends on it in the other apps: put every app back
    on its latest migration, or the tests after this one meet missing tables."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def old_events(apps) -> list[int]:
    """Events as 0006 wrote them: two institutions and one event of no unit, interleaved."""
    Unit, Event = apps.get_model("portal", "Unit"), apps.get_model("portal", "AuditEvent")
    roots = []
    for code in ("A", "B"):
        root = Unit.objects.create(code=code, name=f"Instansi {code}", kind="instansi", time_zone="Asia/Jakarta")
        root.path = f"/{root.pk}/"
        root.save()
        roots.append(root)
    child = Unit.objects.create(code="A-1", name="Bidang", kind="bidang", parent=roots[0], path=f"/{roots[0].pk}/x/")
    child.path = f"/{roots[0].pk}/{child.pk}/"
    child.save()
    ids = []
    for i, unit in enumerate([roots[0], roots[1], None, child, roots[1], child]):
        event = Event.objects.create(verb="unit.updated", object_type="portal.unit", object_id=str(i),
                                     object_repr="x", unit=unit, before={"b": 1.5, "a": [i]}, after=None)
        ids.append(event.pk)
    return ids


def test_it_chains_the_events_already_in_the_trail():
    executor = migrate(BEFORE)
    try:
        ids = old_events(executor.loader.project_state([BEFORE]).apps)
    finally:
        migrate(CHAIN)
    from portal.models.audit import AuditChainHead, AuditEvent

    rows = {e.pk: e for e in AuditEvent.objects.filter(pk__in=ids)}
    chains = [(rows[i].chain.split(":")[0], rows[i].seq) for i in ids]
    assert chains == [("instansi", 1), ("instansi", 1), ("global", 1), ("instansi", 2), ("instansi", 2),
                      ("instansi", 3)]
    assert rows[ids[3]].prev_hash == rows[ids[0]].hash
    assert AuditChainHead.objects.get(chain=rows[ids[5]].chain).hash == rows[ids[5]].hash
    call_command("audit_verify")  # raises on any broken link
