"""CSP without inline code, CSRF on every form, short HTTP-only session cookies."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone

from tests.conftest import PASSWORD

TEMPLATES = Path(settings.BASE_DIR) / "templates"
EXPECTED_CSP = {
    "default-src": "'self'", "script-src": "'self'", "style-src": "'self'", "img-src": "'self' data:",
    "object-src": "'none'", "base-uri": "'self'", "frame-ancestors": "'none'", "form-action": "'self'",
}


def policy_of(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


def templates() -> list[Path]:
    return sorted(TEMPLATES.rglob("*.html"))


def test_it_sends_the_policy_on_pages_api_and_errors(client, ani):
    assert policy_of(client.get("/accounts/login/")) == EXPECTED_CSP
    client.force_login(ani.user)
    for url in ("/", "/api/v1/me/", "/tidak-ada/"):
        response = client.get(url)
        assert policy_of(response) == EXPECTED_CSP, url


def test_it_has_no_inline_script_style_or_handler_in_any_template():
    inline = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=|javascript:", re.IGNORECASE)
    found = [f"{path.relative_to(TEMPLATES)}: {m.group(0)}" for path in templates()
             for m in inline.finditer(path.read_text())]
    assert templates() and found == []


def test_it_has_a_csrf_token_in_every_post_form():
    form = re.compile(r"<form\b[^>]*method=\"post\"[^>]*>(.*?)</form>", re.IGNORECASE | re.DOTALL)
    forms = [(path, m.group(1)) for path in templates() for m in form.finditer(path.read_text())]
    assert len(forms) > 5
    assert [str(path) for path, body in forms if "{% csrf_token %}" not in body] == []


def test_it_serves_the_api_docs_without_inline_code(client, ani):
    client.force_login(ani.user)
    page = client.get("/api/docs/")
    html = page.content.decode()
    assert page.status_code == 200
    assert policy_of(page) == EXPECTED_CSP
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=", html)
    script_url = re.search(r'<script src="([^"]*script[^"]*)"', html).group(1).replace("&amp;", "&")
    script = client.get(script_url)
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


def test_it_keeps_the_policy_on_the_admin(client, superuser):
    client.force_login(superuser)
    response = client.get("/admin/portal/unit/add/")
    assert response.status_code == 200
    assert policy_of(response) == EXPECTED_CSP


def test_it_sets_session_and_csrf_cookies_http_only_same_site_and_browser_bound(client, ani):
    login_page = client.get("/accounts/login/")
    csrf = login_page.cookies[settings.CSRF_COOKIE_NAME]
    assert csrf["httponly"] and csrf["samesite"] == "Lax"
    response = client.post("/accounts/login/", {"username": "ani", "password": PASSWORD})
    assert response.status_code == 302
    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session["httponly"] and session["samesite"] == "Lax"
    # Expires when the browser closes: no Max-Age, no Expires (shared office computers).
    assert session["max-age"] == "" and session["expires"] == ""


def test_it_ends_a_session_after_the_idle_timeout_not_after_a_fixed_age(client, ani):
    assert settings.SESSION_SAVE_EVERY_REQUEST and settings.SESSION_COOKIE_AGE == 8 * 3600
    start = timezone.make_aware(dt.datetime(2026, 12, 2, 7, 0))
    with time_machine.travel(start, tick=False) as clock:
        assert client.post("/accounts/login/", {"username": "ani", "password": PASSWORD}).status_code == 302
        for _ in range(3):  # active all day: each request renews the idle timeout
            clock.shift(dt.timedelta(hours=7))
            assert client.get("/").status_code == 200
        clock.shift(dt.timedelta(hours=8, seconds=1))
        response = client.get("/")
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("script", sorted((Path(settings.BASE_DIR) / "static" / "js").glob("*.js")),
                         ids=lambda p: p.name)
def test_it_has_no_script_that_reads_the_csrf_cookie(script):
    # CSRF_COOKIE_HTTPONLY is only safe while scripts take the token from the form.
    assert "document.cookie" not in script.read_text()


def test_it_refuses_a_script_post_without_the_form_token_and_accepts_the_header(ani):
    # What static/js/attendance.js sends: the form's hidden token as X-CSRFToken.
    client = Client(enforce_csrf_checks=True)
    client.force_login(ani.user)
    page = client.get("/presensi/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    headers = {"HTTP_X_REQUESTED_WITH": "fetch"}
    assert client.post("/presensi/masuk/", {}, **headers).status_code == 403
    assert client.post("/presensi/masuk/", {}, HTTP_X_CSRFTOKEN="x" * 64, **headers).status_code == 403
    assert client.post("/presensi/masuk/", {}, HTTP_X_CSRFTOKEN=token, **headers).status_code != 403
