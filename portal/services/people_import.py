"""Import of units and employees from CSV or XLSX, all or nothing.

Contract:
- ``people_import(kind=..., dry_run=True)`` validates every row and writes nothing;
  ``dry_run=False`` writes only when *every* row is valid, inside one transaction,
  through :func:`portal.services.org.unit_save` / :func:`employee_save` (so each
  change leaves an audit event).
- Rows are upserted by their key (unit ``code``, employee ``nip``).
- Row numbers are spreadsheet row numbers: the header is row 1.
- HR admins may only touch units and people inside their scope; superusers anywhere.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal import rules, xlsx
from portal.models import AsnType, Employee, PositionKind, TimeZone, Unit, UnitKind, User
from portal.models.audit import Verb
from portal.models.org import TZ_ABBREVIATION, RecordsEndReason
from portal.selectors import hr_scope_units, units_visible_to
from portal.services.audit import audit_record, snapshot
from portal.services.org import employee_save, unit_save

KIND_UNITS = "units"
KIND_EMPLOYEES = "employees"
DEFAULT_MAX_ROWS = 50_000


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    help: str


UNIT_COLUMNS = (
    Column("code", True, gettext_lazy("Kode unit, unik (mis. DINKES-P2P).")),
    Column("name", True, gettext_lazy("Nama unit.")),
    Column("kind", True, gettext_lazy("Jenis: instansi, unit_organisasi, bidang, seksi, upt, kecamatan.")),
    Column("parent_code", False, gettext_lazy("Kode unit induk (di basis data atau di berkas ini); kosong hanya "
                                              "untuk instansi.")),
    Column("time_zone", False, gettext_lazy("WIB, WITA atau WIT; kosong = ikut unit induk (wajib untuk instansi).")),
    Column("attendance_from", False, gettext_lazy("Hanya untuk instansi: tanggal mulai memakai portal (mulai "
                                                  "presensi), TTTT-BB-HH atau HH/BB/TTTT; kosong = tidak diubah.")),
)
EMPLOYEE_COLUMNS = (
    Column("nip", True, gettext_lazy("NIP / NI PPPK 18 digit (spasi boleh). Di Excel, format sel sebagai Teks.")),
    Column("name", True, gettext_lazy("Nama lengkap.")),
    Column("asn_type", False, gettext_lazy("PNS, PPPK atau PPPK_PW; kosong = PNS untuk pegawai baru.")),
    Column("jabatan", True, gettext_lazy("Nama jabatan.")),
    Column("position_kind", False, gettext_lazy("jpt, administrator, pengawas, pelaksana, fungsional_ahli, "
                                                "fungsional_terampil; kosong = pelaksana untuk pegawai baru.")),
    Column("unit_code", True, gettext_lazy("Kode unit kerja (harus sudah ada).")),
    Column("supervisor_nip", False, gettext_lazy("NIP atasan langsung (di basis data atau di berkas ini).")),
    Column("placement_date", False, gettext_lazy("TMT penempatan: TTTT-BB-HH atau HH/BB/TTTT.")),
    Column("service_start", False, gettext_lazy("TMT CPNS / PPPK (awal masa kerja, menentukan hak cuti): "
                                                "TTTT-BB-HH atau HH/BB/TTTT; juga boleh berjudul "
                                                "tmt_awal_masa_kerja.")),
    Column("records_start", False, gettext_lazy("TMT presensi di instansi ini: TTTT-BB-HH atau HH/BB/TTTT; kosong "
                                                "= sejak instansi mulai memakai portal.")),
    Column("records_end", False, gettext_lazy("Hari kerja terakhir yang dihitung presensinya (pensiun, mutasi "
                                              "keluar, meninggal): TTTT-BB-HH atau HH/BB/TTTT.")),
    Column("records_end_reason", False, gettext_lazy("Alasan berakhir: pensiun, mutasi_keluar, meninggal, berhenti, "
                                                     "lainnya (atau labelnya); hanya bersama records_end.")),
    Column("email", False, gettext_lazy("Surel akun.")),
    Column("username", False, gettext_lazy("Nama pengguna akun; kosong = NIP untuk pegawai baru.")),
)
COLUMNS = {KIND_UNITS: UNIT_COLUMNS, KIND_EMPLOYEES: EMPLOYEE_COLUMNS}

# Indonesian headers people are likely to type.
HEADER_ALIASES = {
    "kode": "code", "nama": "name", "jenis": "kind", "kode_induk": "parent_code", "zona_waktu": "time_zone",
    "jenis_asn": "asn_type", "jenis_jabatan": "position_kind", "kode_unit": "unit_code",
    "nip_atasan": "supervisor_nip", "tmt_penempatan": "placement_date", "surel": "email",
    "nama_pengguna": "username", "tmt_presensi": "records_start", "akhir_presensi": "records_end",
    "alasan_akhir": "records_end_reason", "mulai_presensi": "attendance_from",
    "tmt_awal_masa_kerja": "service_start", "tmt_cpns": "service_start", "tmt_pppk": "service_start",
}


class ImportFileError(Exception):
    """The file as a whole is refused (too big, wrong format, unreadable, no header)."""


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportResult:
    kind: str
    dry_run: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def committed(self) -> bool:
        return not self.dry_run and not self.errors


class _RowFailed(Exception):
    def __init__(self, error: RowError):
        self.error = error


# --- Reading files ------------------------------------------------------------------


def read_table(upload) -> list[tuple[int, dict[str, object]]]:
    """Parse an uploaded CSV/XLSX into ``[(row_number, {column: value})]``.

    Raises :class:`ImportFileError` for a file refused as a whole.
    """
    max_bytes = settings.PORTAL_IMPORT_MAX_BYTES
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise ImportFileError(_too_big(max_bytes))
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ImportFileError(_too_big(max_bytes))
    name = (getattr(upload, "name", "") or "").lower()
    if name.endswith(".xlsx"):
        rows = _xlsx_rows(data)
    elif name.endswith((".csv", ".txt")):
        rows = _csv_rows(data)
    else:
        raise ImportFileError(_("Hanya berkas CSV (.csv) atau Excel (.xlsx) yang diterima."))
    return _with_header(rows)


def _too_big(max_bytes: int) -> str:
    return _("Berkas terlalu besar; batasnya %(mb).1f MB.") % {"mb": max_bytes / 1024 / 1024}


def _xlsx_rows(data: bytes) -> list[tuple[int, tuple]]:
    """Rows of the first sheet, read within limits (:mod:`portal.xlsx`): a small file can never
    hold the web worker for minutes or hundreds of megabytes."""
    if data[:4] == b"\xd0\xcf\x11\xe0":
        raise ImportFileError(_("Format .xls lama tidak didukung; simpan ulang sebagai .xlsx atau CSV."))
    if not data.startswith(b"PK\x03\x04"):
        raise ImportFileError(_("Isi berkas bukan XLSX yang sah."))
    limits = xlsx.Limits(rows=getattr(settings, "PORTAL_IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS) + 1)
    try:
        return list(_numbered(xlsx.xlsx_rows(data, limits)))
    except xlsx.XlsxRefused as exc:
        raise ImportFileError(str(exc)) from None


def _csv_rows(data: bytes) -> list[tuple[int, tuple]]:
    if b"\x00" in data or data.startswith(b"PK\x03\x04"):
        raise ImportFileError(_("Isi berkas bukan teks CSV."))
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 fails only on five unused bytes
        raise ImportFileError(_("Berkas CSV harus berenkode UTF-8."))
    first_line = text.split("\n", 1)[0]
    # Excel with Indonesian regional settings writes ";" as the list separator.
    delimiter = max([",", ";", "\t"], key=first_line.count)
    return list(_numbered(csv.reader(io.StringIO(text), delimiter=delimiter)))


def _numbered(rows: Iterable) -> Iterable[tuple[int, tuple]]:
    """``(spreadsheet row number, row)`` for non-empty rows only, capped in count.

    Skipping blanks here keeps memory flat for sheets formatted down to row 1,048,576.
    """
    limit = getattr(settings, "PORTAL_IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS) + 1  # + the header
    kept = 0
    for number, row in enumerate(rows, start=1):
        if not any(_is_filled(v) for v in row):
            continue
        kept += 1
        if kept > limit:
            raise ImportFileError(_("Berkas berisi lebih dari %(n)d baris data.") % {"n": limit - 1})
        yield number, tuple(row)


def _normalize_header(value) -> str:
    key = str(value or "").strip().lower().replace(" ", "_").replace("-", "_")
    return HEADER_ALIASES.get(key, key)


def _with_header(rows: list[tuple[int, tuple]]) -> list[tuple[int, dict[str, object]]]:
    """The first non-empty row is the header; returns it as row 1's ``__header__``."""
    if not rows:
        raise ImportFileError(_("Berkas kosong."))
    (header_number, header_row), data = rows[0], rows[1:]
    header = [_normalize_header(h) for h in header_row]
    while header and not header[-1]:
        header.pop()
    table = []
    for number, row in data:
        values = dict(zip(header, row, strict=False))
        values.pop("", None)
        if any(_is_filled(v) for v in values.values()):
            table.append((number, values))
    return [(header_number, {"__header__": header})] + table


