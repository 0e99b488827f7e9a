"""Reading an uploaded XLSX within limits, so a small file cannot hold a web worker.

An XLSX is a zip of XML. A 0.3 MB upload can expand to hundreds of megabytes (a zip bomb, a sheet
of 16,384 columns, a million formatted rows, an entity expansion), and openpyxl would build all of
it. :func:`xlsx_rows` first streams the sheet once with defusedxml (no DTDs, no entities), counting
as it goes and stopping at the first limit crossed; only a sheet that passes is read by openpyxl,
and then only the columns and rows the limits allow. Memory stays flat and time is bounded.
"""

from __future__ import annotations

import io
import posixpath
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring, iterparse
from django.utils.translation import gettext as _

MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"


class XlsxRefused(ValueError):
    """The workbook crosses a limit or is not a readable XLSX; the message says which."""


@dataclass(frozen=True)
class Limits:
    rows: int = 50_000  # rows with a value, header included
    columns: int = 64  # an import has ~20 columns: a wider sheet is not a people list
    cell_chars: int = 2_000
    uncompressed_bytes: int = 64 * 1024 * 1024  # the whole unpacked workbook
    ratio: int = 200  # a member may expand at most this much (deflate reaches ~1000 only for junk)
    seconds: float = 20.0  # the pre-scan gives up after this long


def xlsx_rows(data: bytes, limits: Limits = Limits()) -> Iterator[tuple]:
    """The first worksheet's rows as tuples of values (dates as dates), within ``limits``.

    Raises :class:`XlsxRefused` with a translated message naming the limit crossed.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise XlsxRefused(_("Berkas XLSX tidak dapat dibaca; pastikan berkas tidak rusak.")) from None
    with archive:
        _check_sizes(archive, limits)
        sheet = _first_sheet(archive)
        width = _scan(archive, sheet, limits)
        _scan_shared_strings(archive, limits)
    yield from _read(data, max(width, 1))


def _check_sizes(archive: zipfile.ZipFile, limits: Limits) -> None:
    total = 0
    for info in archive.infolist():
        total += info.file_size
        if info.file_size > 1024 * 1024 and info.file_size > limits.ratio * max(info.compress_size, 1):
            raise XlsxRefused(_("Berkas XLSX ini memuat data yang dipadatkan secara tidak wajar."))
    if total > limits.uncompressed_bytes:
        raise XlsxRefused(_("Isi berkas XLSX terlalu besar setelah dibuka (lebih dari %(mb)d MB).") % {
            "mb": limits.uncompressed_bytes // (1024 * 1024)})


def _first_sheet(archive: zipfile.ZipFile) -> str:
    """The path of the workbook's first worksheet, as openpyxl reads it."""
    try:
        workbook = fromstring(archive.read("xl/workbook.xml"))
        rels = fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, DefusedXmlException, SyntaxError):
        raise XlsxRefused(_("Berkas XLSX tidak dapat dibaca; pastikan berkas tidak rusak.")) from None
    sheet = workbook.find(f"{MAIN_NS}sheets/{MAIN_NS}sheet")
    if sheet is None:
        raise XlsxRefused(_("Berkas XLSX tidak berisi lembar kerja."))
    rel_id = sheet.get(f"{REL_NS}id")
    target = next((r.get("Target") for r in rels.iter(f"{PKG_REL_NS}Relationship") if r.get("Id") == rel_id), None)
    if not target:
        raise XlsxRefused(_("Berkas XLSX tidak dapat dibaca; pastikan berkas tidak rusak."))
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))


def _column(ref: str) -> int:
    """1-based column of a cell reference ("AB12" -> 28)."""
    number = 0
    for char in ref:
        if not char.isalpha():
            break
        number = number * 26 + ord(char.upper()) - 64
    return number


class _Clock:
    def __init__(self, seconds: float):
        self.deadline = time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() > self.deadline:
            raise XlsxRefused(_("Berkas XLSX terlalu rumit untuk dibaca; simpan ulang sebagai CSV."))


def _events(archive: zipfile.ZipFile, member: str):
    try:
        with archive.open(member) as stream:
            yield from iterparse(stream, events=("end",), forbid_dtd=True)
    except KeyError:
        raise XlsxRefused(_("Berkas XLSX tidak dapat dibaca; pastikan berkas tidak rusak.")) from None
    except (DefusedXmlException, SyntaxError, zipfile.BadZipFile, EOFError):
        raise XlsxRefused(_("Berkas XLSX tidak dapat dibaca; pastikan berkas tidak rusak.")) from None


def _scan(archive: zipfile.ZipFile, member: str, limits: Limits) -> int:
    """Stream the sheet once: column, row and text limits, stopping at the first one crossed.
    Returns the widest column used."""
    clock, rows, seen, width, previous = _Clock(limits.seconds), 0, 0, 0, 0
    for _event, element in _events(archive, member):
        tag = element.tag
        if tag == f"{MAIN_NS}c":
            # A cell without a reference is the one after the previous cell of its row.
            column = previous = _column(element.get("r")) if element.get("r") else previous + 1
            width = max(width, column)
            if column > limits.columns:
                raise XlsxRefused(_("Lembar kerja memakai lebih dari %(n)d kolom; hapus kolom yang tidak "
                                    "dipakai.") % {"n": limits.columns})
        elif tag in (f"{MAIN_NS}v", f"{MAIN_NS}t"):
            if element.text and len(element.text) > limits.cell_chars:
                raise XlsxRefused(_("Ada sel berisi lebih dari %(n)d karakter.") % {"n": limits.cell_chars})
        elif tag == f"{MAIN_NS}row":
            if any(cell.find(f"{MAIN_NS}v") is not None or cell.find(f"{MAIN_NS}is") is not None
                   for cell in element):
                rows += 1
                if rows > limits.rows:
                    raise XlsxRefused(_("Berkas berisi lebih dari %(n)d baris data.") % {"n": limits.rows - 1})
            element.clear()
            previous = 0
        seen += 1
        if seen % 5000 == 0:
            clock.check()
    return width


def _scan_shared_strings(archive: zipfile.ZipFile, limits: Limits) -> None:
    if "xl/sharedStrings.xml" not in archive.namelist():
        return
    clock, count = _Clock(limits.seconds), 0
    for _event, element in _events(archive, "xl/sharedStrings.xml"):
        if element.tag == f"{MAIN_NS}t" and element.text and len(element.text) > limits.cell_chars:
            raise XlsxRefused(_("Ada sel berisi lebih dari %(n)d karakter.") % {"n": limits.cell_chars})
        if element.tag == f"{MAIN_NS}si":
            count += 1
            element.clear()
            if count > limits.rows * limits.columns:
                raise XlsxRefused(_("Berkas XLSX memuat terlalu banyak teks."))
            if count % 5000 == 0:
                clock.check()


def _read(data: bytes, width: int) -> Iterator[tuple]:
    """openpyxl, now that the sheet is known to be small: values with dates converted."""
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, IndexError, DefusedXmlException, SyntaxError):
        raise XlsxRefused(_("Berkas XLSX tidak dapat dibaca; pastikan berkas tidak rusak.")) from None
    try:
        yield from workbook.worksheets[0].iter_rows(max_col=width, values_only=True)
    except (ValueError, KeyError, IndexError, DefusedXmlException, SyntaxError):
        raise XlsxRefused(_("Berkas XLSX tidak dapat dibaca; pastikan berkas tidak rusak.")) from None
    finally:
        workbook.close()
