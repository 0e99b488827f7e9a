"""HR's writes about leave: the institution's official and first year, each kind's chain and
document, an employee's opening cuti tahunan and its audited adjustments.

Each validates once (pages, API, the import and the admin call these), locks what the check
reads, writes and audits in one transaction. Out-of-scope units or employees are 404.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from portal import formatting as fmt
from portal.models import Employee, Unit
from portal.selectors import employees_visible_to, units_visible_to
from portal.services.audit import audit_record
from scheduling import leave_rules
from scheduling.models import (
    CUTI_KINDS,
    DocumentRule,
    Kind,
    KindRule,
    LeaveAdjustment,
    LeaveOpening,
    LeaveSettings,
)
from scheduling.models.audit import Verb
from scheduling.selectors import leave

EARLIEST_YEAR = 2000
MAX_ADJUSTMENT = leave_rules.OPENING_MAX


def _institution_in_scope(actor, institution: Unit) -> Unit:
    if institution.parent_id is not None or not units_visible_to(actor).filter(pk=institution.pk).exists():
        raise Http404
    return institution


def _employee_in_scope(actor, employee: Employee) -> Employee:
    if not employees_visible_to(actor).filter(pk=employee.pk).exists():
        raise Http404
    return employee


def _this_year(unit: Unit) -> int:
    return unit.local_today().year


def leave_settings_save(*, actor, institution: Unit, official: Employee | None, first_year: int) -> LeaveSettings:
    """Name the pejabat yang berwenang memberikan cuti and the first year balances are kept for."""
    _institution_in_scope(actor, institution)
    errors = {}
    if official is not None and (not official.is_active or official.unit.institution.pk != institution.pk):
        errors["official"] = _("Pejabat harus pegawai aktif di instansi ini.")
    if not EARLIEST_YEAR <= first_year <= _this_year(institution) + 1:
        errors["first_year"] = _("Tahun antara %(low)d dan %(high)d.") % {
            "low": EARLIEST_YEAR, "high": _this_year(institution) + 1}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        row = LeaveSettings.objects.select_for_update().filter(institution=institution).first()
        before = {"official": row.official_id, "first_year": row.first_year} if row else None
        row = row or LeaveSettings(institution=institution)
        row.official, row.first_year = official, first_year
        row.save()
        audit_record(actor=actor, verb=Verb.LEAVE_SETTINGS_SAVED, obj=row, unit=institution, before=before,
                     after={"official": official.pk if official else None, "first_year": first_year})
    return row


def kind_rule_clean(*, institution: Unit, kind: str, needs_official: bool, document: str,
                    document_label: str) -> str:
    """The one validation of a kind's rule. Returns the cleaned document label."""
    errors = {}
    label = " ".join((document_label or "").split())
    if kind not in Kind.values:
        errors["kind"] = _("Jenis pengajuan tidak dikenal.")
    elif needs_official and kind not in CUTI_KINDS:
        errors["needs_official"] = _("Hanya cuti yang diputus pejabat yang berwenang memberikan cuti.")
    elif needs_official and leave.institution_leave(institution).grantor is None:
        errors["needs_official"] = _(
            "Belum ada yang dapat memutus: tetapkan dulu pejabat yang berwenang memberikan cuti (atau kepala "
            "instansi).")
    if document not in DocumentRule.values:
        errors["document"] = _("Pilihan dokumen tidak dikenal.")
    elif document != DocumentRule.NONE and not label:
        errors["document_label"] = _("Sebutkan nama dokumennya, mis. Surat keterangan dokter.")
    elif len(label) > 120:
        errors["document_label"] = _("Paling banyak 120 karakter.")
    if errors:
        raise ValidationError(errors)
    return label if document != DocumentRule.NONE else ""


def kind_rule_save(*, actor, institution: Unit, kind: str, needs_official: bool, document: str,
                   document_label: str = "") -> KindRule:
    _institution_in_scope(actor, institution)
    label = kind_rule_clean(institution=institution, kind=kind, needs_official=needs_official, document=document,
                            document_label=document_label)
    with transaction.atomic():
        row = KindRule.objects.select_for_update().filter(institution=institution, kind=kind).first()
        before = ({"needs_official": row.needs_official, "document": row.document, "label": row.document_label}
                  if row else None)
        row = row or KindRule(institution=institution, kind=kind)
        row.needs_official, row.document, row.document_label = needs_official, document, label
        row.save()
        audit_record(actor=actor, verb=Verb.KIND_RULE_SAVED, obj=row, unit=institution, before=before,
                     after={"kind": kind, "needs_official": needs_official, "document": document, "label": label})
    return row


