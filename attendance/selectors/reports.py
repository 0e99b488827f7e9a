"""Attendance reports for HR and supervisors: one row generator per report.

Every report is a :class:`Report`: a SQL query over :class:`DayStatus` (aggregated with
``Count``/``Sum`` + ``filter=Q(...)`` and grouped in the database, never a Python loop
over days) and a function turning one result row into plain values. :func:`report_rows`
yields the header, then the rows, streamed with ``.iterator(chunk_size=2000)``; every
export format (CSV, XLSX, PDF) and the on-page table read that one generator.

Scope: an HR admin sees their subtree, a supervisor their own people (also as Plh/Plt),
a superuser everything. A unit or employee outside the caller's scope is a 404.
"""

from __future__ import annotations

import calendar
import datetime as dt
import itertools
import operator
import zoneinfo
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import DatabaseError, connections, transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    Func,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat, Length, Substr
from django.db.models.lookups import Exact
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from attendance import rules
from attendance.models import Correction, CorrectionStatus, DayStatus, Punch, RecapFreshness, WorkMode
from attendance.selectors.schedule import expected_rows
from portal.exports import PdfLayout
from portal.formatting import distance_text, short_date
from portal.models import AsnType, Employee, MonthClosure, TimeZone, Unit
from portal.rules import nip_display
from portal.selectors import employees_visible_to, units_visible_to, with_time_zones
from scheduling.selectors import represented_approvers

CHUNK = 2000
PRESENT = [rules.HADIR, rules.TL, rules.PSW, rules.TL_PSW]
OFF = list(rules.NOT_WORKING)  # holidays, cuti bersama, punches off schedule: not a working day
IN_OFFICE = [WorkMode.WFO, WorkMode.OTHER_OFFICE]  # "kantor lain" is still an office: WFO + WFH/WFA = hadir
FLEXIBLE = [WorkMode.WFH, WorkMode.WFA]
CUTI = ["CT", "CB", "CS", "CM", "CAP", "CLTN"]

MONTHLY_RECAP = "monthly-recap"
UNIT_SUMMARY = "unit-summary"
DAILY = "daily"
TK_CUMULATIVE = "tk-cumulative"
PLANNED_VS_ACTUAL = "planned-vs-actual"


# --- Scope and selection ---------------------------------------------------------------


@dataclass
class Scope:
    """What a user may report on: HR units/people, plus their own reports as supervisor."""

    hr_units: QuerySet
    hr_employees: QuerySet
    approver_ids: list[int]
    user_id: int | None
    superuser: bool = False

    @property
    def empty(self) -> bool:
        return not (self.superuser or self.hr_units.exists() or self.own_people().exists())

    def own_people(self) -> QuerySet:
        """People the user supervises (also as Plh/Plt), never themselves."""
        if not self.approver_ids:
            return Employee.objects.none()
        return Employee.objects.filter(supervisor_id__in=self.approver_ids).exclude(user_id=self.user_id)

    def employees(self) -> QuerySet:
        if self.superuser:
            return Employee.objects.all()
        return Employee.objects.filter(Q(pk__in=self.hr_employees.values("pk"))
                                       | Q(pk__in=self.own_people().values("pk")))

    def unit_ids(self) -> QuerySet:
        """Units the caller may choose: the HR subtree and the units of their own people."""
        if self.superuser:
            return Unit.objects.values("pk")
        return Unit.objects.filter(Q(pk__in=self.hr_units.values("pk"))
                                   | Q(pk__in=self.own_people().values("unit_id"))).values("pk")


def report_scope(user) -> Scope:
    superuser = bool(getattr(user, "is_superuser", False))
    approvers = [] if superuser else list(represented_approvers(user))
    return Scope(units_visible_to(user), employees_visible_to(user), approvers, getattr(user, "pk", None),
                 superuser)


def units_for_choice(user, limit: int = 300) -> list[Unit]:
    scope = report_scope(user)
    return list(Unit.objects.filter(pk__in=scope.unit_ids()).order_by("path")[:limit])


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date
    label: str  # "2026-11", "2026" or "2026-11-01_2026-11-15": used in file names

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


MAX_PERIOD_DAYS = 366


def period_from(*, month: str | None = None, year: int | str | None = None, start=None, end=None) -> Period:
    """A month ``YYYY-MM``, a year, or an explicit start/end (ISO dates), validated."""
    try:
        if month:
            y, m = (int(p) for p in str(month).split("-"))
            first = dt.date(y, m, 1)
            return Period(first, first.replace(day=calendar.monthrange(y, m)[1]), f"{first:%Y-%m}")
        if year:
            y = int(year)
            return Period(dt.date(y, 1, 1), dt.date(y, 12, 31), f"{y:04d}")
        if start and end:
            first, last = (d if isinstance(d, dt.date) else dt.date.fromisoformat(str(d)) for d in (start, end))
        else:
            raise ValidationError({"month": _("Pilih bulan (YYYY-MM), tahun, atau tanggal mulai dan selesai.")})
    except (TypeError, ValueError):
        raise ValidationError({"month": _("Periode tidak valid.")}) from None
    if last < first:
        raise ValidationError({"end": _("Tanggal selesai tidak boleh sebelum tanggal mulai.")})
    if (last - first).days + 1 > MAX_PERIOD_DAYS:
        raise ValidationError({"end": _("Periode paling panjang satu tahun.")})
    return Period(first, last, f"{first:%Y-%m-%d}_{last:%Y-%m-%d}")


@dataclass
class Selection:
    """A validated, scoped report request: which report, whose rows, which days."""

    report: Report
    period: Period
    employees: QuerySet  # scoped and filtered; may include inactive people
    unit: Unit | None
    params: dict = field(default_factory=dict)  # JSON-safe, to re-resolve later (export jobs)
    zones: dict = field(default_factory=dict, repr=False)  # unit id -> tzinfo, filled while streaming
    cache: dict = field(default_factory=dict, repr=False)  # per-selection lookups (TK runs)

    @property
    def unit_code(self) -> str:
        return self.unit.code if self.unit else "SEMUA"

    @property
    def filename_stem(self) -> str:
        return f"{self.report.stem}_{self.unit_code}_{self.period.label}"

    def day_statuses(self) -> QuerySet:
        return DayStatus.objects.filter(employee__in=self.employees.values("pk"),
                                        date__range=(self.period.start, self.period.end))


def report_resolve(user, *, report: str, unit: int | str | None = None, month: str | None = None,
                   year: int | str | None = None, start=None, end=None, employee: int | str | None = None,
                   asn_type: str = "") -> Selection:
    """Validate the inputs (ValidationError) and the scope (Http404), return the selection."""
    definition = REPORTS.get(report)
    if definition is None:
        raise ValidationError({"report": _("Jenis laporan tidak dikenal.")})
    if definition.slug == TK_CUMULATIVE and not (year or start):
        year = (int(month.split("-")[0]) if month and "-" in str(month) else None) or timezone.localdate().year
    if definition.slug == TK_CUMULATIVE and year:
        month = None  # PP 94/2021 counts per calendar year: a month only names the year
    period = period_from(month=month, year=year, start=start, end=end)
    if definition.slug == TK_CUMULATIVE and not _calendar_year(period):
        raise ValidationError({"year": _("TK kumulatif dihitung per tahun kalender (PP 94/2021): pilih satu tahun, "
                                         "bukan rentang tanggal.")})
    if asn_type and asn_type not in AsnType.values:
        raise ValidationError({"asn_type": _("Jenis ASN tidak dikenal.")})
    scope = report_scope(user)
    if scope.empty:
        raise Http404
    people = scope.employees()
    chosen = _scoped_unit(scope, unit)
    if chosen is not None and (scope.superuser or scope.hr_units.filter(pk=chosen.pk).exists()):
        # Everyone under a unit the caller administers is in scope: the subtree alone, without the
        # union of scopes that keeps PostgreSQL from walking the tree in order.
        people = Employee.objects.filter(unit__path__startswith=chosen.path)
    elif chosen is not None:
        people = people.filter(unit__path__startswith=chosen.path)
    if employee not in (None, ""):
        people = people.filter(pk=_int_or_404(employee))
        if not people.exists():
            raise Http404
    if asn_type:
        people = people.filter(asn_type=asn_type)
    params = {"report": definition.slug, "unit": chosen.pk if chosen else None, "start": period.start.isoformat(),
              "end": period.end.isoformat(), "employee": _int_or_404(employee) if employee not in (None, "") else None,
              "asn_type": asn_type or "", "label": period.label}
    return Selection(definition, period, people, chosen, params)