def _is_filled(value) -> bool:
    return value is not None and str(value).strip() != ""


# --- Cell parsing -------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return str(value).strip()


def _identifier(value) -> str:
    """A NIP cell. Excel turns an 18-digit number into a float with the last digits lost."""
    if isinstance(value, float):
        raise ValueError(_("NIP tersimpan sebagai angka sehingga digit terakhirnya dibulatkan Excel; "
                           "format kolom sebagai Teks lalu ketik ulang."))
    return rules.normalize_nip(_text(value))


def _choice(value: str, choices, extra: dict[str, str] | None = None) -> str:
    wanted = value.strip().casefold()
    for key, label in (extra or {}).items():
        if wanted == key.casefold():
            return label
    for choice_value, label in choices:
        if wanted in (str(choice_value).casefold(), str(label).casefold()):
            return choice_value
    allowed = ", ".join(str(v) for v, _label in choices)
    raise ValueError(_("Nilai '%(v)s' tidak dikenal; pilihan: %(allowed)s.") % {"v": value, "allowed": allowed})


def _date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(_("Tanggal '%(v)s' tidak sah; gunakan TTTT-BB-HH atau HH/BB/TTTT.") % {"v": text})


def _tz_choice(value: str) -> str:
    by_abbreviation = {abbr: tz for tz, abbr in TZ_ABBREVIATION.items()}
    return _choice(value, TimeZone.choices, by_abbreviation)


