"""The append-only audit trail every service writes, and the verbs it may record.

Every verb is ``<object>.<past participle>`` (``unit.updated``, ``export.created``) and belongs
to one enumeration per app, registered here with :func:`register_verbs`: portal's own below,
scheduling's and attendance's in their models. :func:`portal.services.audit.audit_record`
refuses a verb nobody registered, so the trail never holds a word no page can explain.
Events written before the verbs were settled keep their old spelling (the trail is
append-only); :data:`LEGACY_VERBS` reads them as today's verb.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class VerbText:
    label: Promise  # what happened, as a step: "Disetujui"
    phrase: Promise  # what the actor did, after their name: "menyetujui %(object)s"


_VERBS: dict[str, VerbText] = {}
LEGACY_VERBS: dict[str, str] = {}


def register_verbs(choices: type[models.TextChoices], phrases: dict[str, Promise],
                   legacy: dict[str, str] | None = None) -> None:
    """Make an app's verbs known: each member's label, and the phrase a sentence uses."""
    missing = set(choices.values) - set(phrases)
    if missing:
        raise ValueError(f"audit verbs without a phrase: {sorted(missing)}")
    for member in choices:
        _VERBS[member.value] = VerbText(member.label, phrases[member.value])
    LEGACY_VERBS.update(legacy or {})


def canonical_verb(verb: str) -> str:
    return LEGACY_VERBS.get(verb, verb)


def is_registered(verb: str) -> bool:
    return verb in _VERBS


def verb_text(verb: str) -> VerbText | None:
    return _VERBS.get(canonical_verb(verb))


def verb_label(verb: str) -> str:
    text = verb_text(verb)
    return str(text.label) if text else verb


def verb_choices() -> list[tuple[str, str]]:
    """Every registered verb with its label, for filters (sorted by label in the active language)."""
    return sorted(((v, str(t.label)) for v, t in _VERBS.items()), key=lambda pair: pair[1].casefold())


def legacy_spellings(verb: str) -> list[str]:
    """The verb and every older spelling of it (to filter events written before the rename)."""
    return [verb, *(old for old, new in LEGACY_VERBS.items() if new == verb)]


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


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):  # pragma: no cover - guarded by tests
        raise PermissionError("Audit events are append-only.")

    def delete(self):
        raise PermissionError("Audit events are append-only.")


class AuditEvent(models.Model):
    """One state change: who, acting for whom, did what to which object, before/after."""

    at = models.DateTimeField(_("waktu"), auto_now_add=True, db_index=True)
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

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("jejak audit")
        verbose_name_plural = _("jejak audit")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.verb} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit events are append-only.")
