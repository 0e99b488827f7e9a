"""Skip ``@pytest.mark.postgres`` tests unless the database really is PostgreSQL.

The same suite runs on the embedded default (SQLite) and on PostgreSQL; tests of
PostgreSQL-only behaviour (row locks under real concurrency, database triggers)
declare it with the marker instead of checking the engine themselves.
"""

from __future__ import annotations

import pytest

POSTGRES_ENGINES = ("django.db.backends.postgresql", "django.contrib.gis.db.backends.postgis")


def database_is_postgres() -> bool:
    from django.conf import settings

    try:
        engine = settings.DATABASES["default"]["ENGINE"]
    except Exception:  # settings not configured: not a Django run at all
        return False
    return engine in POSTGRES_ENGINES


def pytest_collection_modifyitems(config, items):
    if database_is_postgres():
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL=postgres://...)")
    for item in items:
        if item.get_closest_marker("postgres"):
            item.add_marker(skip)
