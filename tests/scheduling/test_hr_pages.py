"""HR pages for coverage policies and FWA windows, and the policy-saving service."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse

from portal.models import AuditEvent
from scheduling import selectors, services
from scheduling.models import CoveragePolicy, EssentialPosition, FwaWindow, Kind, RequestDay, Status
from scheduling.services import coverage_policy_save
from scheduling.views.hr import effective_items
from tests.factories import EmployeeFactory

NOW = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)
MON = dt.date(2026, 12, 7)
START = dt.date(2025, 1, 1)

pytestmark = pytest.mark.usefixtures("_frozen")


@pytest.fixture
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def city_policy(pemkot):
    return CoveragePolicy.objects.create(unit=pemkot, effective_from=START, min_office_share=70, weekly_cap=2)


def policy_post(**overrides) -> dict:
    data = {"effective_from": "2026-12-01", "min_office_share": "", "min_office_headcount": "", "weekly_cap": "",
            "monthly_cap": "", "blackout_dates": "", "exclude_disciplinary": "", "min_months_since_placement": "",
            "mode": "", "count_pending": "", "note": "",
            "esensial-TOTAL_FORMS": "2", "esensial-INITIAL_FORMS": "0", "esensial-MIN_NUM_FORMS": "0",
            "esensial-MAX_NUM_FORMS": "1000", "esensial-0-jabatan": "", "esensial-0-min_in_office": "1",
            "esensial-1-jabatan": "", "esensial-1-min_in_office": "1"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def unit_url(unit) -> str:
    return reverse("scheduling:policy_unit", kwargs={"unit_id": unit.pk})


# --- access -------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["scheduling:policies", "scheduling:fwa"])
def test_it_answers_404_to_non_hr(client, ani, name):
    client.force_login(ani.user)
    assert client.get(reverse(name)).status_code == 404
    assert client.post(reverse(name), {}).status_code == 404


def test_it_answers_404_to_non_hr_on_a_unit_page(client, kabid, bidang_p2p):
    client.force_login(kabid.user)
    assert client.get(unit_url(bidang_p2p)).status_code == 404


def test_it_sends_anonymous_visitors_to_login(client, bidang_p2p):
    response = client.get(unit_url(bidang_p2p))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_it_hides_units_outside_the_hr_scope(client, hr, pemprov_lain, pemkot):
    client.force_login(hr)
    assert client.get(unit_url(pemprov_lain)).status_code == 404
    assert client.get(unit_url(pemkot)).status_code == 404  # above the scope
    assert client.post(unit_url(pemprov_lain), policy_post()).status_code == 404
    assert not CoveragePolicy.objects.exists()


def test_it_answers_404_for_a_policy_of_another_unit(client, hr, dinkes, bidang_p2p):
    other = CoveragePolicy.objects.create(unit=dinkes, effective_from=START, weekly_cap=1)
    client.force_login(hr)
    url = reverse("scheduling:policy_edit", kwargs={"unit_id": bidang_p2p.pk, "policy_id": other.pk})
    assert client.get(url).status_code == 404


# --- the list of effective values ---------------------------------------------------------------

def test_it_lists_units_in_scope_with_inherited_values_and_sources(client, hr, city_policy, dinkes, bidang_p2p,
                                                                   upt, pemprov_lain):
    CoveragePolicy.objects.create(unit=bidang_p2p, effective_from=START, weekly_cap=1)
    client.force_login(hr)
    response = client.get(reverse("scheduling:policies"))
    assert response.status_code == 200
    rows = {r["unit"].code: r["effective"] for r in response.context["rows"]}
    assert set(rows) == {"DINKES", "DINKES-P2P", "DINKES-UPT1"}
    p2p = {i["name"]: i for i in effective_items(rows["DINKES-P2P"])}
    assert (p2p["min_office_share"]["value"], p2p["min_office_share"]["source"]) == ("70%", "Pemerintah Kota Contoh")
    assert (p2p["weekly_cap"]["value"], p2p["weekly_cap"]["own"]) == ("1", True)
    upt_items = {i["name"]: i for i in effective_items(rows["DINKES-UPT1"])}
    assert upt_items["weekly_cap"]["source"] == "Pemerintah Kota Contoh"
    assert upt_items["monthly_cap"] == {**upt_items["monthly_cap"], "value": "—", "source": ""}
    assert "dari Pemerintah Kota Contoh" in response.content.decode()
    assert "Pemerintah Provinsi Lain" not in response.content.decode()


def test_it_shows_the_values_in_force_on_the_chosen_date(client, hr, dinkes):
    CoveragePolicy.objects.create(unit=dinkes, effective_from=START, min_office_share=60)
    CoveragePolicy.objects.create(unit=dinkes, effective_from=MON, min_office_share=80)
    client.force_login(hr)
    url = reverse("scheduling:policies")
    before = client.get(url, {"tanggal": "2026-12-06"}).context["rows"][0]["effective"]
    after = client.get(url, {"tanggal": "2026-12-07"}).context["rows"][0]["effective"]
    assert before.policy.min_office_share == 60 and after.policy.min_office_share == 80


def test_it_lists_policies_in_a_constant_number_of_queries(client, hr, city_policy, dinkes,
                                                           django_assert_max_num_queries):
    from tests.factories import UnitFactory

    for _ in range(15):
        unit = UnitFactory(parent=dinkes)
        CoveragePolicy.objects.create(unit=unit, effective_from=START, weekly_cap=1)
    client.force_login(hr)
    # One level a page: the scope, its top, the level's count and page, the policy rows (+ the session renewal).
    with django_assert_max_num_queries(15):
        assert client.get(reverse("scheduling:policies")).status_code == 200


def test_it_shows_the_unit_page_with_the_inherited_values(client, hr, city_policy, bidang_p2p):
    client.force_login(hr)
    response = client.get(unit_url(bidang_p2p))
    assert response.status_code == 200
    inherited = {i["name"]: i for i in response.context["inherited"]}
    assert inherited["min_office_share"]["value"] == "70%"
    assert "Diwarisi dari Dinas Kesehatan" in response.content.decode()


# --- saving through the form -------------------------------------------------------------------

def test_it_adds_a_policy_with_everything_and_audits_it(client, hr, bidang_p2p):
    client.force_login(hr)
    response = client.post(unit_url(bidang_p2p), policy_post(
        min_office_share="70", min_office_headcount="3", wd_0="90", wd_4="50", weekly_cap="1", monthly_cap="6",
        own_mandatory="on", mandatory_weekdays=["0", "2"], own_blackout="on",
        blackout_dates="2026-12-31\n2026-12-30, 2027-01-04", exclude_disciplinary="0",
        min_months_since_placement="6", mode="warn", count_pending="1", note="SK Kadis 12/2026",
        **{"esensial-0-jabatan": "Petugas Loket", "esensial-0-min_in_office": "2"}))
    assert response.status_code == 302
    row = CoveragePolicy.objects.get(unit=bidang_p2p)
    assert (row.effective_from, row.min_office_share, row.min_office_headcount) == (dt.date(2026, 12, 1), 70, 3)
    assert row.weekday_min_share == {"0": 90, "4": 50}
    assert (row.weekly_cap, row.monthly_cap, row.mandatory_weekdays) == (1, 6, [0, 2])
    assert row.blackout_dates == ["2026-12-30", "2026-12-31", "2027-01-04"]
    assert (row.exclude_disciplinary, row.min_months_since_placement, row.mode, row.count_pending) == \
        (False, 6, "warn", True)
    assert [(e.jabatan, e.min_in_office) for e in row.essential_positions.all()] == [("Petugas Loket", 2)]
    event = AuditEvent.objects.get(verb="coverage_policy.created")
    assert event.actor == hr and event.unit == bidang_p2p and event.before is None
    assert event.after["min_office_share"] == 70 and event.after["essential"] == [["Petugas Loket", 2]]
    policy = selectors.effective_policy(bidang_p2p, MON)
    assert policy.weekday_min_share == {0: 90, 4: 50} and policy.mode == "warn"


def test_it_saves_blank_fields_as_inherit(client, hr, city_policy, bidang_p2p):
    client.force_login(hr)
    client.post(unit_url(bidang_p2p), policy_post(weekly_cap="1"))
    row = CoveragePolicy.objects.get(unit=bidang_p2p)
    assert row.min_office_share is None and row.mandatory_weekdays is None and row.blackout_dates is None
    assert row.weekday_min_share is None and row.exclude_disciplinary is None and row.mode == ""
    assert selectors.effective_policy(bidang_p2p, MON).min_office_share == 70


def test_it_lets_a_unit_lift_its_parents_mandatory_weekdays(client, hr, dinkes, bidang_p2p):
    CoveragePolicy.objects.create(unit=dinkes, effective_from=START, mandatory_weekdays=[0])
    client.force_login(hr)
    client.post(unit_url(bidang_p2p), policy_post(own_mandatory="on"))
    assert CoveragePolicy.objects.get(unit=bidang_p2p).mandatory_weekdays == []
    assert selectors.effective_policy(bidang_p2p, MON).mandatory_weekdays == frozenset()


def test_it_edits_a_policy_and_audits_before_and_after(client, hr, bidang_p2p):
    row = CoveragePolicy.objects.create(unit=bidang_p2p, effective_from=START, min_office_share=60)
    EssentialPosition.objects.create(policy=row, jabatan="Petugas Loket", min_in_office=1)
    client.force_login(hr)
    url = reverse("scheduling:policy_edit", kwargs={"unit_id": bidang_p2p.pk, "policy_id": row.pk})
    page = client.get(url)
    assert page.context["form"].initial["min_office_share"] == 60
    assert page.context["formset"].initial == [{"jabatan": "Petugas Loket", "min_in_office": 1}]
    response = client.post(url, policy_post(effective_from="2025-01-01", min_office_share="75"))
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.min_office_share == 75 and not row.essential_positions.exists()
    event = AuditEvent.objects.get(verb="coverage_policy.updated")
    assert event.before["min_office_share"] == 60 and event.after["min_office_share"] == 75
    assert event.before["essential"] == [["Petugas Loket", 1]] and event.after["essential"] == []


@pytest.mark.parametrize(("field", "value"), [("min_office_share", "101"), ("weekly_cap", "8"),
                                              ("monthly_cap", "32"), ("wd_2", "120")])
def test_it_refuses_out_of_range_numbers(client, hr, bidang_p2p, field, value):
    client.force_login(hr)
    response = client.post(unit_url(bidang_p2p), policy_post(**{field: value}))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not CoveragePolicy.objects.exists()
    assert not AuditEvent.objects.filter(verb__startswith="coverage_policy").exists()


def test_it_reports_a_blackout_date_it_cannot_read(client, hr, bidang_p2p):
    client.force_login(hr)
    response = client.post(unit_url(bidang_p2p), policy_post(own_blackout="on", blackout_dates="2026-12-31 31/12"))
    assert response.status_code == 200
    assert "31/12" in " ".join(response.context["form"].errors["blackout_dates"])
    assert not CoveragePolicy.objects.exists()


def test_it_refuses_a_second_policy_from_the_same_date(client, hr, bidang_p2p):
    CoveragePolicy.objects.create(unit=bidang_p2p, effective_from=dt.date(2026, 12, 1), weekly_cap=1)
    client.force_login(hr)
    response = client.post(unit_url(bidang_p2p), policy_post(weekly_cap="2"))
    assert response.status_code == 200
    assert "effective_from" in response.context["form"].errors
    assert CoveragePolicy.objects.get(unit=bidang_p2p).weekly_cap == 1


def test_it_refuses_the_same_essential_jabatan_twice(client, hr, bidang_p2p):
    client.force_login(hr)
    response = client.post(unit_url(bidang_p2p), policy_post(**{
        "esensial-0-jabatan": "Petugas Loket", "esensial-1-jabatan": "petugas  loket"}))
    assert response.status_code == 200
    assert "dua kali" in " ".join(response.context["form"].non_field_errors())
    assert not CoveragePolicy.objects.exists()


# --- the service on its own -----------------------------------------------------------------------

def test_the_service_hides_units_outside_scope(hr_other, bidang_p2p):
    with pytest.raises(Http404):
        coverage_policy_save(actor=hr_other, unit=bidang_p2p, data={"effective_from": "2026-12-01"})


def test_the_service_validates_every_field(hr, bidang_p2p):
    with pytest.raises(ValidationError) as exc:
        coverage_policy_save(actor=hr, unit=bidang_p2p, data={
            "effective_from": "kemarin", "min_office_share": -1, "weekly_cap": 9, "mode": "strict",
            "mandatory_weekdays": [7], "weekday_min_share": {"0": 101}, "blackout_dates": ["2026-02-30"]})
    assert set(exc.value.message_dict) == {"effective_from", "min_office_share", "weekly_cap", "mode",
                                           "mandatory_weekdays", "weekday_min_share", "blackout_dates"}


def test_the_service_keeps_essential_positions_when_not_given(hr, bidang_p2p):
    row = coverage_policy_save(actor=hr, unit=bidang_p2p, data={"effective_from": START},
                               essential=[("Petugas Loket", 1)])
    coverage_policy_save(actor=hr, unit=bidang_p2p, policy=row, data={"effective_from": START, "weekly_cap": 1})
    assert list(row.essential_positions.values_list("jabatan", flat=True)) == ["Petugas Loket"]
    assert AuditEvent.objects.filter(verb__startswith="coverage_policy", object_id=str(row.pk)).count() == 2


def test_the_service_lets_a_superuser_set_any_unit(superuser, pemprov_lain):
    row = coverage_policy_save(actor=superuser, unit=pemprov_lain, data={"effective_from": START,
                                                                          "min_office_share": 0})
    assert row.min_office_share == 0


# --- FWA windows ---------------------------------------------------------------------------------

def test_it_opens_an_fwa_window_and_reports_the_auto_approvals(client, hr, bidang_p2p, kabid, ani, budi, dinkes):
    extra = [EmployeeFactory(unit=bidang_p2p, supervisor=kabid) for _ in range(2)]
    CoveragePolicy.objects.create(unit=dinkes, effective_from=START, min_office_share=60)  # 2 of 5 may go
    days = [services.request_submit(actor=p.user, kind=Kind.WFH, dates=[MON]).days[0] for p in (ani, budi, *extra)]
    client.force_login(hr)
    response = client.post(reverse("scheduling:fwa"), {
        "name": "SE MenPAN-RB 9/2026", "start": "2026-12-07", "end": "2026-12-09", "units": [dinkes.pk],
        "include_subunits": "on"}, follow=True)
    assert response.status_code == 200
    text = response.content.decode()
    assert "2 dari 4 pengajuan yang menunggu disetujui otomatis" in text
    assert "2 pengajuan tetap menunggu keputusan atasan" in text
    assert RequestDay.objects.filter(pk__in=[d.pk for d in days], status=Status.APPROVED).count() == 2
    window = FwaWindow.objects.get()
    assert list(window.units.all()) == [dinkes]
    assert "SE MenPAN-RB 9/2026" in text  # listed


def test_it_offers_only_units_in_scope_for_an_fwa_window(client, hr_other, dinkes):
    client.force_login(hr_other)
    page = client.get(reverse("scheduling:fwa"))
    assert dinkes not in page.context["form"].fields["units"].queryset
    response = client.post(reverse("scheduling:fwa"), {"name": "X", "start": "2026-12-07", "end": "2026-12-07",
                                                          "units": [dinkes.pk]})
    assert response.status_code == 200 and "units" in response.context["form"].errors
    assert not FwaWindow.objects.exists()


def test_it_lists_only_windows_touching_the_scope(client, hr, hr_other, pemprov_lain, dinkes):
    services.fwa_window_open(actor=hr_other, name="Jendela provinsi", start=MON, end=MON, units=[pemprov_lain])
    services.fwa_window_open(actor=hr, name="Jendela dinkes", start=MON, end=MON, units=[dinkes])
    client.force_login(hr)
    names = [w.name for w in client.get(reverse("scheduling:fwa")).context["windows"]]
    assert names == ["Jendela dinkes"]


def test_it_refuses_a_window_ending_before_it_starts(client, hr, dinkes):
    client.force_login(hr)
    response = client.post(reverse("scheduling:fwa"), {"name": "X", "start": "2026-12-08", "end": "2026-12-07",
                                                          "units": [dinkes.pk]})
    assert "end" in response.context["form"].errors
    assert not FwaWindow.objects.exists()


# --- Django admin ----------------------------------------------------------------------------

def admin_policy_post(unit, **overrides) -> dict:
    data = {"unit": unit.pk, "effective_from": "2026-12-01", "min_office_share": "70", "weekday_min_share": "null",
            "mandatory_weekdays": "null", "blackout_dates": "null", "mode": "", "note": "",
            "exclude_disciplinary": "unknown", "count_pending": "unknown",
            "essential_positions-TOTAL_FORMS": "1", "essential_positions-INITIAL_FORMS": "0",
            "essential_positions-MIN_NUM_FORMS": "0", "essential_positions-MAX_NUM_FORMS": "1000",
            "essential_positions-0-jabatan": "Petugas Loket", "essential_positions-0-min_in_office": "1"}
    data.update(overrides)
    return data


@pytest.fixture
def staff_hr(hr):
    hr.is_staff = True
    hr.save(update_fields=["is_staff"])
    return hr


def test_the_admin_saves_a_policy_through_the_service(client, staff_hr, upt):
    client.force_login(staff_hr)
    response = client.post(reverse("admin:scheduling_coveragepolicy_add"), admin_policy_post(upt))
    assert response.status_code == 302, response.context["adminform"].form.errors
    row = CoveragePolicy.objects.get(unit=upt)
    assert row.min_office_share == 70 and row.weekday_min_share is None
    assert [(e.jabatan, e.min_in_office) for e in row.essential_positions.all()] == [("Petugas Loket", 1)]
    event = AuditEvent.objects.get(verb="coverage_policy.created")
    assert event.actor == staff_hr and event.after["essential"] == [["Petugas Loket", 1]]


def test_the_admin_reports_service_validation_on_the_form(client, staff_hr, upt):
    client.force_login(staff_hr)
    response = client.post(reverse("admin:scheduling_coveragepolicy_add"),
                           admin_policy_post(upt, mandatory_weekdays="[9]"))
    assert response.status_code == 200
    assert "mandatory_weekdays" in response.context["adminform"].form.errors
    assert not CoveragePolicy.objects.exists()


def test_the_admin_scopes_policies_and_units_to_the_hr_admin(client, staff_hr, upt, pemprov_lain):
    mine = CoveragePolicy.objects.create(unit=upt, effective_from=START, weekly_cap=1)
    CoveragePolicy.objects.create(unit=pemprov_lain, effective_from=START, weekly_cap=1)
    client.force_login(staff_hr)
    changelist = client.get(reverse("admin:scheduling_coveragepolicy_changelist"))
    assert list(changelist.context["cl"].queryset) == [mine]
    response = client.post(reverse("admin:scheduling_coveragepolicy_add"), admin_policy_post(pemprov_lain))
    assert response.status_code == 200 and "unit" in response.context["adminform"].form.errors


def test_the_admin_opens_fwa_windows_through_the_service(client, superuser, dinkes, ani):
    (day,) = services.request_submit(actor=ani.user, kind=Kind.WFH, dates=[MON]).days
    client.force_login(superuser)
    response = client.post(reverse("admin:scheduling_fwawindow_add"), {
        "name": "SE 2/2026", "start": "2026-12-07", "end": "2026-12-08", "units": [dinkes.pk],
        "include_subunits": "on"})
    assert response.status_code == 302
    window = FwaWindow.objects.get()
    assert window.created_by == superuser and list(window.units.all()) == [dinkes]
    assert RequestDay.objects.get(pk=day.pk).status == Status.APPROVED
    assert AuditEvent.objects.filter(verb="fwa_window.opened").count() == 1


def test_the_admin_shows_request_days_read_only_and_searchable_by_nip(client, staff_hr, ani, budi, outsider):
    services.request_submit(actor=ani.user, kind=Kind.WFH, dates=[MON])
    services.request_submit(actor=budi.user, kind=Kind.WFH, dates=[MON])
    services.request_submit(actor=outsider.user, kind=Kind.WFH, dates=[MON])
    client.force_login(staff_hr)
    url = reverse("admin:scheduling_requestday_changelist")
    everyone = client.get(url).context["cl"].queryset
    assert {d.employee for d in everyone} == {ani, budi}
    found = client.get(url, {"q": ani.nip}).context["cl"].queryset
    assert [d.employee for d in found] == [ani]
    day = RequestDay.objects.get(employee=ani)
    change = client.post(reverse("admin:scheduling_requestday_change", args=[day.pk]), {"status": "approved"})
    assert change.status_code == 403
    assert RequestDay.objects.get(pk=day.pk).status == Status.PENDING


def test_the_admin_lists_emergencies_and_rotas_in_scope_and_read_only(client, staff_hr, dinkes, pemprov_lain,
                                                                       superuser):
    from scheduling.models import Emergency, RotaPlan

    def declared(unit, name):
        emergency = Emergency.objects.create(name=name, legal_basis="SE 1/2026", profile="wfh_auto", start=MON,
                                             end=MON, last_day=MON, created_by=superuser)
        emergency.units.add(unit)
        return emergency

    ours, theirs = declared(dinkes, "Banjir"), declared(pemprov_lain, "Asap")
    RotaPlan.objects.create(unit=dinkes, month=MON.replace(day=1), created_by=superuser)
    RotaPlan.objects.create(unit=pemprov_lain, month=MON.replace(day=1), created_by=superuser)
    client.force_login(staff_hr)
    listed = client.get(reverse("admin:scheduling_emergency_changelist")).context["cl"].queryset
    assert list(listed) == [ours]
    rotas = client.get(reverse("admin:scheduling_rotaplan_changelist")).context["cl"].queryset
    assert [plan.unit for plan in rotas] == [dinkes]
    refused = client.post(reverse("admin:scheduling_emergency_change", args=[ours.pk]), {"name": "Diubah"})
    assert refused.status_code == 403
    assert Emergency.objects.get(pk=ours.pk).name == "Banjir" and theirs.name == "Asap"
    assert client.get(reverse("admin:scheduling_emergency_add")).status_code == 403


def test_the_admin_approves_through_the_rules(client, superuser, ani, budi, kabid, dinkes):
    CoveragePolicy.objects.create(unit=dinkes, effective_from=START, min_office_share=60)  # 3 people: 1 may go
    days = [services.request_submit(actor=p.user, kind=Kind.WFH, dates=[MON]).days[0] for p in (ani, budi)]
    client.force_login(superuser)
    client.post(reverse("admin:scheduling_requestday_changelist"),
                {"action": "approve_selected", "_selected_action": [d.pk for d in days]})
    statuses = sorted(RequestDay.objects.filter(pk__in=[d.pk for d in days]).values_list("status", flat=True))
    assert statuses == [Status.APPROVED, Status.PENDING]