def _year_errors(employee: Employee, year: int) -> dict:
    this_year = _this_year(employee.unit)
    if not EARLIEST_YEAR <= year <= this_year:
        return {"year": _("Tahun antara %(low)d dan %(high)d: saldo tahun yang belum tiba belum dapat "
                          "ditetapkan.") % {"low": EARLIEST_YEAR, "high": this_year}}
    # The balances start at the institution's first year (earlier years reach it as that year's
    # opening): a row for an earlier year would count nowhere, and its balance cannot be read.
    first_year = leave.institution_leave(employee.unit.institution).first_year
    if year < first_year:
        return {"year": _("Saldo cuti di portal dimulai tahun %(first)d; sisa tahun sebelumnya dimasukkan sebagai "
                          "saldo awal %(first)d.") % {"first": first_year}}
    return {}


def leave_opening_set(*, actor, employee: Employee, year: int, days: int, note: str = "") -> LeaveOpening:
    """HR's opening cuti tahunan of a year (carry-over included), e.g. from the records before the
    portal. Replaces what the rules would compute for that year."""
    _employee_in_scope(actor, employee)
    errors = _year_errors(employee, year)
    if not 0 <= days <= leave_rules.OPENING_MAX:
        errors["days"] = _("Harus antara %(low)d dan %(high)d hari kerja.") % {
            "low": 0, "high": leave_rules.OPENING_MAX}
    note = " ".join((note or "").split())
    if len(note) > 255:
        errors["note"] = _("Paling banyak 255 karakter.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        Employee.objects.select_for_update().only("pk").get(pk=employee.pk)
        balance = leave.annual_leave(employee, year)
        if days + balance.adjustments < balance.used:
            raise ValidationError({"days": _(
                "Sudah terpakai atau diajukan %(used)s cuti tahunan %(year)d; saldo awal paling sedikit "
                "%(least)s.") % {"used": fmt.days(balance.used), "year": year,
                                 "least": fmt.days(max(balance.used - balance.adjustments, 0))}})
        row = LeaveOpening.objects.filter(employee=employee, year=year).first()
        before = {"days": row.days, "note": row.note} if row else None
        row = row or LeaveOpening(employee=employee, year=year)
        row.days, row.note, row.set_by = days, note, actor
        row.save()
        audit_record(actor=actor, verb=Verb.LEAVE_OPENING_SET, obj=employee, unit=employee.unit, before=before,
                     after={"year": year, "days": days, "note": note})
    return row


def leave_adjust(*, actor, employee: Employee, year: int, days: int, reason: str) -> LeaveAdjustment:
    """Add (or remove) cuti tahunan days of a year with a reason, e.g. the cuti bersama a PNS worked
    through (PP 11/2017 Pasal 333 ayat 3). Never below what is already used or asked."""
    _employee_in_scope(actor, employee)
    errors = _year_errors(employee, year)
    reason = " ".join((reason or "").split())
    if not days or not -MAX_ADJUSTMENT <= days <= MAX_ADJUSTMENT:
        errors["days"] = _("Isi perubahan selain 0, antara -%(n)d dan %(n)d hari kerja.") % {"n": MAX_ADJUSTMENT}
    if not reason:
        errors["reason"] = _("Alasan penyesuaian wajib diisi.")
    elif len(reason) > 255:
        errors["reason"] = _("Paling banyak 255 karakter.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        Employee.objects.select_for_update().only("pk").get(pk=employee.pk)  # the same lock as a CT approval
        balance = leave.annual_leave(employee, year)
        if balance.remaining + days < 0:
            raise ValidationError({"days": _(
                "Saldo %(year)d tidak boleh di bawah nol: hak %(available)s, terpakai atau diajukan %(used)d, "
                "sisa %(remaining)d; pengurangan paling banyak %(most)s.") % {
                "year": year, "available": fmt.days(balance.available), "used": balance.used,
                "remaining": max(balance.remaining, 0), "most": fmt.days(max(balance.remaining, 0))}})
        row = LeaveAdjustment.objects.create(employee=employee, year=year, days=days, reason=reason,
                                             created_by=actor)
        audit_record(actor=actor, verb=Verb.LEAVE_ADJUSTED, obj=employee, unit=employee.unit,
                     before={"year": year, "remaining": balance.remaining},
                     after={"year": year, "days": days, "reason": reason, "remaining": balance.remaining + days})
    return row
