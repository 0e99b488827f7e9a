"""Test settings: the production module with test-only environment defaults.

DATABASE_URL / CELERY_BROKER_URL still come from the environment, so the same suite
runs on the embedded default and on PostgreSQL + Redis.
"""

import atexit
import os
import shutil
import tempfile
from pathlib import Path

os.environ.setdefault("PORTAL_ALLOW_DEV_SECRET", "1")
os.environ.setdefault("STATIC_MANIFEST", "0")

from portal.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not shared-cache memory: real threads and a real Celery worker subprocess
    # must see the same database, and file locks honour the busy timeout.
    # One file per pytest process, so parallel runs never share (and delete) each other's database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-portal-{os.getpid()}.sqlite3")}  # noqa: F405

# Uploads (request evidence, correction evidence) go to this process's own directory, removed at
# exit, never to var/media.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="portal-test-media-"))
atexit.register(shutil.rmtree, MEDIA_ROOT, ignore_errors=True)

# Tasks run inline in tests unless a test starts a real worker.
CELERY_TASK_ALWAYS_EAGER = os.environ.get("CELERY_TASK_ALWAYS_EAGER", "1") == "1"
CELERY_TASK_EAGER_PROPAGATES = True
