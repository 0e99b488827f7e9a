"""HR's leave writes that span several rows, all or nothing: an institution's settings together with
its kind rules, and the import of opening balances from a table.

Every row goes through the one service of its kind in :mod:`scheduling.services.leave` (which
validates, locks, writes and audits); these only hold the rows in one transaction, skip rows that
change nothing, and say which row was refused and why. The HR pages and the API call these, so they
refuse the same input with the same messages.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.models import Employee, Unit
from portal.selectors import employees_visible_to
from portal.services.people_import import Column, RowError, TablePlan, cell_text, nip_cell, read_table
from scheduling.models import DocumentRule, LeaveOpening
from scheduling.selectors import leave
from scheduling.services.leave import kind_rule_save, leave_opening_set, leave_settings_save

# --- Settings and kind rules -------------------------------------------------------------------

KEEP = object()  # leave the official as it is


@dataclass(frozen=True)
class KindRuleInput:
    kind: str
    needs_official: bool
    document: str
    document_label: str = ""


class LeaveSetupRefused(Exception):
    """Nothing was saved: the settings' errors and each refused kind's, by kind."""

    def __init__(self, settings_error: ValidationError | None, rule_errors: dict[str, ValidationError]):
        super().__init__(_("Pengaturan cuti tidak disimpan."))
        self.settings_error = settings_error
        self.rule_errors = rule_errors

    def as_fields(self, rule_prefix: dict[str, str] | None = None) -> dict[str, list[str]]:
        """Flat field errors: the settings' under their names, a rule's under ``<prefix>.<field>``
        (``rule_prefix`` maps a kind to its prefix; default the kind itself)."""
        out: dict[str, list[str]] = {}
        if self.settings_error is not None:
            out.update(_message_dict(self.settings_error))
        for kind, exc in self.rule_errors.items():
            prefix = (rule_prefix or {}).get(kind, kind)
            for name, messages in _message_dict(exc).items():
                out.setdefault(f"{prefix}.{name}", []).extend(messages)
        return out


def _message_dict(exc: ValidationError) -> dict[str, list[str]]:
    return exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}


@dataclass(frozen=True)
class LeaveSetupSaved:
    settings_changed: bool
    rules_changed: list[str]  # kinds whose rule was saved


def _clean_label(rule: KindRuleInput) -> str:
    return " ".join((rule.document_label or "").split()) if rule.document != DocumentRule.NONE else ""


def changed_rules(institution: Unit, rules: Iterable[KindRuleInput]) -> list[KindRuleInput]:
    """The rules that differ from what the institution has now (its own row or the default)."""
    current = {s.kind: s for s in leave.kind_settings(institution)}
    out = []
    for rule in rules:
        now = current.get(rule.kind)
        if now is None or (now.needs_official, now.document, now.document_label) != (
                rule.needs_official, rule.document, _clean_label(rule)):
            out.append(rule)
    return out


def leave_setup_save(*, actor, institution: Unit, official=KEEP, first_year: int | None = None,
                     rules: Iterable[KindRuleInput] = ()) -> LeaveSetupSaved:
    """Save the institution's official and first year (when given and changed) and every changed
    kind rule in one transaction. The settings go first, so a rule needing the official just named
    sees them. Any refusal saves nothing and raises :class:`LeaveSetupRefused` naming every
    refused part."""
    now = leave.institution_leave(institution)
    wanted_official = now.official if official is KEEP else official
    wanted_year = now.first_year if first_year is None else first_year
    settings_changed = ((wanted_official.pk if wanted_official else None), wanted_year) != (
        (now.official.pk if now.official else None), now.first_year)
    rules = changed_rules(institution, rules)
    settings_error, rule_errors = None, {}
    with transaction.atomic():
        if settings_changed:
            try:
                leave_settings_save(actor=actor, institution=institution, official=wanted_official,
                                    first_year=wanted_year)
            except ValidationError as exc:
                settings_error = exc
        for rule in rules:
            try:
                kind_rule_save(actor=actor, institution=institution, kind=rule.kind,
                               needs_official=rule.needs_official, document=rule.document,
                               document_label=rule.document_label)
            except ValidationError as exc:
                rule_errors[rule.kind] = exc
        if settings_error is not None or rule_errors:
            raise LeaveSetupRefused(settings_error, rule_errors)  # leaving the block rolls every row back
    return LeaveSetupSaved(settings_changed, [r.kind for r in rules])


# --- Import of opening balances ---------------------------------------------------------------

OPENING_COLUMNS = (
    Column("nip", True, gettext_lazy("NIP / NI PPPK 18 digit (spasi boleh). Di Excel, format sel sebagai Teks.")),
    Column("tahun", True, gettext_lazy("Tahun saldo, mis. 2026 (tidak boleh tahun yang belum tiba).")),
    Column("hari", True, gettext_lazy("Hak cuti tahunan pada awal tahun itu dalam hari kerja, termasuk sisa "
                                      "tahun sebelumnya (0–48).")),
    Column("keterangan", False, gettext_lazy("Catatan, mis. asal data (paling banyak 255 karakter).")),
    Column("name", False, gettext_lazy("Nama pegawai (boleh berjudul nama): tidak dibaca, hanya memudahkan "
                                       "pemeriksaan berkas.")),
)
# The service's field names, as the file's columns.
SERVICE_COLUMNS = {"year": "tahun", "days": "hari", "note": "keterangan", "employee": "nip"}


@dataclass
class OpeningImportResult:
    dry_run: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def committed(self) -> bool:
        return not self.dry_run and not self.errors


@dataclass(frozen=True)
class _OpeningRow:
    row: int
    employee: Employee
    year: int
    days: int
    note: str


class _Rollback(Exception):
    pass


def _whole_number(value) -> int:
    text = cell_text(value)
    try:
        return int(text)
    except ValueError:
        raise ValueError(_("'%(v)s' bukan bilangan bulat.") % {"v": text}) from None


def leave_openings_import(*, actor, upload, dry_run: bool = True) -> OpeningImportResult:
    """Opening cuti tahunan from a CSV/XLSX with the columns of :data:`OPENING_COLUMNS`.

    Every row goes through :func:`leave_opening_set`, in one transaction: the dry run runs them all
    and rolls back, the commit keeps them only when no row was refused. Errors name the
    spreadsheet row (the header is row 1) and the column. Raises
    :class:`portal.services.people_import.ImportFileError` for a file refused as a whole."""
    plan = TablePlan(read_table(upload), OPENING_COLUMNS)
    result = OpeningImportResult(dry_run=dry_run, rows=len(plan.rows))
    items = _parse_openings(actor, plan)
    existing = set(LeaveOpening.objects.filter(employee__in=[i.employee for i in items])
                   .values_list("employee_id", "year"))
    result.created = sum((i.employee.pk, i.year) not in existing for i in items)
    result.updated = len(items) - result.created
    try:
        with transaction.atomic():
            for item in items:
                _set_opening(actor, item, plan)
            if plan.errors or dry_run:
                raise _Rollback  # a dry run, or a refused row: nothing stays
    except _Rollback:
        pass
    result.errors = sorted(plan.errors, key=lambda e: (e.row, e.column))
    if result.errors:
        result.created = result.updated = 0
    return result


def _set_opening(actor, item: _OpeningRow, plan: TablePlan) -> None:
    try:
        leave_opening_set(actor=actor, employee=item.employee, year=item.year, days=item.days, note=item.note)
    except ValidationError as exc:
        for name, messages in _message_dict(exc).items():
            for message in messages:
                plan.error(item.row, SERVICE_COLUMNS.get(name, ""), message)


def _parse_openings(actor, plan: TablePlan) -> list[_OpeningRow]:
    """Rows whose cells parse and whose NIP is an employee in the actor's scope; the others carry
    their errors in ``plan``."""
    nips = {}
    for number, values in plan.rows:
        try:
            nips[number] = nip_cell(values.get("nip"))
        except ValueError as exc:
            plan.error(number, "nip", str(exc))
    employees = {e.nip: e for e in employees_visible_to(actor).filter(nip__in=set(nips.values()) - {""})
                 .select_related("unit")}
    seen: dict[tuple[str, int], int] = {}
    items = []
    for number, values in plan.rows:
        employee = _employee_of(plan, number, nips.get(number), employees)
        year = plan.parse(number, "tahun", _whole_number, values.get("tahun")) if cell_text(
            values.get("tahun")) else _missing(plan, number, "tahun")
        days = plan.parse(number, "hari", _whole_number, values.get("hari")) if cell_text(
            values.get("hari")) else _missing(plan, number, "hari")
        if employee is None or year is None or days is None:
            continue
        if (employee.nip, year) in seen:
            plan.error(number, "tahun", _("Saldo %(year)d untuk NIP ini sudah ada di baris %(row)d.") % {
                "year": year, "row": seen[(employee.nip, year)]})
            continue
        seen[(employee.nip, year)] = number
        items.append(_OpeningRow(number, employee, year, days, cell_text(values.get("keterangan"))))
    return items


def _missing(plan: TablePlan, number: int, column: str) -> None:
    plan.error(number, column, _("Wajib diisi."))


def _employee_of(plan: TablePlan, number: int, nip: str | None, employees: dict[str, Employee]) -> Employee | None:
    if nip is None:
        return None  # the cell did not parse: its error is already in the plan
    if not nip:
        plan.error(number, "nip", _("Wajib diisi."))
        return None
    employee = employees.get(nip)
    if employee is None:
        plan.error(number, "nip", _("Pegawai dengan NIP %(nip)s tidak ditemukan dalam cakupan Anda.") % {"nip": nip})
    return employee
