"""Demo data: Pemerintah Kota Harapan Jaya, a fictional but realistic city government.

Used by ``manage.py seed_demo``. The work is a list of :data:`STEPS`: first pure
planners (no database, a seeded :class:`random.Random`, so a run is reproducible), then
writers that insert the plan with ``bulk_create`` in batches. A later feature appends its
own step (e.g. coverage policies and requests) with :func:`register_step`; each step may
also say how to delete what it wrote, for ``--reset``.

Scale: roughly one unit per 50 employees on top of the fixed organisation, so 100,000
employees give ~2,000 units (more Puskesmas, schools, kecamatan and kelurahan).
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import rules
from portal.models import (
    AsnType,
    AuditEvent,
    Delegation,
    DelegationKind,
    Employee,
    HRAdminScope,
    PositionKind,
    RecordsEndReason,
    TimeZone,
    Unit,
    UnitKind,
    User,
)
from portal.models.audit import Verb
from portal.services.audit import audit_record

INSTITUTION_CODE = "PEMKOT"
INSTITUTION_NAME = "Pemerintah Kota Harapan Jaya"
DEFAULT_PASSWORD = "Demo-ASN-2026"  # noqa: S105  # nosec B105  # the documented demo password
DEFAULT_EMPLOYEES = 200
DEFAULT_SEED = 2026
EMPLOYEES_PER_EXTRA_UNIT = 50
BATCH = 1000
EMAIL_DOMAIN = "harapanjaya.go.id"

ROLE_EMPLOYEE, ROLE_SUPERVISOR, ROLE_HR_ADMIN, ROLE_SUPERUSER = "employee", "supervisor", "hr_admin", "superuser"

# The logins the README lists, in the order --json prints them first.
MAIN_LOGINS = (
    "superadmin", "hr.bkpsdm", "kadis.kominfo", "kabid.aptika", "pegawai.aptika", "plh.aptika", "pegawai.upt",
)
MIN_APTIKA_STAFF = 5  # kabid.aptika must visibly supervise "several" people
RETIRED = 5  # a handful of staff retired at the end of a recent month (records end, inactive)

# --- Vocabulary ---------------------------------------------------------------------

MALE_FIRST = (
    "Agus", "Ahmad", "Andi", "Arif", "Bambang", "Budi", "Dedi", "Dimas", "Eko", "Fajar", "Fikri", "Gilang",
    "Hadi", "Hendra", "Irfan", "Joko", "Muhammad", "Rahmat", "Rizky", "Sigit", "Slamet", "Teguh", "Wahyu",
    "Yusuf", "Bayu", "Hari", "Imam", "Lukman", "Rudi", "Taufik", "Yoga", "Aditya", "Galih", "Ilham", "Heru",
    "Asep", "Ujang", "Made", "Yohanes", "Daniel",
)
FEMALE_FIRST = (
    "Ani", "Ayu", "Dewi", "Dian", "Endang", "Fitri", "Indah", "Intan", "Kartika", "Maya", "Mega", "Nurul",
    "Putri", "Rina", "Ratna", "Rini", "Sari", "Siti", "Sri", "Wulan", "Yuni", "Anisa", "Citra", "Desi",
    "Eka", "Lina", "Novi", "Puspita", "Ratih", "Sekar", "Titin", "Vina", "Winda", "Yulia", "Nining", "Euis",
    "Ketut", "Maria", "Theresia", "Annisa",
)
MALE_MIDDLE = ("Dwi", "Tri", "Eka", "Nur", "Adi", "Indra", "Budi")
FEMALE_MIDDLE = ("Dwi", "Tri", "Eka", "Nur", "Ayu", "Sri", "Indah")
MALE_LAST = (
    "Santoso", "Wibowo", "Saputra", "Setiawan", "Hidayat", "Nugroho", "Pratama", "Kusuma", "Wijaya",
    "Gunawan", "Susanto", "Hartono", "Purnomo", "Firmansyah", "Ramadhan", "Hakim", "Rahman", "Mahendra",
    "Permana", "Prasetyo", "Utomo", "Kurniawan", "Sulistyo", "Syahputra",
)
FEMALE_LAST = (
    "Wulandari", "Lestari", "Rahayu", "Anggraini", "Puspitasari", "Handayani", "Kurniasih", "Maharani",
    "Safitri", "Susanti", "Yulianti", "Wahyuni", "Pratiwi", "Fitriani", "Permatasari", "Kusumawati",
)
CLAN_LAST = (  # Batak, Minang, Karo, Melayu family names, for either sex
    "Siregar", "Nasution", "Harahap", "Lubis", "Sinaga", "Simanjuntak", "Situmorang", "Hasibuan",
    "Ginting", "Tarigan", "Sembiring", "Chaniago", "Tanjung", "Pohan", "Manurung",
)
STREETS = (
    "Jl. Merdeka", "Jl. Pahlawan", "Jl. Diponegoro", "Jl. Jenderal Sudirman", "Jl. Ahmad Yani",
    "Jl. Gatot Subroto", "Jl. Veteran", "Jl. Pemuda", "Jl. Kartini", "Jl. Imam Bonjol", "Jl. Gajah Mada",
    "Jl. Hayam Wuruk", "Jl. Slamet Riyadi", "Jl. Cut Nyak Dien", "Jl. Dr. Wahidin", "Jl. Pattimura",
    "Jl. Teuku Umar", "Jl. Sisingamangaraja", "Jl. Hasanuddin", "Jl. Raden Saleh",
)
PLACES = (
    "Sukamaju", "Sukajadi", "Mekarsari", "Harapan Baru", "Karangrejo", "Sidomulyo", "Tegalsari", "Kebonsari",
    "Sumberejo", "Margasari", "Cibeureum", "Pasirjati", "Jatimulya", "Sindangsari", "Wonorejo", "Purwosari",
    "Bojongsari", "Cempaka", "Kenanga", "Melati", "Tanjung Sari", "Bumi Asri", "Lembah Hijau", "Pondok Indah",
    "Gunung Sari", "Kali Bening", "Mulyorejo", "Sukorejo", "Banjarsari", "Tambakrejo",
)
PLACE_SUFFIXES = ("Utara", "Selatan", "Barat", "Timur", "Tengah", "Baru", "Indah", "Jaya")

# Balai Kota of the fictional city (somewhere on Java's north coast); offices sit around it.
CENTER = (Decimal("-6.889500"), Decimal("109.675300"))

# Staff positions per sector: (jabatan, kind) with kind a=ahli, t=terampil, p=pelaksana.
SECTOR_JABATAN = {
    "umum": (("Analis Kebijakan Ahli Pertama", "a"), ("Analis Hukum Ahli Pertama", "a"),
             ("Perancang Peraturan Perundang-undangan Ahli Pertama", "a"), ("Arsiparis Terampil", "t"),
             ("Pranata Humas Terampil", "t"), ("Pengadministrasi Perkantoran", "p"),
             ("Penata Layanan Operasional", "p")),
    "kesehatan": (("Dokter Ahli Pertama", "a"), ("Perawat Ahli Pertama", "a"), ("Perawat Terampil", "t"),
                  ("Bidan Terampil", "t"), ("Apoteker Ahli Pertama", "a"), ("Sanitarian Terampil", "t"),
                  ("Nutrisionis Terampil", "t"), ("Epidemiolog Kesehatan Ahli Pertama", "a"),
                  ("Pengadministrasi Perkantoran", "p")),
    "pendidikan": (("Pengawas Sekolah Ahli Muda", "a"), ("Analis Kebijakan Ahli Pertama", "a"),
                   ("Penata Layanan Operasional", "p"), ("Pengadministrasi Perkantoran", "p")),
    "sekolah": (("Guru Ahli Pertama", "a"), ("Guru Ahli Muda", "a"), ("Guru Ahli Madya", "a"),
                ("Pustakawan Terampil", "t"), ("Pengadministrasi Perkantoran", "p")),
    "kominfo": (("Pranata Komputer Ahli Pertama", "a"), ("Pranata Komputer Terampil", "t"),
                ("Pranata Humas Ahli Pertama", "a"), ("Statistisi Ahli Pertama", "a"),
                ("Sandiman Ahli Pertama", "a"), ("Penata Layanan Operasional", "p")),
    "dukcapil": (("Administrator Database Kependudukan Ahli Pertama", "a"), ("Operator Layanan Operasional", "p"),
                 ("Penata Layanan Operasional", "p"), ("Pengadministrasi Perkantoran", "p")),
    "pu": (("Teknik Jalan dan Jembatan Ahli Pertama", "a"), ("Teknik Pengairan Terampil", "t"),
           ("Penata Bangunan Gedung dan Kawasan Permukiman Ahli Pertama", "a"),
           ("Operator Layanan Operasional", "p")),
    "kepegawaian": (("Analis SDM Aparatur Ahli Pertama", "a"), ("Pranata SDM Aparatur Terampil", "t"),
                    ("Asesor SDM Aparatur Ahli Pertama", "a"), ("Pengadministrasi Perkantoran", "p")),
    "perencanaan": (("Perencana Ahli Pertama", "a"), ("Perencana Ahli Muda", "a"), ("Peneliti Ahli Pertama", "a"),
                    ("Penata Layanan Operasional", "p")),
    "keuangan": (("Analis Keuangan Pusat dan Daerah Ahli Pertama", "a"), ("Pranata Keuangan APBD Terampil", "t"),
                 ("Penilai Pemerintah Ahli Pertama", "a"), ("Pengadministrasi Perkantoran", "p")),
    "kewilayahan": (("Penata Layanan Operasional", "p"), ("Pengadministrasi Perkantoran", "p"),
                    ("Operator Layanan Operasional", "p"), ("Analis Kebijakan Ahli Pertama", "a")),
}
SECTOR_DEGREE = {
    "kesehatan": ("S.Kep.", "S.K.M."), "pendidikan": ("S.Pd.",), "sekolah": ("S.Pd.",), "kominfo": ("S.Kom.", "S.T."),
    "pu": ("S.T.",), "keuangan": ("S.E.", "S.Ak."), "kepegawaian": ("S.Psi.", "S.AP."), "umum": ("S.H.", "S.Sos."),
}
SECTOR_MASTER = {
    "kesehatan": ("M.Kes.",), "pendidikan": ("M.Pd.",), "sekolah": ("M.Pd.",), "kominfo": ("M.Kom.", "M.T."),
    "pu": ("M.T.",), "keuangan": ("M.Ak.", "M.M."), "umum": ("M.H.", "M.Si."),
}
POSITION_BY_LETTER = {"a": PositionKind.FUNGSIONAL_AHLI, "t": PositionKind.FUNGSIONAL_TERAMPIL,
                      "p": PositionKind.PELAKSANA}

# The fixed organisation: (code, name, sector, [(code, bidang/bagian, [seksi/sub-bagian...]), ...]).
# A bidang with no seksi is deliberate: most eselon IV posts became functional posts, so
# its staff report straight to the kepala bidang (Bidang Aptika is the demo case).
_SEK_UMUM = ("SEK", "Sekretariat", ["Sub Bagian Umum dan Kepegawaian", "Sub Bagian Keuangan"])
OPDS = (
    ("SETDA", "Sekretariat Daerah", "umum", [
        ("ORG", "Bagian Organisasi", ["Sub Bagian Kelembagaan dan Analisis Jabatan",
                                      "Sub Bagian Reformasi Birokrasi dan Akuntabilitas Kinerja"]),
        ("UMUM", "Bagian Umum", ["Sub Bagian Tata Usaha Pimpinan", "Sub Bagian Rumah Tangga"]),
        ("HKM", "Bagian Hukum", []),
        ("PROKOPIM", "Bagian Protokol dan Komunikasi Pimpinan", []),
    ]),
    ("DINKES", "Dinas Kesehatan", "kesehatan", [
        _SEK_UMUM,
        ("KESMAS", "Bidang Kesehatan Masyarakat", ["Seksi Kesehatan Keluarga dan Gizi",
                                                   "Seksi Kesehatan Lingkungan"]),
        ("P2P", "Bidang Pencegahan dan Pengendalian Penyakit", ["Seksi Surveilans dan Imunisasi",
                                                                "Seksi Pengendalian Penyakit Menular"]),
        ("YANKES", "Bidang Pelayanan Kesehatan", ["Seksi Pelayanan Kesehatan Primer", "Seksi Kefarmasian"]),
    ]),
    ("DISDIK", "Dinas Pendidikan", "pendidikan", [
        ("SEK", "Sekretariat", ["Sub Bagian Umum dan Kepegawaian"]),
        ("SD", "Bidang Pembinaan Sekolah Dasar", []),
        ("SMP", "Bidang Pembinaan Sekolah Menengah Pertama", []),
        ("GTK", "Bidang Pendidik dan Tenaga Kependidikan", []),
    ]),
    ("DISKOMINFO", "Dinas Komunikasi dan Informatika", "kominfo", [
        ("SEK", "Sekretariat", ["Sub Bagian Umum dan Kepegawaian"]),
        ("APTIKA", "Bidang Aplikasi Informatika", []),
        ("IKP", "Bidang Informasi dan Komunikasi Publik", []),
        ("STATSAN", "Bidang Statistik dan Persandian", []),
    ]),
    ("DISDUKCAPIL", "Dinas Kependudukan dan Pencatatan Sipil", "dukcapil", [  # front-line counters
        ("SEK", "Sekretariat", ["Sub Bagian Umum dan Kepegawaian"]),
        ("DAFDUK", "Bidang Pelayanan Pendaftaran Penduduk", ["Seksi Identitas Penduduk", "Seksi Pindah Datang"]),
        ("CAPIL", "Bidang Pelayanan Pencatatan Sipil", ["Seksi Kelahiran dan Kematian",
                                                       "Seksi Perkawinan dan Perceraian"]),
        ("PIAK", "Bidang Pengelolaan Informasi Administrasi Kependudukan", []),
    ]),
    ("DPU", "Dinas Pekerjaan Umum", "pu", [
        ("SEK", "Sekretariat", ["Sub Bagian Umum dan Kepegawaian"]),
        ("BM", "Bidang Bina Marga", []),
        ("SDA", "Bidang Sumber Daya Air", []),
        ("CK", "Bidang Cipta Karya", []),
    ]),
    ("BKPSDM", "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia", "kepegawaian", [
        ("SEK", "Sekretariat", ["Sub Bagian Umum dan Keuangan"]),
        ("PPIK", "Bidang Pengadaan, Pemberhentian dan Informasi Kepegawaian", []),
        ("MUTASI", "Bidang Mutasi dan Promosi", []),
        ("BANGKOM", "Bidang Pengembangan Kompetensi Aparatur", []),
    ]),
    ("BAPPEDA", "Badan Perencanaan Pembangunan Daerah", "perencanaan", [
        ("SEK", "Sekretariat", ["Sub Bagian Umum dan Kepegawaian"]),
        ("PPM", "Bidang Perencanaan Pemerintahan dan Pembangunan Manusia", []),
        ("PEI", "Bidang Perencanaan Perekonomian dan Infrastruktur", []),
    ]),
    ("BPKAD", "Badan Pengelolaan Keuangan dan Aset Daerah", "keuangan", [
        _SEK_UMUM,
        ("ANGGARAN", "Bidang Anggaran", []),
        ("PERBEN", "Bidang Perbendaharaan", []),
        ("AKUNTANSI", "Bidang Akuntansi", []),
        ("ASET", "Bidang Aset", []),
    ]),
)
UPT_PUSKESMAS_CODE = "DINKES-PKM-01"
APTIKA_CODE = "DISKOMINFO-APTIKA"
PPIK_CODE = "BKPSDM-PPIK"

# --- Plans (plain objects, no database) -------------------------------------------------


@dataclass(eq=False)
class UnitPlan:
    code: str
    name: str
    kind: str
    parent: UnitPlan | None
    sector: str
    head_title: str = ""
    head_kind: str = PositionKind.PENGAWAS
    staff_weight: int = 0
    address: str = ""
    lat: Decimal | None = None
    lon: Decimal | None = None
    time_zone: str = ""
    head: PersonPlan | None = None
    depth: int = 0
    pk: int | None = None
    path: str = ""  # materialized path, as portal.services.org.unit_save writes it


@dataclass(eq=False, slots=True)
class PersonPlan:
    username: str
    name: str
    jabatan: str
    position_kind: str
    asn_type: str
    nip: str
    unit: UnitPlan
    supervisor: PersonPlan | None
    placement_date: dt.date
    rank: int = 0
    reports: int = 0
    is_plh: bool = False
    is_hr: bool = False
    disciplinary_until: dt.date | None = None
    records_start: dt.date | None = None  # TMT at the institution when later than its go-live
    records_end: dt.date | None = None
    records_end_reason: str = ""
    is_active: bool = True
    service_start: dt.date | None = None  # TMT CPNS / PPPK, as the NIP encodes it
    pk: int | None = None

    @property
    def role(self) -> str:
        if self.is_hr:
            return ROLE_HR_ADMIN
        return ROLE_SUPERVISOR if self.reports or self.is_plh else ROLE_EMPLOYEE


@dataclass
class SeedContext:
    """Everything the steps share. Steps read and extend it in order."""

    employees: int
    password_hash: str
    rng: random.Random
    today: dt.date
    make_bar: Callable[[int], object] | None = None  # total -> a tqdm-like object (update, close)
    bar: object | None = None
    taken_usernames: set[str] = field(default_factory=set)
    taken_nips: set[str] = field(default_factory=set)
    units: list[UnitPlan] = field(default_factory=list)
    people: list[PersonPlan] = field(default_factory=list)
    main: dict[str, PersonPlan] = field(default_factory=dict)
    institution: Unit | None = None
    go_live: dt.date | None = None  # the institution's attendance_from
    superuser: User | None = None
    summary: dict[str, int] = field(default_factory=dict)

    def advance(self, n: int) -> None:
        if self.bar is not None:
            self.bar.update(n)

    def unit(self, code: str) -> UnitPlan:
        return next(u for u in self.units if u.code == code)


class DemoError(Exception):
    """A refusal with a human message (the command turns it into a CommandError)."""


# --- Planning the organisation -----------------------------------------------------------


def _near(rng: random.Random, spread: float) -> tuple[Decimal, Decimal]:
    q = Decimal("0.000001")
    lat = CENTER[0] + Decimal(str(rng.uniform(-spread, spread))).quantize(q)
    lon = CENTER[1] + Decimal(str(rng.uniform(-spread, spread))).quantize(q)
    return lat, lon


def _address(rng: random.Random, extra: str = "") -> str:
    where = f", {extra}" if extra else ""
    return f"{rng.choice(STREETS)} No. {rng.randint(1, 250)}{where}, Kota Harapan Jaya"


def _office(plan: UnitPlan, rng: random.Random, spread: float, extra: str = "") -> UnitPlan:
    """Give a unit its own building: an address and a GPS point for the 100 m check-in."""
    plan.address = _address(rng, extra)
    plan.lat, plan.lon = _near(rng, spread)
    return plan


def _child(parent: UnitPlan, code: str, name: str, kind: str, **kw) -> UnitPlan:
    kw.setdefault("sector", parent.sector)
    return UnitPlan(code=code, name=name, kind=kind, parent=parent, depth=parent.depth + 1, **kw)


def _head_title_of_bidang(opd_name: str, name: str) -> str:
    return f"Sekretaris {opd_name}" if name == "Sekretariat" else f"Kepala {name}"


def plan_fixed_units(rng: random.Random) -> list[UnitPlan]:
    """The named organisation every demo has, whatever its size."""
    root = UnitPlan(INSTITUTION_CODE, INSTITUTION_NAME, UnitKind.INSTANSI, None, "umum", time_zone=TimeZone.WIB,
                    address="Jl. Merdeka No. 1, Kota Harapan Jaya", lat=CENTER[0], lon=CENTER[1])
    units = [root]
    for code, name, sector, bidangs in OPDS:
        title = "Sekretaris Daerah" if code == "SETDA" else f"Kepala {name}"
        opd = _office(_child(root, code, name, UnitKind.UNIT_ORGANISASI, sector=sector, head_title=title,
                             head_kind=PositionKind.JPT), rng, 0.03)
        if code == "SETDA":  # the Setda works in the Balai Kota itself
            opd.address, opd.lat, opd.lon = root.address, root.lat, root.lon
        units.append(opd)
        for b_code, b_name, seksis in bidangs:
            bidang = _child(opd, f"{code}-{b_code}", b_name, UnitKind.BIDANG,
                            head_title=_head_title_of_bidang(name, b_name), head_kind=PositionKind.ADMINISTRATOR,
                            staff_weight=1 if seksis else 4)
            units.append(bidang)
            for i, s_name in enumerate(seksis, 1):
                units.append(_child(bidang, f"{bidang.code}-{i}", s_name, UnitKind.SEKSI,
                                    head_title=f"Kepala {s_name}", staff_weight=3))
    by_code = {u.code: u for u in units}
    by_code[APTIKA_CODE].staff_weight = 6
    units.append(_puskesmas(by_code["DINKES"], UPT_PUSKESMAS_CODE, "UPT Puskesmas Harapan Jaya", rng))
    units.append(_school(by_code["DISDIK"], "SD", 1, rng))
    units.extend(_kecamatan(root, 1, "Harapan Jaya Utara", ["Sukamaju", "Mekarsari"], rng))
    return units


def _puskesmas(dinkes: UnitPlan, code: str, name: str, rng: random.Random) -> UnitPlan:
    plan = _child(dinkes, code, name, UnitKind.UPT, head_title=f"Kepala {name}", staff_weight=8)
    return _office(plan, rng, 0.06)


def _school(disdik: UnitPlan, level: str, n: int, rng: random.Random) -> UnitPlan:
    name = f"UPT {level} Negeri {n} Harapan Jaya"
    plan = _child(disdik, f"DISDIK-{level}N-{n:03d}", name, UnitKind.UPT, sector="sekolah",
                  head_title=f"Kepala {name}", staff_weight=6)
    return _office(plan, rng, 0.06)


def _kecamatan(root: UnitPlan, n: int, place: str, kelurahan: list[str], rng: random.Random) -> list[UnitPlan]:
    """A kecamatan office with its sekretariat, two seksi and its kelurahan.

    UnitKind has no "kelurahan"; a kelurahan is a pengawas-level post like a seksi, so it
    is stored as one, in its own building.
    """
    code = f"KEC-{n:02d}"
    kec = _office(_child(root, code, f"Kecamatan {place}", UnitKind.KECAMATAN, sector="kewilayahan",
                         head_title=f"Camat {place}", head_kind=PositionKind.ADMINISTRATOR), rng, 0.06)
    units = [kec]
    for i, s_name in enumerate(("Sekretariat Kecamatan", "Seksi Pemerintahan", "Seksi Pelayanan Umum"), 1):
        title = f"Sekretaris Kecamatan {place}" if i == 1 else f"Kepala {s_name}"
        units.append(_child(kec, f"{code}-S{i}", s_name, UnitKind.SEKSI, head_title=title, staff_weight=3))
    for i, kel in enumerate(kelurahan, 1):
        plan = _child(kec, f"{code}-KEL-{i:02d}", f"Kelurahan {kel}", UnitKind.SEKSI,
                      head_title=f"Lurah {kel}", staff_weight=3)
        units.append(_office(plan, rng, 0.06, extra=f"Kelurahan {kel}"))
    return units


def _place_names(rng: random.Random) -> Iterator[str]:
    """Endless plausible place names; after every combination is used, numbered again."""
    names = list(PLACES) + [f"{p} {s}" for p in PLACES for s in PLACE_SUFFIXES]
    rng.shuffle(names)
    for cycle in itertools.count(1):
        for name in names:
            yield name if cycle == 1 else f"{name} {cycle}"


def plan_extra_units(fixed: list[UnitPlan], count: int, rng: random.Random) -> list[UnitPlan]:
    """``count`` more units so big demos keep ~50 employees per unit.

    One round: 2 Puskesmas, 5 SD, 2 SMP and a kecamatan block (kecamatan, 3 seksi,
    4 kelurahan); the last round is cut to size.
    """
    by_code = {u.code: u for u in fixed}
    places = _place_names(rng)
    counters = {"PKM": 1, "SD": 1, "SMP": 0, "KEC": 1}  # numbers the fixed organisation uses
    extra: list[UnitPlan] = []
    while len(extra) < count:
        for _i in range(2):
            counters["PKM"] += 1
            place = next(places)
            extra.append(_puskesmas(by_code["DINKES"], f"DINKES-PKM-{counters['PKM']:02d}",
                                    f"UPT Puskesmas {place}", rng))
        for level, times in (("SD", 5), ("SMP", 2)):
            for _i in range(times):
                counters[level] += 1
                extra.append(_school(by_code["DISDIK"], level, counters[level], rng))
        counters["KEC"] += 1
        extra.extend(_kecamatan(by_code[INSTITUTION_CODE], counters["KEC"], next(places),
                                [next(places) for _i in range(4)], rng))
    return extra[:count]


def plan_units(ctx: SeedContext) -> None:
    fixed = plan_fixed_units(ctx.rng)
    ctx.units = fixed + plan_extra_units(fixed, ctx.employees // EMPLOYEES_PER_EXTRA_UNIT, ctx.rng)
    minimum = minimum_employees(ctx.employees)
    if ctx.employees < minimum:
        raise DemoError(
            _("Demo ini butuh paling sedikit %(n)d pegawai (satu kepala per unit ditambah akun utama).")
            % {"n": minimum}
        )


def minimum_employees(employees: int) -> int:
    """Heads of every unit (except the instansi) + the fixed staff logins + Aptika staff."""
    fixed = plan_fixed_units(random.Random(0))  # nosec B311  # reproducible demo data, not security
    units = len(fixed) - 1 + employees // EMPLOYEES_PER_EXTRA_UNIT
    return units + 2 + MIN_APTIKA_STAFF  # hr.bkpsdm, pegawai.upt, Aptika staff incl. the Plh


# --- Planning the people -------------------------------------------------------------------


class _People:
    """Makes people with unique NIPs and usernames."""

    def __init__(self, ctx: SeedContext):
        self.ctx, self.rng = ctx, ctx.rng
        self.usernames = set(ctx.taken_usernames) | set(MAIN_LOGINS)
        self.nips = set(ctx.taken_nips)
        self.serials: dict[str, int] = defaultdict(int)

    def name(self, sex: str, sector: str, kind: str, jabatan: str) -> tuple[str, str]:
        """(full name with academic titles, as HR lists them; username base)."""
        rng, male = self.rng, sex == "1"
        first = rng.choice(MALE_FIRST if male else FEMALE_FIRST)
        last = rng.choice((MALE_LAST if male else FEMALE_LAST) + CLAN_LAST)
        middle = rng.choice(MALE_MIDDLE if male else FEMALE_MIDDLE) if rng.random() < 0.3 else ""
        full = " ".join(p for p in (first, middle, last) if p)
        bachelor = rng.choice(SECTOR_DEGREE.get(sector, ("S.Sos.", "S.AP.")))
        if jabatan.startswith("Dokter") or (kind == "h" and sector == "kesehatan" and rng.random() < 0.5):
            full, bachelor = f"dr. {full}", ""
        if kind == "h":  # heads of units usually hold a master's degree
            master = rng.choice(SECTOR_MASTER.get(sector, ("M.Si.", "M.M.", "M.AP.")))
            full = f"{full}, {bachelor}, {master}" if bachelor else f"{full}, {master}"
        elif kind == "a" and bachelor:
            full = f"{full}, {bachelor}"
        elif kind == "t":
            full = f"{full}, A.Md."
        return full, f"{first}.{last}".lower()

    def username(self, base: str) -> str:
        base = re.sub(r"[^a-z.]", "", base)
        candidate, n = base, 1
        while candidate in self.usernames:
            n += 1
            candidate = f"{base}{n}"
        self.usernames.add(candidate)
        return candidate

    def _serial(self, prefix: str) -> str:
        while True:
            self.serials[prefix] += 1
            nip = f"{prefix}{self.serials[prefix]:03d}"
            if nip not in self.nips:
                self.nips.add(nip)
                return nip

    def nip(self, sex: str, senior: bool, years_ago: int = 1) -> str:
        """A PNS NIP: birth date + TMT CPNS (YYYYMM) + sex digit + serial, checked by the rules.

        The TMT CPNS falls at least ``years_ago`` calendar years back.
        """
        rng, today = self.rng, self.ctx.today
        born = _random_date(rng, dt.date(1967, 1, 1), dt.date(1982 if senior else 2001, 12, 31))
        year = min(born.year + rng.randint(21, 32), today.year - years_ago)
        nip = self._serial(f"{born:%Y%m%d}{year}{rng.randint(1, 12):02d}{sex}")
        return rules.validate_nip(nip)

    def ni_pppk(self, sex: str) -> str:
        """An NI PPPK: birth date + appointment year + 2 + contract counter + sex + serial."""
        rng, today = self.rng, self.ctx.today
        born = _random_date(rng, dt.date(1972, 1, 1), dt.date(2000, 12, 31))
        year = rng.randint(2019, today.year)
        ni = self._serial(f"{born:%Y%m%d}{year}2{rng.randint(1, 2)}{sex}")
        return rules.validate_ni_pppk(ni)

    def placement(self, appointed: dt.date, recent_share: float) -> dt.date:
        """Current placement: after the appointment, a few of them in the last 90 days."""
        today = self.ctx.today
        if self.rng.random() < recent_share:  # newly placed: not yet eligible for flexible work
            return today - dt.timedelta(days=self.rng.randint(3, 90))
        earliest = max(appointed, today - dt.timedelta(days=12 * 365))
        latest = max(earliest, today - dt.timedelta(days=180))
        return _random_date(self.rng, earliest, min(latest, today))

    def person(self, unit: UnitPlan, supervisor: PersonPlan | None, *, head: bool = False,
               jabatan: tuple[str, str] | None = None, username: str = "", pns: bool = False) -> PersonPlan:
        """A head (``head=True``) or a staff member; ``pns`` forces a PNS appointed 4+ years ago."""
        rng = self.rng
        sex = rng.choice("12")
        if head:
            title, kind, letter = unit.head_title, unit.head_kind, "h"
        else:
            title, letter = jabatan or rng.choice(SECTOR_JABATAN[unit.sector])
            kind = POSITION_BY_LETTER[letter]
        pppk = not (head or pns) and rng.random() < 0.2
        name, base = self.name(sex, unit.sector, letter, title)
        nip = self.ni_pppk(sex) if pppk else self.nip(sex, senior=head, years_ago=4 if pns else 1)
        appointed = dt.date(int(nip[8:12]), 1 if pppk else int(nip[12:14]), 1)
        person = PersonPlan(
            username=username or self.username(base), name=name, jabatan=title, position_kind=kind,
            asn_type=(AsnType.PPPK_PW if rng.random() < 0.1 else AsnType.PPPK) if pppk else AsnType.PNS,
            nip=nip, unit=unit, supervisor=supervisor, placement_date=self.placement(appointed, 0.05 if head else 0.08),
            rank=supervisor.rank + 1 if supervisor else 0, service_start=appointed,
        )
        if not head and rng.random() < 0.005:  # a few serve a disciplinary sentence
            person.disciplinary_until = self.ctx.today + dt.timedelta(days=rng.randint(30, 365))
        if supervisor is not None:
            supervisor.reports += 1
        return person


def _random_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def _head_supervisor(unit: UnitPlan, sekda: PersonPlan | None) -> PersonPlan | None:
    """The nearest ancestor's head; OPD heads and camat report to the Sekda (the Wali
    Kota above him is not an ASN, so the Sekda has no supervisor here)."""
    node = unit.parent
    while node is not None and node.head is None:
        node = node.parent
    return node.head if node is not None else sekda


def plan_heads(ctx: SeedContext, people: _People) -> None:
    fixed_heads = {"DISKOMINFO": "kadis.kominfo", APTIKA_CODE: "kabid.aptika"}
    sekda = None
    # Units are planned parents-first, so every supervisor exists before their reports.
    for unit in sorted(ctx.units[1:], key=lambda u: (u.depth, u.code != "SETDA")):
        username = fixed_heads.get(unit.code, "")
        unit.head = people.person(unit, _head_supervisor(unit, sekda), head=True, username=username)
        sekda = sekda or unit.head
        ctx.people.append(unit.head)
        if username:
            unit.head.placement_date = ctx.today - dt.timedelta(days=2 * 365)
            ctx.main[username] = unit.head


def _staff_counts(ctx: SeedContext, total: int) -> dict[str, int]:
    """Spread ``total`` staff over units by weight (largest remainder, seeded ties)."""
    weighted = [u for u in ctx.units if u.staff_weight]
    weight = sum(u.staff_weight for u in weighted)
    counts = {u.code: total * u.staff_weight // weight for u in weighted}
    left = total - sum(counts.values())
    for unit in ctx.rng.choices(weighted, weights=[u.staff_weight for u in weighted], k=left):
        counts[unit.code] += 1
    return counts


def plan_people(ctx: SeedContext) -> None:
    """One head per unit, the fixed logins, then staff spread by unit weight."""
    people = _People(ctx)
    plan_heads(ctx, people)
    aptika, upt, ppik = ctx.unit(APTIKA_CODE), ctx.unit(UPT_PUSKESMAS_CODE), ctx.unit(PPIK_CODE)
    fixed = (
        ("hr.bkpsdm", ppik, ("Analis SDM Aparatur Ahli Muda", "a")),
        ("pegawai.aptika", aptika, ("Pranata Komputer Ahli Pertama", "a")),
        ("plh.aptika", aptika, ("Pranata Komputer Ahli Muda", "a")),
        ("pegawai.upt", upt, ("Perawat Terampil", "t")),
    )
    for username, unit, jabatan in fixed:
        person = people.person(unit, unit.head, jabatan=jabatan, username=username, pns=True)
        # Placed long ago and not disciplined, so the main logins can use flexible work.
        person.placement_date, person.disciplinary_until = ctx.today - dt.timedelta(days=3 * 365), None
        ctx.people.append(person)
        ctx.main[username] = person
    ctx.main["hr.bkpsdm"].is_hr = True
    ctx.main["plh.aptika"].is_plh = True
    remaining = ctx.employees - len(ctx.people)
    counts = _staff_counts(ctx, remaining - (MIN_APTIKA_STAFF - 2))
    counts[APTIKA_CODE] += MIN_APTIKA_STAFF - 2
    for unit in ctx.units:
        for _i in range(counts.get(unit.code, 0)):
            ctx.people.append(people.person(unit, unit.head))


# --- Records windows -------------------------------------------------------------------------


def go_live_date(today: dt.date) -> dt.date:
    """The demo institution started using the portal on the first day of the month two months
    before ``today``: the months before it have no day status (no TK) for anyone."""
    first = today.replace(day=1)
    year, month = (first.year, first.month - 2) if first.month > 2 else (first.year - 1, first.month + 10)
    return dt.date(year, month, 1)


def plan_records(ctx: SeedContext) -> None:
    """Records windows: people placed after the go-live are counted from their placement (TMT),
    and a handful of the oldest staff retired at the end of one of the last two months."""
    ctx.go_live = go_live_date(ctx.today)
    for person in ctx.people:
        if person.placement_date > ctx.go_live:
            person.records_start = person.placement_date
    main = {id(p) for p in ctx.main.values()}
    heads = {id(u.head) for u in ctx.units if u.head is not None}
    candidates = [p for p in ctx.people if not (p.reports or p.is_plh or p.is_hr or id(p) in main or id(p) in heads)
                  and p.unit.code != APTIKA_CODE and p.records_start is None]
    candidates.sort(key=lambda p: (p.nip[:8], p.nip))  # the oldest first: born earliest (NIP starts so)
    month_end = ctx.today.replace(day=1) - dt.timedelta(days=1)
    ends = [month_end, month_end.replace(day=1) - dt.timedelta(days=1)]  # the last two months' last days
    for i, person in enumerate(candidates[:RETIRED]):
        person.records_end = max(ends[i % 2], ctx.go_live)
        person.records_end_reason = RecordsEndReason.PENSIUN
        person.is_active = False


# --- Writing -------------------------------------------------------------------------------


def write_units(ctx: SeedContext) -> None:
    """Insert the tree level by level: a level needs its parents' ids and paths."""
    if ctx.make_bar is not None:  # only now: a refusal earlier leaves no empty bar behind
        ctx.bar = ctx.make_bar(len(ctx.units) + len(ctx.people))
    for depth in sorted({u.depth for u in ctx.units}):
        level = [u for u in ctx.units if u.depth == depth]
        objs = [Unit(code=u.code, name=u.name, kind=u.kind, parent_id=u.parent.pk if u.parent else None,
                     time_zone=u.time_zone, address=u.address, latitude=u.lat, longitude=u.lon, radius_m=100,
                     attendance_from=ctx.go_live if u.parent is None else None)
                for u in level]
        Unit.objects.bulk_create(objs, batch_size=BATCH)
        for plan, obj in zip(level, objs, strict=True):
            plan.pk = obj.pk
            plan.path = obj.path = f"{plan.parent.path if plan.parent else '/'}{obj.pk}/"
            obj.depth = depth
        Unit.objects.bulk_update(objs, ["path", "depth"], batch_size=BATCH)
        ctx.advance(len(level))
    ctx.institution = Unit.objects.get(pk=ctx.units[0].pk)