def _calendar_year(period: Period) -> bool:
    return (period.start.month, period.start.day, period.end.month, period.end.day) == (1, 1, 12, 31) \
        and period.start.year == period.end.year


def report_resolve_params(user, params: dict) -> Selection:
    """Re-resolve a stored selection (export jobs): same scope checks, same 404s."""
    selection = report_resolve(user, report=params["report"], unit=params.get("unit"), start=params["start"],
                               end=params["end"], employee=params.get("employee"),
                               asn_type=params.get("asn_type") or "")
    label = params.get("label")
    if label:
        selection.period = Period(selection.period.start, selection.period.end, label)
        selection.params["label"] = label
    return selection


def _int_or_404(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


def _scoped_unit(scope: Scope, unit) -> Unit | None:
    if unit in (None, ""):
        return None
    try:
        return Unit.objects.filter(pk__in=scope.unit_ids()).get(pk=_int_or_404(unit))
    except Unit.DoesNotExist:
        raise Http404 from None


# --- Making sure the day statuses exist ------------------------------------------------


def finished_until() -> dt.date:
    """The last date already over in every Indonesian time zone (WIB is the westmost)."""
    return timezone.localtime(timezone=zoneinfo.ZoneInfo(TimeZone.WIB)).date() - dt.timedelta(days=1)


_finished_until = finished_until


def final_through(selection: Selection, start: dt.date, last: dt.date) -> dt.date:
    """The last day of [start, last] up to which the nightly pass left the selection's day
    statuses final (:class:`RecapFreshness` of its institution, or of every institution for a
    selection without a unit); ``start - 1`` when it left nothing to rely on."""
    from portal.selectors.closures import months_between

    roots = ([selection.unit.ancestor_ids[0]] if selection.unit is not None
             else list(Unit.objects.filter(parent__isnull=True).values_list("pk", flat=True)))
    months = months_between(start, last)
    marks = {(u, m): t for u, m, t in RecapFreshness.objects.filter(unit_id__in=roots, month__in=months)
             .values_list("unit_id", "month", "through")}
    covered = start - dt.timedelta(days=1)
    for month in months:
        throughs = [marks.get((root, month)) for root in roots]
        if not roots or None in throughs:
            break
        through = min(throughs)
        if through < covered + dt.timedelta(days=1):
            break
        covered = min(through, last)
        following = (month + dt.timedelta(days=32)).replace(day=1)
        if covered < min(last, following - dt.timedelta(days=1)):
            break
    return covered


def stale_employee_ids(selection: Selection) -> list[int]:
    """Active employees whose rows for finished days are missing, computed before the day ended,
    or still waiting for the day to finish.

    The days the nightly pass left final (:func:`final_through`) are not asked again: only the
    finished days after them are checked employee by employee (usually none, or yesterday).
    Days not yet over everywhere (today) are always recomputed by :func:`ensure_day_statuses`.
    """
    start, last = selection.period.start, min(selection.period.end, finished_until())
    if last < start:
        return []
    start = final_through(selection, start, last) + dt.timedelta(days=1)
    if last < start:
        return []
    people = selection.employees.filter(is_active=True)
    expected = expected_rows(people, start, last)
    counts = (DayStatus.objects.filter(employee__in=people.values("pk"), date__range=(start, last))
              .values("employee_id").order_by()
              .annotate(n=Count("pk"), stale=Count("pk", filter=Q(computed_at__date__lte=F("date"))
                                                   | Q(code=rules.BELUM))))
    fresh = {c["employee_id"] for c in counts if c["stale"] == 0 and c["n"] >= expected.get(c["employee_id"], 0)}
    return [pk for pk, n in expected.items() if pk not in fresh and n > 0]


def _tail(selection: Selection) -> tuple[dt.date, dt.date] | None:
    """The part of the period not yet over everywhere (today, and tomorrow in WIT)."""
    first = max(selection.period.start, _finished_until() + dt.timedelta(days=1))
    return (first, selection.period.end) if first <= selection.period.end else None


def recompute_cost(selection: Selection, stale: list[int]) -> int:
    """Employee-days :func:`ensure_day_statuses` would compute for these stale employees."""
    tail = _tail(selection)
    cost = len(stale) * selection.period.days
    if tail:
        active = selection.employees.filter(is_active=True).count() - len(stale)
        cost += max(0, active) * ((tail[1] - tail[0]).days + 1)
    return cost


def ensure_day_statuses(selection: Selection, *, employee_ids: list[int] | None = None, batch: int = 500) -> int:
    """Compute missing or stale DayStatus rows (and today's) for the selection, in batches.

    Bounded memory: ``compute_day_statuses`` builds its rows in memory, so it gets at most
    ``batch`` employees at a time. Unit objects are shared so each unit's time zone is
    resolved once, not once per employee.
    """
    from attendance.services.day_status import compute_day_statuses

    period = selection.period
    ids = stale_employee_ids(selection) if employee_ids is None else employee_ids
    written = 0
    tail = _tail(selection)
    if not ids and not tail:
        return 0
    units = _units_by_id(selection.employees.values("unit_id"))
    for i in range(0, len(ids), batch):
        written += compute_day_statuses(_with_units(ids[i:i + batch], units), period.start, period.end)
    if tail:  # today is never final: always recomputed
        active = list(selection.employees.filter(is_active=True).exclude(pk__in=ids).values_list("pk", flat=True))
        for i in range(0, len(active), batch):
            written += compute_day_statuses(_with_units(active[i:i + batch], units), *tail)
    return written


def _units_by_id(unit_ids) -> dict[int, Unit]:
    return {u.pk: u for u in with_time_zones(Unit.objects.filter(pk__in=unit_ids))}


def _with_units(ids: list[int], units: dict[int, Unit]) -> list[Employee]:
    people = list(Employee.objects.filter(pk__in=ids, is_active=True))
    for person in people:
        person.unit = units[person.unit_id]
    return people


# --- Reports -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    label: object  # lazy translation
    width: int = 10  # characters, for XLSX


@dataclass(frozen=True)
class Report:
    slug: str
    stem: str  # file-name prefix
    title: object
    columns: tuple[Column, ...]
    query: Callable[[Selection], QuerySet]
    row: Callable[[object, Selection], list]
    pdf: PdfLayout | None = None  # reports with a printed form
    totals: Callable[[Selection], list] | None = None  # the last row of a whole report
    # Reports read per employee in the file's order (the recap): ``items(selection, after, limit)``
    # yields them from after a keyset position, and ``tally()`` adds the totals row up while the
    # rows stream, instead of aggregating everything a second time.
    items: Callable[..., Iterator] | None = None
    tally: Callable[[], Tally] | None = None
    size: Callable[[Selection], int] | None = None  # a cheap upper bound of the rows, for progress
    # Whole reports read batch by batch in the file's order without a global sort (the daily
    # list): ``stream(selection)`` yields the same items as ``query`` in the same order.
    stream: Callable[[Selection], Iterator] | None = None

    def header(self) -> list[str]:
        return [str(c.label) for c in self.columns]


class Tally:
    """The totals row of a whole report, summed from its rows as they are written."""

    def add(self, row: list) -> None:
        raise NotImplementedError

    def row(self) -> list:
        raise NotImplementedError


def report_rows(selection: Selection, *, offset: int = 0, limit: int | None = None,
                header: bool = True) -> Iterator[list]:
    """The header, then each row as a list of plain values (str, int, Decimal, date); a whole
    report (no ``limit``) ends with its totals row, the same :func:`report_totals` the page shows."""
    report = selection.report
    if header:
        yield report.header()
    if report.items is not None:
        if limit is not None:
            items = itertools.islice(report.items(selection, None, offset + limit), offset, None)
            yield from (report.row(item, selection) for item in items)
            return
        yield from _tallied(selection)
        return
    if limit is not None:
        rows = report.query(selection)[offset:offset + limit]
    elif report.stream is not None:
        rows = report.stream(selection)
    else:
        rows = _whole(report.query(selection))
    for item in rows:
        yield report.row(item, selection)
    if limit is None and report.totals is not None:
        yield report.totals(selection)


def _whole(qs: QuerySet) -> Iterator:
    connection = connections[qs.db]
    return _streamed(qs) if connection.vendor == "postgresql" and not connection.in_atomic_block else _every_row(qs)


def _tallied(selection: Selection) -> Iterator[list]:
    report = selection.report
    tally = report.tally()
    make, add = report.row, tally.add
    for item in report.items(selection, None, None):
        row = make(item, selection)
        add(row)
        yield row
    yield tally.row()


@dataclass
class Page:
    """One page of a report read by keyset: its rows, where the next page starts, and the totals
    row when this is the last page (the file's last row sits under its last data row too)."""

    rows: list[list]
    next_after: int | None  # the employee id the next page starts after; None on the last page
    totals: list | None
    employee_ids: list[int]


def report_page(selection: Selection, *, after: int | None = None, size: int = 50) -> Page:
    """The ``size`` rows after the employee ``after`` (keyset on the file's order), read as the
    file reads them: the page is rows of the file, never a separate query that could differ."""
    report = selection.report
    position = _position_of(after) if after is not None else None
    items = list(report.items(selection, position, size + 1))
    last = len(items) <= size
    items = items[:size]
    rows = [report.row(item, selection) for item in items]
    ids = [item[0][0] for item in items]
    totals = report_totals(selection) if last and (rows or position is None) else None
    return Page(rows, None if last else ids[-1], totals, ids)


def _position_of(employee_id: int) -> tuple | None:
    found = Employee.objects.filter(pk=employee_id).values_list("unit__path", "name", "pk").first()
    if found is None:
        raise Http404
    return found


def report_size(selection: Selection) -> int:
    """An upper bound of a whole report's rows without reading them (export progress, and whether
    a download must become a job): people, units or people × days."""
    report = selection.report
    if report.size is not None:
        return report.size(selection)
    return report_count(selection)


def report_totals(selection: Selection) -> list | None:
    return selection.report.totals(selection) if selection.report.totals else None


def _every_row(qs: QuerySet) -> Iterator:
    """Stream all rows through a server-side cursor, planned for reading all of them.

    PostgreSQL plans a cursor for its first 10% of rows (``cursor_tuple_fraction``); for the
    scoped, sorted joins of these reports that picks nested loops that cost a third more in
    total (measured on 2 million day rows, bench/attendance_bench.py). Exports read every row.
    The plan is fixed when the cursor is declared (the first fetch), so the setting is reset
    right after it and never leaks to later queries on this connection.
    """
    connection = connections[qs.db]
    rows = qs.iterator(chunk_size=CHUNK)
    if connection.vendor != "postgresql":
        yield from rows
        return
    with connection.cursor() as cursor:
        cursor.execute("SET cursor_tuple_fraction = 1.0")
    try:
        first = next(rows, None)
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("RESET cursor_tuple_fraction")
        except DatabaseError:  # an aborted transaction: its rollback undoes the SET anyway
            pass
    if first is not None:
        yield first
        yield from rows


_END = object()


def _streamed(qs: QuerySet) -> Iterator:
    """PostgreSQL outside a transaction (the export worker): a thread reads the rows on its own
    connection, inside a transaction of its own, while this one writes them. The cursor is then
    not ``WITH HOLD`` (which materialises the whole result before the first row), PostgreSQL
    produces the next chunk while Python formats this one, and this connection stays free for the
    job's progress updates. At most four chunks wait in between."""
    import queue
    import threading

    chunks: queue.Queue = queue.Queue(maxsize=4)
    stop = threading.Event()

    def hand(item) -> bool:
        while not stop.is_set():
            try:
                chunks.put(item, timeout=0.5)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        from django.db import connection, transaction

        try:
            with transaction.atomic(using=qs.db):
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL cursor_tuple_fraction = 1.0")  # see _every_row
                chunk = []
                for row in qs.iterator(chunk_size=CHUNK):
                    chunk.append(row)
                    if len(chunk) == CHUNK:
                        if not hand(chunk):
                            return
                        chunk = []
            hand(chunk)
            hand(_END)
        except Exception as exc:  # noqa: BLE001 - raised in the reading thread
            hand(exc)
        finally:
            connection.close()

    worker = threading.Thread(target=work, name="report-rows", daemon=True)
    worker.start()
    try:
        while (item := chunks.get()) is not _END:
            if isinstance(item, Exception):
                raise item
            yield from item
    finally:
        stop.set()
        worker.join(timeout=60)


def report_count(selection: Selection) -> int:
    return selection.report.query(selection).count()


def _pct(part, whole) -> Decimal:
    if not whole:
        return Decimal("0.00")
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _dec(value) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _present() -> Q:
    return Q(code__in=PRESENT)


# Monthly recap ------------------------------------------------------------------------

def _recap_aggregates() -> dict:
    working = ~Q(code__in=OFF)
    agg = {
        "working": Count("pk", filter=working),
        "present": Count("pk", filter=_present()),
        "wfo": Count("pk", filter=_present() & Q(work_mode__in=IN_OFFICE)),
        "flex": Count("pk", filter=_present() & Q(work_mode__in=FLEXIBLE)),
        "tl_minutes": Coalesce(Sum("tl_minutes"), 0),
        "psw_minutes": Coalesce(Sum("psw_minutes"), 0),
        "missing_in": Count("pk", filter=Q(missing_in=True)),
        "missing_out": Count("pk", filter=Q(missing_out=True)),
        "dl": Count("pk", filter=Q(code="DL")),
        "diklat": Count("pk", filter=Q(code="DIKLAT")),
        "izin": Count("pk", filter=Q(code="IZIN")),
        "sakit": Count("pk", filter=Q(code="SAKIT")),
        "tk": Count("pk", filter=Q(code=rules.TK)),
        "deduction": Sum("deduction_percent"),
        "absence_punch": Count("pk", filter=~Q(absence_kind="") & ~Q(note="")),
        "pending": Count("pk", filter=Q(code=rules.BELUM)),
        "permission": Count("pk", filter=~Q(permission="")),
        "implausible": Count("pk", filter=Q(implausible=True)),
        "review": Count("pk", filter=Q(code=rules.REVIEW)),
        "holiday_duty": Count("pk", filter=Q(holiday_duty=True)),
        "off_schedule": Count("pk", filter=Q(code=rules.OFF_SCHEDULE)),
        "rules_min": Min("rules_version"), "rules_max": Max("rules_version"),
        "pattern_min": Min("pattern_version"), "pattern_max": Max("pattern_version"),
    }
    for level in (1, 2, 3, 4):
        agg[f"tl{level}"] = Count("pk", filter=Q(tl_level=level))
        agg[f"psw{level}"] = Count("pk", filter=Q(psw_level=level))
    for kind in CUTI:
        agg[f"cuti_{kind}"] = Count("pk", filter=Q(code=kind))
    return agg


EMPLOYEE_FIELDS = ("employee_id", "employee__nip", "employee__asn_type", "employee__name", "employee__jabatan",
                   "employee__unit__name")
EMPLOYEE_ORDER = ("employee__unit__path", "employee__name", "employee_id")


def _recap_query(selection: Selection) -> QuerySet:
    return (selection.day_statuses().values(*EMPLOYEE_FIELDS, "employee__unit__path")
            .annotate(**_recap_aggregates()).order_by(*EMPLOYEE_ORDER))


# The recap is read per employee in the file's order: the people of the selection, sorted once
# (one narrow row each), then their day statuses grouped by employee_id a batch of people at a
# time through the (employee, date) index. The 2 million day rows of a whole institution are never
# joined to names or sorted, the first row comes after one batch, and each batch is a plain query.
RECAP_COUNTS = ("working", "present", "wfo", "flex", "tl1", "tl2", "tl3", "tl4", "tl_minutes",
                "psw1", "psw2", "psw3", "psw4", "psw_minutes", "missing_in", "missing_out", "dl", "diklat", "izin",
                "sakit", *[f"cuti_{k}" for k in CUTI], "tk", "permission", "implausible", "review", "holiday_duty",
                "off_schedule")
RECAP_EXTRA = ("deduction", "absence_punch", "pending", "rules_min", "rules_max", "pattern_min", "pattern_max")
PEOPLE_FIELDS = ("pk", "nip", "asn_type", "name", "jabatan", "unit__name", "unit__path")
PEOPLE_ORDER = ("unit__path", "name", "pk")
N_COUNTS = len(RECAP_COUNTS)
_IMPLAUSIBLE = RECAP_COUNTS.index("implausible")


def _people(selection: Selection, position: tuple | None) -> QuerySet:
    people = selection.employees.order_by(*PEOPLE_ORDER).values_list(*PEOPLE_FIELDS)
    if position is not None:
        path, name, pk = position
        people = people.filter(Q(unit__path__gt=path) | Q(unit__path=path, name__gt=name)
                               | Q(unit__path=path, name=name, pk__gt=pk))
    return people


def _batch_size() -> int:
    # SQLite builds may cap a statement at 999 parameters.
    return CHUNK if connections["default"].vendor == "postgresql" else 900


def _recap_grouped(selection: Selection, ids) -> QuerySet:
    return (DayStatus.objects.filter(employee_id__in=ids, date__range=(selection.period.start, selection.period.end))
            .values("employee_id").order_by().annotate(**_recap_aggregates())
            .values_list("employee_id", *RECAP_COUNTS, *RECAP_EXTRA))


_NO_ID = -7_340_033  # stands for the batch's ids while the statement is compiled


def _recap_sums(selection: Selection, ids: list[int]) -> dict[int, tuple]:
    connection = connections[DayStatus.objects.db]
    if connection.vendor != "postgresql":
        return {row[0]: row[1:] for row in _recap_grouped(selection, ids)}
    # PostgreSQL: the statement is compiled once per selection with the ids as one array
    # parameter, and read from a plain cursor: no per-batch compiling of 2,000 parameters and no
    # per-value converters (COUNT, SUM and MIN arrive as int, the deduction as Decimal already).
    if "recap_sql" not in selection.cache:
        sql, params = _recap_grouped(selection, [_NO_ID]).query.sql_with_params()
        at = params.index(_NO_ID)
        selection.cache["recap_sql"] = (sql.replace("IN (%s)", "= ANY(%s)", 1), list(params), at)
    sql, params, at = selection.cache["recap_sql"]
    params[at] = list(ids)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0]: row[1:] for row in cursor.fetchall()}


