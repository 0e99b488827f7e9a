""""Kantor tujuan" searches on the server (issue 15): ``GET /api/v1/units/search/?q=`` suggests at
most 20 units of the caller's institution, the request form takes a unit by code, id or exact
name in one place, and the page no longer carries every unit of the institution."""


import pytest
from django import forms
from django.urls import reverse
from rest_framework.test import APIClient

from portal.models import Unit, UnitKind
from portal.selectors.unit_search import SEARCH_LIMIT
from scheduling.forms import RequestForm
from scheduling.models import Kind

pytestmark = pytest.mark.django_db

SEARCH = "/api/v1/units/search/"


def bulk_children(parent: Unit, n: int, prefix: str = "PKM") -> list[Unit]:
    units = Unit.objects.bulk_create(Unit(code=f"{prefix}-{i:04d}", name=f"Puskesmas {prefix} {i:04d}",
                                          kind=UnitKind.UPT, parent=parent) for i in range(n))
    for u in units:
        u.path, u.depth = f"{parent.path}{u.pk}/", parent.depth + 1
    Unit.objects.bulk_update(units, ["path", "depth"])
    return units


def search(who, q):
    api = APIClient()
    if who is not None:
        api.force_authenticate(getattr(who, "user", who))
    return api.get(SEARCH, {"q": q})


def found(response) -> list[str]:
    assert response.status_code == 200
    return [u["code"] for u in response.json()["results"]]


# --- The endpoint ------------------------------------------------------------------------------

def test_it_finds_units_of_the_callers_institution_by_code_prefix_and_name_part(ani, upt, bidang_p2p, pemprov_lain):
    assert found(search(ani, "dinkes-u")) == ["DINKES-UPT1"]
    assert found(search(ani, "puskesmas")) == ["DINKES-UPT1"]
    assert found(search(ani, "provinsi")) == []  # another institution
    assert "DINKES-P2P" not in found(search(ani, "p2p"))  # her own unit is no other office


def test_it_answers_at_most_20_prefix_matches_first(ani, dinkes):
    bulk_children(dinkes, 30)
    codes = found(search(ani, "pkm"))
    assert len(codes) == SEARCH_LIMIT and all(c.startswith("PKM-") for c in codes)
    assert found(search(ani, "kesehatan")) == ["DINKES"]  # "Dinas Kesehatan": a name part


def test_it_leaves_out_inactive_units_and_empty_queries(ani, upt):
    Unit.objects.filter(pk=upt.pk).update(is_active=False)
    assert found(search(ani, "upt")) == []
    assert found(search(ani, "  ")) == []


def test_it_needs_a_login_and_gives_accounts_without_an_employee_nothing(upt, hr):
    assert search(None, "upt").status_code == 401
    assert found(search(hr, "upt")) == []


# --- The form: one validation, by code, id or exact name ---------------------------------------

def other_office(ani, value):
    form = RequestForm({"kind": Kind.OTHER_OFFICE, "date_mode": "single", "date": "2026-12-21",
                        "other_office": value}, employee=ani)
    form.is_valid()
    return form


@pytest.mark.parametrize("value", ["DINKES-UPT1", "dinkes-upt1", "DINKES-UPT1 — UPT Puskesmas Kota",
                                   "UPT Puskesmas Kota", "upt puskesmas kota"])
def test_the_form_takes_the_unit_by_code_or_name(ani, upt, value):
    form = other_office(ani, value)
    assert "other_office" not in form.errors and form.cleaned_data["other_office"] == upt


def test_the_form_takes_the_unit_by_id(ani, upt):
    assert other_office(ani, str(upt.pk)).cleaned_data["other_office"] == upt


@pytest.mark.parametrize("value", ["PEMPROV-X", "Pemerintah Provinsi Lain", "DINKES-P2P", "TIDAK-ADA"])
def test_the_form_refuses_units_outside_the_choice(ani, upt, pemprov_lain, value):
    form = other_office(ani, value)
    assert form.errors["other_office"] == [
        "Unit tidak ditemukan. Ketik nama atau kode unit, lalu pilih dari daftar."]


def test_the_form_refuses_a_name_two_units_share(ani, dinkes):
    bulk_children(dinkes, 1, prefix="A")[0]
    twin = bulk_children(dinkes, 1, prefix="B")[0]
    Unit.objects.filter(pk=twin.pk).update(name="Puskesmas A 0000")
    assert "other_office" in other_office(ani, "Puskesmas A 0000").errors
    assert other_office(ani, "A-0000").cleaned_data["other_office"].code == "A-0000"


# --- The page at size ----------------------------------------------------------------------------

def test_the_request_page_with_2000_units_carries_none_of_them(client, ani, dinkes):
    bulk_children(dinkes, 2000)
    client.force_login(ani.user)
    html = client.get(reverse("scheduling:request-new")).content.decode()
    assert "PKM-1999" not in html and "<option value=\"" + str(Unit.objects.get(code="PKM-0000").pk) not in html
    assert 'data-unit-search="/api/v1/units/search/"' in html and "js/unit_search.js" in html
    old_select = forms.Select(choices=forms.ModelChoiceField(
        queryset=RequestForm(employee=ani).fields["other_office"].queryset).choices).render("other_office", None)
    text_input = str(RequestForm(employee=ani)["other_office"])
    before = len(html.encode()) - len(text_input.encode()) + len(old_select.encode())
    # Printed for docs/benchmarks.md ("Pickers and heat-maps at size").
    print(f"\nrequest form with 2000 units: {len(html.encode())} bytes now, {before} bytes with the old drop-down")
    assert len(html.encode()) < 60_000 < len(old_select.encode())
