"""Test settings: the production module with test-only environment defaults.

DATABASE_URL / CELERY_BROKER_URL still come from the environment, so the same suite
runs on the embedded default and on PostgreSQL + Redis.
"""

import os

os.environ.setdefault("PORTAL_ALLOW_DEV_SECRET", "1")
os.environ.setdefault("STATIC_MANIFEST", "0")

from portal.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not shared-cache memory: real threads and a real Celery worker subprocess
    # must see the same database, and file locks honour the busy timeout.
    # One file per pytest process, so parallel runs never share (and delete) each other's database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-portal-{os.getpid()}.sqlite3")}  # noqa: F405

# Tasks run inline in tests unless a test starts a real worker.
CELERY_TASK_ALWAYS_EAGER = os.environ.get("CELERY_TASK_ALWAYS_EAGER", "1") == "1"
CELERY_TASK_EAGER_PROPAGATES = True
