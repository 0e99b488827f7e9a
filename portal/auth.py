"""Log in with a NIP / NI PPPK (spaces allowed) or with a username."""

from __future__ import annotations

import re

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from portal.rules import NIP_LENGTH, normalize_nip

_NIP_SHAPE = re.compile(rf"[0-9]{{{NIP_LENGTH}}}")  # ASCII: str.isdigit() also accepts "²" or "١"


class NipOrUsernameBackend(ModelBackend):
    """A login that looks like a NIP is tried as a NIP first, then as a username.

    The username fallback matters because HR sometimes creates accounts whose username
    *is* the NIP (for instance before the employee record is imported).
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if not username or password is None:
            return None
        candidate = normalize_nip(username)
        if _NIP_SHAPE.fullmatch(candidate):
            user = get_user_model().objects.filter(employee__nip=candidate).first()
            if user is not None:
                # check_password runs the hasher either way: no timing oracle.
                if user.check_password(password) and self.user_can_authenticate(user):
                    return user
                return None
        # ModelBackend hashes the password even for an unknown username (same cost).
        return super().authenticate(request, username=username, password=password, **kwargs)
