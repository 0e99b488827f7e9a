"""Organisation and people: units, employees, delegations, HR scopes."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from portal import rules


class User(AbstractUser):
    """Login account. People are :class:`Employee`; HR-only accounts may have none."""

    language = models.CharField(
        _("bahasa"), max_length=5, choices=[("id", "Bahasa Indonesia"), ("en", "English")], default="id"
    )

    class Meta:
        verbose_name = _("akun")
        verbose_name_plural = _("akun")


class TimeZone(models.TextChoices):
    WIB = "Asia/Jakarta", "WIB (UTC+7)"
    WITA = "Asia/Makassar", "WITA (UTC+8)"
    WIT = "Asia/Jayapura", "WIT (UTC+9)"


TZ_ABBREVIATION = {TimeZone.WIB: "WIB", TimeZone.WITA: "WITA", TimeZone.WIT: "WIT"}


class UnitKind(models.TextChoices):
    INSTANSI = "instansi", _("Instansi")
    UNIT_ORGANISASI = "unit_organisasi", _("Unit organisasi / Perangkat daerah")
    BIDANG = "bidang", _("Bidang / Bagian")
    SEKSI = "seksi", _("Sub-bagian / Seksi")
    UPT = "upt", _("UPT / UPTD")
    KECAMATAN = "kecamatan", _("Kecamatan")


class UnitQuerySet(models.QuerySet):
    def subtree_of(self, unit: Unit) -> UnitQuerySet:
        """The unit and every unit below it (materialized path prefix)."""
        return self.filter(path__startswith=unit.path)

    def subtrees_of(self, units) -> UnitQuerySet:
        q = Q(pk__in=[])
        for unit in units:
            q |= Q(path__startswith=unit.path)
        return self.filter(q)


class Unit(models.Model):
    """A node of the organisation tree (instansi → OPD → bidang → seksi, UPT).

    ``path`` is a materialized path of ancestor ids ("/1/5/23/") so a subtree is one
    indexed prefix query at any depth. It is kept by :func:`portal.services.org.unit_save`.
    """

    code = models.CharField(_("kode"), max_length=40, unique=True)
    name = models.CharField(_("nama"), max_length=200)
    kind = models.CharField(_("jenis"), max_length=20, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("unit induk"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="children",
    )
    time_zone = models.CharField(
        _("zona waktu"), max_length=20, choices=TimeZone.choices, blank=True,
        help_text=_("Kosongkan untuk mengikuti unit induk."),
    )
    head = models.ForeignKey(
        "portal.Employee", verbose_name=_("kepala unit"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="headed_units",
    )
    address = models.CharField(_("alamat kantor"), max_length=255, blank=True)
    latitude = models.DecimalField(_("lintang"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("bujur"), max_digits=9, decimal_places=6, null=True, blank=True)
    radius_m = models.PositiveIntegerField(_("radius presensi (m)"), default=100)
    hr_office = models.ForeignKey(
        "self", verbose_name=_("unit kepegawaian"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Untuk instansi: BKPSDM / Biro SDM, yang kepalanya menandatangani rekap presensi."))
    attendance_from = models.DateField(
        _("presensi dihitung mulai"), null=True, blank=True,
        help_text=_("Untuk instansi: tanggal mulai memakai portal (go-live). Tidak ada status presensi sebelum "
                    "tanggal ini, bagi siapa pun di instansi."))
    is_active = models.BooleanField(_("aktif"), default=True)
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(editable=False, default=0)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit kerja")
        verbose_name_plural = _("unit kerja")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.parent_id and self.pk and f"/{self.pk}/" in (self.parent.path or ""):
            raise ValidationError({"parent": _("Unit induk tidak boleh unit ini sendiri atau turunannya.")})
        if self.kind == UnitKind.INSTANSI and self.parent_id:
            raise ValidationError({"kind": _("Instansi adalah akar pohon dan tidak punya unit induk.")})
        if self.kind != UnitKind.INSTANSI and not self.parent_id:
            raise ValidationError({"parent": _("Unit selain instansi harus punya unit induk.")})
        if not self.parent_id and not self.time_zone:
            raise ValidationError({"time_zone": _("Instansi harus menetapkan zona waktu.")})

    @property
    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to and including this unit."""
        return [int(p) for p in self.path.strip("/").split("/") if p]

    @cached_property
    def institution(self) -> Unit:
        """The root of this unit's tree (the instansi)."""
        if not self.parent_id:
            return self
        return Unit.objects.get(pk=self.ancestor_ids[0])

    @cached_property
    def effective_time_zone(self) -> str:
        """Own time zone, else the nearest ancestor's (WIB if the tree sets none)."""
        if self.time_zone:
            return self.time_zone
        ancestors = Unit.objects.filter(pk__in=self.ancestor_ids).exclude(time_zone="")
        by_depth = sorted(ancestors.values_list("depth", "time_zone"), reverse=True)
        return by_depth[0][1] if by_depth else TimeZone.WIB

    @property
    def tz_abbreviation(self) -> str:
        return TZ_ABBREVIATION.get(self.effective_time_zone, "WIB")

    def local_today(self) -> dt.date:
        return timezone.localtime(timezone=self.tzinfo).date()

    @property
    def tzinfo(self):
        import zoneinfo

        return zoneinfo.ZoneInfo(self.effective_time_zone)


