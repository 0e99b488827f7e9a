"""The one export stack: rows (a header, then lists of plain values) written as CSV, XLSX or PDF.

Every report of every app (attendance reports, the staffing dataset, the audit trail) is a row
generator handed to these writers, so a page's table and its downloaded file are the same rows.
Every text cell is neutralised against spreadsheet formula injection, here and nowhere else: a
value starting with ``=``, ``+``, ``-``, ``@``, tab or CR gets a leading single quote, so Excel
and LibreOffice show it as text instead of running it. Numbers and dates stay numbers and dates.

CSV is UTF-8 with a byte-order mark (Excel otherwise reads Indonesian names as
Windows-1252). Two dialects: ``csv`` with a comma separator and a decimal point (what
LibreOffice, Google Sheets and pandas expect), and ``csv-id`` for an Excel set to an Indonesian
locale: a semicolon separator and a decimal comma (with a point there, "2.50" would be read as
two hundred and fifty). Both files end in ``.csv``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from itertools import chain

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header

BOM = "\ufeff"
DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
PROGRESS_EVERY = 500  # rows between progress callbacks

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "csv-id": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


EXTENSIONS = {"csv": "csv", "csv-id": "csv", "xlsx": "xlsx", "pdf": "pdf"}


def extension(fmt: str) -> str:
    return EXTENSIONS.get(fmt, fmt)


def safe_cell(value):
    """A value fit for a spreadsheet cell: text neutralised, numbers and dates untouched."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float, Decimal, dt.date, dt.datetime, dt.time)):
        return value
    text = str(value)
    return "'" + text if text.startswith(DANGEROUS_PREFIXES) else text


def safe_row(row: Iterable) -> list:
    return [safe_cell(v) for v in row]


def _text(value) -> str:
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    return str(value)


def _counting(rows: Iterable[list], on_progress: Callable[[int], None] | None) -> Iterator[list]:
    """Pass rows through, calling ``on_progress(data_rows_so_far)`` every PROGRESS_EVERY rows."""
    n = -1  # the first row is the header
    for row in rows:
        yield row
        n += 1
        if on_progress and n and n % PROGRESS_EVERY == 0:
            on_progress(n)
    if on_progress:
        on_progress(max(n, 0))


# --- CSV ---------------------------------------------------------------------------------


CSV_BATCH = 500  # rows per yielded chunk: a chunk per line cost more than writing the line


# Written by the csv module as str(value), exactly what _text gives (not bool, not datetime).
_CSV_AS_IS = frozenset({int, float, Decimal, dt.date})


def _csv_row(row: Iterable) -> list:
    """``[_text(v) for v in safe_row(row)]`` with the common types inline: millions of cells."""
    return [("'" + v if v.startswith(DANGEROUS_PREFIXES) else v) if type(v) is str
            else v if type(v) in _CSV_AS_IS else _text(safe_cell(v)) for v in row]


def _decimal_comma(row: list) -> list:
    return [str(v).replace(".", ",") if type(v) in (Decimal, float) else v for v in row]


def csv_chunks(rows: Iterable[list], *, semicolon: bool = False) -> Iterator[str]:
    """The CSV text, BOM first, in chunks of CSV_BATCH lines (constant memory)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";" if semicolon else ",")
    buffer.write(BOM)
    for n, row in enumerate(rows, start=1):
        writer.writerow(_csv_row(_decimal_comma(row) if semicolon else row))
        if n % CSV_BATCH == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_response(rows: Iterable[list], filename: str, *, semicolon: bool = False) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_chunks(rows, semicolon=semicolon), content_type=CONTENT_TYPES["csv"])
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def file_response(fmt: str, rows: Iterable[list], filename: str, **options) -> HttpResponse:
    """A whole export as a download: CSV streamed, XLSX and PDF built in memory (small ones only).

    The file name goes through Django's header builder: a unit code with a quote or a non-ASCII
    name cannot break the header."""
    if fmt in ("csv", "csv-id"):
        return csv_response(rows, filename, semicolon=fmt == "csv-id")
    response = HttpResponse(export_bytes(fmt, rows, **options), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def write_csv(rows: Iterable[list], target, *, on_progress=None, semicolon: bool = False) -> None:
    """Write CSV bytes to a binary file object."""
    for chunk in csv_chunks(_counting(rows, on_progress), semicolon=semicolon):
        target.write(chunk.encode("utf-8"))


# --- XLSX --------------------------------------------------------------------------------


def write_xlsx(rows: Iterable[list], target, *, widths: list[int] | None = None, title: str = "Laporan",
               on_progress=None, notes: Iterable[str] = ()) -> None:
    """A constant-memory workbook (XlsxWriter: each row goes to disk once the next begins): bold
    frozen header, preset column widths; ``notes`` (the period, closure status, rule versions) go
    to a second sheet, read only after the rows, so the first sheet stays a table.

    XlsxWriter turns text starting with ``=`` into a formula and ``http://`` into a link unless
    told not to; both are off, and every cell is written by its type, never guessed."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(target, {"constant_memory": True, "strings_to_formulas": False,
                                            "strings_to_urls": False, "strings_to_numbers": False,
                                            "remove_timezone": True})
    sheet = workbook.add_worksheet(_sheet_title(title))
    for index, width in enumerate(widths or []):
        sheet.set_column(index, index, width)
    sheet.freeze_panes(1, 0)
    formats = {"bold": workbook.add_format({"bold": True}), "date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
               "datetime": workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
               "time": workbook.add_format({"num_format": "hh:mm:ss"})}
    iterator = iter(_counting(rows, on_progress))
    header = next(iterator, None)
    if header is not None:
        for column, value in enumerate(safe_row(header)):
            sheet.write(0, column, value, formats["bold"])
    for number, row in enumerate(iterator, start=1):
        _xlsx_row(sheet, number, row, formats)
    notes = [str(n) for n in notes]
    if notes:
        about = workbook.add_worksheet("Keterangan")
        about.set_column(0, 0, 120)
        for number, line in enumerate([str(title), *notes]):
            about.write_string(number, 0, safe_cell(line))
    workbook.close()


