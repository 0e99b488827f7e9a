"""The HR policy editor: effective values with their sources, one level or a search at a time,
whom a change reaches before it is saved, dates that round-trip, one set of limits."""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
import re

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from portal.forms import DateField
from portal.models import AuditEvent
from scheduling import selectors, services
from scheduling.admin import CoveragePolicyForm as AdminPolicyForm
from scheduling.api.policies import PolicyInputSerializer
from scheduling.forms import PolicyForm
from scheduling.models import CoveragePolicy, Kind, RequestDay, Status
from scheduling.services.policies import INT_RANGES, coverage_policy_clean
from tests.factories import EmployeeFactory, UnitFactory
from tests.scheduling.test_hr_pages import policy_post

NOW = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)  # Friday 20 November 2026, 09:00 WIB
START = dt.date(2025, 1, 1)
SUNDAY = dt.date(2026, 12, 6)
MON = dt.date(2026, 12, 7)
CARD = '<details class="policy-card__details"'  # one unit's values, closed unless open follows

pytestmark = pytest.mark.now(NOW, tick=False)


def list_url() -> str:
    return reverse("scheduling:policies")


def unit_url(unit) -> str:
    return reverse("scheduling:policy_unit", kwargs={"unit_id": unit.pk})


def edit_url(row) -> str:
    return reverse("scheduling:policy_edit", kwargs={"unit_id": row.unit_id, "policy_id": row.pk})


def api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="id")
    client.force_authenticate(user)
    return client


