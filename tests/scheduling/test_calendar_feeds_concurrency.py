"""Racing resets of one person's calendar feed, each on its own database connection (PostgreSQL):
however many clicks race, one token stays live and every other one is revoked with its audit event."""

from __future__ import annotations

import pytest

from portal.models import AuditEvent
from scheduling.models import FeedKind, FeedToken
from scheduling.services.feeds import feed_token_reset
from tests.scheduling.test_concurrency import run_threads

RACERS = 6


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racing_resets_leave_one_live_token(ani):
    errors = run_threads(lambda: feed_token_reset(actor=ani.user, kind=FeedKind.OWN), [()] * RACERS)
    assert not errors, errors
    assert FeedToken.objects.filter(owner=ani.user).count() == RACERS
    assert FeedToken.objects.live().filter(owner=ani.user).count() == 1
    verbs = list(AuditEvent.objects.filter(object_type="scheduling.feedtoken").values_list("verb", flat=True))
    assert verbs.count("calendar_feed.created") == RACERS
    assert verbs.count("calendar_feed.revoked") == RACERS - 1