def _recap_joined(selection: Selection, people: list[tuple]) -> Iterator[tuple]:
    sums = _recap_sums(selection, [p[0] for p in people])
    for person in people:
        counts = sums.get(person[0])
        if counts is not None:  # people without a day row in the period are not in the recap
            yield person, counts


def _recap_items(selection: Selection, position: tuple | None, limit: int | None) -> Iterator[tuple]:
    """(person, sums) pairs in the file's order, from after ``position`` (unit path, name, id)."""
    size = _batch_size()
    if limit is None:
        batches = _batches(_every_row(_people(selection, position)), size)
        connection = connections[DayStatus.objects.db]
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            yield from _overlapped(selection, batches)
            return
        for batch in batches:
            yield from _recap_joined(selection, batch)
        return
    found, size = 0, min(size, max(limit * 2, 100))
    while found < limit:
        people = list(_people(selection, position)[:size])
        for item in _recap_joined(selection, people):
            yield item
            found += 1
            if found == limit:
                return
        if len(people) < size:
            return
        position = (people[-1][6], people[-1][3], people[-1][0])


def _batches(rows: Iterator, size: int) -> Iterator[list]:
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _overlapped(selection: Selection, batches: Iterator[list]) -> Iterator[tuple]:
    """While the rows of one batch are written, a thread has PostgreSQL group the next
    (:func:`_read_ahead`)."""
    def sums(batch: list) -> dict:
        return _recap_sums(selection, [p[0] for p in batch])

    for people, grouped in _read_ahead(batches, sums, name="recap-sums"):
        yield from _joined_from(people, grouped)


