"""Rule facts read once per change, not once per request.

The rules of a decision, a request and a check-in are read from tables HR changes a few times a
month (coverage policies, FWA windows, emergencies, the calendar, working patterns, Ramadan hours,
leave kinds, the unit tree's time zones), yet every request read them again: at 32 clients they
were a quarter of an approval. Here each such read is kept in the process, keyed by the rule
facts' version token, and asked again only when the token changed.

The token is one row (:class:`portal.models.RuleFactsVersion`) that a database trigger sets to a
new random value in the same transaction as any write to those tables (:func:`trigger_operation`,
installed by the migrations that own the tables), so:

- a committed change is seen by the next read of the token: nothing waits for an expiry, and no
  write path (service, admin, bulk update, raw SQL) can forget to invalidate;
- an uncommitted change is seen only by its own transaction, under a token no other transaction
  can read; a rolled-back change leaves a token that is never read again (random, not a counter,
  so a later change never reuses it and meets the rolled-back facts);
- reading the token, then the facts, gives facts at least as new as the token, never older.

A decision pins the token after its row locks (:func:`pinned`, read at its first fact): its facts
are then what was committed while it held the locks, as when each fact was read there. Submit and
check-in pin it for the request, a GET for the page (:class:`RuleFactsMiddleware`). Outside a pin
each read asks the token itself (one indexed row). Values are shared between requests: callers
must not change them (they are tuples, frozen dataclasses, or model rows only read).
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Hashable
from typing import TypeVar

from django.conf import settings
from django.db import connection

T = TypeVar("T")

MAX_ENTRIES = 4096  # a few hundred units' facts; past it the store starts again (old tokens' go too)
_store: dict[tuple, object] = {}
_UNVERSIONED = ""  # the row is missing (a wiped database before the next change): read, keep nothing


class _Pin:
    """The token of a pinned block, read at its first fact (a block that reads none reads nothing)."""

    __slots__ = ("token",)

    def __init__(self):
        self.token: str | None = None


_pin: contextvars.ContextVar[_Pin | None] = contextvars.ContextVar("rule_facts_pin", default=None)


def current_token() -> str:
    """The rule facts' version token as this transaction sees it ("" when there is none)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT token FROM portal_rulefactsversion WHERE id = 1")
        row = cursor.fetchone()
    return row[0] if row else _UNVERSIONED


@contextlib.contextmanager
def pinned():
    """Every fact read in the block is of one version, its token read once, at the first fact
    (so a decision that pins after its row locks reads it under them). Not around a block that
    changes the facts itself: it would read its own change under the old token. Also a decorator."""
    reset = _pin.set(_Pin())
    try:
        yield
    finally:
        _pin.reset(reset)


def enabled() -> bool:
    return settings.PORTAL_RULE_FACTS_CACHE


def _token() -> str:
    if not enabled():
        return _UNVERSIONED
    pin = _pin.get()
    if pin is None:
        return current_token()
    if pin.token is None:
        pin.token = current_token()
    return pin.token


def remembered(name: str, key: Hashable, load: Callable[[], T]) -> T:
    """``load()`` of this version of the facts, read once per process and version."""
    token = _token()
    if token == _UNVERSIONED:
        return load()
    entry = (token, name, key)
    try:
        return _store[entry]  # type: ignore[return-value]
    except KeyError:
        pass
    value = load()
    if len(_store) >= MAX_ENTRIES:
        _store.clear()
    _store[entry] = value
    return value


