"""The staffing legend says what ``attendance.rules.staffing_status`` decides: one function picks the
band of every cell, and the legend describes those bands (a unit exactly at its minimum is "Aman",
as the cells show it; the legend once called that "Rawan")."""

import datetime as dt
import itertools
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from attendance.models import StaffingSnapshot
from attendance.rules import STAFFING_AT_RISK, STAFFING_BELOW, STAFFING_OK, staffing_status

MONDAY = dt.date(2026, 12, 7)
NOW = dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC)


def _legend_says(in_office: int, minimum: int, pending: int) -> str:
    """The three legend lines, read as conditions."""
    if in_office < minimum:  # "lebih sedikit di kantor daripada minimal"
        return STAFFING_BELOW
    if in_office - pending < minimum:  # "minimal terpenuhi sekarang, tetapi akan di bawah minimal jika ..."
        return STAFFING_AT_RISK
    return STAFFING_OK  # "di kantor minimal atau lebih (tepat minimal termasuk), juga jika ..."


def test_the_legend_conditions_are_the_function_everywhere():
    for in_office, minimum, pending in itertools.product(range(7), range(6), range(4)):
        assert staffing_status(in_office, minimum, pending) == _legend_says(in_office, minimum, pending), (
            in_office, minimum, pending)


def _legend_lines(html: str) -> dict[str, str]:
    legend = html.split('id="staffing-legend"')[1].split("</ul>")[0]
    lines = re.findall(r"<li>(.*?)</li>", legend, flags=re.S)
    return {re.search(r"swatch--(\w+)", line).group(1): re.sub(r"<[^>]+>", "", line) for line in lines}


@pytest.mark.django_db
def test_a_unit_exactly_at_its_minimum_reads_safe_in_its_cell_and_in_the_legend(client, kabid, bidang_p2p):
    bidang_p2p.head = kabid  # the head sees the unit's staffing
    bidang_p2p.save(update_fields=["head"])
    StaffingSnapshot.objects.create(unit=bidang_p2p, date=MONDAY, headcount=5, in_office=3, minimum=3, pending=0,
                                    status=staffing_status(3, 3, 0), computed_at=timezone.now())
    client.force_login(kabid.user)
    with time_machine.travel(NOW, tick=False):
        html = client.get(reverse("staffing-dashboard"), {"unit": bidang_p2p.pk, "bulan": "2026-12"}).content.decode()
    cell = html.split(f'<time datetime="{MONDAY.isoformat()}">')[0].rsplit("<td", 1)[1]
    assert "heat--ok" in cell
    lines = _legend_lines(html)
    assert "Aman" in lines["ok"] and "tepat minimal" in lines["ok"]
    assert "Rawan" in lines["at_risk"] and "tepat minimal" not in lines["at_risk"]
    assert "jika pengajuan yang menunggu disetujui" in lines["at_risk"]


@pytest.mark.django_db
def test_a_unit_of_nobody_still_draws_its_page(client, kabid, bidang_p2p):
    """Seen while checking the legend: a month of snapshots with headcount 0 divided by zero in the trend."""
    bidang_p2p.head = kabid
    bidang_p2p.save(update_fields=["head"])
    StaffingSnapshot.objects.create(unit=bidang_p2p, date=MONDAY, headcount=0, in_office=0, minimum=0, pending=0,
                                    status=staffing_status(0, 0, 0), computed_at=timezone.now())
    client.force_login(kabid.user)
    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("staffing-dashboard"), {"unit": bidang_p2p.pk, "bulan": "2026-12"})
    assert response.status_code == 200 and "staffing-legend" in response.content.decode()
