"""Token login/logout for phones and scripts, and the caller's own profile."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api.errors import error_body
from portal.api.schema import PortalAutoSchema
from portal.api.serializers import MeSerializer, TokenRequestSerializer, TokenSerializer
from portal.api.throttling import PortalScopedRateThrottle
from portal.selectors import active_delegations_for, employee_of, roles_of

BAD_LOGIN_EXAMPLE = OpenApiExample(
    "400 wrong credentials", response_only=True, status_codes=["400"],
    value=error_body(status_code=400, code="invalid",
                     message="Nama pengguna/NIP atau kata sandi salah, atau akun tidak aktif."),
)


class TokenView(APIView):
    """Exchange a username or NIP and password for an API token; revoke it.

    Throttled per client IP under scope ``auth_token``
    (``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["auth_token"]``, 20/min if unset).
    """

    schema = PortalAutoSchema()
    throttle_scope = "auth_token"

    def get_permissions(self):
        if self.request.method == "POST":
            return [AllowAny()]
        return [IsAuthenticated()]

    def get_throttles(self):
        # Only the password check is worth guessing at; logout is not throttled.
        return [PortalScopedRateThrottle()] if self.request.method == "POST" else []

    @extend_schema(
        operation_id="auth_token_create", tags=["auth"], request=TokenRequestSerializer,
        summary="Log in: get an API token",
        description="Returns the caller's token (the same one on every login until revoked); send it as "
                    "`Authorization: Token <token>`. `username` may be a NIP / NI PPPK, with or without "
                    "grouping spaces. Wrong credentials answer 400. Limited per client IP (scope "
                    "`auth_token`, 20 per minute unless configured); over the limit answers 429.",
        auth=[],
        responses={200: TokenSerializer},
        examples=[
            OpenApiExample("By NIP", request_only=True,
                           value={"username": "19860926 201505 1 001", "password": "rahasia"}),  # nosec B105  # documentation example
            OpenApiExample("Token", response_only=True, status_codes=["200"],
                           value={"token": "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"}),  # nosec B105  # documentation example
            BAD_LOGIN_EXAMPLE,
        ],
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        token, _created = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response(TokenSerializer({"token": token.key}).data)

    @extend_schema(
        operation_id="auth_token_destroy", tags=["auth"], request=None, responses={204: None},
        summary="Log out: revoke the caller's token",
        description="Deletes the caller's token; the next login issues a new one. Idempotent.",
    )
    def delete(self, request):
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


ME_EXAMPLE = {
    "id": 12, "username": "ani", "language": "id", "employee_id": 7,
    "nip": "198609262015051001", "nip_display": "19860926 201505 1 001", "name": "Ani Lestari",
    "jabatan": "Analis Kebijakan", "unit": {"id": 3, "name": "Bidang P2P", "code": "DINKES-P2P",
                                             "time_zone": "Asia/Jakarta"},
    "supervisor": {"id": 5, "name": "Kepala Bidang P2P", "nip": "197501012000031002"},
    "roles": ["employee", "supervisor"],
    "acting_for": [{"id": 2, "kind": "plh", "title": "Plh. Kepala Bidang P2P",
                    "delegator": {"id": 5, "name": "Kepala Bidang P2P", "jabatan": "Kepala Bidang P2P"},
                    "start": "2025-06-02", "end": "2025-06-06"}],
}


class MeView(APIView):
    """Who the caller is: account, employee record, unit, supervisor, roles, Plh/Plt duties."""

    schema = PortalAutoSchema()
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="me_retrieve", tags=["auth"], responses={200: MeSerializer},
        summary="The caller's profile and roles",
        examples=[OpenApiExample("Employee acting as Plh", value=ME_EXAMPLE, response_only=True)],
    )
    def get(self, request):
        return Response(MeSerializer(_profile(request.user)).data)


def _profile(user) -> dict:
    employee = employee_of(user)
    profile = {
        "id": user.pk, "username": user.get_username(), "language": user.language,
        "employee_id": None, "nip": None, "nip_display": None, "name": None, "jabatan": None,
        "unit": None, "supervisor": None, "roles": roles_of(user), "acting_for": [],
    }
    if employee is None:
        return profile
    profile.update(
        employee_id=employee.pk, nip=employee.nip, nip_display=employee.nip_display, name=employee.name,
        jabatan=employee.jabatan, unit=employee.unit, supervisor=employee.supervisor,
        acting_for=list(active_delegations_for(employee)),
    )
    return profile