class RuleFactsMiddleware:
    """A page or API read (GET, HEAD) sees one version of the rule facts, its token read at most
    once. Only safe methods: a request that changes a rule reads its own change afterwards, so it
    must not hold an older token (its services pin where they may)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        with pinned():
            return self.get_response(request)


def forget() -> None:
    """Drop every kept fact (tests that compare a cold read with a warm one)."""
    _store.clear()


# --- The trigger (installed by each app's migration for its own tables) -----------------------

_PG_FUNCTION = "portal_rule_facts_changed"
_RANDOM_PG = "md5(random()::text || clock_timestamp()::text)"
_RANDOM_SQLITE = "lower(hex(randomblob(16)))"
_UPSERT = ("INSERT INTO portal_rulefactsversion (id, token) VALUES (1, {token}) "
           "ON CONFLICT (id) DO UPDATE SET token = excluded.token")


def _pg_install(table: str) -> list[str]:
    # Fixed names and the models' own table names: no input reaches these statements.
    return [
        f"CREATE OR REPLACE FUNCTION {_PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"{_UPSERT.format(token=_RANDOM_PG)}; RETURN NULL; END $$",
        f"DROP TRIGGER IF EXISTS {table}_rule_facts ON {table}",
        f"CREATE TRIGGER {table}_rule_facts AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {_PG_FUNCTION}()",
    ]


def _sqlite_install(table: str) -> list[str]:
    return _uninstall("sqlite", table) + [
        f"CREATE TRIGGER {table}_rule_facts_{event.lower()} AFTER {event} ON {table} BEGIN "
        f"{_UPSERT.format(token=_RANDOM_SQLITE)}; END"
        for event in ("INSERT", "UPDATE", "DELETE")]


def _uninstall(vendor: str, table: str) -> list[str]:
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {table}_rule_facts ON {table}"]
    return [f"DROP TRIGGER IF EXISTS {table}_rule_facts_{event.lower()}" for event in ("insert", "update", "delete")]


def _install(schema_editor_or_cursor, vendor: str, table: str) -> None:
    for sql in (_pg_install(table) if vendor == "postgresql" else _sqlite_install(table)):
        schema_editor_or_cursor.execute(sql)


def _tables(apps, entries) -> list[str]:
    found = []
    for app_label, model_name, field in entries:
        meta = apps.get_model(app_label, model_name)._meta
        found.append(meta.get_field(field).remote_field.through._meta.db_table if field else meta.db_table)
    return found


def _entries(app_label: str, model_names, through) -> list[tuple[str, str, str | None]]:
    return [(app_label, name, None) for name in model_names] + [(app_label, name, f) for name, f in through]


def trigger_operation(app_label: str, model_names: list[str], through: list[tuple[str, str]] = ()):
    """A migration operation that makes every write to these models' tables (and to the
    many-to-many tables ``through``: (model, field)) change the rule facts' token."""
    from django.db import migrations

    entries = _entries(app_label, model_names, through)

    def install(apps, schema_editor):
        for table in _tables(apps, entries):
            _install(schema_editor, schema_editor.connection.vendor, table)

    def uninstall(apps, schema_editor):
        for table in _tables(apps, entries):
            for sql in _uninstall(schema_editor.connection.vendor, table):
                schema_editor.execute(sql)

    return migrations.RunPython(install, uninstall)


# Each app registers its rule tables in its AppConfig.ready() (the same lists its migration installs).
_registered: list[tuple[str, str, str | None]] = []


def register_rule_tables(app_label: str, model_names: list[str], through: list[tuple[str, str]] = ()) -> None:
    _registered.extend(e for e in _entries(app_label, model_names, through) if e not in _registered)


def _triggers_present(cursor, vendor: str) -> set[str]:
    if vendor == "postgresql":
        cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgname LIKE '%_rule_facts'")
    else:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%_rule_facts_%'")
    return {row[0] for row in cursor.fetchall()}


def ensure_triggers(using: str = "default", **_kwargs) -> list[str]:
    """Install the trigger of every registered rule table that lacks it; return those tables.

    Run after every ``migrate`` (post_migrate): SQLite rebuilds a table to alter a column, and the
    rebuilt table has lost its triggers; a later migration of such a table would otherwise leave
    its writes unseen. Only missing triggers are created: a migrate with nothing to do locks nothing."""
    from django.apps import apps
    from django.db import connections

    conn = connections[using]
    vendor = conn.vendor
    if vendor not in ("postgresql", "sqlite") or "portal_rulefactsversion" not in conn.introspection.table_names():
        return []
    with conn.cursor() as cursor:
        present = _triggers_present(cursor, vendor)
        missing = [t for t in _tables(apps, _registered) if (f"{t}_rule_facts" if vendor == "postgresql"
                                                              else f"{t}_rule_facts_delete") not in present]
        for table in missing:
            _install(cursor, vendor, table)
    return missing