def _topological(keys: list, parent_of: dict) -> list:
    """``keys`` ordered so that a key's parent (if also in ``keys``) comes first. Acyclic input."""
    wanted, done, order = set(keys), set(), []
    for key in keys:
        chain = []
        while key in wanted and key not in done:
            chain.append(key)
            done.add(key)
            key = parent_of.get(key)
        order.extend(reversed(chain))
    return order


# --- Shared plan machinery ------------------------------------------------------------


class _Plan:
    """Collects per-row errors and the objects to write."""

    def __init__(self, table, columns: tuple[Column, ...]):
        self.errors: list[RowError] = []
        self.rows = table[1:]
        header_row, header = table[0][0], table[0][1]["__header__"]
        known = {c.name for c in columns}
        for name in header:
            if name and name not in known:
                self.error(header_row, name, _("Kolom tidak dikenal. Kolom yang dipakai: %(cols)s.")
                           % {"cols": ", ".join(c.name for c in columns)})
        self.header_broken = False
        for column in columns:
            if column.required and column.name not in header:
                self.error(header_row, column.name, _("Kolom wajib tidak ada di baris judul."))
                self.header_broken = True
        if not self.rows:
            self.error(header_row, "", _("Berkas tidak berisi baris data."))
        if self.header_broken:
            self.rows = []  # every row would only repeat "Wajib diisi" for the missing column

    def error(self, row: int, column: str, message: str) -> None:
        self.errors.append(RowError(row, column, str(message)))

    def required(self, row: int, values: dict, column: str, max_length: int) -> str | None:
        value = _text(values.get(column))
        if not value:
            self.error(row, column, _("Wajib diisi."))
            return None
        if len(value) > max_length:
            self.error(row, column, _("Paling banyak %(n)d karakter.") % {"n": max_length})
            return None
        return value

    def parse(self, row: int, column: str, parser, value):
        try:
            return parser(value)
        except ValueError as exc:
            self.error(row, column, str(exc))
            return None


# What other imports of HR tables share with this one (scheduling's opening leave balances), so
# every import reads a header, a cell and a NIP typed into Excel the same way.
TablePlan = _Plan
cell_text = _text
nip_cell = _identifier


def _scope(actor) -> tuple[bool, set[int], set[int]]:
    """(is_superuser, ids of visible units, ids of the scope roots)."""
    if getattr(actor, "is_superuser", False):
        return True, set(), set()
    visible = set(units_visible_to(actor).values_list("id", flat=True))
    return False, visible, {u.pk for u in hr_scope_units(actor)}


def _institution_id(unit: Unit) -> int:
    return unit.ancestor_ids[0] if unit.path else unit.pk