def _joined_from(people: list, sums: dict) -> Iterator[tuple]:
    for person in people:
        counts = sums.get(person[0])
        if counts is not None:
            yield person, counts


class _RecapTally(Tally):
    def __init__(self):
        self.people, self.sums = 0, [0] * N_COUNTS

    def add(self, row: list) -> None:
        self.people += 1
        self.sums = list(map(operator.add, self.sums, row[4:4 + N_COUNTS]))

    def row(self) -> list:
        return _recap_totals_row(self.people, self.sums)


def _recap_size(selection: Selection) -> int:
    return selection.employees.count()


def _recap_note(r: dict) -> str:
    parts = []
    if r["off_schedule"]:
        parts.append(ngettext("%(n)d hari presensi di luar jadwal (hari libur/tidak dijadwalkan)",
                              "%(n)d hari presensi di luar jadwal (hari libur/tidak dijadwalkan)",
                              r["off_schedule"]) % {"n": r["off_schedule"]})
    if r["absence_punch"]:
        parts.append(ngettext("%(n)d hari ada presensi pada hari izin/cuti",
                              "%(n)d hari ada presensi pada hari izin/cuti",
                              r["absence_punch"]) % {"n": r["absence_punch"]})
    if r["implausible"]:
        parts.append(ngettext("%(n)d hari presensi tidak wajar", "%(n)d hari presensi tidak wajar",
                              r["implausible"]) % {"n": r["implausible"]})
    if r["pending"]:
        parts.append(ngettext("%(n)d hari belum selesai", "%(n)d hari belum selesai",
                              r["pending"]) % {"n": r["pending"]})
    return "; ".join(parts)


def nip_text(nip: str, asn_type: str) -> str:
    """A NIP grouped as printed on a decree (19850101 201001 1 001): readable, and a spreadsheet
    keeps it as text instead of turning 18 digits into 1.98501E+17."""
    return nip_display(nip, asn_type)


def _version_span(low, high, letter: str) -> str:
    if low is None and high is None:
        return f"{letter}·" + (_("bawaan") if letter == "A" else "Perpres")
    if low == high or high is None or low is None:
        return f"{letter}{low or high}"
    return f"{letter}{low}–{high}"


_HUNDRED = Decimal(100)


