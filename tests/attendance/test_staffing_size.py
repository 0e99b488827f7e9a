"""The staffing dashboard at size (issue 15): a root unit with no staff of its own, a viewer whose
unit is beyond the drop-down's cap, and a head of hundreds of child units (paged sub-unit table,
server-side unit search)."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from attendance.models import StaffingSnapshot, StaffingStatus
from attendance.views import staffing as view
from portal.models import Unit, UnitKind
from tests.factories import EmployeeFactory, HRAdminScopeFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("staffing-dashboard")
DAY = dt.date(2026, 12, 1)


def bulk_children(parent: Unit, n: int, prefix: str = "C") -> list[Unit]:
    """``n`` child units at once (the factory goes through the audited service, too slow for 800)."""
    units = Unit.objects.bulk_create(Unit(code=f"{prefix}{i:04d}", name=f"{prefix} Unit {i:04d}",
                                          kind=UnitKind.BIDANG, parent=parent) for i in range(n))
    for u in units:
        u.path, u.depth = f"{parent.path}{u.pk}/", parent.depth + 1
    Unit.objects.bulk_update(units, ["path", "depth"])
    return units


def snapshot(unit: Unit, headcount: int, day=DAY) -> None:
    StaffingSnapshot.objects.create(unit=unit, date=day, headcount=headcount, in_office=headcount, minimum=0,
                                    status=StaffingStatus.OK, computed_at=timezone.now())


def subtree_rows(html: str) -> int:
    table = html.split('class="subtree"', 1)[1].split("</table>", 1)[0]
    return table.count('<th scope="row">')


@pytest.fixture
def root(db):
    return UnitFactory(code="ROOT", name="Pemerintah Kota Besar")


# --- A unit without staff of its own --------------------------------------------------------

@pytest.mark.parametrize("children", [2, view.MAX_UNIT_CHOICES + 5])
def test_a_root_without_own_staff_answers_200(client, root, children):
    """Every snapshot of the root has headcount 0: the trend's axis still has a step."""
    for unit in bulk_children(root, children):
        snapshot(unit, 3)
    snapshot(root, 0)
    client.force_login(UserFactory(is_superuser=True))
    response = client.get(DASHBOARD, {"unit": root.pk, "bulan": "2026-12"})
    assert response.status_code == 200
    assert client.get(DASHBOARD, {"unit": root.pk, "bulan": "2026-12", "subtree": "1"}).status_code == 200


def test_ticks_of_an_empty_unit_still_step():
    assert view._ticks(0) == [0, 1]


# --- The default unit -------------------------------------------------------------------------

def hr_admin_in(unit: Unit, scope: Unit):
    me = EmployeeFactory(unit=unit)
    HRAdminScopeFactory(user=me.user, unit=scope)
    return me.user


@pytest.mark.parametrize("children", [3, view.MAX_UNIT_CHOICES + 20])
def test_the_default_unit_is_the_viewers_own(client, root, children):
    units = bulk_children(root, children)
    own = units[-1]  # last in path order: beyond the cap in the large case
    client.force_login(hr_admin_in(own, root))
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    assert response.context["unit"] == own


def test_an_hr_admin_outside_their_scope_defaults_to_the_top_of_it(client, root):
    elsewhere = UnitFactory(code="LAIN", name="Instansi lain")
    bulk_children(root, view.MAX_UNIT_CHOICES + 3)
    client.force_login(hr_admin_in(elsewhere, root))
    response = client.get(DASHBOARD)
    assert response.status_code == 200 and response.context["unit"] == root


def test_more_units_than_the_cap_give_a_search_box_not_a_list(client, root):
    bulk_children(root, view.MAX_UNIT_CHOICES + 1)
    client.force_login(UserFactory(is_superuser=True))
    html = client.get(DASHBOARD, {"unit": root.pk}).content.decode()
    assert 'id="staffing-unit-search"' in html and "<select id=\"staffing-unit\"" not in html
    small = UnitFactory(code="KECIL")
    bulk_children(small, 3, prefix="K")
    viewer = hr_admin_in(small, small)
    client.force_login(viewer)
    html = client.get(DASHBOARD).content.decode()
    assert "<select id=\"staffing-unit\"" in html and 'id="staffing-unit-search"' not in html


def test_the_search_step_lists_at_most_20_visible_matches(client, root):
    bulk_children(root, 30, prefix="BID")
    other = UnitFactory(code="BIDX", name="BID di instansi lain")
    client.force_login(hr_admin_in(bulk_children(root, 1, prefix="SEK")[0], root))
    response = client.get(DASHBOARD, {"cari": "bid"})
    matches = response.context["unit_matches"]
    assert len(matches) == 20 and other not in matches
    assert all(m.path.startswith(root.path) for m in matches)
    section = response.content.decode().split('class="unit-matches"', 1)[1].split("</section>", 1)[0]
    assert section.count("BID Unit") == 20
    assert client.get(DASHBOARD, {"cari": "tidak-ada"}).context["unit_matches"] == []


# --- A head of 800 child units -------------------------------------------------------------------

def test_the_sub_unit_table_of_800_children_shows_50_rows_a_page(client, root):
    children = bulk_children(root, 800)
    for unit in children[:3]:
        snapshot(unit, 2)
    client.force_login(UserFactory(is_superuser=True))
    first = client.get(DASHBOARD, {"unit": root.pk, "bulan": "2026-12"})
    html = first.content.decode()
    assert subtree_rows(html) == view.CHILDREN_PER_PAGE
    assert "Halaman 1 dari 17" in html  # 801 rows: the root's own staff, then 800 children
    last = client.get(DASHBOARD, {"unit": root.pk, "bulan": "2026-12", "hal": 17}).content.decode()
    assert subtree_rows(last) == 1 and "C Unit 0799" in last
    assert re.search(r'rel="prev" href="[^"]*hal=16', last)


def test_a_small_sub_unit_table_has_no_pager(client, root):
    bulk_children(root, 4)
    client.force_login(UserFactory(is_superuser=True))
    html = client.get(DASHBOARD, {"unit": root.pk}).content.decode()
    assert subtree_rows(html) == 5 and "Halaman 1 dari" not in html