def write_people(ctx: SeedContext) -> None:
    """Users then employees, rank by rank so each supervisor already has an id."""
    by_rank: dict[int, list[PersonPlan]] = defaultdict(list)
    for person in ctx.people:
        by_rank[person.rank].append(person)
    for rank in sorted(by_rank):
        group = by_rank[rank]
        for start in range(0, len(group), BATCH):
            _write_batch(ctx, group[start:start + BATCH])
    heads = [Unit(pk=u.pk, head_id=u.head.pk) for u in ctx.units if u.head is not None]
    Unit.objects.bulk_update(heads, ["head"], batch_size=BATCH)


def _write_batch(ctx: SeedContext, batch: list[PersonPlan]) -> None:
    users = [
        User(username=p.username, password=ctx.password_hash, first_name=p.name.split(",")[0][:150],
             email=f"{p.username}@{EMAIL_DOMAIN}", is_staff=p.is_hr)
        for p in batch
    ]
    User.objects.bulk_create(users, batch_size=BATCH)
    employees = [
        Employee(user_id=u.pk, nip=p.nip, asn_type=p.asn_type, name=p.name, jabatan=p.jabatan,
                 position_kind=p.position_kind, unit_id=p.unit.pk,
                 supervisor_id=p.supervisor.pk if p.supervisor else None, placement_date=p.placement_date,
                 disciplinary_until=p.disciplinary_until, records_start=p.records_start, records_end=p.records_end,
                 records_end_reason=p.records_end_reason, is_active=p.is_active, service_start=p.service_start)
        for p, u in zip(batch, users, strict=True)
    ]
    Employee.objects.bulk_create(employees, batch_size=BATCH)
    for person, employee in zip(batch, employees, strict=True):
        person.pk = employee.pk
    ctx.advance(len(batch))


