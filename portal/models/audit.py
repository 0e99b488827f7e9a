"""The append-only audit trail every service writes, the verbs it may record, and the words a
reader sees for each event.

Every verb is ``<object>.<past participle>`` (``unit.updated``, ``export.created``) and belongs
to one enumeration per app, registered here with :func:`register_verbs`: portal's own below,
scheduling's and attendance's in their models. :func:`portal.services.audit.audit_record`
refuses a verb nobody registered, so the trail never holds a word no page can explain.
Events written before the verbs were settled keep their old spelling (the trail is
append-only); :data:`LEGACY_VERBS` reads them as today's verb.

Each app also says, per object type it writes (``portal.employee``), how the object of an
event reads in a sentence ("WFH Rizky Nur Wijaya untuk Senin, 14 Desember 2026") and which
objects concern a person, with :func:`register_objects`. A describer gets every event of its
type on a page at once and looks their objects up in one query, so a page costs one query per
object type, never one per row; it reads what the event stored (object id, before/after), not
the object's ``str()``, which may say "pending" on an approval.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from portal import formatting
from portal.models.calendar import MonthClosure
from portal.models.org import AsnType, Delegation, Employee, Unit, User

GLOBAL_CHAIN = "global"  # the chain of events that name no unit (accounts, demo data)


@dataclass(frozen=True)
class VerbText:
    label: Promise  # what happened, as a step: "Disetujui"
    phrase: Promise  # what the actor did, after their name: "menyetujui %(object)s"
    app: str = ""  # the app that registered it, to group the filter's choices
    choice: Promise | None = None  # the label in a filter, when the step label alone is unclear


# The object of an event in words, per event id; an event left out reads by its stored repr.
Describe = Callable[[Sequence["AuditEvent"]], Mapping[int, str]]
# The objects of a type that concern some employees (a queryset of them), as a queryset.
About = Callable[[models.QuerySet], models.QuerySet]


@dataclass(frozen=True)
class ObjectWords:
    describe: Describe
    about: About | None = None  # for the "person" filter: events about these employees


_VERBS: dict[str, VerbText] = {}
LEGACY_VERBS: dict[str, str] = {}
_OBJECTS: dict[str, ObjectWords] = {}
_VERB_DESCRIBERS: dict[str, Describe] = {}


def register_verbs(choices: type[models.TextChoices], phrases: dict[str, Promise],
                   legacy: dict[str, str] | None = None, *, choice_labels: dict[str, Promise] | None = None,
                   describers: dict[str, Describe] | None = None) -> None:
    """Make an app's verbs known: each member's label, and the phrase a sentence uses.

    ``choice_labels`` name a verb in the filter where its step label ("Disetujui") is unclear
    out of context; ``describers`` tell a verb's object in its own words when the object type's
    words are not enough (a roster change names the month it changed).
    """
    missing = set(choices.values) - set(phrases)
    if missing:
        raise ValueError(f"audit verbs without a phrase: {sorted(missing)}")
    app = choices.__module__.split(".")[0]
    for member in choices:
        _VERBS[member.value] = VerbText(member.label, phrases[member.value], app,
                                        (choice_labels or {}).get(member.value))
    LEGACY_VERBS.update(legacy or {})
    _VERB_DESCRIBERS.update({str(verb): describe for verb, describe in (describers or {}).items()})


def register_objects(kinds: dict[str, ObjectWords]) -> None:
    """Make an app's object types readable: ``{"portal.employee": ObjectWords(...)}``."""
    _OBJECTS.update(kinds)


def canonical_verb(verb: str) -> str:
    return LEGACY_VERBS.get(verb, verb)


def is_registered(verb: str) -> bool:
    return verb in _VERBS


def verb_text(verb: str) -> VerbText | None:
    return _VERBS.get(canonical_verb(verb))


def verb_label(verb: str) -> str:
    text = verb_text(verb)
    return str(text.label) if text else verb


