"""Documents per kind: a doctor's letter past the first sick day, a surat tugas for dinas luar,
evidence for keadaan khusus. The service refuses a request without them (nothing written), the
page and the API take the same files and give the same errors, and the files reach the approver
through a download only the people who may see the request get."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from portal.models import AuditEvent
from portal.uploads import EVIDENCE_MAX_BYTES
from scheduling import services
from scheduling.models import CoveragePolicy, Evidence, Kind, Mode, RequestDay, WorkRequest
from scheduling.selectors.leave import document_requirement
from scheduling.services.requests import MAX_EVIDENCE_FILES
from tests.factories import EmployeeFactory, UnitFactory, UserFactory

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)  # a Tuesday
MONDAY, TUESDAY = dt.date(2026, 12, 7), dt.date(2026, 12, 8)
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(32)
DOCTOR = "Surat keterangan dokter"
SPECIAL = {"special_circumstance": True, "reason": "Anak dirawat.", "work_plan": "Menyusun laporan.",
           "expected_outputs": "Draf laporan."}
pytestmark = pytest.mark.usefixtures("_frozen", "_media", "grantor")


@pytest.fixture
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def grantor(pemkot):
    """Cuti is granted by the head of the institution when no official is configured."""
    if pemkot.head is None:
        pemkot.head = EmployeeFactory(name="Sekretaris Daerah", unit=pemkot, user=UserFactory(username="sekda"))
        pemkot.save(update_fields=["head"])
    return pemkot.head


def pdf(name: str = "surat.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def png(name: str = "surat.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def nothing_written() -> bool:
    return not (WorkRequest.objects.exists() or RequestDay.objects.exists() or Evidence.objects.exists()
                or AuditEvent.objects.filter(verb="request.submitted").exists())


def refusal(**kwargs) -> str:
    """The service's message on ``evidence`` for this submit."""
    with pytest.raises(ValidationError) as caught:
        services.request_submit(**kwargs)
    return " ".join(caught.value.message_dict["evidence"])


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- The service ---------------------------------------------------------------------------

def test_it_refuses_two_days_of_cuti_sakit_without_a_doctors_letter(team, ani):
    message = refusal(actor=ani.user, kind=Kind.CS, dates=[MONDAY, TUESDAY])
    assert DOCTOR in message and "cuti sakit lebih dari 1 hari" in message
    assert nothing_written()


def test_it_accepts_two_days_of_cuti_sakit_with_a_pdf(team, ani):
    result = services.request_submit(actor=ani.user, kind=Kind.CS, dates=[MONDAY, TUESDAY], evidence=[pdf()])
    assert [d.date for d in result.days] == [MONDAY, TUESDAY]
    (stored,) = result.request.evidence.all()
    assert (stored.content_type, stored.size) == ("application/pdf", len(PDF))
    assert stored.file.read() == PDF
    event = AuditEvent.objects.get(verb="request.submitted")
    assert event.after["evidence"] == [stored.file.name]


def test_it_counts_the_days_that_will_be_saved(team, ani):
    assert document_requirement(ani, Kind.SAKIT, 1, False) is None
    assert document_requirement(ani, Kind.SAKIT, 2, False).label == DOCTOR
    # One sick day over a weekend is still one working day: no letter.
    friday, monday = dt.date(2026, 12, 4), MONDAY
    (day,) = services.request_submit(actor=ani.user, kind=Kind.SAKIT, start=friday, end=friday).days
    assert day.date == friday and not day.request.evidence.exists()
    assert DOCTOR in refusal(actor=ani.user, kind=Kind.SAKIT, start=monday, end=TUESDAY)


def test_one_day_of_sakit_needs_no_letter(team, ani):
    (day,) = services.request_submit(actor=ani.user, kind=Kind.SAKIT, dates=[MONDAY]).days
    assert day.kind == Kind.SAKIT and not day.request.evidence.exists()


def test_dinas_luar_needs_a_surat_tugas(team, ani):
    message = refusal(actor=ani.user, kind=Kind.DL, dates=[MONDAY])
    assert "Surat tugas" in message and "dinas luar" in message
    assert nothing_written()
    (day,) = services.request_submit(actor=ani.user, kind=Kind.DL, dates=[MONDAY], evidence=[png()]).days
    assert day.request.evidence.get().content_type == "image/png"


