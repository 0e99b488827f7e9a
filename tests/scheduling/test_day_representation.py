"""RequestDaySerializer and InboxItemSerializer write their representation out by hand (the inbox
and request list pages serialize 50 days each): it must equal DRF's generic walk over the declared
fields (the schema) for every shape of day, in both languages."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone, translation
from rest_framework import serializers
from rest_framework.test import APIRequestFactory

from scheduling import selectors
from scheduling.api.serializers import InboxItemSerializer, RequestDaySerializer
from scheduling.models import Emergency, EmergencyProfile, Evidence, Kind, RequestDay, Status, Step, WorkRequest
from tests.factories import EmployeeFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db
MON = dt.date(2026, 12, 7)


def generic(day, context) -> dict:
    """What DRF's own Serializer.to_representation makes of the declared fields."""
    return serializers.ModelSerializer.to_representation(RequestDaySerializer(context=context), day)


@pytest.fixture
def days():
    """A pending WFA day with a file, an approved day under an emergency with verdicts, a rejected
    day, a leave day at the official's step (endorsed by a Plh), a day in another unit."""
    unit, other = UnitFactory(), UnitFactory()
    boss = EmployeeFactory(unit=unit)
    sekda = EmployeeFactory(unit=UnitFactory(), name="Sekda")
    person = EmployeeFactory(unit=unit, supervisor=boss)
    emergency = Emergency.objects.create(name="Banjir", legal_basis="SE 1/2026", profile=EmergencyProfile.WFH_AUTO,
                                         start=MON, end=MON, last_day=MON, created_by=boss.user)

    def day(kind, date, location="", **fields):
        request = WorkRequest.objects.create(employee=person, kind=kind, created_by=person.user, location=location,
                                             reason="Anak sakit", special_circumstance=kind == Kind.WFA)
        return request, RequestDay.objects.create(request=request, employee=person, unit=fields.pop("unit", unit),
                                                  kind=kind, date=date, **fields)

    request, _wfa = day(Kind.WFA, MON, location="Rumah orang tua")
    Evidence.objects.create(request=request, file=f"evidence/{request.pk}/surat dokter.pdf",
                            content_type="application/pdf", size=1234)
    day(Kind.WFH, MON + dt.timedelta(1), status=Status.APPROVED, decided_by=boss.user, decided_at=timezone.now(),
        emergency=emergency, auto_approved=True, acting_for="Plh. Kepala Bidang",
        verdicts=[{"rule": "weekly_cap", "severity": "warn", "params": {"cap": 2, "used": 2}, "message": "x"}])
    day(Kind.WFH, MON + dt.timedelta(2), status=Status.REJECTED, decided_by=boss.user,
        decided_at=timezone.now(), decision_reason="Rapat")
    day(Kind.CT, MON + dt.timedelta(3), awaiting=Step.OFFICIAL, official=sekda, endorsed_by=UserFactory(),
        endorsed_at=timezone.now(), endorsed_acting_for="Plt. Kepala Dinas")
    day(Kind.WFH, MON + dt.timedelta(4), unit=other)
    return list(RequestDay.objects.select_related("request", "employee", "unit", "decided_by", "official",
                                                  "endorsed_by__employee").prefetch_related("request__evidence"))


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_written_out_representation_equals_drfs(days, language):
    context = {"request": APIRequestFactory().get("/api/v1/requests/")}
    with translation.override(language):
        for day in days:
            ours, theirs = RequestDaySerializer(day, context=context).data, generic(day, context)
            assert json.dumps(ours) == json.dumps(theirs), day  # same keys, order and values
    assert {d.status for d in days} == {Status.PENDING, Status.APPROVED, Status.REJECTED}
    assert any(d.request.evidence.all() for d in days) and any(d.official_id for d in days)


def test_every_declared_field_is_written_out(days):
    context = {"request": APIRequestFactory().get("/api/v1/requests/")}
    assert list(RequestDaySerializer(days[0], context=context).data) == list(RequestDaySerializer.Meta.fields)


@pytest.mark.now("2026-12-04 09:00")
def test_an_inbox_card_written_out_equals_drfs(days):
    boss = days[0].employee.supervisor
    cards = selectors.inbox(boss.user)[0:50]
    assert cards
    context = {"request": APIRequestFactory().get("/api/v1/inbox/")}
    for card in cards:
        theirs = serializers.Serializer.to_representation(InboxItemSerializer(context=context), card)
        assert json.dumps(InboxItemSerializer(card, context=context).data) == json.dumps(theirs)
