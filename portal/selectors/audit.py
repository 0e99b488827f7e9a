"""The audit trail as people read it: each event as a sentence in the reader's language.

"Yoga Kurniawan (Plh. Kepala Bidang Aptika) menyetujui WFH Rizky Nur Wijaya untuk Senin, 14 Desember
2026": who, acting for whom, did what (the verb's phrase, registered with the verb in its app), to
which object (the object type's words, registered by the app that owns the type).

One read for the page, its CSV and the API: :func:`audit_events` (scoped and filtered),
:func:`audit_page` (a keyset page of rows) and :func:`audit_export_rows`. A page never counts the
trail (millions of events in a large institution): it walks the ``at`` index from a cursor, newest
first, and fetches one row more than it shows to know whether there is an older page.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import operator
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from django.db.models import CharField, Q, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import AuditEvent, Employee, Unit, User
from portal.models.audit import (
    canonical_verb,
    describers_for,
    legacy_spellings,
    object_kinds_about_people,
    verb_choice_label,
    verb_text,
)
from portal.rules import acting_label
from portal.selectors.org import audit_events_visible_to, display_name, hr_scope_units, with_time_zones

PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
EXPORT_CHUNK = 500  # events described per batch while a CSV streams
MAX_LISTED_ACCOUNTS = 1000


@dataclass(frozen=True)
class AuditFilters:
    """What the reader narrowed the trail to. Dates are the reader's local days."""

    person: str = ""  # a name or NIP: events by that person or about them
    unit: Unit | None = None  # events of this unit and every unit below it
    verb: str = ""  # one kind of action (older spellings included)
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    # The API's exact filters (a client that knows an object asks for its events).
    object_type: str = ""
    object_id: str = ""
    actor_username: str = ""


@dataclass
class AuditRow:
    """One event as people read it."""

    event: AuditEvent
    sentence: str
    actor_name: str
    actor_nip: str
    acting: str  # "Plh. Kepala Bidang P2P", or empty
    object_words: str
    unit_name: str
    local_at: dt.datetime  # in the time zone of the event's unit
    verb_label: str
    changes: list[tuple[str, object, object]] = field(default_factory=list)

    @property
    def zone(self) -> str:
        """WIB, WITA or WIT."""
        return self.local_at.tzname() or ""

    @property
    def before_json(self) -> str:
        return _pretty(self.event.before)

    @property
    def after_json(self) -> str:
        return _pretty(self.event.after)


@dataclass
class AuditPage:
    rows: list[AuditRow]
    older: int | None  # cursor of the next page (older events), None on the last page
    newer: int | None  # cursor of the previous page (newer events), None on the first page


def audit_zone(user):
    """The reader's time zone: their (first) HR scope's, else the site's. Filter dates are its days."""
    scopes = hr_scope_units(user)
    return scopes[0].tzinfo if scopes else timezone.get_current_timezone()


# --- Which events ------------------------------------------------------------------------------


def audit_events(user, filters: AuditFilters, *, tz=None) -> QuerySet[AuditEvent]:
    """The events ``user`` may see, narrowed by ``filters``, newest first."""
    events = audit_events_visible_to(user)
    if filters.verb:
        events = events.filter(verb__in=legacy_spellings(canonical_verb(filters.verb)))
    if filters.object_type:
        events = events.filter(object_type=filters.object_type)
    if filters.object_id:
        events = events.filter(object_id=filters.object_id)
    if filters.actor_username:
        events = events.filter(actor__username__icontains=filters.actor_username)
    if filters.unit is not None:
        events = events.filter(unit__in=Unit.objects.subtree_of(filters.unit))
    if filters.person.strip():
        events = events.filter(pk__in=_about_person(filters.person))
    tz = tz or audit_zone(user)
    if filters.date_from:
        events = events.filter(at__gte=dt.datetime.combine(filters.date_from, dt.time.min, tzinfo=tz))
    if filters.date_to:
        end = filters.date_to + dt.timedelta(days=1)
        events = events.filter(at__lt=dt.datetime.combine(end, dt.time.min, tzinfo=tz))
    return events.order_by("-at", "-id")