def people_import(*, actor, kind: str, upload, dry_run: bool = True, initial_password: str = "") -> ImportResult:
    """Import units or employees from ``upload``. See the module docstring for the contract."""
    table = read_table(upload)
    if kind == KIND_UNITS:
        return units_import(actor=actor, table=table, dry_run=dry_run)
    if kind == KIND_EMPLOYEES:
        return employees_import(actor=actor, table=table, dry_run=dry_run, initial_password=initial_password)
    raise ValueError(f"unknown import kind {kind!r}")


def _commit(result: ImportResult, apply) -> ImportResult:
    """Run ``apply`` in one transaction; a row the services refuse rolls everything back."""
    try:
        with transaction.atomic():
            apply()
    except _RowFailed as failed:
        result.errors = [RowError(failed.error.row, failed.error.column, str(failed.error.message))]
        result.created = result.updated = result.unchanged = 0
    return result


_RACE_MESSAGE = gettext_lazy("Data berubah selama impor (mis. impor lain berjalan bersamaan); unggah ulang.")


def _service_error(row: int, exc: ValidationError, default_column: str) -> _RowFailed:
    if hasattr(exc, "error_dict"):
        column, errors = next(iter(exc.error_dict.items()))
        return _RowFailed(RowError(row, column, " ".join(m for e in errors for m in e.messages)))
    return _RowFailed(RowError(row, default_column, " ".join(exc.messages)))


# --- Units ------------------------------------------------------------------------------


@dataclass
class _UnitRow:
    row: int
    code: str
    name: str
    kind: str
    parent_code: str
    time_zone: str
    existing: Unit | None
    attendance_from: dt.date | None = None  # None: the cell is empty, the current value stays


def units_import(*, actor, table, dry_run: bool = True) -> ImportResult:
    plan = _Plan(table, UNIT_COLUMNS)
    is_super, visible, roots = _scope(actor)
    codes = {_text(v.get("code")) for _n, v in plan.rows}
    codes |= {_text(v.get("parent_code")) for _n, v in plan.rows}
    db_units = {u.code: u for u in Unit.objects.filter(code__in=codes - {""}).select_related("parent")}
    parsed: dict[str, _UnitRow] = {}
    seen: dict[str, int] = {}  # code → first row, also for rows with errors elsewhere
    for number, values in plan.rows:
        item = _parse_unit_row(plan, number, values, db_units, seen)
        if item is not None:
            parsed[item.code] = item
    for item in parsed.values():
        _check_unit_parent(plan, item, db_units, seen)
    parent_of = _unit_parent_map(parsed)
    for code in rules.cycle_members(parent_of) & parsed.keys():
        plan.error(parsed[code].row, "parent_code", _("Unit induk membentuk lingkaran (unit menjadi turunannya "
                                                      "sendiri)."))
    if not is_super:
        root_codes = set(Unit.objects.filter(pk__in=roots).values_list("code", flat=True))
        for item in parsed.values():
            _check_unit_scope(plan, item, visible, roots, parent_of, root_codes)
    result = ImportResult(kind=KIND_UNITS, dry_run=dry_run, rows=len(plan.rows))
    result.errors = sorted(plan.errors, key=lambda e: (e.row, e.column))
    changed = []
    for item in parsed.values():
        state = _unit_state(item)
        setattr(result, state, getattr(result, state) + 1)
        if state != "unchanged":
            changed.append(item.code)
    if result.errors or dry_run:
        return result
    order = _topological(changed, {c: p.parent_code for c, p in parsed.items()})
    return _commit(result, lambda: _write_units(actor, [parsed[c] for c in order], db_units))


def _parse_unit_row(plan: _Plan, number: int, values: dict, db_units, seen: dict[str, int]) -> _UnitRow | None:
    code = plan.required(number, values, "code", 40)
    name = plan.required(number, values, "name", 200)
    kind_text = plan.required(number, values, "kind", 40)
    kind = plan.parse(number, "kind", lambda v: _choice(v, UnitKind.choices), kind_text) if kind_text else None
    tz_text = _text(values.get("time_zone"))
    time_zone = plan.parse(number, "time_zone", _tz_choice, tz_text) if tz_text else ""
    attendance_from = None
    if _is_filled(values.get("attendance_from")):
        attendance_from = plan.parse(number, "attendance_from", _date, values.get("attendance_from"))
        if attendance_from is None:
            return None
        if kind is not None and kind != UnitKind.INSTANSI:
            plan.error(number, "attendance_from", _("Tanggal mulai presensi hanya diisi untuk instansi."))
            return None
    if code and code in seen:
        plan.error(number, "code", _("Kode %(code)s sudah muncul di baris %(row)d.") % {"code": code,
                                                                                      "row": seen[code]})
        return None
    if code:
        seen[code] = number
    if None in (code, name, kind, time_zone):
        return None
    return _UnitRow(number, code, name, kind, _text(values.get("parent_code")), time_zone, db_units.get(code),
                    attendance_from)


