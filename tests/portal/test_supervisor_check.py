"""The HR page listing wrong supervisor data: none, inactive, other institution, loops."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portal.rules import cycle_members
from tests.factories import EmployeeFactory, HRAdminScopeFactory, UserFactory

URL = reverse("hr-supervisor-check")


def issues_seen_by(client, user, query=""):
    client.force_login(user)
    response = client.get(URL + query)
    assert response.status_code == 200
    return {issue.employee.name: issue.issues for issue in response.context["issues"]}


def test_it_leaves_healthy_people_off_the_list(client, hr, ani, budi, kadis):
    seen = issues_seen_by(client, hr)
    assert "Ani Lestari" not in seen and "Budi Santoso" not in seen
    # The head of a dinas is not the head of the instansi: someone is above them.
    assert seen["Kepala Dinas"] == ["none"]


def test_it_lists_an_employee_without_supervisor(client, hr, ani):
    ani.supervisor = None
    ani.save(update_fields=["supervisor"])
    assert issues_seen_by(client, hr)["Ani Lestari"] == ["none"]


def test_it_lists_reports_of_an_inactive_supervisor(client, hr, ani, budi, kabid):
    kabid.is_active = False
    kabid.save(update_fields=["is_active"])
    seen = issues_seen_by(client, hr)
    assert seen["Ani Lestari"] == ["inactive"] and seen["Budi Santoso"] == ["inactive"]
    assert "Kepala Bidang P2P" not in seen, "inactive people themselves are not checked"


def test_it_lists_a_supervisor_from_another_institution(client, hr, ani, outsider):
    ani.supervisor = outsider
    ani.save(update_fields=["supervisor"])
    assert issues_seen_by(client, hr)["Ani Lestari"] == ["other_institution"]


def test_it_lists_everyone_on_a_supervisor_loop_but_not_those_below_it(client, hr, ani, kabid, kadis):
    kadis.supervisor = kabid
    kadis.save(update_fields=["supervisor"])
    seen = issues_seen_by(client, hr)
    assert seen["Kepala Dinas"] == ["cycle"] and seen["Kepala Bidang P2P"] == ["cycle"]
    assert "Ani Lestari" not in seen


def test_it_finds_a_loop_through_someone_above_the_hr_subtree(client, hr, kadis, pemkot):
    sekda = EmployeeFactory(name="Sekretaris Daerah", unit=pemkot, supervisor=kadis)
    kadis.supervisor = sekda
    kadis.save(update_fields=["supervisor"])
    seen = issues_seen_by(client, hr)
    assert seen["Kepala Dinas"] == ["cycle"]
    assert "Sekretaris Daerah" not in seen, "outside the HR admin's subtree"


def test_it_does_not_flag_the_head_of_an_instansi(client, pemkot, kadis):
    walikota = EmployeeFactory(name="Wali Kota", unit=pemkot)
    pemkot.head = walikota
    pemkot.save(update_fields=["head"])
    hr_pemkot = UserFactory(username="hr_pemkot")
    HRAdminScopeFactory(user=hr_pemkot, unit=pemkot)
    seen = issues_seen_by(client, hr_pemkot)
    assert "Wali Kota" not in seen
    assert "Kepala Dinas" in seen


def test_it_filters_by_issue_and_links_to_the_admin(client, hr, ani, budi, kadis):
    ani.supervisor = None
    ani.save(update_fields=["supervisor"])
    client.force_login(hr)
    response = client.get(URL + "?issue=none")
    assert {i.employee.name for i in response.context["issues"]} == {"Ani Lestari", "Kepala Dinas"}
    assert reverse("admin:portal_employee_change", args=[ani.pk]) in response.content.decode()


def test_it_shows_hr_of_another_institution_none_of_these_people(client, hr_other, ani, kadis, outsider):
    ani.supervisor = None
    ani.save(update_fields=["supervisor"])
    seen = issues_seen_by(client, hr_other)
    assert set(seen) == {"Orang Luar"}


@pytest.mark.parametrize("who", ["ani", "kabid", "outsider"])
def test_it_answers_404_to_people_without_an_hr_scope(client, request, who):
    client.force_login(request.getfixturevalue(who).user)
    assert client.get(URL).status_code == 404


def test_it_sends_anonymous_visitors_to_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_it_finds_cycle_members_in_one_pass():
    parent_of = {1: 2, 2: 3, 3: 1, 4: 1, 5: None, 6: 6, 7: 8, 8: 7, 9: 4}
    assert cycle_members(parent_of) == {1, 2, 3, 6, 7, 8}
