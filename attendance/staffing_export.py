"""The staffing dataset as CSV and XLSX: one row generator feeding two writers.

Every text cell is neutralised against formula injection: a spreadsheet would run a unit
named ``=HYPERLINK(...)`` as a formula, so text starting with ``= + - @``, tab or CR gets a
leading single quote. Numbers and dates are written as such and need no guard.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from attendance.models import ABSENCE_COLUMNS, StaffingSnapshot

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe(value):
    """Text that a spreadsheet would read as a formula, quoted; anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def header() -> list[str]:
    return [_("Kode unit"), _("Unit"), _("Tanggal"), _("Jumlah pegawai"), _("Di kantor"), "WFH", "WFA",
            _("Kantor lain"), *ABSENCE_COLUMNS, _("Menunggu persetujuan"), _("Minimal di kantor"), "status",
            _("Keterangan status")]


def dataset_rows(snapshots: Iterable[StaffingSnapshot]) -> Iterator[list]:
    """The header, then one row per unit-day (``snapshots`` with ``unit`` selected)."""
    yield header()
    for s in snapshots:
        yield [safe(s.unit.code), safe(s.unit.name), s.date, s.headcount, s.in_office, s.wfh, s.wfa,
               s.other_office, *(getattr(s, col) for col in ABSENCE_COLUMNS.values()), s.pending, s.minimum,
               s.status, safe(str(s.get_status_display()))]


class _Echo:
    def write(self, value):
        return value


def csv_response(rows: Iterator[list], filename: str) -> StreamingHttpResponse:
    """Streamed CSV (UTF-8 with BOM so spreadsheet programs read the names right)."""
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"
        for row in rows:
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_bytes(rows: Iterator[list]) -> bytes:
    """Write-only workbook (constant memory) with a bold, frozen header row."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Kehadiran unit"))
    sheet.freeze_panes = "A2"
    sheet.column_dimensions["B"].width = 40
    sheet.column_dimensions["C"].width = 12
    bold = Font(bold=True)
    for i, row in enumerate(rows):
        if i == 0:
            row = [_bold_cell(sheet, value, bold) for value in row]
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _bold_cell(sheet, value, font) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.font = font
    return cell


def xlsx_response(rows: Iterator[list], filename: str) -> HttpResponse:
    response = HttpResponse(xlsx_bytes(rows), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
