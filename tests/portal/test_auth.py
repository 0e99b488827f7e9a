"""Logging in with a username, a NIP, or a NIP typed with spaces."""

from __future__ import annotations

from django.contrib.auth import authenticate

from portal.rules import format_nip
from tests.conftest import PASSWORD
from tests.factories import UserFactory


def test_it_logs_in_by_username(ani):
    assert authenticate(None, username="ani", password=PASSWORD) == ani.user


def test_it_logs_in_by_nip(ani):
    assert authenticate(None, username=ani.nip, password=PASSWORD) == ani.user


def test_it_logs_in_by_nip_typed_with_spaces(ani):
    assert authenticate(None, username=format_nip(ani.nip), password=PASSWORD) == ani.user
    assert authenticate(None, username=f"  {format_nip(ani.nip)} ", password=PASSWORD) == ani.user


def test_it_logs_in_through_the_test_client_by_nip(client, ani):
    assert client.login(username=format_nip(ani.nip), password=PASSWORD)
    assert client.session["_auth_user_id"] == str(ani.user.pk)


def test_it_refuses_a_wrong_password(ani):
    for login in ("ani", ani.nip, format_nip(ani.nip)):
        assert authenticate(None, username=login, password="salah-123") is None
    assert authenticate(None, username="ani", password="") is None
    assert authenticate(None, username="ani", password=None) is None


def test_it_refuses_an_inactive_user(ani):
    ani.user.is_active = False
    ani.user.save(update_fields=["is_active"])
    for login in ("ani", ani.nip, format_nip(ani.nip)):
        assert authenticate(None, username=login, password=PASSWORD) is None


def test_it_refuses_an_unknown_nip_or_username(ani):
    assert authenticate(None, username="199001012015051001", password=PASSWORD) is None
    assert authenticate(None, username="19900101 201505 1 001", password=PASSWORD) is None
    assert authenticate(None, username="tidak-ada", password=PASSWORD) is None
    assert authenticate(None, username="", password=PASSWORD) is None


def test_it_does_not_confuse_one_nip_with_another(ani, budi):
    assert authenticate(None, username=budi.nip, password=PASSWORD) == budi.user
    budi.user.set_password("lain-456")
    budi.user.save()
    assert authenticate(None, username=budi.nip, password=PASSWORD) is None


def test_it_falls_back_to_a_username_that_looks_like_a_nip(db):
    # HR may create the account (username = NIP) before the employee record exists.
    user = UserFactory(username="198609262015051001")
    assert authenticate(None, username="198609262015051001", password=PASSWORD) == user


def test_it_does_not_read_unicode_digits_as_a_nip(ani):
    arabic = ani.nip.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    assert authenticate(None, username=arabic, password=PASSWORD) is None
