"""Log in with a NIP / NI PPPK (spaces allowed) or with a username."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from portal.rules import normalize_nip


class NipOrUsernameBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if not username or password is None:
            return None
        candidate = normalize_nip(username)
        if len(candidate) == 18 and candidate.isdigit():
            User = get_user_model()
            user = User.objects.filter(employee__nip=candidate).first()
            if user is None:
                User().set_password(password)  # same cost as a real check: no timing oracle
                return None
            if user.check_password(password) and self.user_can_authenticate(user):
                return user
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