def verb_choice_label(verb: str) -> str:
    """The verb as the filter names it: "Pengajuan disetujui" rather than "Disetujui"."""
    text = verb_text(verb)
    return str(text.choice or text.label) if text else verb


def verb_choices() -> list[tuple[str, str]]:
    """Every registered verb with its label, for filters (sorted by label in the active language)."""
    return sorted(((v, verb_choice_label(v)) for v in _VERBS), key=lambda pair: pair[1].casefold())


def verb_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    """The filter's choices grouped by the app that registered them, under the app's name."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for verb, label in verb_choices():
        groups.setdefault(_VERBS[verb].app, []).append((verb, label))
    names = {app: str(apps.get_app_config(app).verbose_name) for app in groups}
    return [(names[app], groups[app]) for app in sorted(groups, key=lambda a: names[a].casefold())]


def legacy_spellings(verb: str) -> list[str]:
    """The verb and every older spelling of it (to filter events written before the rename)."""
    return [verb, *(old for old, new in LEGACY_VERBS.items() if new == verb)]


def describers_for(event: AuditEvent) -> list[Describe]:
    """Who can tell the event's object in words, in turn: the verb's own describer, then the object
    type's (none: the stored repr is all there is)."""
    own, kind = _VERB_DESCRIBERS.get(canonical_verb(event.verb)), _OBJECTS.get(event.object_type)
    return [describe for describe in (own, kind.describe if kind else None) if describe is not None]


def object_kinds_about_people() -> dict[str, About]:
    """Per object type, how to find the objects that concern some employees."""
    return {object_type: kind.about for object_type, kind in _OBJECTS.items() if kind.about}


# --- Words the describers share -----------------------------------------------------------