def test_keadaan_khusus_needs_evidence(team, ani):
    message = refusal(actor=ani.user, kind=Kind.WFH, dates=[MONDAY], **SPECIAL)
    assert "Bukti keadaan khusus" in message and "keadaan khusus" in message
    assert nothing_written()
    (day,) = services.request_submit(actor=ani.user, kind=Kind.WFH, dates=[MONDAY], evidence=[pdf()],
                                     **SPECIAL).days
    assert day.request.special_circumstance and day.request.evidence.count() == 1


def test_it_knows_files_by_content_not_by_name(team, ani):
    fake = SimpleUploadedFile("surat.pdf", b"MZ\x90\x00 not a letter", content_type="application/pdf")
    assert "harus PDF, PNG atau JPEG" in refusal(actor=ani.user, kind=Kind.DL, dates=[MONDAY], evidence=[fake])
    big = SimpleUploadedFile("besar.pdf", PDF + bytes(EVIDENCE_MAX_BYTES), content_type="application/pdf")
    assert "lebih dari 5 MB" in refusal(actor=ani.user, kind=Kind.DL, dates=[MONDAY], evidence=[big])
    # A good file next to a bad one is not kept either: one check before anything is stored.
    assert "harus PDF" in refusal(actor=ani.user, kind=Kind.DL, dates=[MONDAY], evidence=[pdf(), fake])
    assert nothing_written()
    # A PNG renamed .pdf is a PNG: stored as what its content says.
    renamed = SimpleUploadedFile("surat.pdf", PNG, content_type="application/pdf")
    (day,) = services.request_submit(actor=ani.user, kind=Kind.DL, dates=[MONDAY], evidence=[renamed]).days
    assert day.request.evidence.get().content_type == "image/png"


def test_it_takes_at_most_the_file_limit(team, ani):
    files = [pdf(f"s{i}.pdf") for i in range(MAX_EVIDENCE_FILES + 1)]
    assert "Paling banyak 5 berkas" in refusal(actor=ani.user, kind=Kind.DL, dates=[MONDAY], evidence=files)
    assert nothing_written()


def test_it_reports_the_missing_document_with_the_other_errors(team, ani, bidang_p2p):
    """A request that also needs a justification is told both at once, not one per attempt."""
    CoveragePolicy.objects.create(unit=bidang_p2p, effective_from=dt.date(2025, 1, 1), min_office_share=100,
                                  mode=Mode.WARN)
    with pytest.raises(ValidationError) as caught:
        services.request_submit(actor=ani.user, kind=Kind.WFH, dates=[MONDAY], **SPECIAL)
    assert set(caught.value.message_dict) == {"justification", "evidence"}
    assert nothing_written()


# --- Page and API: the same files, the same errors -----------------------------------------

def _page_data(kind: str, **extra) -> dict:
    return {"kind": kind, "date_mode": "single", "date": MONDAY.isoformat(), **extra}


EXTRA = {Kind.WFA: {"location": "Rumah orang tua, Bogor"}}
PAGE_KINDS = [k for k in Kind.values if k != Kind.CM]  # cuti melahirkan also asks the child's order


@pytest.mark.parametrize("kind", PAGE_KINDS)
def test_the_page_takes_files_for_every_kind(client, team, ani, upt, kind):
    extra = dict(EXTRA.get(kind, {}))
    if kind == Kind.OTHER_OFFICE:
        extra["other_office"] = upt.pk
    client.force_login(ani.user)
    response = client.post(reverse("scheduling:request-new"), _page_data(kind, evidence=[pdf()], **extra))
    assert response.status_code == 302, response.context["form"].errors
    request = WorkRequest.objects.get()
    assert request.kind == kind and request.evidence.get().content_type == "application/pdf"


def test_the_page_shows_the_missing_document_on_the_file_field(client, team, ani):
    client.force_login(ani.user)
    response = client.post(reverse("scheduling:request-new"), _page_data(Kind.DL))
    assert response.status_code == 200 and nothing_written()
    errors = response.context["form"].errors
    assert list(errors) == ["evidence"] and "Surat tugas" in errors["evidence"][0]
    html = response.content.decode()
    assert 'id="id_evidence_error"' in html
    # The panel, rendered again, still names the document.
    assert response.context["document_required"].label == "Surat tugas"