def text_of(response) -> str:
    """The page's text with tags dropped and spaces folded, as a reader sees it."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


# --- Sources: the unit itself or which ancestor, from what date ------------------------------------

def test_it_shows_each_value_with_the_unit_that_sets_it_and_from_when(client, hr, dinkes, bidang_p2p):
    CoveragePolicy.objects.create(unit=dinkes, effective_from=START, min_office_share=60)
    CoveragePolicy.objects.create(unit=bidang_p2p, effective_from=dt.date(2026, 3, 1), weekly_cap=1)
    client.force_login(hr)
    response = client.get(list_url(), {"q": "p2p"})
    text = text_of(response)
    assert "Minimal hadir di kantor 60% dari Dinas Kesehatan sejak 1 Januari 2025" in text
    assert "Maks. hari fleksibel per minggu 1 ditetapkan sendiri sejak 1 Maret 2026" in text
    assert "Maks. hari fleksibel per bulan — bawaan nasional" in text
    (row,) = response.context["children"]
    assert row["effective"].since["min_office_share"] == START and row["effective"].sources["weekly_cap"] == bidang_p2p


def test_the_api_gives_the_same_dates_as_the_page(hr, dinkes, bidang_p2p):
    CoveragePolicy.objects.create(unit=dinkes, effective_from=START, min_office_share=60)
    body = api(hr).get("/api/v1/policies/effective/", {"unit": bidang_p2p.pk, "date": MON.isoformat()}).json()
    (item,) = body["results"]
    assert item["since"]["min_office_share"] == "2025-01-01" and item["since"]["weekly_cap"] is None
    assert item["sources"]["min_office_share"]["id"] == dinkes.pk


# --- One level at a time: collapsible cards, sub-units on their own level --------------------------

def test_it_shows_the_top_of_the_scope_open_and_its_sub_units_closed(client, hr, dinkes, bidang_p2p, upt):
    seksi = UnitFactory(parent=bidang_p2p, name="Seksi Surveilans", code="DINKES-P2P-SURV")
    client.force_login(hr)
    response = client.get(list_url())
    assert response.context["current"]["unit"] == dinkes
    assert [r["unit"] for r in response.context["children"]] == [bidang_p2p, upt]  # not the seksi below
    html = response.content.decode()
    assert html.count(CARD) == 3 and html.count(f"{CARD} open>") == 1
    assert f'href="?induk={bidang_p2p.pk}&amp;tanggal=2026-11-20"' in html  # "Lihat 1 sub-unit"
    assert seksi.name not in html
    level = client.get(list_url(), {"induk": bidang_p2p.pk})
    assert level.context["current"]["unit"] == bidang_p2p
    assert [r["unit"] for r in level.context["children"]] == [seksi]
    assert [u.pk for u in level.context["current"]["trail"]] == [dinkes.pk]  # the way back up


def test_it_answers_404_for_a_level_outside_the_scope(client, hr, pemkot, pemprov_lain, dinkes):
    client.force_login(hr)
    assert client.get(list_url(), {"induk": pemprov_lain.pk}).status_code == 404
    assert client.get(list_url(), {"induk": pemkot.pk}).status_code == 404  # above the scope


def test_a_superuser_starts_from_the_institutions(client, superuser, pemkot, pemprov_lain, dinkes):
    client.force_login(superuser)
    response = client.get(list_url())
    assert response.context["current"] is None
    assert [r["unit"] for r in response.context["children"]] == [pemkot, pemprov_lain]


# --- Search (server-side, works without JS) -----------------------------------------------------

def test_it_finds_units_by_name_or_code_and_says_where_they_sit(client, hr, dinkes, bidang_p2p, upt):
    client.force_login(hr)
    by_code = client.get(list_url(), {"q": "  p2P "})
    assert [r["unit"] for r in by_code.context["children"]] == [bidang_p2p]
    assert by_code.context["search"] == "p2P"
    assert 'value="p2P"' in by_code.content.decode()
    assert f"{CARD} open>" in by_code.content.decode()  # a single hit opens
    assert [u.name for u in by_code.context["children"][0]["trail"]] == ["Dinas Kesehatan"]
    by_name = client.get(list_url(), {"q": "puskesmas"})
    assert [r["unit"] for r in by_name.context["children"]] == [upt]
    assert "1 unit cocok dengan “puskesmas”" in text_of(by_name)


def test_the_search_stays_inside_the_scope(client, hr, dinkes, pemprov_lain):
    client.force_login(hr)
    response = client.get(list_url(), {"q": "Provinsi"})
    assert response.context["children"] == []
    assert "Tidak ada unit yang nama atau kodenya cocok." in response.content.decode()
    assert "Pemerintah Provinsi Lain" not in response.content.decode()


def test_the_api_searches_the_same_way(hr, dinkes, bidang_p2p, upt):
    body = api(hr).get("/api/v1/policies/effective/", {"q": "puskesmas"}).json()
    assert [r["unit"]["id"] for r in body["results"]] == [upt.pk]


# --- What it costs: a page of one level, whatever the size of the tree ----------------------------

def _wide_dinkes(dinkes, numbers: range) -> None:
    for i in numbers:
        unit = UnitFactory(parent=dinkes, name=f"Puskesmas {i:03d}", code=f"PKM-{i:03d}")
        CoveragePolicy.objects.create(unit=unit, effective_from=START, weekly_cap=1)
        if i % 2:
            UnitFactory(parent=unit, name=f"Pustu {i:03d}", code=f"PUSTU-{i:03d}")


def _queries(client, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(list_url(), params or {}).status_code == 200
    return len(ctx.captured_queries)


def test_it_pages_a_wide_level_and_costs_the_same_for_a_big_tree(client, hr, dinkes, django_assert_max_num_queries):
    _wide_dinkes(dinkes, range(3))
    client.force_login(hr)
    small = _queries(client)
    _wide_dinkes(dinkes, range(3, 60))  # 60 puskesmas and 30 pustu below Dinkes
    big = _queries(client)
    assert big == small
    with django_assert_max_num_queries(15):
        first = client.get(list_url())
    assert len(first.context["children"]) == 25 and first.context["page"].paginator.count == 60
    assert first.content.decode().count(CARD) == 26  # Dinkes and one page: never the whole tree
    last = client.get(list_url(), {"page": 3})
    assert [r["unit"].code for r in last.context["children"]] == [f"PKM-{i:03d}" for i in range(50, 60)]
    with django_assert_max_num_queries(15):
        found = client.get(list_url(), {"q": "pustu"})
    assert found.context["page"].paginator.count == 30 and len(found.context["children"]) == 25
    assert 'href="?q=pustu&amp;page=2"' in found.content.decode()


# --- Whom a change reaches, before saving ------------------------------------------------------------

@pytest.fixture
def waiting(dinkes, bidang_p2p, upt, kadis, kabid, ani, budi):
    """Dinkes: kadis; P2P: kabid, ani, budi; UPT: one nurse and one who left. Pending days around MON."""
    nurse = EmployeeFactory(name="Perawat UPT", unit=upt, supervisor=kadis)
    EmployeeFactory(name="Sudah Pensiun", unit=upt, supervisor=kadis, is_active=False)
    pending = {
        "ani_before": services.request_submit(actor=ani.user, kind=Kind.WFH, dates=[dt.date(2026, 11, 30)]).days[0],
        "ani_on": services.request_submit(actor=ani.user, kind=Kind.WFH, dates=[MON]).days[0],
        "budi_after": services.request_submit(actor=budi.user, kind=Kind.WFA, location="Rumah",
                                              dates=[dt.date(2026, 12, 15)]).days[0],
        "nurse_after": services.request_submit(actor=nurse.user, kind=Kind.WFH, dates=[dt.date(2026, 12, 8)]).days[0],
    }
    decided = services.request_submit(actor=budi.user, kind=Kind.WFH, dates=[dt.date(2026, 12, 9)]).days[0]
    services.request_day_approve(actor=kabid.user, day_id=decided.pk)
    return pending


def test_the_impact_counts_active_employees_of_the_subtree_and_their_waiting_days(waiting, dinkes, bidang_p2p,
                                                                                  outsider):
    whole = selectors.policy_change_impact(dinkes, MON)
    assert (whole.employees, whole.pending_requests) == (5, 3)  # kadis, kabid, ani, budi, nurse; on/after MON
    p2p = selectors.policy_change_impact(bidang_p2p, MON)
    assert (p2p.employees, p2p.pending_requests) == (3, 2)
    earlier = selectors.policy_change_impact(bidang_p2p, dt.date(2026, 11, 23))
    assert earlier.pending_requests == 3  # Ani's 30 November as well
    assert RequestDay.objects.filter(status=Status.APPROVED).count() == 1  # decided days are not counted


def test_moving_a_start_later_reaches_back_to_the_old_start(waiting, bidang_p2p):
    row = CoveragePolicy.objects.create(unit=bidang_p2p, effective_from=dt.date(2026, 11, 23), weekly_cap=1)
    impact = selectors.policy_change_impact(bidang_p2p, MON, changed=row)
    assert (impact.effective_from, impact.pending_requests) == (dt.date(2026, 11, 23), 3)


def test_the_preview_button_shows_the_impact_and_saves_nothing(client, hr, waiting, dinkes):
    client.force_login(hr)
    response = client.post(unit_url(dinkes), policy_post(effective_from=MON.isoformat(), min_office_share="70",
                                                         pratinjau="1"))
    assert response.status_code == 200
    assert ("Perubahan ini berlaku untuk 5 pegawai dan 3 pengajuan yang menunggu mulai 7 Desember 2026."
            in text_of(response))
    assert not CoveragePolicy.objects.exists()
    assert not AuditEvent.objects.filter(verb__startswith="coverage_policy").exists()
    form = response.context["form"]
    assert form["min_office_share"].value() == "70"  # the form keeps what was typed, to save next
    saved = client.post(unit_url(dinkes), policy_post(effective_from=MON.isoformat(), min_office_share="70"))
    assert saved.status_code == 302 and CoveragePolicy.objects.get(unit=dinkes).min_office_share == 70


def test_the_preview_reports_bad_input_like_saving(client, hr, dinkes):
    client.force_login(hr)
    response = client.post(unit_url(dinkes), policy_post(weekly_cap="3", pratinjau="1"))
    assert "weekly_cap" in response.context["form"].errors and response.context["impact"] is None
    assert "Perubahan ini berlaku" not in response.content.decode()


def test_the_api_previews_a_new_policy_and_a_change_without_saving(hr, waiting, dinkes, bidang_p2p):
    body = {"unit": dinkes.pk, "effective_from": MON.isoformat(), "min_office_share": 70}
    answer = api(hr).post("/api/v1/policies/preview/", body, format="json")
    assert answer.status_code == 200, answer.content
    assert answer.json() == {"unit": {"id": dinkes.pk, "code": "DINKES", "name": "Dinas Kesehatan"},
                             "effective_from": "2026-12-07", "employees": 5, "pending_requests": 3}
    row = CoveragePolicy.objects.create(unit=bidang_p2p, effective_from=dt.date(2026, 11, 23), weekly_cap=1)
    change = api(hr).post(f"/api/v1/policies/{row.pk}/preview/", {"effective_from": MON.isoformat()}, format="json")
    assert change.json()["effective_from"] == "2026-11-23" and change.json()["pending_requests"] == 3
    row.refresh_from_db()
    assert (row.effective_from, row.weekly_cap) == (dt.date(2026, 11, 23), 1)
    assert CoveragePolicy.objects.count() == 1 and not AuditEvent.objects.filter(verb__startswith="coverage").exists()


def test_the_api_preview_refuses_what_saving_refuses(hr, hr_other, dinkes, bidang_p2p):
    answer = api(hr).post("/api/v1/policies/preview/", {"unit": dinkes.pk, "effective_from": MON.isoformat(),
                                                        "weekly_cap": 3}, format="json")
    assert answer.status_code == 400 and "weekly_cap" in answer.json()["error"]["fields"]
    row = CoveragePolicy.objects.create(unit=bidang_p2p, effective_from=START, weekly_cap=1)
    assert api(hr_other).post(f"/api/v1/policies/{row.pk}/preview/", {"effective_from": MON.isoformat()},
                              format="json").status_code == 404


# --- Dates that round-trip in <input type="date"> -------------------------------------------------

def test_the_edit_form_shows_the_existing_start_date(client, hr, bidang_p2p):
    row = CoveragePolicy.objects.create(unit=bidang_p2p, effective_from=SUNDAY, weekly_cap=1)
    client.force_login(hr)
    html = client.get(edit_url(row)).content.decode()
    (field,) = re.findall(r'<input[^>]*name="effective_from"[^>]*>', html)
    assert 'type="date"' in field and 'value="2026-12-06"' in field
    resent = client.post(edit_url(row), policy_post(effective_from="2026-12-06", weekly_cap="2"))
    assert resent.status_code == 302
    row.refresh_from_db()
    assert (row.effective_from, row.weekly_cap) == (SUNDAY, 2)


def test_a_portal_date_field_writes_iso_whatever_date_widget_it_is_given():
    class Filter(forms.Form):
        start = DateField(widget=forms.DateInput(attrs={"type": "date"}))  # Django's widget, localized by default

    with translation.override("id"):
        html = str(Filter(initial={"start": SUNDAY})["start"])
    assert 'value="2026-12-06"' in html


def _project_forms():
    for app in ("portal", "scheduling", "attendance"):
        package = importlib.import_module(app)
        for info in pkgutil.walk_packages(package.__path__, f"{app}."):
            if not any(part in info.name for part in (".migrations", ".management", "wsgi", "asgi", "celery")):
                importlib.import_module(info.name)
    found, todo = [], [forms.BaseForm]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.split(".")[0] in ("portal", "scheduling", "attendance"):
            found.append(cls)
    return found


def test_every_date_input_of_the_portal_round_trips():
    checked = []
    with translation.override("id"):
        for form_class in _project_forms():
            for name, field in form_class.base_fields.items():
                widget = field.widget
                if getattr(widget, "input_type", "") == "date" or widget.attrs.get("type") == "date":
                    assert widget.format_value(SUNDAY) == "2026-12-06", f"{form_class.__qualname__}.{name}"
                    checked.append(f"{form_class.__qualname__}.{name}")
    assert "PolicyForm.effective_from" in checked and len(checked) >= 8


# --- One set of limits for the form, the serializer and the service ----------------------------------

@pytest.mark.parametrize("name", sorted(INT_RANGES))
def test_the_forms_the_serializer_and_the_service_share_the_limits(name, bidang_p2p):
    low, high = INT_RANGES[name]
    form_field = PolicyForm.base_fields[name]
    api_field = PolicyInputSerializer().fields[name]
    assert (form_field.min_value, form_field.max_value) == (api_field.min_value, api_field.max_value) == (low, high)
    with translation.override("id"):
        form = PolicyForm({"effective_from": "2026-12-07", name: str(high + 1)})
        admin_form = AdminPolicyForm({"unit": bidang_p2p.pk, "effective_from": "2026-12-07", name: str(high + 1)})
        serializer = PolicyInputSerializer(data={"effective_from": "2026-12-07", name: high + 1})
        assert not form.is_valid() and not admin_form.is_valid() and not serializer.is_valid()
        with pytest.raises(ValidationError) as service:
            coverage_policy_clean({"effective_from": "2026-12-07", name: high + 1})
        message = f"Harus antara {low} dan {high}."
        assert form.errors[name] == admin_form.errors[name] == [message]
        assert [str(e) for e in serializer.errors[name]] == [message]
        assert service.value.message_dict[name] == [message]
        at_the_limit = PolicyForm({"effective_from": "2026-12-07", name: str(min(high, 2))})
        assert name not in at_the_limit.errors


def test_a_weekday_share_has_the_limits_of_the_share_everywhere():
    low, high = INT_RANGES["min_office_share"]
    with translation.override("id"):
        form = PolicyForm({"effective_from": "2026-12-07", "wd_2": str(high + 1)})
        serializer = PolicyInputSerializer(data={"effective_from": "2026-12-07", "weekday_min_share": {"2": high + 1}})
        assert not form.is_valid() and not serializer.is_valid()
        with pytest.raises(ValidationError) as service:
            coverage_policy_clean({"effective_from": "2026-12-07", "weekday_min_share": {"2": high + 1}})
        message = f"Harus antara {low} dan {high}."
        assert form.errors["wd_2"] == [message]
        assert service.value.message_dict["weekday_min_share"] == [message]
        assert message in str(serializer.errors["weekday_min_share"])


def test_the_regulatory_cap_is_asked_for_in_the_form_and_the_api_alike(client, hr, dinkes):
    form = PolicyForm({"effective_from": "2026-12-07", "weekly_cap": "3"})
    assert not form.is_valid() and "weekly_cap" in form.errors
    serializer = PolicyInputSerializer(data={"effective_from": "2026-12-07", "weekly_cap": 3})
    assert not serializer.is_valid() and "weekly_cap" in serializer.errors
    allowed = {"effective_from": "2026-12-07", "weekly_cap": "3", "confirm_regulatory": "on",
               "legal_basis": "Keputusan Bupati 1/2026"}
    assert PolicyForm(allowed).is_valid()
    assert PolicyInputSerializer(data={**allowed, "weekly_cap": 3, "confirm_regulatory": True}).is_valid()
    assert "paling banyak 2" in str(PolicyForm.base_fields["weekly_cap"].help_text)
    assert str(AdminPolicyForm.base_fields["confirm_regulatory"].label) == str(
        PolicyForm.base_fields["confirm_regulatory"].label) == (
        "Saya menetapkan lebih dari 2 hari fleksibel per minggu dengan sengaja")
