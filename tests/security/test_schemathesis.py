"""Schemathesis against the project's own OpenAPI schema, in process, as three personas.

The schema comes from drf-spectacular's generator (the same document /api/schema/ serves)
and every case is sent through the WSGI application with a token of the persona:
employee (ani), supervisor (kabid, with citra as Plh) and HR admin (hr over dinkes).
Positive and negative data; checks: no 5xx, documented status codes, content types and
response bodies, and nothing written by a rejected (4xx) request.

Bounded for CI: a fixed seed (``deterministic``), few examples per operation, no deadline.
"""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from django.db.models import Count
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from attendance.models import Correction, ExportJob, Punch
from portal.models import AuditEvent, Delegation, Employee, HRAdminScope, Notification, Unit
from portal.wsgi import application
from scheduling.models import CoveragePolicy, FwaWindow, RequestDay, WorkRequest

MAX_EXAMPLES = 12
PERSONA_USERS = {"employee": "employee", "supervisor": "supervisor", "hr": "hr"}
TOKENS = {"employee": "a" * 40, "supervisor": "b" * 40, "hr": "c" * 40}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Operations that cannot be fuzzed meaningfully, each with its reason.
EXCLUDED = {
    ("DELETE", "/api/v1/auth/token/"): "revokes the very token the run authenticates with",
}
WATCHED = (AuditEvent, RequestDay, WorkRequest, Punch, Correction, ExportJob, Notification, CoveragePolicy,
           FwaWindow, Unit, Employee, Delegation, HRAdminScope)


def _schema_dict() -> dict:
    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(document))


schema = schemathesis.openapi.from_dict(_schema_dict())
schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
                                max_examples=MAX_EXAMPLES, deterministic=True, database="none")


@pytest.fixture(scope="module")
def in_process(cast):
    """Let the WSGI handler share the test transaction, as Django's test client does:
    the request signals would otherwise close the connection mid-transaction."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield cast
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(params=sorted(PERSONA_USERS))
def persona(request, in_process):
    return request.param


def _state() -> tuple:
    """Row counts of the tables a request could write, plus the status mix of the rows
    whose status a rejected request might flip."""
    counts = tuple(model.objects.count() for model in WATCHED)
    days = tuple(RequestDay.objects.values_list("status").annotate(n=Count("id")).order_by("status"))
    corrections = tuple(Correction.objects.values_list("status").annotate(n=Count("id")).order_by("status"))
    unread = Notification.objects.filter(read_at__isnull=True).count()
    revoked = Delegation.objects.filter(revoked_at__isnull=False).count()
    return counts, days, corrections, unread, revoked


def _authenticate(cast, persona: str) -> dict:
    user = cast.users[PERSONA_USERS[persona]]
    Token.objects.get_or_create(user=user, defaults={"key": TOKENS[persona]})
    return {"Authorization": f"Token {Token.objects.get(user=user).key}"}


@pytest.mark.django_db
@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, max_examples=MAX_EXAMPLES,
          database=None)
def test_it_survives_fuzzing_as_each_persona(case, persona, in_process):
    if (case.method.upper(), case.path) in EXCLUDED:
        return
    headers = _authenticate(in_process, persona)
    before = _state()
    response = case.call(app=application, headers=headers)
    case.validate_response(response, checks=CHECKS, headers=headers)
    if 400 <= response.status_code < 500:
        assert _state() == before, f"{case.method} {case.formatted_path} answered {response.status_code} but wrote"