def as_date(value) -> dt.date | None:
    """A date from a stored value: a date, or the ISO string :func:`snapshot` wrote."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except (TypeError, ValueError):
        return None


def long_date(value) -> str:
    """A date as a sentence says it: "Senin, 14 Desember 2026" ("Monday, 14 December 2026")."""
    return formatting.long_date(as_date(value))


def plain_date(value) -> str:
    """A date without its weekday, for spans: "14 Desember 2026"."""
    return formatting.short_date(as_date(value))


def month_words(value) -> str:
    """A month: "Desember 2026"."""
    day = as_date(value)
    return formats.date_format(day, "F Y") if day else ""


def span_words(start, end) -> str:
    """A date range: one long date when it is a single day."""
    if as_date(start) == as_date(end):
        return long_date(start)
    return f"{plain_date(start)} – {plain_date(end)}"


def days_words(dates: Iterable) -> str:
    """The days of a request: one long date, or how many and from when to when."""
    days = sorted(d for d in (as_date(v) for v in dates) if d)
    if not days:
        return ""
    if len(days) == 1:
        return long_date(days[0])
    return f"{formatting.days(len(days))}, {plain_date(days[0])} – {plain_date(days[-1])}"


def person_words(employee) -> str:
    """A person who is the object of an event: name and NIP ("Ani Lestari (NIP 19860926 …)")."""
    if employee is None:
        return ""
    if employee.asn_type == AsnType.PPPK:
        return _t("%(name)s (NI PPPK %(nip)s)") % {"name": employee.name, "nip": employee.nip_display}
    return _t("%(name)s (NIP %(nip)s)") % {"name": employee.name, "nip": employee.nip_display}


def owner_words(event: AuditEvent, employee) -> str:
    """Whose object it is, by name; nothing when the actor is that person ("Ani menarik WFH …")."""
    if employee is None or (event.actor_id and employee.user_id == event.actor_id):
        return ""
    return employee.name


def whose(what: str, owner: str, when: str = "") -> str:
    """ "WFH Rizky Nur Wijaya untuk Senin, 14 Desember 2026", leaving out what is unknown."""
    what = f"{what} {owner}".strip()
    return (_t("%(what)s untuk %(when)s") % {"what": what, "when": when}).strip() if when else what


def stored(event: AuditEvent, key: str):
    """A value the event stored, after the change if it has one, else before."""
    for state in (event.after, event.before):
        if isinstance(state, dict) and state.get(key) is not None:
            return state[key]
    return None


def object_pks(events: Iterable[AuditEvent]) -> set[int]:
    """The numeric object ids of some events (others, if any, are not rows to look up)."""
    return {int(e.object_id) for e in events if str(e.object_id).isdigit()}


def stored_pks(events: Iterable[AuditEvent], key: str) -> set[int]:
    return {v for v in (stored(e, key) for e in events) if isinstance(v, int)}


def by_object(events: Sequence[AuditEvent], rows: Mapping[int, object], words: Callable) -> dict[int, str]:
    """``words(event, row)`` for every event whose object was found; the rest fall back."""
    out = {}
    for event in events:
        row = rows.get(int(event.object_id)) if str(event.object_id).isdigit() else None
        text = words(event, row) if row is not None else ""
        if text:
            out[event.pk] = text
    return out


def unit_name(event: AuditEvent) -> str:
    return event.unit.name if event.unit_id and event.unit else ""


class Verb(models.TextChoices):
    """What happens to the organisation, the calendar and accounts."""

    UNIT_CREATED = "unit.created", _("Unit kerja dibuat")
    UNIT_UPDATED = "unit.updated", _("Unit kerja diubah")
    UNIT_DELETED = "unit.deleted", _("Unit kerja dihapus")
    EMPLOYEE_CREATED = "employee.created", _("Pegawai ditambahkan")
    EMPLOYEE_UPDATED = "employee.updated", _("Data pegawai diubah")
    EMPLOYEE_DELETED = "employee.deleted", _("Pegawai dihapus")
    DELEGATION_CREATED = "delegation.created", _("Plh/Plt ditetapkan")
    DELEGATION_UPDATED = "delegation.updated", _("Plh/Plt diubah")
    DELEGATION_REVOKED = "delegation.revoked", _("Plh/Plt dicabut")
    DELEGATION_DELETED = "delegation.deleted", _("Plh/Plt dihapus")
    HR_SCOPE_CREATED = "hr_scope.created", _("Cakupan admin kepegawaian diberikan")
    HR_SCOPE_DELETED = "hr_scope.deleted", _("Cakupan admin kepegawaian dicabut")
    CALENDAR_OVERRIDE_CREATED = "calendar_override.created", _("Penyesuaian kalender ditambahkan")
    CALENDAR_OVERRIDE_UPDATED = "calendar_override.updated", _("Penyesuaian kalender diubah")
    CALENDAR_OVERRIDE_DELETED = "calendar_override.deleted", _("Penyesuaian kalender dihapus")
    WORKING_HOURS_CREATED = "working_hours.created", _("Jam kerja ditambahkan")
    WORKING_HOURS_UPDATED = "working_hours.updated", _("Jam kerja diubah")
    WORKING_HOURS_DELETED = "working_hours.deleted", _("Jam kerja dihapus")
    WORK_PATTERN_CREATED = "work_pattern.created", _("Pola hari kerja ditambahkan")
    WORK_PATTERN_UPDATED = "work_pattern.updated", _("Pola hari kerja diubah")
    WORK_PATTERN_DELETED = "work_pattern.deleted", _("Pola hari kerja dihapus")
    RAMADAN_PERIOD_CREATED = "ramadan_period.created", _("Periode Ramadan ditambahkan")
    RAMADAN_PERIOD_UPDATED = "ramadan_period.updated", _("Periode Ramadan diubah")
    RAMADAN_PERIOD_DELETED = "ramadan_period.deleted", _("Periode Ramadan dihapus")
    USER_CREATED = "user.created", _("Akun dibuat")
    USER_UPDATED = "user.updated", _("Akun diubah")
    DEMO_SEEDED = "demo.seeded", _("Data demo dimuat")
    DEMO_RESET = "demo.reset", _("Data demo dihapus")


register_verbs(Verb, {
    Verb.UNIT_CREATED: _("membuat unit kerja %(object)s"),
    Verb.UNIT_UPDATED: _("mengubah unit kerja %(object)s"),
    Verb.UNIT_DELETED: _("menghapus unit kerja %(object)s"),
    Verb.EMPLOYEE_CREATED: _("menambahkan pegawai %(object)s"),
    Verb.EMPLOYEE_UPDATED: _("mengubah data pegawai %(object)s"),
    Verb.EMPLOYEE_DELETED: _("menghapus pegawai %(object)s"),
    Verb.DELEGATION_CREATED: _("menetapkan %(object)s"),
    Verb.DELEGATION_UPDATED: _("mengubah penetapan %(object)s"),
    Verb.DELEGATION_REVOKED: _("mencabut penetapan %(object)s"),
    Verb.DELEGATION_DELETED: _("menghapus penetapan %(object)s"),
    Verb.HR_SCOPE_CREATED: _("memberikan cakupan admin kepegawaian %(object)s"),
    Verb.HR_SCOPE_DELETED: _("mencabut cakupan admin kepegawaian %(object)s"),
    Verb.CALENDAR_OVERRIDE_CREATED: _("menambahkan penyesuaian kalender %(object)s"),
    Verb.CALENDAR_OVERRIDE_UPDATED: _("mengubah penyesuaian kalender %(object)s"),
    Verb.CALENDAR_OVERRIDE_DELETED: _("menghapus penyesuaian kalender %(object)s"),
    Verb.WORKING_HOURS_CREATED: _("menambahkan jam kerja %(object)s"),
    Verb.WORKING_HOURS_UPDATED: _("mengubah jam kerja %(object)s"),
    Verb.WORKING_HOURS_DELETED: _("menghapus jam kerja %(object)s"),
    Verb.WORK_PATTERN_CREATED: _("menambahkan pola hari kerja %(object)s"),
    Verb.WORK_PATTERN_UPDATED: _("mengubah pola hari kerja %(object)s"),
    Verb.WORK_PATTERN_DELETED: _("menghapus pola hari kerja %(object)s"),
    Verb.RAMADAN_PERIOD_CREATED: _("menambahkan periode Ramadan %(object)s"),
    Verb.RAMADAN_PERIOD_UPDATED: _("mengubah periode Ramadan %(object)s"),
    Verb.RAMADAN_PERIOD_DELETED: _("menghapus periode Ramadan %(object)s"),
    Verb.USER_CREATED: _("membuat akun %(object)s"),
    Verb.USER_UPDATED: _("mengubah akun %(object)s"),
    Verb.DEMO_SEEDED: _("memuat data demo %(object)s"),
    Verb.DEMO_RESET: _("menghapus data demo %(object)s"),
}, legacy={
    "hradminscope.created": Verb.HR_SCOPE_CREATED, "hradminscope.deleted": Verb.HR_SCOPE_DELETED,
    "calendaroverride.created": Verb.CALENDAR_OVERRIDE_CREATED,
    "calendaroverride.updated": Verb.CALENDAR_OVERRIDE_UPDATED,
    "calendaroverride.deleted": Verb.CALENDAR_OVERRIDE_DELETED,
    "workinghours.created": Verb.WORKING_HOURS_CREATED, "workinghours.updated": Verb.WORKING_HOURS_UPDATED,
    "workinghours.deleted": Verb.WORKING_HOURS_DELETED,
    "ramadanperiod.created": Verb.RAMADAN_PERIOD_CREATED, "ramadanperiod.updated": Verb.RAMADAN_PERIOD_UPDATED,
    "ramadanperiod.deleted": Verb.RAMADAN_PERIOD_DELETED,
})


# --- Portal's objects in words ---------------------------------------------------------------


def account_words(user) -> str:
    """An account: the person's name and the login name ("Ani Lestari (ani)")."""
    try:
        name = user.employee.name
    except Employee.DoesNotExist:
        name = user.get_full_name()
    return f"{name} ({user.get_username()})" if name else user.get_username()