def write_roles(ctx: SeedContext) -> None:
    """The superuser, the HR admin's scope and today's Plh for the Aptika head."""
    ctx.superuser = User.objects.create(
        username="superadmin", password=ctx.password_hash, first_name="Super", last_name="Admin",
        email=f"superadmin@{EMAIL_DOMAIN}", is_superuser=True, is_staff=True,
    )
    hr_user = User.objects.get(employee__pk=ctx.main["hr.bkpsdm"].pk)
    HRAdminScope.objects.create(user=hr_user, unit=ctx.institution)
    Delegation.objects.create(
        kind=DelegationKind.PLH, delegator_id=ctx.main["kabid.aptika"].pk, delegate_id=ctx.main["plh.aptika"].pk,
        start=ctx.today - dt.timedelta(days=1), end=ctx.today + dt.timedelta(days=14),
        decree_number=f"800.1.11.1/{ctx.rng.randint(100, 999)}/DISKOMINFO/{ctx.today.year}",
    )
    ctx.summary.update(
        units=len(ctx.units), employees=len(ctx.people),
        pppk=sum(p.asn_type != AsnType.PNS for p in ctx.people), delegations=1,
        retired=sum(not p.is_active for p in ctx.people),
    )


# --- Steps and entry points -------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One stage of the seed. ``reset`` deletes what ``run`` wrote (given the instansi);
    resets run in reverse order, before the rows they depend on disappear."""

    name: str
    run: Callable[[SeedContext], None]
    reset: Callable[[Unit], None] | None = None


def _delete_people(root: Unit) -> None:
    employees = Employee.objects.filter(unit__path__startswith=root.path)
    user_ids = list(_demo_users(root).values_list("pk", flat=True))  # before their links go
    Delegation.objects.filter(Q(delegator__in=employees) | Q(delegate__in=employees)).delete()
    HRAdminScope.objects.filter(unit__path__startswith=root.path).delete()
    # Clear the self-references first so the delete is a few statements, not a cascade walk.
    Unit.objects.filter(path__startswith=root.path).update(head=None)
    employees.update(supervisor=None)
    employees.delete()
    for start in range(0, len(user_ids), BATCH):
        User.objects.filter(pk__in=user_ids[start:start + BATCH]).delete()


def _delete_units(root: Unit) -> None:
    units = Unit.objects.filter(path__startswith=root.path)
    for depth in sorted(set(units.values_list("depth", flat=True)), reverse=True):
        Unit.objects.filter(path__startswith=root.path, depth=depth).delete()


def check_free(ctx: SeedContext) -> None:
    """Refuse, before writing anything, if another institution already uses a code or login."""
    codes = [u.code for u in ctx.units]
    clash = []
    for start in range(0, len(codes), BATCH):
        clash += Unit.objects.filter(code__in=codes[start:start + BATCH]).values_list("code", flat=True)
    clash = sorted(clash)[:10] + sorted(set(MAIN_LOGINS) & ctx.taken_usernames)
    if clash:
        raise DemoError(_("Kode unit atau nama akun demo sudah dipakai: %(x)s.") % {"x": ", ".join(clash)})


STEPS: list[Step] = [
    Step("plan-units", plan_units),
    Step("plan-people", plan_people),
    Step("plan-records", plan_records),
    Step("check-free", check_free),
    Step("units", write_units, _delete_units),
    Step("people", write_people, _delete_people),
    Step("roles", write_roles),
]


def register_step(step: Step) -> None:
    """Append a later stage (e.g. ``seed_scheduling``) that runs after the organisation exists."""
    if all(s.name != step.name for s in STEPS):
        STEPS.append(step)


def _demo_users(root: Unit):
    """Accounts the demo owns: its employees' users, HR admins of its tree, ``superadmin``."""
    return User.objects.filter(
        Q(employee__unit__path__startswith=root.path) | Q(hr_scopes__unit__path__startswith=root.path)
        | Q(username="superadmin")
    ).distinct()