def _xlsx_row(sheet, number: int, row: Iterable, formats: dict) -> None:
    """One row, each cell written by its type (the common ones first: millions of cells). XlsxWriter's
    undecorated writers (documented in its source as such) skip the "A1"-notation parsing of every
    call, which costs more than storing the cell."""
    write_string = getattr(sheet, "_write_string", sheet.write_string)
    write_number = getattr(sheet, "_write_number", sheet.write_number)
    for column, value in enumerate(row):
        kind = type(value)
        if kind is str:
            if value:
                write_string(number, column, "'" + value if value.startswith(DANGEROUS_PREFIXES) else value)
        elif kind is int or kind is Decimal or kind is float:
            write_number(number, column, value)
        elif value is None:
            continue
        else:
            _xlsx_other(sheet, number, column, safe_cell(value), formats)


def _xlsx_other(sheet, number: int, column: int, value, formats: dict) -> None:
    if isinstance(value, dt.datetime):
        sheet.write_datetime(number, column, value, formats["datetime"])
    elif isinstance(value, dt.date):
        sheet.write_datetime(number, column, value, formats["date"])
    elif isinstance(value, dt.time):
        sheet.write_datetime(number, column, value, formats["time"])
    elif isinstance(value, (int, float, Decimal)):
        sheet.write_number(number, column, value)
    elif value != "":
        sheet.write_string(number, column, str(value))


def _sheet_title(title: str) -> str:
    # Excel: at most 31 characters, none of []:*?/\
    cleaned = "".join(c for c in str(title) if c not in "[]:*?/\\")
    return (cleaned or "Laporan")[:31]


# --- PDF (monthly recap) -----------------------------------------------------------------

@dataclass(frozen=True)
class PdfLayout:
    """What a printed page of a report shows: (row index, short header, width in mm) per column,
    and a legend for the abbreviations. A landscape A4 sheet holds about 30 narrow columns."""

    columns: tuple[tuple[int, str, int], ...]
    legend: object = ""
    numbers_from: int = 3  # columns from this position on are right-aligned figures


PDF_ROWS_PER_TABLE = 250  # smaller tables lay out much faster than one huge split table


def pdf_available() -> bool:
    try:
        import reportlab  # noqa: F401
    except ImportError:
        return False
    return True


@dataclass(frozen=True)
class Signature:
    """One signature block under a printed report: "Mengetahui," / the office / name / NIP."""

    caption: str  # "Mengetahui," or the place and date
    office: str  # "Kepala Dinas Kesehatan"
    name: str = ""  # empty: a line to sign and write the name by hand
    nip: str = ""


def printed_line(tz=None, zone: str = "WIB") -> str:
    """"Dicetak Minggu, 6 Desember 2026 pukul 16.20 WIB": now, on the clock of ``tz`` (the
    institution's; the site's when None), in the active language."""
    from django.utils import formats, timezone
    from django.utils.translation import gettext as _

    from portal.formatting import long_date

    now = timezone.localtime(timezone.now(), tz)
    return _("Dicetak %(date)s pukul %(time)s %(zone)s") % {
        "date": long_date(now), "time": formats.time_format(now, "TIME_FORMAT"), "zone": zone}