class AsnType(models.TextChoices):
    PNS = "PNS", _("PNS")
    PPPK = "PPPK", _("PPPK")
    PPPK_PW = "PPPK_PW", _("PPPK paruh waktu")


class PositionKind(models.TextChoices):
    JPT = "jpt", _("Jabatan Pimpinan Tinggi")
    ADMINISTRATOR = "administrator", _("Administrator")
    PENGAWAS = "pengawas", _("Pengawas")
    PELAKSANA = "pelaksana", _("Pelaksana")
    FUNGSIONAL_AHLI = "fungsional_ahli", _("Fungsional keahlian")
    FUNGSIONAL_TERAMPIL = "fungsional_terampil", _("Fungsional keterampilan")


class RecordsEndReason(models.TextChoices):
    PENSIUN = "pensiun", _("Pensiun")
    MUTASI = "mutasi_keluar", _("Mutasi keluar")
    MENINGGAL = "meninggal", _("Meninggal dunia")
    BERHENTI = "berhenti", _("Berhenti / diberhentikan")
    LAINNYA = "lainnya", _("Lainnya")


class EmployeeQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def in_subtree(self, unit: Unit):
        return self.filter(unit__path__startswith=unit.path)


class Employee(models.Model):
    """An ASN (PNS or PPPK). The supervisor is stored explicitly, never derived from rank."""

    user = models.OneToOneField(
        User, verbose_name=_("akun"), on_delete=models.PROTECT, related_name="employee"
    )
    nip = models.CharField(_("NIP / NI PPPK"), max_length=18, unique=True)
    asn_type = models.CharField(_("jenis ASN"), max_length=10, choices=AsnType.choices, default=AsnType.PNS)
    name = models.CharField(_("nama"), max_length=200)
    jabatan = models.CharField(_("jabatan"), max_length=200)
    position_kind = models.CharField(
        _("jenis jabatan"), max_length=24, choices=PositionKind.choices, default=PositionKind.PELAKSANA
    )
    unit = models.ForeignKey(Unit, verbose_name=_("unit kerja"), on_delete=models.PROTECT, related_name="employees")
    supervisor = models.ForeignKey(
        "self", verbose_name=_("atasan langsung"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="reports",
    )
    placement_date = models.DateField(_("TMT penempatan saat ini"), null=True, blank=True)
    # Length of service decides cuti tahunan (1 year), cuti besar and CLTN (5 years).
    service_start = models.DateField(_("TMT CPNS / PPPK (awal masa kerja)"), null=True, blank=True)
    disciplinary_until = models.DateField(
        _("menjalani hukuman disiplin sampai"), null=True, blank=True,
        help_text=_("Selama hukuman disiplin, pegawai tidak berhak kerja fleksibel lokasi."),
    )
    is_active = models.BooleanField(_("aktif"), default=True)
    records_start = models.DateField(
        _("presensi dihitung mulai"), null=True, blank=True,
        help_text=_("TMT di instansi ini. Kosong = sejak instansi mulai memakai portal."))
    records_end = models.DateField(_("presensi dihitung sampai"), null=True, blank=True,
                                   help_text=_("Hari kerja terakhir (pensiun, mutasi keluar, meninggal)."))
    records_end_reason = models.CharField(_("alasan berakhir"), max_length=20, choices=RecordsEndReason.choices,
                                          blank=True)

    objects = EmployeeQuerySet.as_manager()

    class Meta:
        verbose_name = _("pegawai")
        verbose_name_plural = _("pegawai")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(supervisor=models.F("pk")), name="employee_not_own_supervisor"
            ),
            models.CheckConstraint(
                condition=Q(records_end__isnull=True) | Q(records_start__isnull=True)
                | Q(records_end__gte=models.F("records_start")), name="employee_records_end_after_start"),
        ]
        indexes = [models.Index(fields=["unit", "is_active"], name="employee_unit_active")]

    def __str__(self) -> str:
        return f"{self.name} ({self.nip_display})"

    def clean(self) -> None:
        try:
            if self.asn_type == AsnType.PNS:
                self.nip = rules.validate_nip(self.nip)
            else:
                self.nip = rules.validate_ni_pppk(self.nip)
        except rules.IdentifierError as exc:
            raise ValidationError({"nip": str(exc)}) from None
        if self.supervisor_id and self.pk and self.supervisor_id == self.pk:
            raise ValidationError({"supervisor": _("Pegawai tidak boleh menjadi atasan dirinya sendiri.")})
        if self.records_start and self.records_end and self.records_end < self.records_start:
            raise ValidationError({"records_end": _("Tanggal akhir presensi tidak boleh sebelum tanggal mulainya.")})
        if self.records_end_reason and not self.records_end:
            raise ValidationError({"records_end": _("Isi tanggal akhir presensi untuk alasan yang dipilih.")})

    @property
    def nip_display(self) -> str:
        return rules.nip_display(self.nip, self.asn_type)


