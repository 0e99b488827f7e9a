"""Login throttling (django-axes): five wrong passwords lock the account, not the office.

The lock is keyed on the account: its username and its NIP (grouped or not) share one
counter; other accounts behind the same address are untouched. The login page answers a
locked account with the Indonesian lockout page and the token endpoint with the API error
envelope, both 429 with Retry-After, until the cool-off has passed.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from portal.rules import format_nip
from tests.conftest import PASSWORD

LOGIN_URL = "/accounts/login/"
TOKEN_URL = "/api/v1/auth/token/"
HOME_URL = "/"
LOCKED_TEXT = "Akun dikunci sementara"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # the token endpoint's per-IP throttle counts in the cache
    yield
    cache.clear()


@pytest.fixture
def start():
    with time_machine.travel(timezone.make_aware(dt.datetime(2026, 12, 2, 8, 0)), tick=False) as traveller:
        yield traveller


def web_login(client, username, password="salah-123", **extra):
    return client.post(LOGIN_URL, {"username": username, "password": password}, **extra)


def api_login(username, password="salah-123"):
    return APIClient().post(TOKEN_URL, {"username": username, "password": password}, format="json")


def assert_lockout_page(response):
    assert response.status_code == 429
    assert response["Content-Type"].startswith("text/html")
    assert LOCKED_TEXT in response.content.decode()
    assert 0 < int(response["Retry-After"]) <= 15 * 60
    assert "_auth_user_id" not in response.wsgi_request.session


def test_it_uses_the_documented_defaults():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME == dt.timedelta(minutes=15)
    assert settings.AUTHENTICATION_BACKENDS[0] == "portal.lockout.LockoutBackend"
    assert settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"


def test_it_takes_the_limit_and_cool_off_from_the_environment(tmp_path):
    code = ("import django, json; django.setup(); from django.conf import settings as s; "
            "print(json.dumps([s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME.total_seconds()]))")
    env = {"PATH": os.environ.get("PATH", ""), "DJANGO_SETTINGS_MODULE": "portal.settings", "DEBUG": "1",
           "PORTAL_VAR_DIR": str(tmp_path), "AXES_FAILURE_LIMIT": "3", "AXES_COOLOFF_MINUTES": "30"}
    result = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parents[2], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [3, 1800.0]


def test_it_locks_the_account_after_five_wrong_passwords_by_username(client, ani, start):
    for _ in range(4):
        response = web_login(client, "ani")
        assert response.status_code == 200  # the form again, with its error
        assert LOCKED_TEXT not in response.content.decode()
    assert_lockout_page(web_login(client, "ani"))
    # Now even the right password is refused.
    assert_lockout_page(web_login(client, "ani", PASSWORD))
    assert client.get(HOME_URL).status_code == 302


def test_it_counts_nip_and_username_logins_against_the_same_account(client, ani, start):
    ani.user.username = "Ani.Lestari"
    ani.user.save(update_fields=["username"])
    for login in ("Ani.Lestari", "ani.lestari", ani.nip, format_nip(ani.nip)):
        assert web_login(client, login).status_code == 200
    assert_lockout_page(web_login(client, f" {format_nip(ani.nip)} "))
    for login in ("Ani.Lestari", ani.nip, format_nip(ani.nip)):
        assert_lockout_page(web_login(client, login, PASSWORD))


def test_it_does_not_lock_out_others_behind_the_same_address(client, ani, budi, start):
    for _ in range(5):
        web_login(client, "ani", REMOTE_ADDR="10.1.1.1")
    assert_lockout_page(web_login(client, "ani", PASSWORD, REMOTE_ADDR="10.1.1.1"))
    response = web_login(client, "budi", PASSWORD, REMOTE_ADDR="10.1.1.1")
    assert response.status_code == 302
    assert response.wsgi_request.session["_auth_user_id"] == str(budi.user.pk)


def test_it_does_not_reset_the_count_when_address_or_browser_changes(client, ani, start):
    for n in range(4):
        web_login(client, "ani", REMOTE_ADDR=f"10.0.0.{n}", HTTP_USER_AGENT=f"guesser/{n}")
    assert_lockout_page(web_login(client, "ani", REMOTE_ADDR="10.0.0.9", HTTP_USER_AGENT="another"))


def test_it_unlocks_after_the_cool_off(client, ani, start):
    for _ in range(5):
        web_login(client, "ani")
    start.shift(dt.timedelta(minutes=14, seconds=59))
    assert_lockout_page(web_login(client, "ani", PASSWORD))
    # A refused attempt during the lockout does not extend it.
    start.shift(dt.timedelta(seconds=2))
    response = web_login(client, "ani", PASSWORD)
    assert response.status_code == 302
    assert response.wsgi_request.session["_auth_user_id"] == str(ani.user.pk)


def test_it_forgets_earlier_failures_after_a_successful_login(client, ani, start):
    for _ in range(4):
        web_login(client, "ani")
    assert web_login(client, "ani", PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    for _ in range(4):
        assert web_login(client, "ani").status_code == 200
    assert web_login(client, "ani", PASSWORD).status_code == 302


def test_it_counts_and_refuses_at_the_token_endpoint_in_the_envelope(ani, start):
    for _ in range(4):
        assert api_login(format_nip(ani.nip)).status_code == 400
    response = api_login("ani")
    assert response.status_code == 429
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["status"] == 429
    assert body["error"]["code"] == "locked_out"
    assert "dikunci" in body["error"]["message"]
    assert body["error"]["fields"] == {}
    assert body["error"]["retry_after"] == int(response["Retry-After"]) == 15 * 60
    locked = api_login(ani.nip, PASSWORD)
    assert locked.status_code == 429
    assert "token" not in locked.json()
    start.shift(dt.timedelta(minutes=5))
    assert api_login("ani", PASSWORD).json()["error"]["retry_after"] == 10 * 60


def test_it_shares_one_count_between_the_login_page_and_the_token_endpoint(client, ani, start):
    for _ in range(3):
        web_login(client, ani.nip)
    assert api_login("ani").status_code == 400
    assert_lockout_page(web_login(client, "ani"))
    assert api_login("ani", PASSWORD).status_code == 429


def test_it_still_gives_a_token_after_the_cool_off(ani, start):
    for _ in range(5):
        api_login("ani")
    start.shift(dt.timedelta(minutes=15, seconds=1))
    response = api_login("ani", PASSWORD)
    assert response.status_code == 200
    assert response.json()["token"]


def test_it_refuses_a_locked_account_even_without_a_request(ani, budi, start):
    # Client.login and the shell call authenticate() without a request.
    from django.contrib.auth import authenticate

    for _ in range(5):
        api_login("ani")
    assert authenticate(None, username="ani", password=PASSWORD) is None
    assert authenticate(None, username=ani.nip, password=PASSWORD) is None
    assert authenticate(None, username="budi", password=PASSWORD) == budi.user
