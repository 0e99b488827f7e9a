"""Test settings: the production module with test-only environment defaults.

DATABASE_URL / CELERY_BROKER_URL still come from the environment, so the same suite
runs on the embedded default and on PostgreSQL + Redis.
"""

import atexit
import os
import shutil
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

os.environ.setdefault("PORTAL_ALLOW_DEV_SECRET", "1")
os.environ.setdefault("STATIC_MANIFEST", "0")


def _own_redis_database(url: str, worker: str) -> str:
    """The same Redis server, database number lowered by the xdist worker's index (gw0 keeps it).

    Every test empties the cache (``cache.clear()`` is FLUSHDB) and real workers read the broker's
    queues: two pytest processes on one database would empty each other's throttle counts and
    coalescing keys, and one's Celery worker would run the other's tasks.
    """
    parts = urlsplit(url)
    number = int(parts.path.strip("/") or 0) - int(worker.removeprefix("gw"))
    if number < 0:
        raise RuntimeError(f"cannot give xdist worker {worker} its own Redis database below {url}")
    return urlunsplit(parts._replace(path=f"/{number}"))


# Parallel runs (pytest -n 2): each process its own Redis database, decided once, before the
# settings below read the environment (subprocesses such as a real worker inherit it).
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if _WORKER and os.environ.get("PORTAL_TEST_REDIS_WORKER") != _WORKER:
    for _name in ("REDIS_URL", "CELERY_BROKER_URL"):
        if os.environ.get(_name, "").startswith("redis"):
            os.environ[_name] = _own_redis_database(os.environ[_name], _WORKER)
    os.environ["PORTAL_TEST_REDIS_WORKER"] = _WORKER

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