def _check_unit_parent(plan: _Plan, item: _UnitRow, db_units, seen: dict[str, int]) -> None:
    if item.kind == UnitKind.INSTANSI:
        if item.parent_code:
            plan.error(item.row, "parent_code", _("Instansi adalah akar pohon dan tidak punya unit induk."))
        if not item.time_zone:
            plan.error(item.row, "time_zone", _("Instansi harus menetapkan zona waktu."))
        return
    if not item.parent_code:
        plan.error(item.row, "parent_code", _("Unit selain instansi harus punya unit induk."))
    elif item.parent_code == item.code:
        plan.error(item.row, "parent_code", _("Unit tidak boleh menjadi induk dirinya sendiri."))
    elif item.parent_code not in seen and item.parent_code not in db_units:
        plan.error(item.row, "parent_code", _("Kode unit induk %(code)s tidak ditemukan, di berkas maupun di "
                                              "basis data.") % {"code": item.parent_code})


def _unit_parent_map(parsed: dict[str, _UnitRow]) -> dict[str, str | None]:
    """Final code → parent code, the file overlaid on the database. Loads codes only."""
    parent_of = dict(Unit.objects.values_list("code", "parent__code"))
    parent_of.update({code: (item.parent_code or None) for code, item in parsed.items()})
    return parent_of


def _check_unit_scope(plan: _Plan, item: _UnitRow, visible, roots, parent_of, root_codes) -> None:
    """The unit must sit below a scope root once the whole file is applied."""
    if item.existing is not None and item.existing.pk not in visible:
        plan.error(item.row, "code", _("Unit %(code)s berada di luar cakupan Anda.") % {"code": item.code})
        return
    if item.existing is not None and item.existing.pk in roots:
        current_parent = item.existing.parent.code if item.existing.parent_id else ""
        if item.parent_code != current_parent:
            plan.error(item.row, "parent_code", _("Unit induk dari unit puncak cakupan Anda tidak dapat diubah."))
        return
    if item.kind == UnitKind.INSTANSI:
        plan.error(item.row, "kind", _("Hanya superuser yang dapat menambah instansi."))
        return
    code, seen = item.parent_code, set()
    while code and code not in seen:
        if code in root_codes:
            return
        seen.add(code)
        code = parent_of.get(code)
    plan.error(item.row, "parent_code", _("Unit induk %(code)s berada di luar cakupan Anda.")
               % {"code": item.parent_code})


def _unit_state(item: _UnitRow) -> str:
    unit = item.existing
    if unit is None:
        return "created"
    current = (unit.name, unit.kind, unit.parent.code if unit.parent_id else "", unit.time_zone)
    same = current == (item.name, item.kind, item.parent_code, item.time_zone)
    same = same and (item.attendance_from is None or unit.attendance_from == item.attendance_from)
    return "unchanged" if same else "updated"


def _write_units(actor, items: list[_UnitRow], db_units: dict[str, Unit]) -> None:
    saved = dict(db_units)
    for item in items:
        unit = item.existing or Unit(code=item.code)
        unit.name, unit.kind, unit.time_zone = item.name, item.kind, item.time_zone
        if item.attendance_from is not None:
            unit.attendance_from = item.attendance_from
        unit.parent = saved[item.parent_code] if item.parent_code else None
        try:
            saved[item.code] = unit_save(actor=actor, unit=unit)
        except ValidationError as exc:
            raise _service_error(item.row, exc, "code")
        except IntegrityError:
            raise _RowFailed(RowError(item.row, "code", _RACE_MESSAGE))


# --- Employees ----------------------------------------------------------------------------


@dataclass
class _EmployeeRow:
    row: int
    nip: str
    values: dict  # parsed, non-empty cells only (an empty optional cell keeps the current value)
    unit: Unit | None
    supervisor_nip: str
    existing: Employee | None
    username: str = ""
    email: str = ""