def _people_matching(text: str) -> tuple[QuerySet[Employee], QuerySet[User]]:
    """Employees whose name has every word of ``text`` (or whose NIP starts with its digits), and
    their accounts plus HR accounts named so."""
    digits = "".join(text.split())
    if digits.isdigit():
        people = Employee.objects.filter(nip__startswith=digits)
        return people, User.objects.filter(employee__in=people)
    words = text.split()
    people = Employee.objects.filter(functools.reduce(operator.and_, (Q(name__icontains=w) for w in words)))
    accounts = User.objects.annotate(
        _full=Concat("first_name", Value(" "), "last_name", output_field=CharField()),
    ).filter(Q(employee__in=people) | Q(username__iexact=text.strip()) | functools.reduce(
        operator.and_, (Q(_full__icontains=w) for w in words)))
    return people, accounts


def _about_person(text: str) -> QuerySet:
    """Ids of the events done by the person, or about them (their request days, punches,
    their employee record...). One arm per object type that says which of its rows concern
    someone, each an indexed semi-join on the trail, united: an OR of subqueries would scan it."""
    people, accounts = _people_matching(text)
    # The accounts as a list when there are not too many: the planner then walks the actor index
    # instead of guessing thousands of matches and scanning the whole trail.
    account_ids = list(accounts.order_by().values_list("pk", flat=True)[:MAX_LISTED_ACCOUNTS + 1])
    actors = account_ids if len(account_ids) <= MAX_LISTED_ACCOUNTS else accounts.values("pk")
    arms = [AuditEvent.objects.filter(actor__in=actors).order_by().values("pk")]
    for object_type, about in object_kinds_about_people().items():
        keys = about(people).annotate(_audit_key=Cast("pk", CharField())).values("_audit_key")
        arms.append(AuditEvent.objects.filter(object_type=object_type, object_id__in=keys).order_by().values("pk"))
    return arms[0].union(*arms[1:], all=True)


# --- A page ------------------------------------------------------------------------------------


def audit_page(user, filters: AuditFilters, *, older: int | None = None, newer: int | None = None,
               size: int = PAGE_SIZE) -> AuditPage:
    """One page of rows: the newest, or those older than event ``older``, or newer than ``newer``."""
    tz = audit_zone(user)
    return page_of(audit_events(user, filters, tz=tz), older=older, newer=newer, size=size, tz=tz)


def page_of(events: QuerySet[AuditEvent], *, older: int | None = None, newer: int | None = None,
            size: int = PAGE_SIZE, tz=None) -> AuditPage:
    """A keyset page of ``events`` (ordered newest first) around a cursor event."""
    size = max(1, min(size, MAX_PAGE_SIZE))
    if newer is not None:
        return _newer_page(events, newer, size, tz)
    if older is not None:
        # at <= the cursor's, minus its ties not older than it: the at index walks from there.
        at = _at_of(older)
        events = events.filter(at__lte=at).exclude(at=at, pk__gte=older)
    found = list(_with_related(events)[:size + 1])
    more, found = len(found) > size, found[:size]
    return AuditPage(describe_events(found, tz=tz), older=found[-1].pk if found and more else None,
                     newer=found[0].pk if found and older is not None else None)


def _newer_page(events: QuerySet[AuditEvent], newer: int, size: int, tz) -> AuditPage:
    """The ``size`` events just newer than the cursor, read upwards and shown newest first."""
    at = _at_of(newer)
    found = list(_with_related(events.filter(at__gte=at).exclude(at=at, pk__lte=newer)).order_by("at", "id")
                 [:size + 1])
    more, found = len(found) > size, found[:size][::-1]
    return AuditPage(describe_events(found, tz=tz), older=found[-1].pk if found else None,
                     newer=found[0].pk if found and more else None)


def _at_of(event_id: int) -> Subquery:
    return Subquery(AuditEvent.objects.filter(pk=event_id).values("at")[:1])


