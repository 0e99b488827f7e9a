"""The browser shell without a browser: login, home page, language choice."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.conf import settings
from django.urls import reverse

from tests.conftest import PASSWORD

JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")


def _login(client, username):
    return client.post(reverse("login"), {"username": username, "password": PASSWORD})


def test_it_renders_the_login_page_in_indonesian_by_default(client, db):
    response = client.get(reverse("login"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="id"' in html
    assert "Masuk ke portal" in html
    assert 'for="id_username"' in html and 'for="id_password"' in html


def test_it_logs_in_by_nip_with_spaces(client, ani):
    response = _login(client, ani.nip_display)
    assert response.status_code == 302 and response.url == reverse("home")
    assert client.get(reverse("home")).context["employee"] == ani


def test_it_logs_in_by_username(client, superuser):
    response = _login(client, "root")
    assert response.status_code == 302
    assert "root" in client.get(reverse("home")).content.decode()


def test_it_refuses_a_wrong_password_in_indonesian(client, ani):
    response = client.post(reverse("login"), {"username": ani.nip, "password": "salah-sekali"})
    assert response.status_code == 200
    assert "kata sandi salah" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_sends_anonymous_visitors_from_home_to_login(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_it_logs_out_only_by_post(client, ani):
    client.force_login(ani.user)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.url == reverse("login")
    assert "_auth_user_id" not in client.session


def test_it_shows_the_employee_card(client, ani, time_machine):
    time_machine.move_to(dt.datetime(2026, 8, 18, 9, 0, tzinfo=JAKARTA), tick=False)  # a Tuesday
    client.force_login(ani.user)
    html = client.get(reverse("home")).content.decode()
    assert "Ani Lestari" in html
    assert ani.nip_display in html and " " in ani.nip_display
    assert "Bidang P2P" in html and "WIB" in html
    assert "Kepala Bidang P2P" in html  # the supervisor
    assert "Selasa, 18 Agustus 2026" in html
    assert "Hari kerja" in html and "7.30–16.00" in html


def test_it_names_the_national_holiday(client, ani, time_machine):
    time_machine.move_to(dt.datetime(2026, 8, 17, 9, 0, tzinfo=JAKARTA), tick=False)
    client.force_login(ani.user)
    response = client.get(reverse("home"))
    assert response.context["today"].is_working_day is False
    html = response.content.decode()
    assert "Hari libur" in html and "Kemerdekaan" in html
    assert "Jam kantor" not in html


def test_it_uses_the_unit_time_zone_for_today(client, upt, kadis, time_machine):
    from tests.factories import EmployeeFactory

    nurse = EmployeeFactory(name="Dewi Perawat", unit=upt, supervisor=kadis)
    # 23:30 WIB on Sunday 16 August is already 00:30 WITA on the 17th, a holiday.
    time_machine.move_to(dt.datetime(2026, 8, 16, 23, 30, tzinfo=JAKARTA), tick=False)
    client.force_login(nurse.user)
    response = client.get(reverse("home"))
    assert response.context["today"].date == dt.date(2026, 8, 17)
    assert "WITA" in response.content.decode()


def test_it_lists_the_plh_assignment(client, plh):
    client.force_login(plh.user)
    html = client.get(reverse("home")).content.decode()
    assert "Plh. Kepala Bidang P2P" in html
    assert "Persetujuan pengajuan" in html  # the Plh decides: the team's card


def test_it_shows_hr_links_to_hr_admins_only(client, hr, ani):
    client.force_login(hr)
    html = client.get(reverse("home")).content.decode()
    assert reverse("hr-import") in html and reverse("hr-audit") in html
    assert "tidak terhubung dengan data pegawai" in html
    client.force_login(ani.user)
    html = client.get(reverse("home")).content.decode()
    assert reverse("hr-import") not in html
    assert reverse("admin:index") not in html


def test_it_shows_the_admin_link_to_staff(client, superuser):
    client.force_login(superuser)
    html = client.get(reverse("home")).content.decode()
    assert reverse("admin:index") in html and reverse("api-docs") in html


def test_it_shows_visitors_indonesian_whatever_the_browser_prefers(client, db):
    # The browser's Accept-Language is not a choice: English only once someone picks it (tests/portal/test_words.py).
    html = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="id"' in html
    assert "Masuk ke portal" in html


def test_it_switches_language_and_remembers_it_on_the_account(client, ani):
    client.force_login(ani.user)
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("home")})
    assert response.status_code == 302 and response.url == reverse("home")
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    ani.user.refresh_from_db()
    assert ani.user.language == "en"
    assert '<html lang="en"' in client.get(reverse("home")).content.decode()


def test_it_uses_the_account_language_in_a_fresh_browser(client, ani):
    ani.user.language = "en"
    ani.user.save(update_fields=["language"])
    _login(client, "ani")
    html = client.get(reverse("home")).content.decode()
    assert '<html lang="en"' in html
    assert "Employment details" in html


def test_it_lets_this_browser_choice_win_over_the_account(client, ani):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
    ani.user.language = "en"
    ani.user.save(update_fields=["language"])
    client.force_login(ani.user)
    assert '<html lang="id"' in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize("language", ["xx", ""])
def test_it_ignores_unknown_languages(client, ani, language):
    client.force_login(ani.user)
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    ani.user.refresh_from_db()
    assert ani.user.language == "id"
