"""The printed recap says when it was printed (on the institution's clock) and carries the metadata a
screen reader and a document manager use: title, author, subject, language (reportlab cannot tag it;
the report page offers the same rows as a table and CSV next to the PDF button)."""

from __future__ import annotations

import base64
import datetime as dt
import io
import re
import zlib

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from attendance.selectors import reports
from attendance.services import export_jobs
from portal import exports

NOW = dt.datetime(2026, 12, 7, 9, 5, tzinfo=dt.UTC)  # Monday 16.05 WIB, 17.05 WITA
LAYOUT = exports.PdfLayout(columns=((0, "NIP", 40), (1, "Nama", 60)), legend="H: hadir")


def page_text(pdf: bytes) -> str:
    """The text drawn on the pages: every content stream, ASCII85 then Flate decoded."""
    text = []
    for raw in re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        data = raw.strip()
        if data.endswith(b"~>"):
            data = base64.a85decode(data, adobe=True)
        try:
            text.append(zlib.decompress(data).decode("latin-1"))
        except zlib.error:
            continue
    return "\n".join(text)


def pdf_of(**options) -> bytes:
    buffer = io.BytesIO()
    exports.write_pdf([["NIP", "Nama"], ["1990", "Ani Lestari"]], buffer, layout=LAYOUT, title="Rekap presensi",
                      subtitle="Dinas Kesehatan · November 2026", letterhead=["PEMERINTAH KOTA CONTOH"], **options)
    return buffer.getvalue()


@pytest.mark.now(NOW, tick=False)
def test_it_prints_the_date_and_time_on_every_page():
    with translation.override("id"):
        pdf = pdf_of()
    assert "(Dicetak Senin, 7 Desember 2026 pukul 16.05 WIB)" in page_text(pdf)


@pytest.mark.now(NOW, tick=False)
def test_it_prints_on_the_institutions_clock(hr_other, pemprov_lain):
    with translation.override("id"):
        selection = reports.report_resolve(hr_other, report=reports.MONTHLY_RECAP, unit=pemprov_lain.pk,
                                           month="2026-11")
        assert export_jobs.printed_of(selection) == "Dicetak Senin, 7 Desember 2026 pukul 17.05 WITA"


def test_it_carries_title_author_subject_and_language():
    with translation.override("id"):
        pdf = pdf_of(printed="Dicetak kemarin")
    assert b"/Title (Rekap presensi)" in pdf
    assert b"/Author (PEMERINTAH KOTA CONTOH)" in pdf
    assert b"/Lang (id)" in pdf
    assert b"/DisplayDocTitle true" in pdf
    assert "(Dicetak kemarin)" in page_text(pdf)


@pytest.mark.now(NOW, tick=False)
def test_the_report_page_offers_the_accessible_alternative_next_to_the_pdf(hr, dinkes):
    client = Client()
    client.force_login(hr)
    body = client.get(reverse("attendance-reports"), {"report": "monthly-recap", "unit": dinkes.pk,
                                                      "month": "2026-11"}).content.decode()
    assert 'value="pdf"' in body and 'aria-describedby="pdf-note"' in body
    assert 'id="pdf-note"' in body and "CSV/XLSX" in body
