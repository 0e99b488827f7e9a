"""factory_boy factories for the organisation. NIPs are generated valid."""

from __future__ import annotations

import datetime as dt
import itertools

import factory

from portal.models import AsnType, Delegation, DelegationKind, Employee, HRAdminScope, Unit, UnitKind, User

_serial = itertools.count(1)


def make_nip(
    born: dt.date = dt.date(1986, 9, 26), tmt: str = "201505", sex: str = "1", serial: int | None = None
) -> str:
    """A valid PNS NIP: birth date + TMT CPNS + sex digit + 3-digit serial."""
    n = serial if serial is not None else next(_serial) % 999 + 1
    base = f"{born:%Y%m%d}{tmt}{sex}{n:03d}"
    return base


_nip_seq = itertools.count(1)


def unique_nip() -> str:
    i = next(_nip_seq)
    born = dt.date(1970, 1, 1) + dt.timedelta(days=(i // 999) % 9000)
    return make_nip(born=born, tmt="199503", sex="1" if i % 2 else "2", serial=i % 999 + 1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("rahasia-123")


class UnitFactory(factory.django.DjangoModelFactory):
    """Creates units through the service so the materialized path is right."""

    class Meta:
        model = Unit

    code = factory.Sequence(lambda n: f"U{n:04d}")
    name = factory.Sequence(lambda n: f"Unit {n}")
    kind = UnitKind.BIDANG
    parent = None
    time_zone = ""

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from portal.services.org import unit_save

        if kwargs.get("parent") is None:
            kwargs["kind"] = UnitKind.INSTANSI
            kwargs["time_zone"] = kwargs.get("time_zone") or "Asia/Jakarta"
        return unit_save(actor=None, unit=model_class(*args, **kwargs))


class EmployeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employee

    user = factory.SubFactory(UserFactory)
    nip = factory.LazyFunction(unique_nip)
    asn_type = AsnType.PNS
    name = factory.Sequence(lambda n: f"Pegawai {n}")
    jabatan = "Analis Kebijakan"
    unit = factory.SubFactory(UnitFactory)
    placement_date = dt.date(2020, 1, 1)


class DelegationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Delegation

    kind = DelegationKind.PLH
    start = factory.LazyFunction(lambda: dt.date.today() - dt.timedelta(days=1))
    end = factory.LazyFunction(lambda: dt.date.today() + dt.timedelta(days=7))


class HRAdminScopeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HRAdminScope


def working_hours(unit: Unit, weekday: int, start: dt.time, end: dt.time, break_minutes: int = 60, *,
                  effective_from: dt.date = dt.date(1900, 1, 1), flex_until: dt.time | None = None,
                  kind: str = "weekly"):
    """One weekday of the unit's working pattern from ``effective_from`` (the pattern is created
    on first use): the shape the old per-institution WorkingHours rows had."""
    from portal.models import WorkPattern, WorkPatternDay

    pattern, _ = WorkPattern.objects.get_or_create(unit=unit, effective_from=effective_from,
                                                   defaults={"flex_until": flex_until, "kind": kind})
    return WorkPatternDay.objects.create(pattern=pattern, weekday=weekday, start=start, end=end,
                                         break_minutes=break_minutes)


PDF_BYTES = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def pdf_upload(name: str = "surat.pdf"):
    """A small valid PDF upload: the document a request of some kinds must carry (a surat tugas for
    dinas luar, a doctor's letter past the first sick day, evidence of keadaan khusus)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")