def _recap_row(item: tuple, selection: Selection) -> list:
    person, sums = item
    deduction, absence_punch, pending, *versions = sums[N_COUNTS:]
    off_schedule, implausible = sums[N_COUNTS - 1], sums[_IMPLAUSIBLE]
    note = _recap_note({"off_schedule": off_schedule, "absence_punch": absence_punch, "implausible": implausible,
                        "pending": pending}) if off_schedule or absence_punch or implausible or pending else ""
    return [nip_text(person[1], person[2]), person[3], person[4], person[5], *sums[:N_COUNTS],
            _pct(sums[1], sums[0]), min(_HUNDRED, _dec(deduction)),
            _version_text(*versions, selection.cache.setdefault("versions", {})), note]


def _version_text(rules_min, rules_max, pattern_min, pattern_max, seen: dict) -> str:
    """Which rules produced the row: A = attendance rules version, P = working pattern version
    (the report's notes name each one)."""
    key = (rules_min, rules_max, pattern_min, pattern_max)
    text = seen.get(key)
    if text is None:  # a handful of combinations per report: translated once each
        text = seen[key] = f"{_version_span(rules_min, rules_max, 'A')} {_version_span(pattern_min, pattern_max, 'P')}"
    return text


def _recap_counts(r: dict) -> list:
    """The countable columns, in order (the totals row sums these)."""
    return [r["working"], r["present"], r["wfo"], r["flex"],
            r["tl1"], r["tl2"], r["tl3"], r["tl4"], r["tl_minutes"],
            r["psw1"], r["psw2"], r["psw3"], r["psw4"], r["psw_minutes"],
            r["missing_in"], r["missing_out"], r["dl"], r["diklat"], r["izin"], r["sakit"],
            *[r[f"cuti_{k}"] for k in CUTI], r["tk"],
            r["permission"], r["implausible"], r["review"], r["holiday_duty"], r["off_schedule"]]


def _recap_totals(selection: Selection) -> list:
    """One row over the whole selection: the sums, the overall attendance %, the people count."""
    r = selection.day_statuses().aggregate(people=Count("employee_id", distinct=True), **_recap_aggregates())
    return _recap_totals_row(r["people"], _recap_counts(r))


def _recap_totals_row(people: int, counts: list) -> list:
    label = ngettext("Jumlah (%(n)d pegawai)", "Jumlah (%(n)d pegawai)", people) % {"n": people}
    return ["", label, "", "", *counts, _pct(counts[1], counts[0]), "", "", ""]


RECAP_COLUMNS = (
    Column(gettext_lazy("NIP"), 23), Column(gettext_lazy("Nama"), 30), Column(gettext_lazy("Jabatan"), 30),
    Column(gettext_lazy("Unit kerja"), 28), Column(gettext_lazy("Hari kerja")), Column(gettext_lazy("Hadir"), 8),
    Column(gettext_lazy("WFO"), 7), Column(gettext_lazy("WFH/WFA"), 9),
    Column("TL1", 6), Column("TL2", 6), Column("TL3", 6), Column("TL4", 6), Column(gettext_lazy("Menit TL"), 9),
    Column("PSW1", 6), Column("PSW2", 6), Column("PSW3", 6), Column("PSW4", 6),
    Column(gettext_lazy("Menit PSW"), 10),
    Column(gettext_lazy("Tidak absen masuk"), 12), Column(gettext_lazy("Tidak absen pulang"), 12),
    Column(gettext_lazy("DL"), 6), Column(gettext_lazy("TB/Diklat"), 9), Column(gettext_lazy("Izin"), 6),
    Column(gettext_lazy("Sakit"), 6),
    Column("CT", 5), Column("CB", 5), Column("CS", 5), Column("CM", 5), Column("CAP", 5), Column("CLTN", 6),
    Column(gettext_lazy("TK"), 5), Column(gettext_lazy("Izin terlambat/pulang cepat"), 12),
    Column(gettext_lazy("Presensi tidak wajar"), 11), Column(gettext_lazy("Perlu ditinjau"), 10),
    Column(gettext_lazy("Dinas hari libur"), 10), Column(gettext_lazy("Di luar jadwal"), 10),
    Column(gettext_lazy("% kehadiran"), 11), Column(gettext_lazy("% potongan"), 11),
    Column(gettext_lazy("Versi aturan"), 14), Column(gettext_lazy("Keterangan"), 40),
)


# Per-unit summary ---------------------------------------------------------------------

def _summary_aggregates() -> dict:
    working = ~Q(code__in=OFF)
    return {"employees": Count("employee_id", distinct=True), "working": Count("pk", filter=working),
            "present": Count("pk", filter=_present()),
            "wfo": Count("pk", filter=_present() & Q(work_mode__in=IN_OFFICE)),
            "flex": Count("pk", filter=_present() & Q(work_mode__in=FLEXIBLE)),
            "tl": Count("pk", filter=Q(tl_level__isnull=False)), "psw": Count("pk", filter=Q(psw_level__isnull=False)),
            "tk": Count("pk", filter=Q(code=rules.TK)), "absences": Count("pk", filter=~Q(absence_kind="")),
            "deduction": Sum("deduction_percent")}


def _summary_query(selection: Selection) -> QuerySet:
    return (selection.day_statuses()
            .values("employee__unit_id", "employee__unit__code", "employee__unit__name", "employee__unit__path")
            .annotate(**_summary_aggregates()).order_by("employee__unit__path"))


def _summary_numbers(r: dict) -> list:
    average = _dec(Decimal(r["deduction"] or 0) / r["employees"]) if r["employees"] else Decimal("0.00")
    return [r["employees"], r["working"], r["present"], r["wfo"], r["flex"], r["tl"], r["psw"], r["tk"],
            r["absences"], _pct(r["present"], r["working"]), average]


def _summary_row(r: dict, selection: Selection) -> list:
    return [r["employee__unit__code"], r["employee__unit__name"], *_summary_numbers(r)]


def _summary_totals(selection: Selection) -> list:
    r = selection.day_statuses().aggregate(**_summary_aggregates())
    return ["", _("Jumlah"), *_summary_numbers(r)]


SUMMARY_COLUMNS = (
    Column(gettext_lazy("Kode unit"), 16), Column(gettext_lazy("Unit kerja"), 32), Column(gettext_lazy("Pegawai"), 9),
    Column(gettext_lazy("Hari kerja (orang-hari)"), 14), Column(gettext_lazy("Hadir"), 8),
    Column(gettext_lazy("WFO"), 8), Column(gettext_lazy("WFH/WFA"), 9), Column(gettext_lazy("TL"), 7),
    Column(gettext_lazy("PSW"), 7), Column(gettext_lazy("TK"), 7),
    Column(gettext_lazy("Tidak masuk (izin/cuti/DL)"), 14),
    Column(gettext_lazy("% kehadiran"), 11), Column(gettext_lazy("Rata-rata potongan (%)"), 14),
)


# Daily list ---------------------------------------------------------------------------

def _effective(field_name: str):
    """The time that counts: the latest approved correction's, else the punch's (as presence does)."""
    corrected = (Correction.objects.filter(employee_id=OuterRef("employee_id"), date=OuterRef("date"),
                                           status=CorrectionStatus.APPROVED)
                 .order_by("-decided_at").values(field_name)[:1])
    punched = Punch.objects.filter(employee_id=OuterRef("employee_id"), date=OuterRef("date")).values(field_name)[:1]
    return Coalesce(Subquery(corrected), Subquery(punched))


def _daily_query(selection: Selection) -> QuerySet:
    """The whole list in the file's order: by unit path, name and id of the person, then date
    (pages of the list and exports inside a transaction; whole exports use :func:`_daily_items`)."""
    return (_daily_columns(selection.day_statuses(), selection)
            .order_by("employee__unit__path", "employee__name", "employee_id", "date"))