def _units(events):
    rows = Unit.objects.only("id", "name").in_bulk(object_pks(events))
    found = by_object(events, rows, lambda e, unit: unit.name)
    return {e.pk: found.get(e.pk) or stored(e, "name") or "" for e in events}


def _stored_employee(event: AuditEvent) -> Employee | None:
    """A deleted employee as its last snapshot had it."""
    name, nip = stored(event, "name"), stored(event, "nip")
    return Employee(name=name, nip=nip, asn_type=stored(event, "asn_type") or "") if name and nip else None


def _employees(events):
    rows = Employee.objects.only("id", "name", "nip", "asn_type", "user_id").in_bulk(object_pks(events))
    found = by_object(events, rows, lambda e, employee: person_words(employee))
    return {e.pk: found.get(e.pk) or person_words(_stored_employee(e)) for e in events}


def _accounts(events):
    rows = User.objects.select_related("employee").in_bulk(object_pks(events))
    return by_object(events, rows, lambda e, user: account_words(user))


def _delegations(events):
    rows = Delegation.objects.select_related("delegator", "delegate").in_bulk(object_pks(events))
    return by_object(events, rows, lambda e, d: _t("%(delegate)s sebagai %(title)s, %(span)s") % {
        "delegate": person_words(d.delegate), "title": d.acting_title, "span": span_words(d.start, d.end)})


