"""Test settings: the production module with test-only environment defaults.

DATABASE_URL / CELERY_BROKER_URL still come from the environment, so the same suite
runs on the embedded default and on PostgreSQL + Redis.
"""

import os

os.environ.setdefault("PORTAL_ALLOW_DEV_SECRET", "1")
os.environ.setdefault("STATIC_MANIFEST", "0")

from portal.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