def existing_institution() -> Unit | None:
    return Unit.objects.filter(code=INSTITUTION_CODE, parent__isnull=True).first()


def reset_demo() -> None:
    """Delete the demo city, refusing if the append-only audit trail points into it.

    Audit rows keep PROTECT links to units and actors, so once anyone has worked in the
    demo (an approval, an edit) its rows can never be deleted: use a fresh database.
    The seed's own summary event links to no unit or actor, so it never blocks a reset.
    """
    root = existing_institution()
    if root is None:
        return
    blocking = AuditEvent.objects.filter(Q(unit__path__startswith=root.path) | Q(actor__in=_demo_users(root)))
    n = blocking.count()
    if n:
        raise DemoError(
            _("Reset tidak mungkin: %(n)d jejak audit merujuk unit atau akun demo, dan jejak audit tidak "
              "dapat dihapus. Gunakan basis data baru (mis. hapus var/ lalu migrate).") % {"n": n}
        )
    audit_record(actor=None, verb=Verb.DEMO_RESET, obj=root, after={"institution": root.code})
    for step in reversed(STEPS):
        if step.reset is not None:
            step.reset(root)


@transaction.atomic
def seed_demo(*, employees: int = DEFAULT_EMPLOYEES, password: str = DEFAULT_PASSWORD, seed: int = DEFAULT_SEED,
              today: dt.date | None = None, make_bar: Callable[[int], object] | None = None,
              reset: bool = False) -> SeedContext:
    """Build the demo city in one transaction and return the context (accounts, summary).

    ``make_bar(total)`` may return a progress bar (``update(n)``, ``close()``), e.g. tqdm.
    """
    if existing_institution() is not None:
        if not reset:
            raise DemoError(
                _("Data demo sudah ada (unit %(code)s). Jalankan dengan --reset untuk menghapus dan "
                  "membangun ulang.") % {"code": INSTITUTION_CODE}
            )
        reset_demo()
    ctx = SeedContext(
        employees=employees, password_hash=make_password(password),  # hashed once for every account
        rng=random.Random(seed), today=today or timezone.localdate(), make_bar=make_bar,  # nosec B311  # reproducible demo data, not security
        taken_usernames=set(User.objects.values_list("username", flat=True)),
        taken_nips=set(Employee.objects.values_list("nip", flat=True)),
    )
    try:
        for step in STEPS:
            step.run(ctx)
    finally:
        if ctx.bar is not None:
            ctx.bar.close()
    # One summary event instead of one per row; no unit or actor, so --reset stays possible.
    audit_record(actor=None, verb=Verb.DEMO_SEEDED, obj=ctx.institution, after={**ctx.summary, "seed": seed})
    return ctx


def accounts(ctx: SeedContext) -> list[dict]:
    """Every demo login, main ones first: username, role, unit_code, supervisor_username, nip."""
    rows = [{"username": "superadmin", "role": ROLE_SUPERUSER, "unit_code": None,
             "supervisor_username": None, "nip": None}]
    main_ids = {id(p) for p in ctx.main.values()}
    ordered = [ctx.main[u] for u in MAIN_LOGINS if u in ctx.main] + [p for p in ctx.people if id(p) not in main_ids]
    for p in ordered:
        rows.append({"username": p.username, "role": p.role, "unit_code": p.unit.code,
                     "supervisor_username": p.supervisor.username if p.supervisor else None, "nip": p.nip})
    return rows
