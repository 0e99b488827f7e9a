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
from django.db import close_old_connections, connection
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

from attendance.models import (
    AttendanceRules,
    Correction,
    CorrectionStatus,
    ExportJob,
    PartialPermission,
    Punch,
    RosterEntry,
    Shift,
)
from portal.models import (
    AuditEvent,
    Delegation,
    Employee,
    HRAdminScope,
    MonthClosure,
    Notification,
    RamadanPeriod,
    Unit,
    WorkPattern,
)
from portal.wsgi import application
from scheduling.models import CoveragePolicy, FwaWindow, RequestDay, Status, WorkRequest

MAX_EXAMPLES = 15
PERSONA_USERS = {"employee": "employee", "supervisor": "supervisor", "hr": "hr"}
TOKENS = {"employee": "a" * 40, "supervisor": "b" * 40, "hr": "c" * 40}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Operations that cannot be fuzzed meaningfully, each with its reason.
EXCLUDED = {
    ("DELETE", "/api/v1/auth/token/"): "revokes the very token the run authenticates with",
}
WATCHED = (AuditEvent, RequestDay, WorkRequest, Punch, Correction, ExportJob, Notification, CoveragePolicy,
           FwaWindow, Unit, Employee, Delegation, HRAdminScope, PartialPermission, RosterEntry, Shift, AttendanceRules,
           WorkPattern, RamadanPeriod, MonthClosure)


def _schema_dict() -> dict:
    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(document))


def _load(phases: list[str]):
    loaded = schemathesis.openapi.from_dict(_schema_dict(), config=schemathesis.Config())  # own config each
    loaded.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
                                    max_examples=MAX_EXAMPLES, deterministic=True, database="none")
    loaded.config.phases.update(phases=phases)
    return loaded


# Random data as every persona; the deterministic boundary values (null bytes, huge numbers,
# year 0, empty and overlong strings: the "coverage" phase) cost ten times more per operation,
# so they run once, as the HR admin: HR endpoints let them in, and the employee endpoints
# validate input before they refuse a caller without an employee record.
schema = _load(["examples", "fuzzing"])
boundary_schema = _load(["coverage"])


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


def _state_sql() -> str:
    """One query (one round trip per call): row counts of the tables a request could write,
    plus the status mix of the rows a rejected request might flip."""
    parts = [f"(SELECT COUNT(*) FROM {model._meta.db_table})" for model in WATCHED]
    for model, statuses in ((RequestDay, Status.values), (Correction, CorrectionStatus.values)):
        parts += [f"(SELECT COUNT(*) FROM {model._meta.db_table} WHERE status = '{value}')" for value in statuses]
    parts.append(f"(SELECT COUNT(*) FROM {Notification._meta.db_table} WHERE read_at IS NULL)")
    parts.append(f"(SELECT COUNT(*) FROM {Delegation._meta.db_table} WHERE revoked_at IS NOT NULL)")
    parts.append(f"(SELECT COUNT(*) FROM {Employee._meta.db_table} WHERE is_active)")
    parts.append(f"(SELECT COUNT(*) FROM {Unit._meta.db_table} WHERE is_active)")
    return "SELECT " + ", ".join(parts)


STATE_SQL = _state_sql()


def _state() -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(STATE_SQL)
        return cursor.fetchone()


@pytest.fixture
def headers(persona, in_process) -> dict:
    user = in_process.users[PERSONA_USERS[persona]]
    token, _ = Token.objects.get_or_create(user=user, defaults={"key": TOKENS[persona]})
    return {"Authorization": f"Token {token.key}"}


def _exercise(case, headers: dict) -> None:
    if (case.method.upper(), case.path) in EXCLUDED:
        return
    before = _state()
    response = case.call(app=application, headers=headers)
    case.validate_response(response, checks=CHECKS, headers=headers)
    if 400 <= response.status_code < 500:
        assert _state() == before, f"{case.method} {case.formatted_path} answered {response.status_code} but wrote"


HYPOTHESIS = settings(deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
                      max_examples=MAX_EXAMPLES, database=None)


@pytest.mark.django_db
@schema.parametrize()
@HYPOTHESIS
def test_it_survives_fuzzing_as_each_persona(case, headers):
    _exercise(case, headers)


@pytest.mark.django_db
@boundary_schema.parametrize()
@HYPOTHESIS
def test_it_survives_boundary_values_as_hr_admin(case, in_process):
    user = in_process.users["hr"]
    token, _ = Token.objects.get_or_create(user=user, defaults={"key": TOKENS["hr"]})
    _exercise(case, {"Authorization": f"Token {token.key}"})


# --- What the fuzzing found, pinned as plain tests (the module's cast is already built) -----


@pytest.mark.django_db
def test_it_answers_an_unroutable_api_id_with_the_json_envelope(client, cast):
    client.force_login(cast.ani.user)
    response = client.get("/api/v1/requests/abc/")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "not_found"
    assert client.get("/no-such-page/")["Content-Type"].startswith("text/html")


@pytest.mark.django_db
def test_it_answers_too_many_form_fields_with_400_not_500(client, cast, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 3
    client.force_login(cast.ani.user)
    response = client.post("/api/v1/requests/decide/", {f"f{i}": "x" for i in range(10)})
    assert response.status_code == 400 and response.json()["error"]["code"] == "parse_error"


@pytest.mark.django_db
def test_it_refuses_an_id_beyond_the_database_range_with_400(client, cast):
    client.force_login(cast.kabid.user)
    response = client.post("/api/v1/requests/decide/", {"ids": [2**70], "action": "approve"},
                           content_type="application/json")
    assert response.status_code == 400 and "ids" in str(response.json()["error"]["fields"])