def write_pdf(rows: Iterable[list], target, *, layout: PdfLayout, title: str, subtitle: str = "",
              on_progress=None, letterhead: Iterable[str] = (), notes: Iterable[str] = (),
              signatures: Iterable[Signature] = (), printed: str = "") -> None:
    """A print-ready landscape A4 table, header repeated on every page: the institution's
    letterhead and the title above, notes (closure, rule versions) and signature blocks below,
    and on every page's foot when it was printed (``printed``, else now on the site's clock).

    reportlab cannot tag a PDF (no structure tree for screen readers), so the file carries its
    title, author (the institution), subject and language, and the report page offers the same
    rows as an HTML table and CSV/XLSX next to the PDF button."""
    from django.utils.translation import get_language
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    cell = styles["BodyText"].clone("cell", fontSize=6, leading=7)
    head = cell.clone("head", fontName="Helvetica-Bold")
    letterhead = [str(line) for line in letterhead]
    doc = SimpleDocTemplate(target, pagesize=landscape(A4), leftMargin=8 * mm, rightMargin=8 * mm,
                            topMargin=10 * mm, bottomMargin=10 * mm, title=str(title), subject=str(subtitle),
                            author=letterhead[0] if letterhead else "", creator="Portal Kerja Fleksibel ASN",
                            lang=get_language() or "id", displayDocTitle=True)
    footer = partial(_page_foot, printed=printed or printed_line())
    header = [Paragraph(_escape(label), head) for _i, label, _w in layout.columns]
    widths = [w * mm for _i, _label, w in layout.columns]
    style = TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ALIGN", (layout.numbers_from, 1), (-1, -1), "RIGHT"),
        ("LEFTPADDING", (0, 0), (-1, -1), 1.5), ("RIGHTPADDING", (0, 0), (-1, -1), 1.5),
    ])
    story = [Paragraph(_escape(line), styles["Heading3" if i else "Heading2"]) for i, line in enumerate(letterhead)]
    story.append(Paragraph(_escape(title), styles["Title"]))
    if subtitle:
        story.append(Paragraph(_escape(subtitle), styles["Normal"]))
    story.append(Spacer(1, 4 * mm))
    body: list = []
    iterator = iter(_counting(rows, on_progress))
    next(iterator, None)  # the generator's header: the PDF prints its own short one
    for row in iterator:
        body.append([Paragraph(_escape(_text(safe_cell(row[i]))), cell) for i, _label, _w in layout.columns])
        if len(body) == PDF_ROWS_PER_TABLE:
            story.append(Table([header, *body], colWidths=widths, repeatRows=1, style=style))
            body = []
    if body or not any(isinstance(f, Table) for f in story):
        story.append(Table([header, *body], colWidths=widths, repeatRows=1, style=style))
    story.append(Spacer(1, 3 * mm))
    if layout.legend:
        story.append(Paragraph(_escape(str(layout.legend)), cell))
    for note in notes:
        story.append(Paragraph(_escape(str(note)), cell))
    signatures = list(signatures)
    if signatures:
        story.append(Spacer(1, 6 * mm))
        story.append(_signature_table(signatures, styles["BodyText"].clone("sign", fontSize=8, leading=10), mm))
    doc.build(story, onFirstPage=footer, onLaterPages=footer)


def _signature_table(signatures: list[Signature], style, mm):
    """Side by side: caption and office on top, room to sign, then the name and NIP."""
    from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table

    def block(sig: Signature):
        name = _escape(sig.name) if sig.name else "(" + "." * 40 + ")"
        nip = "NIP " + _escape(sig.nip) if sig.nip else "NIP " + "." * 30
        return [Paragraph(_escape(sig.caption), style), Paragraph(_escape(sig.office), style), Spacer(1, 16 * mm),
                Paragraph(f"<u>{name}</u>" if sig.name else name, style), Paragraph(nip, style)]

    return KeepTogether(Table([[block(s) for s in signatures]], colWidths=[90 * mm] * len(signatures),
                              hAlign="RIGHT"))


def _page_foot(canvas, doc, *, printed: str) -> None:
    """The print date on the left (a loose sheet still says when it was made), the page number right."""
    from reportlab.lib.units import mm

    canvas.saveState()
    canvas.setFont("Helvetica", 7)
    canvas.drawString(8 * mm, 5 * mm, printed)
    canvas.drawRightString(doc.pagesize[0] - 8 * mm, 5 * mm, str(doc.page))
    canvas.restoreState()


def _escape(text: str) -> str:
    # Paragraph parses a small XML dialect: names like "A & B <Plt>" must stay literal.
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def write(fmt: str, rows: Iterable[list], target, *, widths=None, title: str = "", subtitle: str = "",
          layout: PdfLayout | None = None, on_progress=None, letterhead=(), notes=(), signatures=(),
          printed: str = "") -> None:
    """Write ``rows`` in ``fmt`` (csv, csv-id, xlsx or pdf; pdf needs a ``layout``) to a binary file."""
    if fmt == "xlsx":
        write_xlsx(rows, target, widths=widths, title=title, on_progress=on_progress,
                   notes=chain([subtitle], notes) if subtitle else notes)  # read after the rows
    elif fmt == "pdf":
        write_pdf(rows, target, layout=layout, title=title, subtitle=subtitle, on_progress=on_progress,
                  letterhead=letterhead, notes=notes, signatures=signatures, printed=printed)
    else:
        write_csv(rows, target, on_progress=on_progress, semicolon=fmt == "csv-id")


def export_bytes(fmt: str, rows: Iterable[list], **options) -> bytes:
    """A whole small export in memory (direct downloads of XLSX/PDF, which cannot stream)."""
    buffer = io.BytesIO()
    write(fmt, rows, buffer, **options)
    return buffer.getvalue()