def test_the_page_and_the_api_give_the_same_error(client, team, ani):
    client.force_login(ani.user)
    page = client.post(reverse("scheduling:request-new"), {
        "kind": Kind.CS, "date_mode": "range", "start": MONDAY.isoformat(), "end": TUESDAY.isoformat()})
    response = api(ani.user).post("/api/v1/requests/", {
        "kind": "CS", "start": MONDAY.isoformat(), "end": TUESDAY.isoformat()}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["evidence"] == page.context["form"].errors["evidence"]
    fake = {"kind": "DL", "dates": [MONDAY.isoformat()],
            "evidence": [SimpleUploadedFile("s.pdf", b"GIF89a", content_type="application/pdf")]}
    from_api = api(ani.user).post("/api/v1/requests/", fake, format="multipart").json()["error"]["fields"]
    page = client.post(reverse("scheduling:request-new"), _page_data(
        Kind.DL, evidence=[SimpleUploadedFile("s.pdf", b"GIF89a", content_type="application/pdf")]))
    assert from_api["evidence"] == page.context["form"].errors["evidence"]
    assert nothing_written()


def test_the_page_and_the_api_take_the_same_number_of_files(client, team, ani):
    client.force_login(ani.user)
    too_many = MAX_EVIDENCE_FILES + 1
    page = client.post(reverse("scheduling:request-new"),
                       _page_data(Kind.DL, evidence=[pdf(f"{i}.pdf") for i in range(too_many)]))
    body = {"kind": "DL", "dates": [MONDAY.isoformat()], "evidence": [pdf(f"{i}.pdf") for i in range(too_many)]}
    from_api = api(ani.user).post("/api/v1/requests/", body, format="multipart").json()["error"]["fields"]
    assert from_api["evidence"] == page.context["form"].errors["evidence"] == ["Paling banyak 5 berkas bukti."]
    assert nothing_written()
    body["evidence"] = [pdf(f"{i}.pdf") for i in range(MAX_EVIDENCE_FILES)]
    assert api(ani.user).post("/api/v1/requests/", body, format="multipart").status_code == 201
    assert Evidence.objects.count() == MAX_EVIDENCE_FILES


# --- Told before submitting ----------------------------------------------------------------

def test_the_preview_api_names_the_document(team, ani):
    def preview(**body):
        response = api(ani.user).post("/api/v1/requests/preview/", body, format="json")
        assert response.status_code == 200, response.content
        return response.json()["document_required"]

    assert preview(kind="CS", start=MONDAY.isoformat(), end=TUESDAY.isoformat()) == {
        "label": DOCTOR, "reason": "cuti sakit lebih dari 1 hari"}
    assert preview(kind="CS", dates=[MONDAY.isoformat()]) is None
    assert preview(kind="DL", dates=[MONDAY.isoformat()])["label"] == "Surat tugas"
    assert preview(kind="WFH", dates=[MONDAY.isoformat()], special_circumstance=True)["label"] == (
        "Bukti keadaan khusus")
    assert preview(kind="WFH", dates=[MONDAY.isoformat()]) is None


def test_the_panel_names_the_document_for_the_kind_and_days(client, team, ani):
    client.force_login(ani.user)
    url = reverse("scheduling:request-preview")
    two_days = client.get(url, {"kind": "CS", "date_mode": "range", "start": MONDAY.isoformat(),
                                "end": TUESDAY.isoformat()}).content.decode()
    assert "data-document-required" in two_days and DOCTOR in two_days and "cuti sakit lebih dari 1 hari" in two_days
    one_day = client.get(url, _page_data("CS")).content.decode()
    assert "data-document-required" not in one_day and DOCTOR not in one_day


@pytest.mark.parametrize(("kind", "days", "special"), [
    ("CS", 2, False), ("CS", 1, False), ("SAKIT", 2, False), ("DL", 1, False), ("WFH", 1, True), ("CT", 2, False)])
def test_the_panel_and_the_preview_api_name_the_same_document(client, team, ani, kind, days, special):
    start, end = MONDAY.isoformat(), (MONDAY + dt.timedelta(days=days - 1)).isoformat()
    client.force_login(ani.user)
    query = {"kind": kind, "date_mode": "range", "start": start, "end": end}
    if special:
        query["special_circumstance"] = "on"
    on_page = client.get(reverse("scheduling:request-preview"), query).context["document_required"]
    in_api = api(ani.user).post("/api/v1/requests/preview/", {
        "kind": kind, "start": start, "end": end, "special_circumstance": special}, format="json").json()
    assert in_api["document_required"] == (on_page and {"label": on_page.label, "reason": on_page.reason})


def test_the_form_offers_the_file_field_outside_keadaan_khusus(client, team, ani):
    client.force_login(ani.user)
    html = client.get(reverse("scheduling:request-new")).content.decode()
    special = html.split("data-show-special", 1)[1].split("</div>\n\n", 1)[0]
    assert 'name="evidence"' in html and 'name="evidence"' not in special
    tag = html.split('name="evidence"', 1)[0].rsplit("<input", 1)[1] + html.split('name="evidence"', 1)[1].split(">")[0]
    assert 'accept="application/pdf,image/png,image/jpeg"' in tag and "multiple" in tag


# --- The approver sees the files -----------------------------------------------------------

@pytest.fixture
def letter(team, ani):
    result = services.request_submit(actor=ani.user, kind=Kind.CS, dates=[MONDAY, TUESDAY],
                                     evidence=[pdf("surat-dokter.pdf")])
    return result.request.evidence.get()


def test_the_inbox_lists_the_files_with_a_download_link(client, kabid, letter):
    client.force_login(kabid.user)
    html = client.get(reverse("scheduling:inbox")).content.decode()
    link = reverse("scheduling:request-evidence", args=[letter.pk])
    assert f'href="{link}"' in html and "surat-dokter.pdf" in html


def test_own_requests_and_the_api_day_list_the_files(client, ani, kabid, letter):
    link = reverse("scheduling:request-evidence", args=[letter.pk])
    client.force_login(ani.user)
    assert f'href="{link}"' in client.get(reverse("scheduling:my-requests")).content.decode()
    day = RequestDay.objects.filter(request=letter.request).first()
    body = api(kabid.user).get(f"/api/v1/requests/{day.pk}/").json()
    assert body["evidence"] == [{"id": letter.pk, "name": "surat-dokter.pdf", "content_type": "application/pdf",
                                 "size": len(PDF), "url": link}]


def test_the_download_is_an_attachment_with_the_stored_type(client, kabid, letter):
    client.force_login(kabid.user)
    response = client.get(reverse("scheduling:request-evidence", args=[letter.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="surat-dokter.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == PDF


@pytest.mark.parametrize("who", ["ani", "kabid", "hr"])
def test_the_people_who_see_the_request_may_download(client, letter, ani, kabid, hr, who):
    client.force_login({"ani": ani.user, "kabid": kabid.user, "hr": hr}[who])
    assert client.get(reverse("scheduling:request-evidence", args=[letter.pk])).status_code == 200


@pytest.mark.parametrize("who", ["budi", "outsider", "hr_other"])
def test_a_stranger_gets_404(client, letter, budi, outsider, hr_other, who):
    client.force_login({"budi": budi.user, "outsider": outsider.user, "hr_other": hr_other}[who])
    assert client.get(reverse("scheduling:request-evidence", args=[letter.pk])).status_code == 404


def test_a_missing_file_or_id_is_404_and_anonymous_must_sign_in(client, kabid, letter):
    url = reverse("scheduling:request-evidence", args=[letter.pk])
    assert client.get(url).url.startswith(reverse("login"))
    client.force_login(kabid.user)
    assert client.get(reverse("scheduling:request-evidence", args=[letter.pk + 999])).status_code == 404
    letter.file.storage.delete(letter.file.name)
    assert client.get(url).status_code == 404


def test_an_unknown_stored_type_downloads_as_bytes(client, kabid, letter):
    Evidence.objects.filter(pk=letter.pk).update(content_type="text/html")
    client.force_login(kabid.user)
    response = client.get(reverse("scheduling:request-evidence", args=[letter.pk]))
    assert response["Content-Type"] == "application/octet-stream"


def test_another_institutions_unit_does_not_change_the_defaults(pemprov_lain):
    """The defaults hold for any institution that configured nothing."""
    person = EmployeeFactory(unit=UnitFactory(parent=pemprov_lain))
    assert document_requirement(person, Kind.CS, 2, False).label == DOCTOR
    assert document_requirement(person, Kind.DL, 1, False).label == "Surat tugas"
    assert document_requirement(person, Kind.CT, 5, True).label == "Bukti keadaan khusus"
    assert document_requirement(person, Kind.CT, 5, False) is None