def _with_related(events: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
    return events.select_related("actor__employee", "unit")


# --- Rows --------------------------------------------------------------------------------------


def describe_events(events: Sequence[AuditEvent], *, tz=None) -> list[AuditRow]:
    """Rows for some events (actor and unit already joined): one query per object type on the
    page for the objects' words, one for the units' time zones, none per row."""
    events = list(events)
    words = _object_words(events)
    with_time_zones([e.unit for e in events if e.unit_id])
    tz = tz or timezone.get_current_timezone()
    return [_row(event, words.get(event.pk) or event.object_repr, tz) for event in events]


def _object_words(events: list[AuditEvent]) -> dict[int, str]:
    """Each describer gets its events in one batch; what the verb's describer leaves out goes to
    the object type's (two passes at most)."""
    words: dict[int, str] = {}
    for turn in range(2):
        batches = defaultdict(list)
        for event in events:
            describers = describers_for(event)
            if event.pk not in words and len(describers) > turn:
                batches[describers[turn]].append(event)
        for describe, batch in batches.items():
            words.update({pk: text for pk, text in describe(batch).items() if text})
    return words


def _row(event: AuditEvent, object_words: str, tz) -> AuditRow:
    employee = _employee_of(event.actor)
    acting = acting_label(event.acting_for)
    return AuditRow(
        event=event, sentence=_sentence(event, object_words, acting), actor_name=actor_label(event),
        actor_nip=employee.nip_display if employee else "", acting=acting, object_words=object_words,
        unit_name=event.unit.name if event.unit_id else "",
        local_at=timezone.localtime(event.at, event.unit.tzinfo if event.unit_id else tz),
        verb_label=verb_choice_label(event.verb), changes=_changes(event),
    )


def _sentence(event: AuditEvent, object_words: str, acting: str) -> str:
    text = verb_text(event.verb)
    if text is None:  # a verb nobody registers any more: show it as written
        done = f"{canonical_verb(event.verb)} {object_words}"
    else:
        done = text.phrase % {"object": object_words}
    who = actor_label(event)
    if acting:
        who = _("%(who)s (%(acting)s)") % {"who": who, "acting": acting}
    return f"{who} {done}".strip()


def _employee_of(user) -> Employee | None:
    if user is None:
        return None
    try:
        return user.employee
    except Employee.DoesNotExist:  # an account without an employee (HR, superuser)
        return None


def actor_label(event: AuditEvent) -> str:
    """Who did it, by name (the account's name for HR-only accounts); "Sistem" for none."""
    return display_name(event.actor)


def describe_event(event: AuditEvent) -> str:
    """One sentence for one event, in the active language."""
    return describe_events([event])[0].sentence


def _changes(event: AuditEvent) -> list[tuple[str, object, object]]:
    before, after = event.before or {}, event.after or {}
    if not isinstance(before, dict) or not isinstance(after, dict):
        return []
    return [(k, before.get(k), after.get(k)) for k in sorted(before.keys() | after.keys())
            if before.get(k) != after.get(k)]


def _pretty(value) -> str:
    return "" if value is None else json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)


# --- The CSV of a filtered view ----------------------------------------------------------------


def audit_export_header() -> list[str]:
    return [_("Waktu"), _("Pelaku"), _("NIP pelaku"), _("Sebagai"), _("Kejadian"), _("Unit"), _("Aksi (kode)")]


def audit_export_rows(user, filters: AuditFilters) -> Iterator[list]:
    """The header, then every filtered event as a row, newest first, described a batch at a time
    (one batch of queries per EXPORT_CHUNK events, whatever the length of the file)."""
    yield audit_export_header()
    tz = audit_zone(user)
    events = audit_events(user, filters, tz=tz)
    cursor = None
    while True:
        page = page_of(events, older=cursor, size=EXPORT_CHUNK, tz=tz)
        for row in page.rows:
            yield [f"{row.local_at:%Y-%m-%d %H:%M} {row.zone}", row.actor_name, row.actor_nip, row.acting,
                   row.sentence, row.unit_name, row.event.verb]
        if page.older is None:
            return
        cursor = page.older