class _EmployeeContext:
    """Everything the row checks need, loaded in a handful of queries."""

    def __init__(self, actor, rows):
        self.is_super, self.visible, _roots = _scope(actor)
        nips, sup_nips, codes, usernames = set(), set(), set(), set()
        for _n, v in rows:
            nips.add(self._safe_nip(v.get("nip")))
            sup_nips.add(self._safe_nip(v.get("supervisor_nip")))
            codes.add(_text(v.get("unit_code")))
            usernames.add(_text(v.get("username")))
        self.file_nips = nips - {""}
        self.units = {u.code: u for u in Unit.objects.filter(code__in=codes - {""})}
        self.employees = {
            e.nip: e for e in Employee.objects.filter(nip__in=(nips | sup_nips) - {""}).select_related(
                "unit", "user", "supervisor")
        }
        taken = usernames | nips
        self.user_owner = dict(
            User.objects.filter(username__in=taken - {""}).values_list("username", "employee__nip")
        )

    @staticmethod
    def _safe_nip(value) -> str:
        return "" if isinstance(value, float) else rules.normalize_nip(_text(value))

    def can_touch(self, unit: Unit) -> bool:
        return self.is_super or unit.pk in self.visible


def employees_import(*, actor, table, dry_run: bool = True, initial_password: str = "") -> ImportResult:
    plan = _Plan(table, EMPLOYEE_COLUMNS)
    if initial_password:
        try:
            validate_password(initial_password)
        except ValidationError as exc:
            plan.error(0, "initial_password", " ".join(exc.messages))
    ctx = _EmployeeContext(actor, plan.rows)
    parsed: dict[str, _EmployeeRow] = {}
    usernames: dict[str, int] = {}
    seen: dict[str, int] = {}  # NIP → first row, also for rows with errors elsewhere
    for number, values in plan.rows:
        item = _parse_employee_row(plan, ctx, number, values, seen)
        if item is not None:
            _check_account(plan, ctx, item, usernames)
            parsed[item.nip] = item
    _check_supervisors(plan, ctx, parsed)
    result = ImportResult(kind=KIND_EMPLOYEES, dry_run=dry_run, rows=len(plan.rows))
    result.errors = sorted(plan.errors, key=lambda e: (e.row, e.column))
    changed = []
    for item in parsed.values():
        state = _employee_state(item)
        setattr(result, state, getattr(result, state) + 1)
        if state != "unchanged":
            changed.append(item.nip)
    if result.errors or dry_run:
        return result
    order = _topological(changed, {n: p.supervisor_nip or None for n, p in parsed.items()})
    items = [parsed[n] for n in order]
    return _commit(result, lambda: _write_employees(actor, items, ctx, initial_password))


def _parse_employee_row(plan: _Plan, ctx: _EmployeeContext, number: int, values: dict, seen: dict[str, int]):
    errors_before = len(plan.errors)
    nip = plan.parse(number, "nip", _identifier, values.get("nip"))
    existing = ctx.employees.get(nip) if nip else None
    out: dict = {}
    for column, max_length in (("name", 200), ("jabatan", 200)):
        if (value := plan.required(number, values, column, max_length)) is not None:
            out[column] = value
    for column, choices in (("asn_type", AsnType.choices), ("position_kind", PositionKind.choices)):
        if text := _text(values.get(column)):
            out[column] = plan.parse(number, column, lambda v, c=choices: _choice(v, c), text)
    for column in ("placement_date", "service_start", "records_start", "records_end"):
        if _is_filled(values.get(column)):
            out[column] = plan.parse(number, column, _date, values.get(column))
    if text := _text(values.get("records_end_reason")):
        out["records_end_reason"] = plan.parse(number, "records_end_reason", _records_end_reason, text)
    _check_records_window(plan, number, out, existing)
    asn_type = out.get("asn_type") or (existing.asn_type if existing else AsnType.PNS)
    if nip:
        nip = _check_nip(plan, number, nip, asn_type, seen)
    unit = _check_unit_code(plan, ctx, number, _text(values.get("unit_code")))
    if existing is not None and not ctx.can_touch(existing.unit):
        plan.error(number, "nip", _("Pegawai dengan NIP ini terdaftar di unit di luar cakupan Anda."))
    supervisor_nip = plan.parse(number, "supervisor_nip", _identifier, values.get("supervisor_nip")) or ""
    if len(plan.errors) > errors_before or not nip:
        return None
    item = _EmployeeRow(number, nip, out, unit, supervisor_nip, existing)
    item.username, item.email = _text(values.get("username")), _text(values.get("email"))
    return item


