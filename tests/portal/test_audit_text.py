"""Audit events read as sentences, in the reader's language, with the verbs every app registered."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from portal.models import AuditEvent
from portal.models.audit import LEGACY_VERBS, canonical_verb, is_registered, verb_label
from portal.selectors import describe_event
from scheduling import services
from scheduling.models import Kind

pytestmark = pytest.mark.now(dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC), tick=False)


def test_it_tells_an_approval_by_a_plh_as_a_sentence(team, ani, plh):
    (day,) = services.request_submit(actor=ani.user, kind=Kind.WFH, dates=[dt.date(2026, 12, 7)]).days
    services.request_day_approve(actor=plh.user, day_id=day.pk)
    event = AuditEvent.objects.get(verb="request_day.approved")
    sentence = describe_event(event)
    assert sentence.startswith(f"{plh.name} (") and "Plh. Kepala Bidang P2P" in sentence
    assert "menyetujui" in sentence
    with translation.override("en"):
        assert "approved" in describe_event(event)


def test_it_reads_old_spellings_as_todays_verbs():
    assert canonical_verb("punch.check_in") == "punch.checked_in"
    assert all(is_registered(new) for new in LEGACY_VERBS.values())
    assert verb_label("hradminscope.created") == verb_label("hr_scope.created")
