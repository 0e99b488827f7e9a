"""Rule facts kept in the process per version (portal.facts): read once per change, never stale.

Every write to a rule table changes the version token in the same transaction (database triggers,
so a bulk update or raw SQL counts as much as a service); a rolled-back change's facts are never
served; a change committed by another connection is seen by the next read here.
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext, override_settings

from portal import facts
from portal.models import CalendarOverride, OverrideKind, RuleFactsVersion
from portal.selectors import workcalendar
from scheduling.models import CoveragePolicy
from scheduling.selectors import effective_policy

DAY = dt.date(2026, 12, 9)
# The submits ask for DAY: the tests and their fixtures run before it, whatever the run's "today".
pytestmark = pytest.mark.now(dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=7))))


def policy_reads(queries) -> int:
    return sum('FROM "scheduling_coveragepolicy"' in q["sql"] for q in queries.captured_queries)


def share(unit) -> int | None:
    return effective_policy(unit, DAY).min_office_share


@pytest.fixture(autouse=True)
def _cold():
    facts.forget()
    yield
    facts.forget()


def test_every_rule_table_has_its_trigger(db):
    assert facts.ensure_triggers() == []  # nothing was missing after the migrations


def test_a_table_rebuilt_without_its_trigger_gets_it_back_after_migrate(db):
    """SQLite rebuilds a table to alter a column and the rebuilt table has no triggers: the
    post_migrate step installs what is missing (here, one trigger dropped by hand)."""
    name = "portal_calendaroverride_rule_facts" if connection.vendor == "postgresql" else \
        "portal_calendaroverride_rule_facts_delete"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER {name} ON portal_calendaroverride" if connection.vendor == "postgresql"
                       else f"DROP TRIGGER {name}")
    assert facts.ensure_triggers() == ["portal_calendaroverride"]
    before = facts.current_token()
    CalendarOverride.objects.create(date=DAY, kind=OverrideKind.HOLIDAY, name="Libur daerah")
    assert facts.current_token() != before


def test_the_second_read_of_unchanged_facts_asks_only_their_version(team, bidang_p2p):
    assert share(bidang_p2p) == 60
    with CaptureQueriesContext(connection) as queries:
        assert share(bidang_p2p) == 60
    assert policy_reads(queries) == 0
    assert [q["sql"] for q in queries.captured_queries if "rulefactsversion" in q["sql"]]


def test_a_change_through_the_orm_is_seen_by_the_next_read(team, bidang_p2p):
    assert share(bidang_p2p) == 60
    CoveragePolicy.objects.create(unit=bidang_p2p, effective_from=dt.date(2026, 1, 1), min_office_share=80)
    assert share(bidang_p2p) == 80


def test_a_bulk_update_is_seen_too(team, bidang_p2p):
    assert share(bidang_p2p) == 60
    CoveragePolicy.objects.filter(unit=bidang_p2p.parent).update(min_office_share=75)  # no save(), no signal
    assert share(bidang_p2p) == 75


def test_raw_sql_is_seen_too(db, pemkot):
    assert workcalendar.is_working_day(pemkot, DAY)
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO portal_calendaroverride (date, kind, name, institution_id) VALUES (%s, %s, %s, %s)",
                       [DAY, OverrideKind.HOLIDAY, "Libur daerah", pemkot.pk])
    assert not workcalendar.is_working_day(pemkot, DAY)


def test_a_rolled_back_change_is_never_served(team, bidang_p2p):
    assert share(bidang_p2p) == 60
    with pytest.raises(RuntimeError), transaction.atomic():
        CoveragePolicy.objects.create(unit=bidang_p2p, effective_from=dt.date(2026, 1, 1), min_office_share=90)
        assert share(bidang_p2p) == 90  # its own transaction sees it (kept under a token nobody else reads)
        raise RuntimeError("batal")
    assert share(bidang_p2p) == 60
    CoveragePolicy.objects.create(unit=bidang_p2p, effective_from=dt.date(2026, 1, 1), min_office_share=70)
    assert share(bidang_p2p) == 70  # a later change never meets the rolled-back facts


def test_without_its_row_nothing_is_kept(team, bidang_p2p):
    """A wiped table (a flush) before the next change: every read goes to the database."""
    RuleFactsVersion.objects.all().delete()
    share(bidang_p2p)
    with CaptureQueriesContext(connection) as queries:
        assert share(bidang_p2p) == 60
    assert policy_reads(queries) == 1
    CoveragePolicy.objects.create(unit=bidang_p2p, effective_from=dt.date(2026, 1, 1), min_office_share=80)
    assert RuleFactsVersion.objects.get().token  # the change made a new row
    assert share(bidang_p2p) == 80


def test_a_pinned_block_reads_the_version_once(team, bidang_p2p, pemkot):
    with CaptureQueriesContext(connection) as queries, facts.pinned():
        share(bidang_p2p)
        workcalendar.working_days(pemkot, DAY, DAY + dt.timedelta(days=6))
        share(bidang_p2p)
    assert sum("rulefactsversion" in q["sql"] for q in queries.captured_queries) == 1
    assert policy_reads(queries) == 1


@override_settings(PORTAL_RULE_FACTS_CACHE=False)
def test_the_cache_can_be_switched_off(team, bidang_p2p):
    share(bidang_p2p)
    with CaptureQueriesContext(connection) as queries:
        share(bidang_p2p)
    assert policy_reads(queries) == 1
    assert not any("rulefactsversion" in q["sql"] for q in queries.captured_queries)


@pytest.mark.django_db(transaction=True)
def test_a_change_committed_by_another_connection_is_seen_by_the_next_read(team, bidang_p2p):
    assert share(bidang_p2p) == 60

    def hr_changes_the_policy():
        try:
            CoveragePolicy.objects.create(unit=bidang_p2p, effective_from=dt.date(2026, 1, 1), min_office_share=85)
        finally:
            connections.close_all()

    other = threading.Thread(target=hr_changes_the_policy)
    other.start()
    other.join()
    assert share(bidang_p2p) == 85


def test_only_rule_tables_are_kept(team, ani, kabid, monkeypatch, django_capture_on_commit_callbacks):
    """Whatever a kept read asks of the database must come from a table whose writes change the
    token: a read of any other table kept here would be served stale. Checked on the paths that
    keep facts: a submit, the inbox card, an approval and a check-in."""
    import re

    import time_machine
    from django.apps import apps
    from rest_framework.test import APIClient

    from attendance.services.presence import punch_check_in
    from scheduling import services
    from scheduling.models import Kind

    rule_tables = set(facts._tables(apps, facts._registered))
    read = {}
    original = facts.remembered

    def watched(name, key, load):
        def load_and_note():
            with CaptureQueriesContext(connection) as queries:
                value = load()
            read.setdefault(name, set()).update(
                t for q in queries.captured_queries for t in re.findall(r'(?:FROM|JOIN) "(\w+)"', q["sql"]))
            return value
        return original(name, key, load_and_note)

    monkeypatch.setattr(facts, "remembered", watched)
    with time_machine.travel(dt.datetime(2026, 12, 7, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=7))), tick=False), \
            django_capture_on_commit_callbacks(execute=True):
        (day,) = services.request_submit(actor=ani.user, kind=Kind.WFH, dates=[DAY]).days
        api = APIClient()
        api.force_authenticate(kabid.user)
        assert api.get("/api/v1/inbox/").status_code == 200
        services.request_day_approve(actor=kabid.user, day_id=day.pk)
        punch_check_in(actor=ani.user)
    assert {"policies.rows", "calendar.overrides", "units.time_zones", "units.ancestors"} <= read.keys()
    strays = {name: tables - rule_tables for name, tables in read.items() if tables - rule_tables}
    assert not strays, f"kept reads of tables whose writes do not change the token: {strays}"


def test_a_page_reads_the_version_once_however_many_facts_it_asks(team, ani, kabid):
    """A GET is pinned (RuleFactsMiddleware): the inbox's cards ask policies, windows, emergencies,
    the calendar, leave kinds and time zones, the version is read once."""
    from rest_framework.test import APIClient

    from scheduling import services
    from scheduling.models import Kind

    services.request_submit(actor=ani.user, kind=Kind.WFH, dates=[DAY])
    api = APIClient()
    api.force_authenticate(kabid.user)
    with CaptureQueriesContext(connection) as queries:
        assert api.get("/api/v1/inbox/").json()["count"] == 1
    assert sum("rulefactsversion" in q["sql"] for q in queries.captured_queries) == 1