def _check_nip(plan: _Plan, number: int, nip: str, asn_type: str, seen: dict[str, int]) -> str | None:
    validate = rules.validate_nip if asn_type == AsnType.PNS else rules.validate_ni_pppk
    try:
        nip = validate(nip)
    except rules.IdentifierError as exc:
        plan.error(number, "nip", str(exc))
        return None
    if nip in seen:
        plan.error(number, "nip", _("NIP %(nip)s sudah muncul di baris %(row)d.") % {"nip": nip, "row": seen[nip]})
        return None
    seen[nip] = number
    return nip


def _records_end_reason(value: str) -> str:
    """A RecordsEndReason value or its label, in any case ("Pensiun", "mutasi_keluar", "Meninggal dunia")."""
    return _choice(value, RecordsEndReason.choices, {"mutasi": RecordsEndReason.MUTASI,
                                                     "meninggal_dunia": RecordsEndReason.MENINGGAL,
                                                     "diberhentikan": RecordsEndReason.BERHENTI})


def _check_records_window(plan: _Plan, number: int, out: dict, existing: Employee | None) -> None:
    """The records window the row leaves (an empty cell keeps the current value): it ends on or after
    its start, and a reason needs an end."""
    if any(out.get(c, "") is None for c in ("records_start", "records_end", "records_end_reason")):
        return  # a cell that did not parse already carries its error

    def final(column):
        return out[column] if column in out else (getattr(existing, column) if existing else None)

    start, end, reason = final("records_start"), final("records_end"), final("records_end_reason")
    if start and end and end < start:
        plan.error(number, "records_end", _("Tanggal akhir presensi tidak boleh sebelum tanggal mulainya."))
    elif reason and not end:
        plan.error(number, "records_end", _("Isi tanggal akhir presensi untuk alasan yang dipilih."))


def _check_unit_code(plan: _Plan, ctx: _EmployeeContext, number: int, code: str) -> Unit | None:
    if not code:
        plan.error(number, "unit_code", _("Wajib diisi."))
        return None
    unit = ctx.units.get(code)
    if unit is None:
        plan.error(number, "unit_code", _("Kode unit %(code)s tidak ditemukan.") % {"code": code})
        return None
    if not ctx.can_touch(unit):
        plan.error(number, "unit_code", _("Unit %(code)s berada di luar cakupan Anda.") % {"code": code})
        return None
    return unit


def _check_account(plan: _Plan, ctx: _EmployeeContext, item: _EmployeeRow, usernames: dict[str, int]) -> None:
    if item.email and not _valid_email(item.email):
        plan.error(item.row, "email", _("Alamat surel tidak sah."))
    current = item.existing.user.username if item.existing else None
    wanted = item.username or (current or item.nip)
    if item.username and (problem := _username_problem(item.username)):
        plan.error(item.row, "username", problem)
        return
    owner = ctx.user_owner.get(wanted, item.nip) if wanted != current else item.nip
    if owner != item.nip:
        plan.error(item.row, "username", _("Nama pengguna %(u)s sudah dipakai akun lain; isi kolom username.")
                   % {"u": wanted})
    elif wanted in usernames:
        plan.error(item.row, "username", _("Nama pengguna %(u)s sudah dipakai di baris %(row)d.")
                   % {"u": wanted, "row": usernames[wanted]})
    usernames.setdefault(wanted, item.row)


def _valid_email(email: str) -> bool:
    try:
        validate_email(email)
    except ValidationError:
        return False
    return len(email) <= 254  # the model's limit is tighter than the validator's


def _username_problem(username: str) -> str:
    if len(username) > 150:
        return _("Nama pengguna paling banyak 150 karakter.")
    try:
        User.username_validator(username)
    except ValidationError as exc:
        return " ".join(exc.messages)
    return ""


def _check_supervisors(plan: _Plan, ctx: _EmployeeContext, parsed: dict[str, _EmployeeRow]) -> None:
    """Supervisors may be earlier or later in the file or already in the database."""
    bad = set()
    for item in parsed.values():
        sup = item.supervisor_nip
        if not sup:
            continue
        if sup == item.nip:
            message = _("Pegawai tidak boleh menjadi atasan dirinya sendiri.")
        elif sup in parsed:
            sup_row = parsed[sup]
            active = sup_row.existing.is_active if sup_row.existing else True
            message = _supervisor_problem(item.unit, sup_row.unit, active)
        elif sup in ctx.file_nips:
            message = ""  # that row already carries its own error
        elif sup in ctx.employees:
            message = _supervisor_problem(item.unit, ctx.employees[sup].unit, ctx.employees[sup].is_active)
        else:
            message = _("Atasan dengan NIP %(nip)s tidak ditemukan, di berkas maupun di basis data.") % {"nip": sup}
        if message:
            plan.error(item.row, "supervisor_nip", message)
            bad.add(item.nip)
    parent_of = _supervisor_map(parsed, ctx)
    # Only rows that set a supervisor can close a new loop; flag those, not bystanders.
    setters = {nip for nip, item in parsed.items() if item.supervisor_nip}
    for nip in (rules.cycle_members(parent_of) & setters) - bad:
        plan.error(parsed[nip].row, "supervisor_nip", _("Rantai atasan membentuk lingkaran."))
    plan.errors.sort(key=lambda e: (e.row, e.column))


