"""``manage.py grant_app_role <role>``: give the application's database role only what it needs.

Production runs migrations as the role that owns the tables and the application as another role
(docs/security.md, README "Production"). Run this as the owner after every ``migrate``: it grants
the application role reading and writing of every table, and on the audit trail and its signed
checkpoints only INSERT and SELECT (the chain heads: also UPDATE, never DELETE). Not owning the
tables, the application role can neither ALTER them (so it cannot disable
the append-only trigger) nor TRUNCATE the audit table; not a superuser, it cannot switch
``session_replication_role`` to skip triggers. Safe to run again.
"""

from __future__ import annotations

import re

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from portal.models import AuditEvent
from portal.models.audit import AuditChainHead, AuditCheckpoint

ROLE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class Command(BaseCommand):
    help = __doc__.split("\n\n")[0]

    def add_arguments(self, parser):
        parser.add_argument("role", help="The role the web processes and workers connect as (e.g. portal_app).")

    def handle(self, *args, role: str, **options):
        if connection.vendor != "postgresql":
            raise CommandError("grant_app_role is for PostgreSQL; SQLite has no roles.")
        if not ROLE.fullmatch(role):
            raise CommandError("A role name is lowercase letters, digits and underscores.")
        for statement in grant_statements(role):
            with connection.cursor() as cursor:
                cursor.execute(statement)
        self.stdout.write(self.style.SUCCESS(f"{role}: read/write on the portal's tables, INSERT/SELECT only on the "
                                             f"audit trail."))


def grant_statements(role: str) -> list[str]:
    """The SQL, for a role name already checked against :data:`ROLE` (identifiers cannot be bound)."""
    quote = connection.ops.quote_name
    audit = quote(AuditEvent._meta.db_table)
    # The hash chain (issue 14.4): signed checkpoints are append-only as the events are; the chain
    # heads are locked and moved on every append (UPDATE), never removed.
    checkpoints = quote(AuditCheckpoint._meta.db_table)
    heads = quote(AuditChainHead._meta.db_table)
    who = quote(role)
    return [
        f"GRANT USAGE ON SCHEMA public TO {who}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {who}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {who}",
        f"REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {audit} FROM {who}",
        f"REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {checkpoints} FROM {who}",
        f"REVOKE DELETE, TRUNCATE, REFERENCES, TRIGGER ON {heads} FROM {who}",
        f"REVOKE TRUNCATE, TRIGGER ON ALL TABLES IN SCHEMA public FROM {who}",
    ]
