"""What scheduling writes to the audit trail, and how its objects read in a sentence
(see :mod:`portal.models.audit`)."""

from django.db import models
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from portal.models import Employee
from portal.models.audit import (
    ObjectWords,
    by_object,
    days_words,
    from_date_words,
    long_date,
    month_words,
    object_pks,
    owner_words,
    person_words,
    register_objects,
    register_verbs,
    span_words,
    stored,
    stored_pks,
    unit_name,
    whose,
)

from .leave import KindRule
from .requests import Kind, RequestDay, WorkRequest


class Verb(models.TextChoices):
    REQUEST_SUBMITTED = "request.submitted", _("Diajukan")
    REQUEST_DAY_APPROVED = "request_day.approved", _("Disetujui")
    REQUEST_DAY_REJECTED = "request_day.rejected", _("Ditolak")
    REQUEST_DAY_WITHDRAWN = "request_day.withdrawn", _("Ditarik")
    REQUEST_DAY_CANCELLED = "request_day.cancelled", _("Dibatalkan")
    REQUEST_DAY_EXPIRED = "request_day.expired", _("Kedaluwarsa")
    COVERAGE_POLICY_CREATED = "coverage_policy.created", _("Aturan kehadiran dibuat")
    COVERAGE_POLICY_UPDATED = "coverage_policy.updated", _("Aturan kehadiran diubah")
    COVERAGE_POLICY_DELETED = "coverage_policy.deleted", _("Aturan kehadiran dihapus")
    FWA_WINDOW_OPENED = "fwa_window.opened", _("Jendela FWA dibuka")
    FWA_WINDOW_DELETED = "fwa_window.deleted", _("Jendela FWA dihapus")
    REQUEST_DAY_ENDORSED = "request_day.endorsed", _("Disetujui atasan langsung, diteruskan ke pejabat")
    LEAVE_OPENING_SET = "leave_opening.set", _("Saldo awal cuti ditetapkan")
    LEAVE_ADJUSTED = "leave.adjusted", _("Saldo cuti disesuaikan")
    LEAVE_SETTINGS_SAVED = "leave_settings.saved", _("Pengaturan cuti disimpan")
    KIND_RULE_SAVED = "kind_rule.saved", _("Aturan jenis pengajuan disimpan")
    ROTA_PREFERENCE_SAVED = "weekday_preference.saved", _("Preferensi hari fleksibel disimpan")
    ROTA_PLAN_PROPOSED = "rota_plan.proposed", _("Usulan rota dibuat")
    ROTA_PLAN_ADJUSTED = "rota_plan.adjusted", _("Usulan rota diubah")
    ROTA_PLAN_PUBLISHED = "rota_plan.published", _("Rota diterbitkan")
    EMERGENCY_DECLARED = "emergency.declared", _("Keadaan darurat ditetapkan")
    EMERGENCY_ENDED = "emergency.ended", _("Keadaan darurat diakhiri lebih awal")
    CALENDAR_FEED_CREATED = "calendar_feed.created", _("Tautan kalender dibuat")
    CALENDAR_FEED_REVOKED = "calendar_feed.revoked", _("Tautan kalender dicabut")


register_verbs(Verb, {
    Verb.REQUEST_SUBMITTED: _("mengajukan %(object)s"),
    Verb.REQUEST_DAY_APPROVED: _("menyetujui %(object)s"),
    Verb.REQUEST_DAY_REJECTED: _("menolak %(object)s"),
    Verb.REQUEST_DAY_WITHDRAWN: _("menarik %(object)s"),
    Verb.REQUEST_DAY_CANCELLED: _("membatalkan %(object)s"),
    Verb.REQUEST_DAY_EXPIRED: _("menandai kedaluwarsa %(object)s"),
    Verb.COVERAGE_POLICY_CREATED: _("membuat aturan kehadiran %(object)s"),
    Verb.COVERAGE_POLICY_UPDATED: _("mengubah aturan kehadiran %(object)s"),
    Verb.COVERAGE_POLICY_DELETED: _("menghapus aturan kehadiran %(object)s"),
    Verb.FWA_WINDOW_OPENED: _("membuka jendela FWA %(object)s"),
    Verb.FWA_WINDOW_DELETED: _("menghapus jendela FWA %(object)s"),
    Verb.REQUEST_DAY_ENDORSED: _("menyetujui sebagai atasan langsung dan meneruskan %(object)s"),
    Verb.LEAVE_OPENING_SET: _("menetapkan saldo awal cuti %(object)s"),
    Verb.LEAVE_ADJUSTED: _("menyesuaikan saldo cuti %(object)s"),
    Verb.LEAVE_SETTINGS_SAVED: _("menyimpan pengaturan cuti %(object)s"),
    Verb.KIND_RULE_SAVED: _("menyimpan aturan jenis pengajuan %(object)s"),
    Verb.ROTA_PREFERENCE_SAVED: _("menyimpan preferensi hari fleksibel %(object)s"),
    Verb.ROTA_PLAN_PROPOSED: _("membuat usulan rota %(object)s"),
    Verb.ROTA_PLAN_ADJUSTED: _("mengubah usulan rota %(object)s"),
    Verb.ROTA_PLAN_PUBLISHED: _("menerbitkan rota %(object)s"),
    Verb.EMERGENCY_DECLARED: _("menetapkan keadaan darurat %(object)s"),
    Verb.EMERGENCY_ENDED: _("mengakhiri lebih awal keadaan darurat %(object)s"),
    Verb.CALENDAR_FEED_CREATED: _("membuat %(object)s"),
    Verb.CALENDAR_FEED_REVOKED: _("mencabut %(object)s"),
}, legacy={"coverage_policy.changed": Verb.COVERAGE_POLICY_UPDATED, "coveragepolicy.deleted":
           Verb.COVERAGE_POLICY_DELETED, "fwawindow.deleted": Verb.FWA_WINDOW_DELETED}, choice_labels={
    # The steps' own labels ("Disetujui") read as a request's history; a filter needs the noun.
    Verb.REQUEST_SUBMITTED: _("Pengajuan dibuat"),
    Verb.REQUEST_DAY_APPROVED: _("Pengajuan disetujui"),
    Verb.REQUEST_DAY_REJECTED: _("Pengajuan ditolak"),
    Verb.REQUEST_DAY_WITHDRAWN: _("Pengajuan ditarik"),
    Verb.REQUEST_DAY_CANCELLED: _("Pengajuan dibatalkan"),
    Verb.REQUEST_DAY_EXPIRED: _("Pengajuan kedaluwarsa"),
    Verb.REQUEST_DAY_ENDORSED: _("Pengajuan diteruskan ke pejabat"),
}, describers={
    Verb.LEAVE_OPENING_SET: lambda events: _leave_balance(events, "days"),
    Verb.LEAVE_ADJUSTED: lambda events: _leave_balance(events, "days", signed=True),
})