def _daily_columns(day_statuses: QuerySet, selection: Selection) -> QuerySet:
    """Tuples already in the file's form where SQL does it cheaper than Python per row: the NIP
    grouped, "TL2"/"PSW1", and on PostgreSQL the local check-in/out clock (each unit's zone as a
    CASE over the few zones, the most common one the default). Then the unit id."""
    return (_day_columns(day_statuses, selection).annotate(nip_text=_nip_sql())
            .values_list("nip_text", "employee__name", "employee__unit__name", *DAY_FIELDS, "employee__unit_id"))


DAY_FIELDS = ("date", "code", "work_mode", "check_in", "check_out", "tl_text", "tl_minutes", "psw_text", "psw_minutes",
              "deduction_percent", "note")


def _day_columns(day_statuses: QuerySet, selection: Selection) -> QuerySet:
    check_in, check_out = _effective("check_in_at"), _effective("check_out_at")
    if connections[DayStatus.objects.db].vendor == "postgresql":
        zone = _zone_case(selection)
        check_in, check_out = _local_clock(check_in, zone), _local_clock(check_out, zone)
        selection.cache["local_clock"] = True
    return day_statuses.annotate(check_in=check_in, check_out=check_out, tl_text=_level_text("TL", "tl_level"),
                                 psw_text=_level_text("PSW", "psw_level"))


# A whole daily list streams like the recap: the people of the selection sorted once (one narrow
# row each with their NIP, name and unit, through PEOPLE_ORDER = the file's order), then their day
# rows a batch of people at a time through the (employee, date) index, put back in the people's
# order. Same rows, same order as :func:`_daily_query`, but the 2 million rows of an institution
# are never sorted as a whole (the first row comes after one batch), a person's name and unit are
# read once instead of on each of their days, and PostgreSQL reads the next batch while this one
# is written.
DAILY_BATCH = 1000  # people: ~20,000 day rows of a month per statement, two batches held at a time


def _daily_items(selection: Selection) -> Iterator[tuple]:
    people = (selection.employees.order_by(*PEOPLE_ORDER).annotate(nip_text=_nip_sql(""))
              .values_list("pk", "nip_text", "name", "unit__name", "unit_id"))
    batches = _batches(_every_row(people), DAILY_BATCH)
    connection = connections[DayStatus.objects.db]
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        done = _read_ahead(batches, lambda batch: _daily_of(selection, [p[0] for p in batch]))
    else:
        done = ((batch, _daily_of(selection, [p[0] for p in batch])) for batch in batches)
    for batch, rows in done:
        for pk, nip, name, unit_name, unit_id in batch:
            for day in rows.get(pk, ()):
                yield (nip, name, unit_name, *day[1:], unit_id)


def _daily_of(selection: Selection, ids: list[int]) -> dict[int, list[tuple]]:
    """These people's day rows of the period, by person, each in date order."""
    connection = connections[DayStatus.objects.db]
    if connection.vendor == "postgresql":
        # As for the recap: compiled once per export with the ids as one array parameter, read
        # from a plain cursor (the values need no converter: to_char text, date, int, Decimal).
        if "daily_sql" not in selection.cache:
            selection.cache["daily_sql"] = _daily_batch_sql(selection, connection)
        sql, params, at = selection.cache["daily_sql"]
        for i in at:
            params[i] = list(ids)
        # The correlated subqueries make the planner's estimate cross jit_above_cost, and JIT
        # then compiles for ~0.5 s to run a 50 ms statement: never worth it per batch.
        with transaction.atomic(using=DayStatus.objects.db), connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
            cursor.execute(sql, params)
            rows = cursor.fetchall()
    else:
        rows = _daily_batch_query(selection, ids)
    by_person: dict[int, list[tuple]] = {}
    for row in rows:
        by_person.setdefault(row[0], []).append(row)
    return by_person


def _daily_batch_sql(selection: Selection, connection) -> tuple[str, list, list[int]]:
    """The batch statement with ``= ANY(%s)`` for the ids, its parameters and where the ids go.
    When the zones' CASE joins the people (more than one zone), the ids filter that table too:
    otherwise PostgreSQL hashes all 100,000 people for every batch (and JIT-compiles the plan),
    several times the batch's own work."""
    sql, params = _daily_batch_query(selection, [_NO_ID]).query.sql_with_params()
    qn = connection.ops.quote_name
    where = f"{qn(DayStatus._meta.db_table)}.{qn('employee_id')} IN (%s)"
    by_ids = where.replace("IN (%s)", "= ANY(%s)")
    at = params.index(_NO_ID)
    people = qn(Employee._meta.db_table)
    if f"JOIN {people}" in sql:
        by_ids += f" AND {people}.{qn('id')} = ANY(%s)"
        params = (*params[:at + 1], _NO_ID, *params[at + 1:])
    params = list(params)
    return sql.replace(where, by_ids, 1), params, [i for i, p in enumerate(params) if p == _NO_ID]


def _daily_batch_query(selection: Selection, ids: list[int]) -> QuerySet:
    days = DayStatus.objects.filter(employee_id__in=ids, date__range=(selection.period.start, selection.period.end))
    return _day_columns(days, selection).values_list("employee_id", *DAY_FIELDS).order_by("employee_id", "date")


def _read_ahead(batches: Iterator[list], fetch: Callable[[list], object], *,
                name: str = "report-batches") -> Iterator[tuple[list, object]]:
    """(batch, fetch(batch)) pairs in order, a thread (own connection, so outside a transaction
    only) fetching the next batch while the caller writes this one: PostgreSQL and Python use both
    cores instead of taking turns. At most two batches are held at a time."""
    import queue
    import threading

    wanted: queue.Queue = queue.Queue()  # unbounded: neither side blocks on a put
    ready: queue.Queue = queue.Queue()

    def work() -> None:
        from django.db import connection

        try:
            while (batch := wanted.get()) is not None:
                try:
                    ready.put((batch, fetch(batch), None))
                except Exception as exc:  # noqa: BLE001 - handed to the reading thread, raised there
                    ready.put((batch, None, exc))
        finally:
            connection.close()

    def take() -> tuple[list, object]:
        batch, result, error = ready.get()
        if error is not None:
            raise error
        return batch, result

    worker = threading.Thread(target=work, name=name, daemon=True)
    worker.start()
    try:
        pending = 0
        for batch in batches:
            wanted.put(batch)
            pending += 1
            if pending == 2:
                yield take()
                pending -= 1
        while pending:
            yield take()
            pending -= 1
    finally:
        wanted.put(None)
        worker.join(timeout=60)


def _nip_sql(person: str = "employee__") -> Case:
    """:func:`portal.rules.nip_display` in SQL: a PNS NIP of 18 digits as 19850101 201001 1 001."""
    nip = f"{person}nip"
    grouped = Concat(Substr(nip, 1, 8), Value(" "), Substr(nip, 9, 6), Value(" "), Substr(nip, 15, 1), Value(" "),
                     Substr(nip, 16, 3), output_field=CharField())
    return Case(When(Q(Exact(Length(nip), 18), **{f"{person}asn_type": AsnType.PNS}), then=grouped),
                default=Coalesce(F(nip), Value("")), output_field=CharField())


def _level_text(prefix: str, field_name: str) -> Case:
    return Case(When(**{f"{field_name}__gt": 0}, then=Concat(Value(prefix), Cast(field_name, CharField()))),
                default=Value(""), output_field=CharField())


def _zone_case(selection: Selection) -> Case:
    units = _units_by_id(selection.employees.values("unit_id"))
    by_zone: dict[str, list[int]] = {}
    for pk, unit in units.items():
        by_zone.setdefault(unit.tzinfo.key, []).append(pk)
    common = max(by_zone, key=lambda z: len(by_zone[z]), default=TimeZone.WIB)
    return Case(*[When(employee__unit_id__in=ids, then=Value(zone)) for zone, ids in by_zone.items() if zone != common],
                default=Value(str(common)), output_field=CharField())


