"""The security cast, built once per module, and helpers shared by the security tests.

The same people as tests/conftest.py (ani's request day, correction and notification;
hr's export job; a coverage policy of bidang_p2p), created through the services at a
fixed instant (Wednesday 2 December 2026, 10:00 WIB) so every route has a real object
to point at. Module scope keeps the matrix fast: one setup, every test rolls back.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import zoneinfo
from types import SimpleNamespace

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import override_settings

from portal.models import DelegationKind, UnitKind
from tests.factories import DelegationFactory, EmployeeFactory, HRAdminScopeFactory, UnitFactory, UserFactory

WIB = zoneinfo.ZoneInfo("Asia/Jakarta")
NOW = dt.datetime(2026, 12, 2, 10, 0, tzinfo=WIB)  # a Wednesday, no holiday
PAST_WORKING_DAY = dt.date(2026, 12, 1)
FUTURE_WORKING_DAY = dt.date(2026, 12, 9)
# "other_sup" supervises someone in another unit of the same institution (UPT): a decider,
# but not for anything of ani's.
PERSONAS = ("anonymous", "employee", "supervisor", "other_sup", "plh", "hr", "hr_other", "superuser")


def _units():
    pemkot = UnitFactory(code="PEMKOT", name="Pemerintah Kota Contoh", time_zone="Asia/Jakarta")
    dinkes = UnitFactory(code="DINKES", name="Dinas Kesehatan", kind=UnitKind.UNIT_ORGANISASI, parent=pemkot)
    bidang_p2p = UnitFactory(code="DINKES-P2P", name="Bidang P2P", kind=UnitKind.BIDANG, parent=dinkes)
    upt = UnitFactory(code="DINKES-UPT1", name="UPT Puskesmas Kota", kind=UnitKind.UPT, parent=dinkes,
                      time_zone="Asia/Makassar")
    pemprov_lain = UnitFactory(code="PEMPROV-X", name="Pemerintah Provinsi Lain", time_zone="Asia/Makassar")
    return SimpleNamespace(pemkot=pemkot, dinkes=dinkes, bidang_p2p=bidang_p2p, upt=upt, pemprov_lain=pemprov_lain)


def _people(u):
    kadis = EmployeeFactory(name="Kepala Dinas", jabatan="Kepala Dinas Kesehatan", unit=u.dinkes,
                            user=UserFactory(username="kadis"))
    u.dinkes.head = kadis
    u.dinkes.save(update_fields=["head"])
    kabid = EmployeeFactory(name="Kepala Bidang P2P", jabatan="Kepala Bidang P2P", unit=u.bidang_p2p,
                            supervisor=kadis, user=UserFactory(username="kabid"))
    ani = EmployeeFactory(name="Ani Lestari", unit=u.bidang_p2p, supervisor=kabid, user=UserFactory(username="ani"))
    budi = EmployeeFactory(name="Budi Santoso", unit=u.bidang_p2p, supervisor=kabid,
                           user=UserFactory(username="budi"))
    citra = EmployeeFactory(name="Citra Plh", jabatan="Analis Kebijakan Ahli Muda", unit=u.bidang_p2p,
                            supervisor=kabid, user=UserFactory(username="citra"))
    delegation = DelegationFactory(kind=DelegationKind.PLH, delegator=kabid, delegate=citra,
                                   start=NOW.date() - dt.timedelta(days=1), end=NOW.date() + dt.timedelta(days=7))
    dedi = EmployeeFactory(name="Dedi Kepala UPT", jabatan="Kepala UPT", unit=u.upt, supervisor=kadis,
                           user=UserFactory(username="dedi"))
    eka = EmployeeFactory(name="Eka Perawat", unit=u.upt, supervisor=dedi, user=UserFactory(username="eka"))
    hr = UserFactory(username="hr_dinkes", is_staff=True)  # HR admins need is_staff for the admin
    HRAdminScopeFactory(user=hr, unit=u.dinkes)
    outsider = EmployeeFactory(name="Orang Luar", unit=u.pemprov_lain, user=UserFactory(username="luar"))
    hr_other = UserFactory(username="hr_lain", is_staff=True)
    HRAdminScopeFactory(user=hr_other, unit=u.pemprov_lain)
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    return SimpleNamespace(kadis=kadis, kabid=kabid, ani=ani, budi=budi, citra=citra, delegation=delegation,
                           dedi=dedi, eka=eka, hr=hr,
                           outsider=outsider, hr_other=hr_other, superuser=superuser)


def _objects(c):
    """ani's pending day and correction, hr's finished export, ani's notification, a policy."""
    from attendance.services.corrections import correction_submit
    from attendance.services.export_jobs import export_job_create, export_job_run
    from portal.models import CalendarOverride
    from portal.services.calendar import calendar_override_save
    from portal.services.notify import notify
    from scheduling.services import coverage_policy_save, fwa_window_open, request_submit

    letter = SimpleUploadedFile("surat.pdf", b"%PDF-1.4 surat", content_type="application/pdf")
    submitted = request_submit(actor=c.ani.user, kind="WFH", dates=[FUTURE_WORKING_DAY], evidence=[letter])
    c.request_day = submitted.days[0]
    c.request_evidence = submitted.request.evidence.get()
    evidence = SimpleUploadedFile("bukti.png", b"\x89PNG\r\n\x1a\n" + bytes(32), content_type="image/png")
    c.correction = correction_submit(actor=c.ani.user, date=PAST_WORKING_DAY, check_in=dt.time(7, 25),
                                     reason="Jaringan kantor putus.", evidence=evidence)
    c.export_job = export_job_create(actor=c.hr, report="monthly-recap", unit_id=c.dinkes.pk, month="2026-11",
                                     format="csv")
    export_job_run(job_id=c.export_job.pk)
    c.export_job.refresh_from_db()
    c.notification = notify(recipient=c.ani.user, key="security-cast", kind="test", subject=lambda p: "Subjek",
                            body=lambda p: "Isi", link="/rencana/pengajuan/")
    c.calendar_override = calendar_override_save(actor=c.superuser, override=CalendarOverride(
        institution=c.pemkot, date=dt.date(2026, 12, 24), kind="holiday", name="Libur daerah"))
    c.fwa_window = fwa_window_open(actor=c.hr, name="Akhir tahun", start=dt.date(2026, 12, 29),
                                   end=dt.date(2026, 12, 31), units=[c.bidang_p2p]).window
    from scheduling.services import emergency_declare

    c.emergency = emergency_declare(actor=c.hr, name="Banjir", legal_basis="SE Sekda 1/2027", profile="wfh_auto",
                                    start=dt.date(2027, 1, 11), end=dt.date(2027, 1, 15), units=[c.bidang_p2p])
    c.hr_scope = c.hr.hr_scopes.get()
    c.policy = coverage_policy_save(actor=c.superuser, unit=c.bidang_p2p,
                                    data={"effective_from": dt.date(2026, 1, 1), "min_office_share": 20})
    _attendance_objects(c)