class DelegationKind(models.TextChoices):
    PLH = "plh", _("Plh. (Pelaksana Harian)")
    PLT = "plt", _("Plt. (Pelaksana Tugas)")


class DelegationQuerySet(models.QuerySet):
    def active_on(self, day: dt.date):
        return self.filter(start__lte=day, end__gte=day, revoked_at__isnull=True)


PLT_MAX_DAYS = 92  # "at most 3 months, extendable by 3": an extension is a new record.


class Delegation(models.Model):
    """A Plh (temporary absence) or Plt (vacant post) acting for a supervisor."""

    kind = models.CharField(_("jenis"), max_length=4, choices=DelegationKind.choices)
    delegator = models.ForeignKey(
        Employee, verbose_name=_("pejabat yang digantikan"), on_delete=models.PROTECT,
        related_name="delegations_given",
    )
    delegate = models.ForeignKey(
        Employee, verbose_name=_("Plh/Plt"), on_delete=models.PROTECT, related_name="delegations_received"
    )
    start = models.DateField(_("mulai"))
    end = models.DateField(_("selesai"))
    decree_number = models.CharField(_("nomor surat perintah"), max_length=100, blank=True)
    revoked_at = models.DateTimeField(_("dicabut pada"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DelegationQuerySet.as_manager()

    class Meta:
        verbose_name = _("Plh/Plt")
        verbose_name_plural = _("Plh/Plt")
        ordering = ["-start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="delegation_end_after_start"),
            models.CheckConstraint(condition=~Q(delegator=models.F("delegate")), name="delegation_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.delegator.jabatan}: {self.delegate.name}"

    def clean(self) -> None:
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("Tanggal selesai tidak boleh sebelum tanggal mulai.")})
        if self.delegator_id and self.delegator_id == self.delegate_id:
            raise ValidationError({"delegate": _("Pejabat tidak dapat menjadi Plh/Plt bagi dirinya sendiri.")})
        inclusive_days = (self.end - self.start).days + 1 if self.start and self.end else 0
        if self.kind == DelegationKind.PLT and inclusive_days > PLT_MAX_DAYS:
            raise ValidationError(
                {"end": _("Plt paling lama 3 bulan; perpanjangan dicatat sebagai surat perintah baru.")}
            )

    @property
    def acting_title(self) -> str:
        """How the audit trail names the acting official: "Plh. Kepala Dinas ..."."""
        prefix = "Plh." if self.kind == DelegationKind.PLH else "Plt."
        return f"{prefix} {self.delegator.jabatan}"


class HRAdminScope(models.Model):
    """Makes a user an HR admin (BKPSDM / Biro SDM) over one unit subtree."""

    user = models.ForeignKey(User, verbose_name=_("akun"), on_delete=models.CASCADE, related_name="hr_scopes")
    unit = models.ForeignKey(Unit, verbose_name=_("unit (beserta turunannya)"), on_delete=models.CASCADE)

    class Meta:
        verbose_name = _("cakupan admin kepegawaian")
        verbose_name_plural = _("cakupan admin kepegawaian")
        constraints = [models.UniqueConstraint(fields=["user", "unit"], name="hr_scope_unique")]

    def __str__(self) -> str:
        return f"{self.user} → {self.unit}"