def _supervisor_problem(unit: Unit | None, supervisor_unit: Unit | None, supervisor_active: bool) -> str:
    if not supervisor_active:
        return _("Atasan tersebut tidak aktif.")
    if unit is not None and supervisor_unit is not None and _institution_id(unit) != _institution_id(supervisor_unit):
        return _("Atasan berada di instansi lain.")
    return ""


def _supervisor_map(parsed: dict[str, _EmployeeRow], ctx: _EmployeeContext) -> dict[str, str | None]:
    """Final NIP → supervisor NIP within the touched institutions, the file over the database."""
    in_institutions = Q(pk__in=[])
    for institution_id in {_institution_id(i.unit) for i in parsed.values() if i.unit is not None}:
        in_institutions |= Q(unit__path__startswith=f"/{institution_id}/")
    parent_of = dict(Employee.objects.filter(in_institutions).values_list("nip", "supervisor__nip"))
    for nip, item in parsed.items():
        if item.supervisor_nip or item.existing is None:
            parent_of[nip] = item.supervisor_nip or None
        else:
            parent_of.setdefault(nip, None)
    return parent_of


_EMPLOYEE_FIELDS = ("name", "jabatan", "asn_type", "position_kind", "placement_date", "service_start", "records_start",
                    "records_end", "records_end_reason")


def _employee_state(item: _EmployeeRow) -> str:
    e = item.existing
    if e is None:
        return "created"
    same = all(getattr(e, f) == v for f, v in item.values.items() if f in _EMPLOYEE_FIELDS)
    same = same and e.unit_id == item.unit.pk
    same = same and (not item.supervisor_nip or (e.supervisor_id and e.supervisor.nip == item.supervisor_nip))
    same = same and (not item.username or e.user.username == item.username)
    same = same and (not item.email or e.user.email == item.email)
    return "unchanged" if same else "updated"


def _write_employees(actor, items: list[_EmployeeRow], ctx: _EmployeeContext, initial_password: str) -> None:
    saved = dict(ctx.employees)
    for item in items:
        employee = item.existing or Employee(nip=item.nip)
        for name, value in item.values.items():
            setattr(employee, name, value)
        employee.unit = item.unit
        if item.supervisor_nip:
            employee.supervisor = saved[item.supervisor_nip]
        try:
            employee.user = _account_for(actor, item, initial_password)
            saved[item.nip] = employee_save(actor=actor, employee=employee)
        except ValidationError as exc:
            raise _service_error(item.row, exc, "nip")
        except IntegrityError:
            raise _RowFailed(RowError(item.row, "nip", _RACE_MESSAGE))


def _account_for(actor, item: _EmployeeRow, initial_password: str) -> User:
    if item.existing is None:
        return account_create(actor=actor, username=item.username or item.nip, email=item.email,
                              password=initial_password, unit=item.unit)
    user = item.existing.user
    before = snapshot(user, ACCOUNT_FIELDS)
    user.username = item.username or user.username
    user.email = item.email or user.email
    after = snapshot(user, ACCOUNT_FIELDS)
    if after != before:
        user.save(update_fields=["username", "email"])
        audit_record(actor=actor, verb=Verb.USER_UPDATED, obj=user, before=before, after=after, unit=item.unit)
    return user


ACCOUNT_FIELDS = ["username", "email", "is_active"]


def account_create(*, actor, username: str, email: str = "", password: str = "", unit: Unit | None = None) -> User:
    """Create the login account of a new employee: the given initial password or none usable."""
    user = User(username=username, email=email)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    # Never put the password hash in the audit trail.
    audit_record(actor=actor, verb=Verb.USER_CREATED, obj=user, after=snapshot(user, ACCOUNT_FIELDS), unit=unit)
    return user