def _attendance_objects(c):
    """ani's pending izin, a shift of the UPT, the other institution's rules version and Ramadan
    period, a working pattern of bidang_p2p, and a closed month of dinkes."""
    from django.utils import timezone

    from attendance.models import AttendanceRules, Shift
    from attendance.services.permissions import permission_submit
    from portal.models import MonthClosure, RamadanPeriod, WorkPattern

    c.permission = permission_submit(actor=c.ani.user, date=FUTURE_WORKING_DAY, kind="TERLAMBAT",
                                     end_time=dt.time(9, 0), reason="Mengantar anak ke rumah sakit.")
    c.shift = Shift.objects.create(unit=c.upt, code="M", name="Malam", start=dt.time(21), end=dt.time(7),
                                   ends_next_day=True)
    c.other_rules = AttendanceRules.objects.create(institution=c.pemprov_lain, effective_from=dt.date(2026, 1, 1))
    c.other_ramadan = RamadanPeriod.objects.create(institution=c.pemprov_lain, start=dt.date(2027, 2, 8),
                                                   end=dt.date(2027, 3, 9))
    c.pattern = WorkPattern.objects.create(unit=c.bidang_p2p, effective_from=dt.date(2027, 1, 4))
    c.closure = MonthClosure.objects.create(unit=c.dinkes, month=dt.date(2026, 10, 1), requested_by=c.hr,
                                            closed_at=timezone.now())


def build_cast() -> SimpleNamespace:
    units = _units()
    cast = SimpleNamespace(**vars(units), **vars(_people(units)))
    _objects(cast)
    cast.users = {"anonymous": None, "employee": cast.ani.user, "supervisor": cast.kabid.user,
                  "other_sup": cast.dedi.user,
                  "plh": cast.citra.user, "hr": cast.hr, "hr_other": cast.hr_other, "superuser": cast.superuser}
    return cast


@pytest.fixture(scope="module")
def frozen_now():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(scope="module")
def cast(django_db_setup, django_db_blocker, frozen_now):
    """The cast inside one module-wide transaction, rolled back when the module ends."""
    with django_db_blocker.unblock(), tempfile.TemporaryDirectory() as media, override_settings(MEDIA_ROOT=media):
        with transaction.atomic():
            built = build_cast()
            yield built
            transaction.set_rollback(True)
