"""Settings come only from the environment: each case runs in a fresh interpreter."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]

PRINT_SETTINGS = (
    "import json; from django.conf import settings as s; "
    "print(json.dumps({'engine': s.DATABASES['default']['ENGINE'], 'name': str(s.DATABASES['default']['NAME']), "
    "'broker': s.CELERY_BROKER_URL, 'options': s.CELERY_BROKER_TRANSPORT_OPTIONS, 'var': str(s.VAR_DIR)}))"
)


def _run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    """Run Python with only the given variables, so nothing leaks in from the test process
    (pytest-django sets DJANGO_SETTINGS_MODULE, tests.settings sets PORTAL_ALLOW_DEV_SECRET)."""
    clean = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp"),
             "DJANGO_SETTINGS_MODULE": "portal.settings", **env}
    return subprocess.run([sys.executable, *args], cwd=BASE_DIR, env=clean, capture_output=True,
                          text=True, timeout=60)


def _settings(**env: str) -> dict:
    result = _run(["-c", f"import django; django.setup(); {PRINT_SETTINGS}"], **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_it_passes_the_deploy_check_with_production_settings(tmp_path):
    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        SECRET_KEY=secrets.token_urlsafe(64), DEBUG="0", ALLOWED_HOSTS="portal.example.go.id",
        SECURE_SSL_REDIRECT="1", SECURE_HSTS_SECONDS="31536000", SECURE_COOKIES="1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}", PORTAL_VAR_DIR=str(tmp_path / "var"),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues (0 silenced)" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_it_refuses_to_start_without_secret_key_when_debug_is_off(tmp_path):
    # migrate is not one of manage.py's keyless, schema-only commands.
    result = _run(["manage.py", "migrate", "--plan"], DEBUG="0", PORTAL_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be set" in result.stderr


def test_it_accepts_the_dev_secret_only_with_debug(tmp_path):
    result = _run(["manage.py", "migrate", "--plan"], DEBUG="1", PORTAL_VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr


def test_it_defaults_to_sqlite_and_the_filesystem_broker_under_var():
    settings = _settings(DEBUG="1")
    var = BASE_DIR / "var"
    assert settings["var"] == str(var)
    assert settings["engine"] == "django.db.backends.sqlite3"
    assert settings["name"] == str(var / "portal.sqlite3")
    assert settings["broker"] == "filesystem://"
    assert settings["options"]["data_folder_in"] == str(var / "broker" / "in")
    assert settings["options"]["processed_folder"] == str(var / "broker" / "processed")
    assert settings["options"]["control_folder"] == str(var / "broker" / "control")  # not ./control/


def test_it_uses_postgresql_and_redis_when_urls_are_given(tmp_path):
    settings = _settings(
        DEBUG="1", PORTAL_VAR_DIR=str(tmp_path),
        DATABASE_URL="postgres://portal:secret@db.example.go.id:5432/portal",
        REDIS_URL="redis://cache.example.go.id:6379/0",
    )
    assert settings["engine"] == "django.db.backends.postgresql"
    assert settings["name"] == "portal"
    assert settings["broker"] == "redis://cache.example.go.id:6379/0"
    assert "data_folder_in" not in settings["options"]


def test_it_runs_schema_only_commands_without_a_secret_key(tmp_path):
    result = _run(["manage.py", "makemigrations", "--check", "--dry-run"], DEBUG="0", PORTAL_VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
