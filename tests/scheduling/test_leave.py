"""Leave against the database: the balance a request spends, service length, the longest a leave
may run, PPPK kinds and cuti melahirkan's child order, HR's openings and adjustments (refused
below zero or for a year not yet begun), the chain to the official and what a Plh/Plt may not
grant."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.http import Http404

from portal.models import AsnType, AuditEvent
from scheduling import rules, selectors, services
from scheduling.models import Kind, KindRule, LeaveAdjustment, LeaveOpening, LeaveSettings, RequestDay, Status, Step
from scheduling.selectors import leave
from scheduling.services.decisions import DecisionBlocked
from tests.factories import DelegationFactory, EmployeeFactory, HRAdminScopeFactory, UserFactory

NOW = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)  # Friday 20 November 2026, 09:00 WIB
MON = dt.date(2026, 12, 7)
WEEK = [MON + dt.timedelta(days=i) for i in range(5)]

pytestmark = pytest.mark.usefixtures("_frozen")


@pytest.fixture
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def hr_pemkot(pemkot):
    user = UserFactory(username="bkpsdm")
    HRAdminScopeFactory(user=user, unit=pemkot)
    return user


def blocked(previews) -> dict[dt.date, list[str]]:
    return {p.date: [v.rule for v in p.verdicts if v.severity == rules.BLOCK] for p in previews if p.blocked}


def ask(employee, kind, days, **kwargs):
    return services.request_submit(actor=employee.user, kind=kind, dates=days, **kwargs)


# --- balance ------------------------------------------------------------------------------

def test_a_request_beyond_the_balance_is_refused_with_the_numbers(ani, hr_pemkot):
    services.leave_opening_set(actor=hr_pemkot, employee=ani, year=2026, days=3, note="sisa 2025 dari SIMPEG")
    previews = selectors.preview_days(ani, Kind.CT, WEEK)
    assert blocked(previews) == {WEEK[3]: ["leave_balance"], WEEK[4]: ["leave_balance"]}
    message = next(v for v in previews[3].verdicts if v.rule == "leave_balance").message
    assert "2026" in message and "3 hari" in message
    with pytest.raises(services.RequestBlocked):
        ask(ani, Kind.CT, WEEK)
    assert not RequestDay.objects.filter(employee=ani).exists()


def test_asked_days_are_spent_so_a_second_request_cannot_spend_them_again(ani, hr_pemkot):
    services.leave_opening_set(actor=hr_pemkot, employee=ani, year=2026, days=2)
    ask(ani, Kind.CT, WEEK[:2])
    assert blocked(selectors.preview_days(ani, Kind.CT, [WEEK[2]])) == {WEEK[2]: ["leave_balance"]}
    assert leave.annual_leave(ani, 2026).remaining == 0


def test_a_withdrawn_day_gives_its_balance_back(ani, hr_pemkot):
    services.leave_opening_set(actor=hr_pemkot, employee=ani, year=2026, days=1)
    (day,) = ask(ani, Kind.CT, [MON]).days
    services.request_day_withdraw(actor=ani.user, day_id=day.pk)
    assert leave.annual_leave(ani, 2026).remaining == 1


def test_a_pending_day_is_approved_against_approved_days_only(ani, kabid, hr_pemkot):
    services.leave_opening_set(actor=hr_pemkot, employee=ani, year=2026, days=2)
    first, second = ask(ani, Kind.CT, WEEK[:2]).days
    for day in (first, second):
        assert services.request_day_approve(actor=kabid.user, day_id=day.pk).day.status == Status.APPROVED


# --- eligibility and length ---------------------------------------------------------------

def test_cuti_besar_needs_five_years_of_service(ani):
    ani.service_start = dt.date(2022, 1, 1)
    ani.save()
    previews = selectors.preview_days(ani, Kind.CB, [MON])
    assert blocked(previews) == {MON: ["leave_service"]}
    assert "5 tahun" in previews[0].verdicts[0].message and "4 tahun" in previews[0].verdicts[0].message
    ani.service_start = dt.date(2021, 12, 7)
    ani.save()
    assert blocked(selectors.preview_days(ani, Kind.CB, [MON])) == {}


def test_an_unrecorded_service_start_is_said_not_refused(ani):
    (preview,) = selectors.preview_days(ani, Kind.CLTN, [MON])
    assert [v.rule for v in preview.verdicts] == ["leave_service_unknown"] and not preview.blocked


def test_cuti_sakit_of_a_pppk_runs_one_month_at_most(ani):
    ani.asn_type = AsnType.PPPK
    ani.save()
    days = [dt.date(2026, 12, 1) + dt.timedelta(days=i) for i in range(40)]
    kept, _ = selectors.expand_dates(ani.unit, dates=days)
    previews = selectors.preview_days(ani, Kind.CS, kept)
    refused = sorted(blocked(previews))
    assert refused and refused[0] == dt.date(2027, 1, 4)  # the month ends 31 Dec; 1 Jan is a holiday
    assert all(r == ["leave_length"] for r in blocked(previews).values())


def test_a_pppk_cannot_take_cuti_besar(ani):
    ani.asn_type = AsnType.PPPK
    ani.save()
    with pytest.raises(ValidationError) as exc:
        ask(ani, Kind.CB, [MON])
    assert "PPPK" in exc.value.message_dict["kind"][0]


@pytest.mark.parametrize(("child_order", "field_error"), [(None, True), (3, False), (4, True)])
def test_cuti_melahirkan_covers_the_first_three_children(ani, child_order, field_error):
    if field_error:
        with pytest.raises(ValidationError) as exc:
            ask(ani, Kind.CM, [MON], child_order=child_order)
        assert "child_order" in exc.value.message_dict
        if child_order == 4:
            assert "cuti besar" in exc.value.message_dict["child_order"][0]
    else:
        assert ask(ani, Kind.CM, [MON], child_order=child_order).request.child_order == 3


def test_only_leave_may_be_taken_abroad(ani):
    with pytest.raises(ValidationError) as exc:
        ask(ani, Kind.WFH, [MON], abroad=True)
    assert "abroad" in exc.value.message_dict


# --- HR: openings and adjustments ---------------------------------------------------------

def test_an_adjustment_below_zero_is_refused_and_nothing_written(ani, hr_pemkot):
    services.leave_opening_set(actor=hr_pemkot, employee=ani, year=2026, days=4)
    ask(ani, Kind.CT, WEEK[:3])
    with pytest.raises(ValidationError) as exc:
        services.leave_adjust(actor=hr_pemkot, employee=ani, year=2026, days=-2, reason="salah input")
    assert "sisa 1" in exc.value.message_dict["days"][0]
    assert not LeaveAdjustment.objects.exists()
    services.leave_adjust(actor=hr_pemkot, employee=ani, year=2026, days=-1, reason="salah input")
    assert leave.annual_leave(ani, 2026).remaining == 0
    assert AuditEvent.objects.filter(verb="leave.adjusted").count() == 1


def test_an_adjustment_needs_a_reason(ani, hr_pemkot):
    with pytest.raises(ValidationError) as exc:
        services.leave_adjust(actor=hr_pemkot, employee=ani, year=2026, days=2, reason="  ")
    assert "reason" in exc.value.message_dict


def test_an_opening_for_a_year_not_yet_begun_is_refused(ani, hr_pemkot):
    with pytest.raises(ValidationError) as exc:
        services.leave_opening_set(actor=hr_pemkot, employee=ani, year=2027, days=12)
    assert "year" in exc.value.message_dict
    assert not LeaveOpening.objects.exists()


def test_an_opening_below_what_is_used_is_refused(ani, hr_pemkot):
    ask(ani, Kind.CT, WEEK[:3])
    with pytest.raises(ValidationError) as exc:
        services.leave_opening_set(actor=hr_pemkot, employee=ani, year=2026, days=2)
    assert "3" in exc.value.message_dict["days"][0]


def test_hr_out_of_scope_gets_not_found(ani, outsider):
    other = UserFactory(username="hr_lain")
    HRAdminScopeFactory(user=other, unit=outsider.unit)
    with pytest.raises(Http404):
        services.leave_opening_set(actor=other, employee=ani, year=2026, days=12)


# --- who grants ---------------------------------------------------------------------------

def test_a_chain_no_official_could_decide_is_refused(pemkot, hr_pemkot):
    with pytest.raises(ValidationError) as exc:
        services.kind_rule_save(actor=hr_pemkot, institution=pemkot, kind=Kind.CT, needs_official=True,
                                document="none")
    assert "needs_official" in exc.value.message_dict
    assert not KindRule.objects.exists()


def test_only_leave_goes_to_the_official(pemkot, hr_pemkot, kadis):
    services.leave_settings_save(actor=hr_pemkot, institution=pemkot, official=kadis, first_year=2026)
    with pytest.raises(ValidationError) as exc:
        services.kind_rule_save(actor=hr_pemkot, institution=pemkot, kind=Kind.WFH, needs_official=True,
                                document="none")
    assert "needs_official" in exc.value.message_dict


def test_without_an_official_the_atasan_langsung_grants_leave(ani, kabid):
    (day,) = ask(ani, Kind.CT, [MON]).days
    assert services.request_day_approve(actor=kabid.user, day_id=day.pk).day.status == Status.APPROVED


@pytest.fixture
def sekda(pemkot):
    return EmployeeFactory(name="Sekretaris Daerah", jabatan="Sekretaris Daerah", unit=pemkot,
                           user=UserFactory(username="sekda"))


def test_leave_goes_on_to_the_official_after_the_atasan_langsung(ani, kabid, pemkot, hr_pemkot, sekda):
    services.leave_settings_save(actor=hr_pemkot, institution=pemkot, official=sekda, first_year=2026)
    (day,) = ask(ani, Kind.CT, [MON]).days
    decision = services.request_day_approve(actor=kabid.user, day_id=day.pk)
    assert (decision.day.status, decision.day.awaiting, decision.day.official_id) == (
        Status.PENDING, Step.OFFICIAL, sekda.pk)
    assert AuditEvent.objects.filter(verb="request_day.endorsed", object_id=str(day.pk)).exists()
    with pytest.raises(Http404):  # the atasan langsung's part is done
        services.request_day_approve(actor=kabid.user, day_id=day.pk)
    assert selectors.approver_for(decision.day) == sekda
    assert services.request_day_approve(actor=sekda.user, day_id=day.pk).day.status == Status.APPROVED


def test_a_plh_does_not_grant_cltn_and_the_day_waits_for_the_definitive_official(ani, kabid, plh, pemkot,
                                                                                  hr_pemkot, sekda):
    ani.service_start = dt.date(2015, 1, 1)
    ani.save()
    services.leave_settings_save(actor=hr_pemkot, institution=pemkot, official=sekda, first_year=2026)
    plh_sekda = EmployeeFactory(name="Plh Sekda", unit=pemkot, user=UserFactory(username="plh_sekda"))
    DelegationFactory(kind="PLH", delegator=sekda, delegate=plh_sekda, start=dt.date(2026, 11, 1),
                      end=dt.date(2026, 12, 31))
    (day,) = ask(ani, Kind.CLTN, [MON], evidence=[_pdf()]).days
    services.request_day_approve(actor=plh.user, day_id=day.pk)  # the Plh of the kabid considers: allowed
    day.refresh_from_db()
    assert day.awaiting == Step.OFFICIAL
    with pytest.raises(DecisionBlocked) as exc:
        services.request_day_approve(actor=plh_sekda.user, day_id=day.pk)
    assert [v.rule for v in exc.value.verdicts] == ["reserved_to_definitive"]
    assert "Sekretaris Daerah" in str(exc.value)
    day.refresh_from_db()
    assert day.status == Status.PENDING
    assert services.request_day_approve(actor=sekda.user, day_id=day.pk).day.status == Status.APPROVED


def test_a_plh_does_not_grant_leave_abroad_either(ani, kabid, plh):
    (day,) = ask(ani, Kind.CT, [MON], abroad=True).days
    with pytest.raises(DecisionBlocked) as exc:
        services.request_day_approve(actor=plh.user, day_id=day.pk)
    assert exc.value.verdicts[0].rule == "reserved_to_definitive"
    assert services.request_day_approve(actor=kabid.user, day_id=day.pk).day.status == Status.APPROVED


def test_settings_read_back_with_defaults(pemkot, hr_pemkot, sekda):
    assert leave.institution_leave(pemkot).official is None
    services.leave_settings_save(actor=hr_pemkot, institution=pemkot, official=sekda, first_year=2025)
    assert leave.institution_leave(pemkot).grantor == sekda
    settings = {s.kind: s for s in leave.kind_settings(pemkot)}
    assert settings[Kind.CS].document == "after_first_day" and not settings[Kind.CS].configured
    assert LeaveSettings.objects.get().first_year == 2025


def _pdf():
    from tests.factories import pdf_upload

    return pdf_upload()


# --- leaders and tiny units ---------------------------------------------------------------

def test_a_head_alone_in_the_top_node_is_counted_with_the_units_they_lead(kadis, dinkes, ani, budi, kabid):
    from scheduling.models import CoveragePolicy

    CoveragePolicy.objects.create(unit=dinkes, effective_from=dt.date(2025, 1, 1), min_office_share=70)
    (preview,) = selectors.preview_days(kadis, Kind.WFH, [MON])
    # Dinkes' top node holds only the kadis (70 % of 1 = 1 must stay); with the bidang below,
    # 4 people: 3 must stay, 3 do.
    assert not preview.blocked
    assert (preview.numbers["headcount"], preview.numbers["required"]) == (4, 3)
    assert "beserta unit di bawahnya" in preview.numbers["unit"]
    # Someone who is not a head is still counted in their own unit.
    (other,) = selectors.preview_days(ani, Kind.WFH, [MON])
    assert other.numbers["headcount"] == 3


# --- the form and the API carry the particulars ---------------------------------------------

def test_the_form_takes_the_child_order_and_shows_its_error_on_the_field(client, ani):
    from django.urls import reverse

    client.force_login(ani.user)
    url = reverse("scheduling:request-new")
    response = client.post(url, {"kind": Kind.CM, "date_mode": "single", "date": MON.isoformat(), "child_order": 4})
    assert response.status_code == 200
    assert "cuti besar" in " ".join(response.context["form"].errors["child_order"])
    assert not RequestDay.objects.exists()
    response = client.post(url, {"kind": Kind.CM, "date_mode": "single", "date": MON.isoformat(), "child_order": 2})
    assert response.status_code == 302
    assert RequestDay.objects.get().request.child_order == 2


def test_the_form_marks_leave_taken_abroad(client, ani):
    from django.urls import reverse

    client.force_login(ani.user)
    client.post(reverse("scheduling:request-new"), {"kind": Kind.CT, "date_mode": "single",
                                                    "date": MON.isoformat(), "abroad": "on"})
    assert RequestDay.objects.get().request.abroad is True


def test_the_api_refuses_cuti_melahirkan_without_the_child_order(client, ani):
    client.force_login(ani.user)
    response = client.post("/api/v1/requests/", {"kind": Kind.CM, "dates": [MON.isoformat()]},
                           content_type="application/json")
    assert response.status_code == 400
    assert "child_order" in response.json()["error"]["fields"]
    response = client.post("/api/v1/requests/", {"kind": Kind.CM, "dates": [MON.isoformat()], "child_order": 1},
                           content_type="application/json")
    assert response.status_code == 201