# --- Scheduling's objects in words ---------------------------------------------------------------


def kind_words(kind: str) -> str:
    """A kind inside a sentence: "WFH", "cuti tahunan" (the label, without its capital)."""
    if kind in (Kind.WFH, Kind.WFA):
        return kind
    if kind == Kind.OTHER_OFFICE:
        return _t("kerja di kantor lain")
    label = str(Kind(kind).label) if kind in Kind.values else str(kind)
    return label[:1].lower() + label[1:]


def _request_days(events):
    rows = RequestDay.objects.select_related("employee").only(
        "id", "kind", "date", "employee__name", "employee__user_id").in_bulk(object_pks(events))
    return by_object(events, rows, lambda e, day: whose(kind_words(day.kind), owner_words(e, day.employee),
                                                         long_date(day.date)))


def _requests(events):
    rows = WorkRequest.objects.select_related("employee").only(
        "id", "kind", "employee__name", "employee__user_id").in_bulk(object_pks(events))
    return by_object(events, rows, lambda e, request: whose(
        kind_words(request.kind), owner_words(e, request.employee), days_words(stored(e, "dates") or [])))


def _policies(events):
    return {e.pk: text for e in events if (text := from_date_words(e))}


def _fwa_windows(events):
    return {e.pk: _t("%(name)s, %(span)s") % {"name": stored(e, "name"), "span": span_words(stored(e, "start"),
                                                                                            stored(e, "end"))}
            for e in events if stored(e, "name") and stored(e, "start") and stored(e, "end")}


def _institutions(events):
    return {e.pk: name for e in events if (name := unit_name(e))}


def _kind_rules(events):
    rows = KindRule.objects.only("id", "kind").in_bulk(object_pks(events))
    return by_object(events, rows, lambda e, rule: _t("%(kind)s di %(unit)s") % {
        "kind": kind_words(rule.kind), "unit": unit_name(e)} if unit_name(e) else kind_words(rule.kind))



def _feed_tokens(events):
    """ "tautan kalender rencana kerja" / "tautan kalender kehadiran tim Bidang P2P" (from what was stored)."""
    out = {}
    for event in events:
        kind = stored(event, "kind")
        if kind == "team":
            out[event.pk] = _t("tautan kalender kehadiran tim %(unit)s") % {"unit": unit_name(event) or ""}
        elif kind == "own":
            out[event.pk] = _t("tautan kalender rencana kerja")
    return out


def _rota_plans(events):
    """ "Bidang P2P, Januari 2027" (the unit and month the event stored)."""
    return {e.pk: _t("%(unit)s, %(month)s") % {"unit": unit_name(e), "month": month_words(stored(e, "month"))}
            for e in events if stored(e, "month") and unit_name(e)}


def _preferences(events):
    people = Employee.objects.only("id", "name", "nip", "asn_type", "user_id").in_bulk(stored_pks(events, "employee"))
    return {e.pk: owner_words(e, people.get(stored(e, "employee"))) or _t("miliknya") for e in events}


def _leave_balance(events, key: str, *, signed: bool = False):
    """ "Ani Lestari (NIP …), tahun 2026: 12 hari" (an adjustment shows its sign: "+2 hari")."""
    people = Employee.objects.only("id", "name", "nip", "asn_type").in_bulk(object_pks(events))
    out = {}
    for event in events:
        person, year, days = people.get(int(event.object_id)), stored(event, "year"), (event.after or {}).get(key)
        if person is None or year is None or days is None:
            continue
        amount = f"{days:+d}" if signed and isinstance(days, int) else str(days)
        out[event.pk] = _t("%(person)s, tahun %(year)s: %(days)s hari") % {
            "person": person_words(person), "year": year, "days": amount}
    return out


register_objects({
    "scheduling.requestday": ObjectWords(_request_days, about=lambda people: RequestDay.objects.filter(
        employee__in=people)),
    "scheduling.workrequest": ObjectWords(_requests, about=lambda people: WorkRequest.objects.filter(
        employee__in=people)),
    "scheduling.coveragepolicy": ObjectWords(_policies),
    "scheduling.fwawindow": ObjectWords(_fwa_windows),
    "scheduling.emergency": ObjectWords(_fwa_windows),  # name and dates, as stored
    "scheduling.leavesettings": ObjectWords(_institutions),
    "scheduling.kindrule": ObjectWords(_kind_rules),
    "scheduling.rotaplan": ObjectWords(_rota_plans),
    "scheduling.weekdaypreference": ObjectWords(_preferences),
    "scheduling.feedtoken": ObjectWords(_feed_tokens),
})