def _hr_scopes(events):
    # A revoked scope is gone: its snapshot holds the account and the unit.
    users = User.objects.select_related("employee").in_bulk(stored_pks(events, "user_id"))
    units = Unit.objects.only("id", "name").in_bulk(stored_pks(events, "unit_id"))
    out = {}
    for event in events:
        user, unit = users.get(stored(event, "user_id")), units.get(stored(event, "unit_id"))
        if user and unit:
            out[event.pk] = _t("%(user)s atas %(unit)s") % {"user": account_words(user), "unit": unit.name}
    return out


def _calendar_days(events):
    return {e.pk: _t("%(name)s pada %(date)s") % {"name": stored(e, "name"), "date": long_date(stored(e, "date"))}
            for e in events if stored(e, "name") and stored(e, "date")}


def from_date_words(event: AuditEvent, key: str = "effective_from") -> str:
    """A setting of the event's unit in force from a date: "Bidang P2P mulai Senin, 1 Desember 2025"."""
    start = long_date(stored(event, key))
    if not start:
        return ""
    unit = unit_name(event)
    return _t("%(unit)s mulai %(date)s") % {"unit": unit, "date": start} if unit else start


def _patterns(events):
    return {e.pk: text for e in events if (text := from_date_words(e))}


def _ramadan(events):
    return {e.pk: span_words(stored(e, "start"), stored(e, "end")) for e in events
            if stored(e, "start") and stored(e, "end")}


def _closures(events):
    rows = MonthClosure.objects.select_related("unit").in_bulk(object_pks(events))
    return by_object(events, rows, lambda e, c: _t("%(month)s untuk %(unit)s") % {
        "month": month_words(c.month), "unit": c.unit.name})


register_objects({
    "portal.unit": ObjectWords(_units),
    "portal.employee": ObjectWords(_employees, about=lambda people: people),
    "portal.user": ObjectWords(_accounts, about=lambda people: User.objects.filter(employee__in=people)),
    "portal.delegation": ObjectWords(_delegations, about=lambda people: Delegation.objects.filter(
        models.Q(delegate__in=people) | models.Q(delegator__in=people))),
    "portal.hradminscope": ObjectWords(_hr_scopes),
    "portal.calendaroverride": ObjectWords(_calendar_days),
    "portal.workpattern": ObjectWords(_patterns),
    "portal.ramadanperiod": ObjectWords(_ramadan),
    "portal.monthclosure": ObjectWords(_closures),
})


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):  # pragma: no cover - guarded by tests
        raise PermissionError("Audit events are append-only.")

    def delete(self):
        raise PermissionError("Audit events are append-only.")