def _local_clock(moment, zone) -> Func:
    """PostgreSQL: ``to_char(moment AT TIME ZONE zone, 'HH24:MI:SS')`` (NULL stays NULL)."""
    return Func(moment, zone, arg_joiner=" AT TIME ZONE ", template="to_char((%(expressions)s), 'HH24:MI:SS')",
                output_field=CharField())


def _zone_of(selection: Selection, unit_id: int):
    zone = selection.zones.get(unit_id)
    if zone is None:
        # Every unit of the selection at once: two queries per unit cost seconds over 2,000 units.
        if not selection.zones:
            units = _units_by_id(selection.employees.values("unit_id"))
            selection.zones.update({pk: unit.tzinfo for pk, unit in units.items()})
        if unit_id not in selection.zones:  # moved into the selection since: look it up alone
            selection.zones[unit_id] = _units_by_id([unit_id])[unit_id].tzinfo
        zone = selection.zones[unit_id]
    return zone


def _clock(moment, zone) -> str:
    if moment is None:
        return ""
    if isinstance(moment, str):  # SQLite hands subquery datetimes back as text
        moment = dt.datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    local = moment.astimezone(zone)  # formatted by hand: strftime is the slow part, per row
    return f"{local.hour:02d}:{local.minute:02d}:{local.second:02d}"


def _daily_row(t: tuple, selection: Selection) -> list:
    if selection.cache.get("local_clock"):
        return list(t[:14])
    zone = _zone_of(selection, t[14])
    return [*t[:6], _clock(t[6], zone), _clock(t[7], zone), *t[8:14]]


DAILY_COLUMNS = (
    Column(gettext_lazy("NIP"), 20), Column(gettext_lazy("Nama"), 30), Column(gettext_lazy("Unit kerja"), 28),
    Column(gettext_lazy("Tanggal"), 11), Column(gettext_lazy("Status"), 10), Column(gettext_lazy("Mode kerja"), 11),
    Column(gettext_lazy("Jam masuk (waktu setempat)"), 12), Column(gettext_lazy("Jam pulang (waktu setempat)"), 12),
    Column("TL", 6), Column(gettext_lazy("Menit TL"), 9), Column("PSW", 6), Column(gettext_lazy("Menit PSW"), 10),
    Column(gettext_lazy("Potongan (%)"), 11), Column(gettext_lazy("Keterangan"), 36),
)


# Cumulative TK ------------------------------------------------------------------------

def _tk_query(selection: Selection) -> QuerySet:
    return (selection.day_statuses().filter(code=rules.TK).values(*EMPLOYEE_FIELDS, "employee__unit__path")
            .annotate(tk=Count("pk")).order_by("-tk", *EMPLOYEE_ORDER))


RUN_LOOKBACK = dt.timedelta(days=40)  # a run of 10 working days ending in January may start in December


def tk_runs(employee_ids, start: dt.date, end: dt.date) -> dict[int, rules.TkRun]:
    """The longest run of TK working days of each employee in [start, end] (one ordered pass
    over their rows; only the best run per person is kept)."""
    best: dict[int, rules.TkRun] = {}
    current, days = None, []
    rows = (DayStatus.objects.filter(employee_id__in=list(employee_ids), date__range=(start, end))
            .order_by("employee_id", "date").values_list("employee_id", "date", "code"))
    for employee_id, day, code in rows.iterator(chunk_size=CHUNK):
        if employee_id != current:
            if current is not None:
                best[current] = rules.longest_tk_run(days)
            current, days = employee_id, []
        days.append((day, code))
    if current is not None:
        best[current] = rules.longest_tk_run(days)
    return best


def _runs_of(selection: Selection) -> dict[int, rules.TkRun]:
    """Runs of everyone in the report, computed once per selection (runs ending in the year)."""
    if "tk_runs" not in selection.cache:
        ids = _tk_query(selection).values_list("employee_id", flat=True)
        selection.cache["tk_runs"] = tk_runs(ids, selection.period.start - RUN_LOOKBACK, selection.period.end)
    return selection.cache["tk_runs"]


def _tk_row(r: dict, selection: Selection) -> list:
    days = r["tk"]
    reached = [t for t, _label in rules.TK_THRESHOLDS if days >= t]
    following = [t for t, _label in rules.TK_THRESHOLDS if days < t]
    run = _runs_of(selection).get(r["employee_id"]) or rules.TkRun(0, None, None)
    consecutive = run.length >= rules.TK_CONSECUTIVE_DAYS
    return [nip_text(r["employee__nip"], r["employee__asn_type"]), r["employee__name"], r["employee__jabatan"],
            r["employee__unit__name"], days, reached[-1] if reached else "", rules.tk_sanction(days),
            following[0] if following else "", run.length,
            f"{run.first.isoformat()} – {run.last.isoformat()}" if run.length else "",
            ngettext("%(n)d hari kerja berturut-turut: %(sanction)s", "%(n)d hari kerja berturut-turut: %(sanction)s",
                     run.length) % {"n": run.length, "sanction": rules.TK_CONSECUTIVE_SANCTION}
            if consecutive else ""]


TK_COLUMNS = (
    Column(gettext_lazy("NIP"), 23), Column(gettext_lazy("Nama"), 30), Column(gettext_lazy("Jabatan"), 30),
    Column(gettext_lazy("Unit kerja"), 28), Column(gettext_lazy("TK kumulatif (hari)"), 12),
    Column(gettext_lazy("Ambang tercapai (hari)"), 12), Column(gettext_lazy("Hukuman disiplin (PP 94/2021)"), 50),
    Column(gettext_lazy("Ambang berikutnya (hari)"), 14), Column(gettext_lazy("TK berturut-turut terpanjang"), 14),
    Column(gettext_lazy("Tanggal TK berturut-turut"), 24),
    Column(gettext_lazy("10 hari kerja berturut-turut (PP 94/2021)"), 50),
)


# Planned versus actual ----------------------------------------------------------------

def _punch(field_name: str):
    return Subquery(Punch.objects.filter(employee_id=OuterRef("employee_id"), date=OuterRef("date"))
                    .values(field_name)[:1])


def _planned_query(selection: Selection) -> QuerySet:
    punched = Exists(Punch.objects.filter(employee_id=OuterRef("employee_id"), date=OuterRef("date")))
    mismatch = (Q(code=rules.TK)  # planned office/flexible day, no punch and no correction
                | (~Q(absence_kind="") & Q(punched=True))
                | (Q(code__in=OFF) & Q(punched=True))
                | (_present() & Q(work_mode=WorkMode.WFO, punch_flagged=True))
                | (_present() & Q(punched=True) & ~Q(punch_mode=F("work_mode"))))
    return (selection.day_statuses()
            .annotate(punched=punched, punch_flagged=_punch("flagged"), punch_mode=_punch("work_mode"),
                      punch_distance=_punch("in_distance_m"))
            .filter(mismatch)
            .values("employee__nip", "employee__asn_type", "employee__name", "employee__unit__name", "date", "code",
                    "work_mode", "absence_kind", "punched", "punch_flagged", "punch_mode", "punch_distance")
            .order_by("employee__unit__path", "employee__name", "employee_id", "date"))


def _findings(r: dict) -> list[str]:
    out = []
    if r["code"] == rules.TK:
        out.append(_("hari kantor tanpa presensi") if r["work_mode"] in IN_OFFICE
                   else _("hari WFH/WFA tanpa presensi"))
    if r["absence_kind"] and r["punched"]:
        out.append(_("presensi pada hari izin/cuti/dinas"))
    if r["code"] in OFF and r["punched"]:
        out.append(_("presensi di luar jadwal kerja (hari libur atau tidak dijadwalkan)"))
    if r["code"] in PRESENT and r["work_mode"] == WorkMode.WFO and r["punch_flagged"]:
        out.append(_("presensi di luar radius kantor pada hari WFO"))
    if r["code"] in PRESENT and r["punched"] and r["punch_mode"] != r["work_mode"]:
        out.append(_("mode saat presensi (%(punch)s) berbeda dengan rencana") % {"punch": r["punch_mode"]})
    return out


