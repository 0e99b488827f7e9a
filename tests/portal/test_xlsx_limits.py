"""Hostile XLSX uploads are refused quickly, in little memory, with a message saying why.

Each workbook is a few hundred kilobytes at most, built here by hand: the shapes that once held a
web worker for 100 s or grew it by 286 MB (a sheet of 16,384 columns, a million rows, a zip bomb,
an entity bomb, broken XML).
"""

from __future__ import annotations

import io
import time
import tracemalloc
import zipfile

import pytest

from portal import xlsx
from portal.services.people_import import ImportFileError, read_table

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
RELS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'


def workbook(sheet_xml: str | bytes, shared_strings: str | bytes | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", (
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="'
            'application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'))
        z.writestr("_rels/.rels", (
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'))
        z.writestr("xl/workbook.xml", f'<?xml version="1.0"?><workbook {NS} {RELS}><sheets>'
                                      '<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", (
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'))
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        if shared_strings is not None:
            z.writestr("xl/sharedStrings.xml", shared_strings)
    return buffer.getvalue()


def sheet(rows: str) -> str:
    return f'<?xml version="1.0"?><worksheet {NS}><sheetData>{rows}</sheetData></worksheet>'


class Upload(io.BytesIO):
    def __init__(self, data: bytes, name: str = "pegawai.xlsx"):
        super().__init__(data)
        self.name, self.size = name, len(data)


def refused(data: bytes, settings) -> tuple[str, float, float]:
    """(message, seconds, peak MB) of reading ``data`` as an import."""
    settings.PORTAL_IMPORT_MAX_ROWS = 50_000
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(ImportFileError) as caught:
        read_table(Upload(data))
    elapsed = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return str(caught.value), elapsed, peak / 1024 / 1024


def test_it_reads_a_plain_sheet():
    data = workbook(sheet('<row r="1"><c r="A1" t="inlineStr"><is><t>nip</t></is></c></row>'
                          '<row r="2"><c r="A2"><v>42</v></c></row>'))
    assert list(xlsx.xlsx_rows(data)) == [("nip",), (42,)]


def test_it_refuses_a_sheet_wider_than_the_limit_at_once(settings):
    cells = "".join(f'<c r="{_ref(i)}1"><v>1</v></c>' for i in range(1, 16_385))
    message, seconds, peak = refused(workbook(sheet(f'<row r="1">{cells}</row>')), settings)
    assert "lebih dari 64 kolom" in message and seconds < 5 and peak < 50


def test_it_refuses_a_million_rows_without_reading_them_all(settings):
    rows = "".join(f'<row r="{i}"><c r="A{i}"><v>{i}</v></c></row>' for i in range(1, 1_000_001))
    data = workbook(sheet(rows))
    assert len(data) < 8 * 1024 * 1024
    message, seconds, peak = refused(data, settings)
    assert "lebih dari 50000 baris" in message and seconds < 20 and peak < 80


def test_it_refuses_a_zip_bomb(settings):
    huge = "<si><t>" + "A" * 50_000_000 + "</t></si>"
    data = workbook(sheet('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'),
                    f'<?xml version="1.0"?><sst {NS}>{huge}</sst>')
    message, seconds, peak = refused(data, settings)
    assert "dipadatkan secara tidak wajar" in message and seconds < 5 and peak < 50


def test_it_refuses_entities_and_broken_xml(settings):
    laughs = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
              f'<worksheet {NS}><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row>'
              '</sheetData></worksheet>')
    for data in (workbook(laughs), workbook("<worksheet><sheetData><row>")):
        message, _seconds, _peak = refused(data, settings)
        assert "tidak dapat dibaca" in message


def test_it_refuses_a_cell_longer_than_the_limit(settings):
    text = "x" * 5_000
    message, _seconds, _peak = refused(workbook(sheet(
        f'<row r="1"><c r="A1" t="inlineStr"><is><t>{text}</t></is></c></row>')), settings)
    assert "2000 karakter" in message


def _ref(column: int) -> str:
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