class AuditEvent(models.Model):
    """One state change: who, acting for whom, did what to which object, before/after."""

    # Set by audit_record before the insert (not auto_now_add, which would overwrite it at save):
    # the chain hash covers it, so it must be known before the row is written.
    at = models.DateTimeField(_("waktu"), default=timezone.now, editable=False, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("pelaku"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    acting_for = models.CharField(
        _("atas nama"), max_length=255, blank=True,
        help_text=_("Mis. \"Plh. Kepala Dinas Kesehatan\" saat keputusan diambil oleh Plh/Plt."),
    )
    verb = models.CharField(_("aksi"), max_length=64, db_index=True)
    object_type = models.CharField(_("jenis objek"), max_length=64, db_index=True)
    object_id = models.CharField(_("id objek"), max_length=64, db_index=True)
    object_repr = models.CharField(_("objek"), max_length=255)
    unit = models.ForeignKey(
        "portal.Unit", verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text=_("Unit tempat perubahan terjadi, untuk cakupan admin kepegawaian."),
    )
    before = models.JSONField(_("sebelum"), null=True, blank=True)
    after = models.JSONField(_("sesudah"), null=True, blank=True)
    # The hash chain (portal.services.audit_chain): one chain per institution ("instansi:<id>"), plus
    # "global" for events of no unit. ``hash`` covers this event's content and ``prev_hash``.
    chain = models.CharField(_("rantai"), max_length=40, editable=False, default=GLOBAL_CHAIN)
    seq = models.PositiveBigIntegerField(_("urutan dalam rantai"), editable=False, default=0)
    prev_hash = models.CharField(_("hash sebelumnya"), max_length=64, editable=False, default="")
    hash = models.CharField(_("hash"), max_length=64, editable=False, default="")

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("jejak audit")
        verbose_name_plural = _("jejak audit")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object")]
        # A fork (two events at one position) is impossible even if the chain lock were bypassed.
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="audit_chain_seq")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.verb} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit events are append-only.")


class AuditChainHead(models.Model):
    """The last link of one chain. Its row is locked (SELECT ... FOR UPDATE) by every append, so
    appends to one chain queue; the application role may UPDATE it, never the events."""

    chain = models.CharField(max_length=40, primary_key=True)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="")

    class Meta:
        verbose_name = _("ujung rantai audit")
        verbose_name_plural = _("ujung rantai audit")

    def __str__(self) -> str:
        return f"{self.chain} #{self.seq}"


class AuditCheckpoint(models.Model):
    """A chain's head at a moment, signed with a key kept out of the database (HMAC-SHA256).

    Written each night; HR downloads it and keeps it, so a later rewrite of the chain (or a
    truncation below it) no longer matches what they hold. Append-only like the events."""

    chain = models.CharField(_("rantai"), max_length=40, db_index=True)
    seq = models.PositiveBigIntegerField(_("urutan"))
    head_hash = models.CharField(_("hash ujung"), max_length=64)
    created_at = models.DateTimeField(_("dibuat"), default=timezone.now)
    key_id = models.CharField(_("sidik kunci"), max_length=16,
                              help_text=_("Sidik jari kunci penanda tangan (bukan kuncinya)."))
    signature = models.CharField(_("tanda tangan"), max_length=64)

    class Meta:
        verbose_name = _("titik periksa audit")
        verbose_name_plural = _("titik periksa audit")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["chain", "-created_at"], name="audit_checkpoint_chain")]

    def __str__(self) -> str:
        return f"{self.chain} #{self.seq} {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Audit checkpoints are append-only.")
        super().save(*args, **kwargs)