def _planned_row(r: dict, selection: Selection) -> list:
    plan = r["absence_kind"] or r["work_mode"] or r["code"]
    detail = ""
    if r["punch_flagged"]:
        distance = r["punch_distance"]
        detail = (_("jarak %(distance)s dari kantor") % {"distance": distance_text(distance)} if distance is not None
                  else _("lokasi tidak diketahui"))
    return [nip_text(r["employee__nip"], r["employee__asn_type"]), r["employee__name"], r["employee__unit__name"],
            r["date"], plan, r["code"], "; ".join(_findings(r)), detail]


PLANNED_COLUMNS = (
    Column(gettext_lazy("NIP"), 20), Column(gettext_lazy("Nama"), 30), Column(gettext_lazy("Unit kerja"), 28),
    Column(gettext_lazy("Tanggal"), 11), Column(gettext_lazy("Rencana"), 11), Column(gettext_lazy("Status hari"), 12),
    Column(gettext_lazy("Temuan"), 44), Column(gettext_lazy("Keterangan"), 28),
)


# Which recap columns the printed page shows, with short headers: the full 34 columns do
# not fit a landscape A4 sheet at a readable size (minutes and note stay in CSV/XLSX).
RECAP_PDF = PdfLayout(columns=(
    (0, "NIP", 27), (1, "Nama", 36), (3, "Unit kerja", 30), (4, "HK", 7), (5, "Hadir", 8), (6, "WFO", 7),
    (7, "WFH/ WFA", 8), (8, "TL1", 6), (9, "TL2", 6), (10, "TL3", 6), (11, "TL4", 6), (13, "PSW1", 7),
    (14, "PSW2", 7), (15, "PSW3", 7), (16, "PSW4", 7), (18, "TAM", 7), (19, "TAP", 7), (20, "DL", 6),
    (21, "TB/ Dikl.", 8), (22, "Izin", 6), (23, "Sakit", 7), (24, "CT", 6), (25, "CB", 6), (26, "CS", 6),
    (27, "CM", 6), (28, "CAP", 6), (29, "CLTN", 7), (30, "TK", 6), (36, "% Hadir", 10), (37, "% Pot.", 10),
    (38, "Versi", 14),
), legend=gettext_lazy(
    "HK: hari kerja; TAM/TAP: tidak absen masuk/pulang; TB: tugas belajar; TK: tanpa keterangan; "
    "% Pot.: jumlah potongan (paling tinggi 100%); Versi: aturan presensi (A) dan pola hari kerja (P) "
    "yang dipakai, lihat catatan di bawah."))


REPORTS: dict[str, Report] = {r.slug: r for r in (
    Report(MONTHLY_RECAP, "rekap-bulanan", gettext_lazy("Rekap presensi bulanan per pegawai"), RECAP_COLUMNS,
           _recap_query, _recap_row, RECAP_PDF, totals=_recap_totals, items=_recap_items, tally=_RecapTally,
           size=_recap_size),
    Report(UNIT_SUMMARY, "ringkasan-unit", gettext_lazy("Ringkasan bulanan per unit"), SUMMARY_COLUMNS,
           _summary_query, _summary_row, totals=_summary_totals),
    Report(DAILY, "harian", gettext_lazy("Daftar presensi harian"), DAILY_COLUMNS, _daily_query, _daily_row,
           stream=_daily_items),
    Report(TK_CUMULATIVE, "tk-kumulatif", gettext_lazy("TK kumulatif per pegawai (PP 94/2021)"), TK_COLUMNS,
           _tk_query, _tk_row),
    Report(PLANNED_VS_ACTUAL, "rencana-vs-realisasi", gettext_lazy("Rencana dibanding realisasi"),
           PLANNED_COLUMNS, _planned_query, _planned_row),
)}
REPORT_CHOICES = [(r.slug, r.title) for r in REPORTS.values()]


# --- What the numbers were computed under -----------------------------------------------


@dataclass(frozen=True)
class MonthStatus:
    month: dt.date
    label: str
    state: str  # "closed", "closing", "partly" (some units below closed), "open"
    closure: object | None  # the MonthClosure that decides it


def closure_status(selection: Selection) -> list[MonthStatus]:
    """Per month of the period: closed for the whole selection (its unit or one above), being
    closed, closed only for some units below, or open."""
    from portal.selectors.closures import month_label, months_between

    unit = selection.unit
    out = []
    for month in months_between(selection.period.start, selection.period.end):
        q = MonthClosure.objects.filter(reopened_at__isnull=True, month=month)
        covering = q.filter(unit_id__in=unit.ancestor_ids).first() if unit else None
        if covering is not None:
            state = "closed" if covering.closed_at else "closing"
            out.append(MonthStatus(month, month_label(month), state, covering))
            continue
        below = q.filter(unit__path__startswith=unit.path).first() if unit else q.first()
        out.append(MonthStatus(month, month_label(month), "partly" if below else "open", below))
    return out


def rule_versions(selection: Selection, employee_ids: list[int] | None = None) -> list[str]:
    """Each rules version and working pattern the selection's rows were computed under, as a
    sentence ("A3: aturan presensi Pemerintah Kota Contoh berlaku mulai 2026-07-01 (Perbup 12/2025)");
    only those of ``employee_ids`` when given (the rows of one page)."""
    from attendance.models import AttendanceRules
    from portal.models import WorkPattern

    rows = selection.day_statuses() if employee_ids is None else DayStatus.objects.filter(
        employee_id__in=employee_ids, date__range=(selection.period.start, selection.period.end))
    used = rows.order_by().values_list("rules_version", "pattern_version").distinct()
    rules_ids = {r for r, _p in used if r}
    pattern_ids = {p for _r, p in used if p}
    lines = []
    for row in AttendanceRules.objects.filter(pk__in=rules_ids).select_related("institution").order_by("pk"):
        basis = row.legal_basis or _("dasar hukum belum diisi")
        lines.append(_("A%(id)d: aturan presensi %(inst)s berlaku mulai %(date)s (%(basis)s)") % {
            "id": row.pk, "inst": row.institution.name, "date": short_date(row.effective_from), "basis": basis})
    if any(r is None for r, _p in used):
        lines.append(_("A·bawaan: aturan bawaan portal (batas pita TL/PSW tanpa potongan; potongan belum diatur "
                       "instansi)"))
    for row in WorkPattern.objects.filter(pk__in=pattern_ids).select_related("unit").order_by("pk"):
        lines.append(_("P%(id)d: pola hari kerja %(unit)s berlaku mulai %(date)s") % {
            "id": row.pk, "unit": row.unit.name, "date": short_date(row.effective_from)})
    if any(p is None for _r, p in used):
        lines.append(_("P·Perpres: hari dan jam kerja Perpres 21/2023 (Senin–Jumat)"))
    return lines


def report_notes(selection: Selection) -> list[str]:
    """The lines a file carries besides its table: closure per month, then the rule versions."""
    states = {"closed": _("ditutup (tutup buku) %(when)s"), "closing": _("sedang ditutup"),
              "partly": _("sebagian unit sudah ditutup"), "open": _("belum ditutup: angka masih dapat berubah")}
    lines = []
    for status in closure_status(selection):
        when = ""
        if status.closure is not None and status.closure.closed_at:
            when = timezone.localtime(status.closure.closed_at).strftime("%Y-%m-%d %H:%M")
        lines.append(_("Bulan %(month)s: %(state)s") % {"month": status.label,
                                                         "state": states[status.state] % {"when": when}})
    return lines + rule_versions(selection)
