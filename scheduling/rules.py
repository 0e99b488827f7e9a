"""Pure coverage rules: policy inheritance and the per-day verdicts.

No database here. The services gather plain numbers (headcount, who is away, the
employee's other flexible days) into a :class:`DayContext`; :func:`evaluate_day`
turns them into :class:`Verdict` objects whose messages name the rule and the numbers.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field, replace

from django.utils.translation import gettext as _

from portal import formatting as fmt

BLOCK, WARN, INFO = "block", "warn", "info"
DEFAULT_WEEKLY_CAP = 2  # Permen PANRB 4/2025: at most 2 location-flexible days a week.

WEEKDAY_NAMES = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")


# Emergency profiles (scheduling.models.EmergencyProfile): what an emergency changes while in force.
ESSENTIAL_ONLY, CAPS_LIFTED, WFH_AUTO, ALL_IN_OFFICE = "essential_only", "caps_lifted", "wfh_auto", "all_in_office"
LIFTS_CAPS = frozenset({ESSENTIAL_ONLY, CAPS_LIFTED, WFH_AUTO})
AUTO_APPROVES = frozenset({ESSENTIAL_ONLY, WFH_AUTO})


@dataclass(frozen=True)
class EmergencyRule:
    """An emergency in force for a unit and date, as the rules see it."""

    id: int
    name: str
    legal_basis: str
    profile: str

    @property
    def lifts_caps(self) -> bool:
        return self.profile in LIFTS_CAPS

    @property
    def auto_approves(self) -> bool:
        return self.profile in AUTO_APPROVES


@dataclass(frozen=True)
class Policy:
    """The effective policy of one unit on one date, after inheritance."""

    min_office_share: int | None = None
    min_office_headcount: int | None = None
    weekday_min_share: dict[int, int] = field(default_factory=dict)
    weekly_cap: int = DEFAULT_WEEKLY_CAP
    monthly_cap: int | None = None
    mandatory_weekdays: frozenset[int] = frozenset()
    blackout_dates: frozenset[dt.date] = frozenset()
    essential: tuple[tuple[str, int], ...] = ()
    exclude_disciplinary: bool = True
    min_months_since_placement: int | None = None
    mode: str = BLOCK
    count_pending: bool = False
    emergency: EmergencyRule | None = None  # an overlay, never stored in a policy row


_SCALARS = ("min_office_share", "min_office_headcount", "weekly_cap", "monthly_cap", "exclude_disciplinary",
            "min_months_since_placement", "mode", "count_pending")


def merge_policies(layers: list[dict]) -> Policy:
    """Merge policy layers from the root unit down to the unit itself.

    Each layer is a dict of the fields its unit sets (``None``/missing = inherit).
    A lower layer overrides field by field; essential positions accumulate by jabatan.
    """
    policy = Policy()
    essential: dict[str, int] = {}
    for layer in layers:
        changes = {k: layer[k] for k in _SCALARS if layer.get(k) not in (None, "")}
        if layer.get("weekday_min_share") is not None:
            changes["weekday_min_share"] = {int(k): int(v) for k, v in layer["weekday_min_share"].items()}
        if layer.get("mandatory_weekdays") is not None:
            changes["mandatory_weekdays"] = frozenset(int(d) for d in layer["mandatory_weekdays"])
        if layer.get("blackout_dates") is not None:
            changes["blackout_dates"] = frozenset(_as_date(d) for d in layer["blackout_dates"])
        for jabatan, minimum in layer.get("essential", ()):
            essential[jabatan] = minimum
        policy = replace(policy, **changes)
    return replace(policy, essential=tuple(sorted(essential.items())))


def under_emergency(policy: Policy, emergency: EmergencyRule | None) -> Policy:
    """The policy as an emergency in force changes it. Essential-only keeps only the essential
    positions' minimums (share, headcount, per-weekday shares, mandatory weekdays and blackout
    dates are lifted); every other profile acts through its verdicts (caps, office)."""
    if emergency is None:
        return policy
    if emergency.profile == ESSENTIAL_ONLY:
        return replace(policy, min_office_share=None, min_office_headcount=None, weekday_min_share={},
                       mandatory_weekdays=frozenset(), blackout_dates=frozenset(), emergency=emergency)
    return replace(policy, emergency=emergency)


def _as_date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def required_in_office(policy: Policy, weekday: int, headcount: int) -> int:
    """People who must be in the office: the stricter of share and headcount, never more
    than the unit has. A share is rounded up: 70% of 12 is 8.4, so 9 must be in."""
    share = policy.weekday_min_share.get(weekday, policy.min_office_share)
    by_share = math.ceil(headcount * share / 100 - 1e-9) if share else 0
    by_head = policy.min_office_headcount or 0
    return min(headcount, max(by_share, by_head))


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


@dataclass(frozen=True)
class EssentialCount:
    jabatan: str
    holders: int  # people in the unit holding this jabatan
    away: int  # of them, away that day (not counting this request)


@dataclass(frozen=True)
class DayContext:
    """Plain numbers about one requested day, gathered by the service."""

    date: dt.date
    flexible: bool  # WFH/WFA/other office (else an absence)
    unit_name: str
    headcount: int
    away_others: int  # others of the unit away that day (approved, plus pending if counted)
    own_flexible_week: int = 0  # the employee's other flexible days that ISO week
    own_flexible_month: int = 0
    essential: EssentialCount | None = None
    disciplinary: bool = False
    months_since_placement: int | None = None
    special_circumstance: bool = False
    # A day a KemenPAN-RB circular opened (FWA window that lifts the caps, calendar FWA day): the
    # caps do not apply to it, and ``cap_free_basis`` names the circular.
    cap_free: bool = False
    cap_free_basis: str = ""


@dataclass(frozen=True)
class Verdict:
    rule: str
    severity: str
    params: dict

    @property
    def message(self) -> str:
        return render_message(self.rule, self.params)

    def as_dict(self) -> dict:
        return {"rule": self.rule, "severity": self.severity, "params": self.params, "message": self.message}


def _coverage_severity(policy: Policy, flexible: bool) -> str:
    if not flexible:
        return INFO  # absences lower presence but are never refused for coverage
    return {"block": BLOCK, "warn": WARN}.get(policy.mode, INFO)


def coverage_numbers(policy: Policy, ctx: DayContext) -> dict:
    required = required_in_office(policy, ctx.date.weekday(), ctx.headcount)
    before = ctx.headcount - ctx.away_others
    return {"unit": ctx.unit_name, "headcount": ctx.headcount, "in_office_before": before,
            "in_office_after": before - 1, "required": required,
            "share": policy.weekday_min_share.get(ctx.date.weekday(), policy.min_office_share)}


def evaluate_day(policy: Policy, ctx: DayContext) -> list[Verdict]:
    """Every rule that this day would break or come close to, most serious first."""
    verdicts: list[Verdict] = []
    if ctx.flexible:
        verdicts += (_emergency(policy) + _eligibility(policy, ctx) + _calendar_rules(policy, ctx)
                     + _caps(policy, ctx))
    verdicts += _coverage(policy, ctx) + _essential(policy, ctx)
    return by_severity(verdicts)


def by_severity(verdicts: list[Verdict]) -> list[Verdict]:
    """Most serious first, keeping the order within a severity."""
    order = {BLOCK: 0, WARN: 1, INFO: 2}
    return sorted(verdicts, key=lambda v: order[v.severity])


def _emergency(policy: Policy) -> list[Verdict]:
    """A flexible day under an emergency: refused when everyone must be in the office, else told
    which emergency (and circular) relaxes the rules. Absences never meet an emergency."""
    emergency = policy.emergency
    if emergency is None:
        return []
    params = {"id": emergency.id, "name": emergency.name, "basis": emergency.legal_basis,
              "profile": emergency.profile}
    if emergency.profile == ALL_IN_OFFICE:
        return [Verdict("emergency_office", BLOCK, params)]
    return [Verdict("emergency", INFO, params)]


def _eligibility(policy: Policy, ctx: DayContext) -> list[Verdict]:
    out = []
    if policy.exclude_disciplinary and ctx.disciplinary:
        out.append(Verdict("disciplinary", BLOCK, {}))
    limit = policy.min_months_since_placement
    if limit and ctx.months_since_placement is not None and ctx.months_since_placement < limit:
        out.append(Verdict("new_placement", BLOCK, {"months": ctx.months_since_placement, "limit": limit}))
    return out


def _calendar_rules(policy: Policy, ctx: DayContext) -> list[Verdict]:
    out = []
    if ctx.date.weekday() in policy.mandatory_weekdays:
        out.append(Verdict("mandatory_weekday", BLOCK, {"weekday": ctx.date.weekday(), "unit": ctx.unit_name}))
    if ctx.date in policy.blackout_dates:
        out.append(Verdict("blackout", BLOCK, {"date": ctx.date.isoformat(), "unit": ctx.unit_name}))
    return out


def _caps(policy: Policy, ctx: DayContext) -> list[Verdict]:
    if policy.emergency is not None and policy.emergency.lifts_caps:
        return []  # the emergency's own verdict says so
    if ctx.cap_free:  # the circular chose the day, not the employee: said, never refused
        return [Verdict("fwa_day", INFO, {"name": ctx.cap_free_basis})]
    if ctx.special_circumstance:
        return []  # keadaan khusus is exempt from the caps
    out = []
    if ctx.own_flexible_week + 1 > policy.weekly_cap:
        out.append(Verdict("weekly_cap", BLOCK, {"used": ctx.own_flexible_week, "cap": policy.weekly_cap,
                                                 "week": week_start(ctx.date).isoformat()}))
    if policy.monthly_cap is not None and ctx.own_flexible_month + 1 > policy.monthly_cap:
        out.append(Verdict("monthly_cap", BLOCK, {"used": ctx.own_flexible_month, "cap": policy.monthly_cap}))
    return out


def _coverage(policy: Policy, ctx: DayContext) -> list[Verdict]:
    numbers = coverage_numbers(policy, ctx)
    if numbers["in_office_after"] >= numbers["required"]:
        return []
    return [Verdict("coverage", _coverage_severity(policy, ctx.flexible), numbers)]


def _essential(policy: Policy, ctx: DayContext) -> list[Verdict]:
    ess = ctx.essential
    if ess is None:
        return []
    minimum = dict(policy.essential).get(ess.jabatan)
    if minimum is None:
        return []
    after = ess.holders - ess.away - 1
    if after >= min(minimum, ess.holders):
        return []
    return [Verdict("essential", _coverage_severity(policy, ctx.flexible),
                    {"jabatan": ess.jabatan, "in_office_after": after, "required": minimum, "unit": ctx.unit_name})]


def worst(verdicts: list[Verdict]) -> str | None:
    """The most serious severity, or None when the day passes cleanly."""
    for level in (BLOCK, WARN, INFO):
        if any(v.severity == level for v in verdicts):
            return level
    return None


def render_message(rule: str, p: dict) -> str:
    """A plain-language sentence naming the rule and the numbers, in the active language.

    The params keep ISO dates and bare numbers (the API returns them as data); only the sentence
    writes dates in words and counts with their plural forms."""
    if rule == "coverage":
        share = _(" (%(share)s%%)") % p if p.get("share") else ""
        return _("%(unit)s: %(after)d dari %(headcount)d akan berada di kantor; minimal %(required)d%(share)s.") % {
            "unit": p["unit"], "after": p["in_office_after"], "headcount": p["headcount"],
            "required": p["required"], "share": share}
    if rule == "weekly_cap":
        return _("Batas %(cap)s kerja fleksibel per minggu sudah tercapai (%(used)s pada minggu mulai "
                 "%(week)s).") % {"cap": fmt.days(p["cap"]), "used": fmt.days(p["used"]),
                                  "week": fmt.short_date(p["week"])}
    if rule == "monthly_cap":
        return _("Batas %(cap)s kerja fleksibel per bulan sudah tercapai (%(used)s).") % {
            "cap": fmt.days(p["cap"]), "used": fmt.days(p["used"])}
    if rule == "fwa_day":
        return _("Hari kerja fleksibel menurut %(name)s: tidak dihitung dalam batas hari fleksibel per minggu "
                 "dan per bulan; aturan kehadiran unit tetap berlaku.") % p
    if rule in ("emergency", "emergency_office"):
        return _emergency_message(rule, p)
    if rule == "mandatory_weekday":
        return _("%(unit)s: hari %(day)s adalah hari wajib di kantor.") % {
            "unit": p["unit"], "day": _(WEEKDAY_NAMES[p["weekday"]])}
    if rule == "blackout":
        return _("%(unit)s: tanggal %(date)s ditetapkan wajib di kantor.") % {
            "unit": p["unit"], "date": fmt.short_date(p["date"])}
    if rule == "essential":
        return _("%(unit)s: jabatan %(jabatan)s harus tetap %(required)s di kantor; tersisa "
                 "%(in_office_after)d.") % {**p, "required": fmt.people(p["required"])}
    if rule == "disciplinary":
        return _("Pegawai yang sedang menjalani hukuman disiplin tidak dapat bekerja fleksibel.")
    if rule == "new_placement":
        return _("Penempatan baru %(months)s; kerja fleksibel baru dapat setelah %(limit)s.") % {
            "months": fmt.months(p["months"]), "limit": fmt.months(p["limit"])}
    if rule == "not_working_day":
        return _("%(date)s bukan hari kerja (%(why)s).") % {**p, "date": fmt.long_date(p["date"])}
    if rule == "duplicate":
        return _("Sudah ada pengajuan aktif pada %(date)s.") % {"date": fmt.long_date(p["date"])}
    if rule == "past":
        return _("%(date)s sudah lewat.") % {"date": fmt.long_date(p["date"])}
    return _leave_message(rule, p)


def _emergency_message(rule: str, p: dict) -> str:
    if rule == "emergency_office":
        return _("Keadaan darurat %(name)s (%(basis)s): semua pegawai bekerja di kantor; WFH/WFA dan kerja di "
                 "kantor lain tidak dapat disetujui. Cuti, sakit dan dinas luar tetap dapat diajukan.") % p
    relief = {
        ESSENTIAL_ONLY: _("hanya jabatan esensial yang wajib di kantor, batas hari fleksibel tidak berlaku, dan "
                          "WFH/WFA disetujui otomatis selama jabatan esensial terpenuhi"),
        CAPS_LIFTED: _("batas hari fleksibel per minggu dan per bulan tidak berlaku"),
        WFH_AUTO: _("batas hari fleksibel tidak berlaku dan WFH/WFA disetujui otomatis selama aturan kehadiran "
                    "unit terpenuhi"),
    }.get(p.get("profile"), "")
    return _("Keadaan darurat %(name)s (%(basis)s): %(relief)s.") % {**p, "relief": relief}


def _kind_name(kind: str) -> str:
    from scheduling.models import Kind  # the labels only; rules stay free of queries

    return str(Kind(kind).label) if kind in Kind.values else kind


def _leave_message(rule: str, p: dict) -> str:
    if rule == "leave_balance":
        return _("Sisa cuti tahunan %(year)d habis: hak %(available)s, sudah terpakai atau diajukan "
                 "%(used)s.") % {"year": p["year"], "available": fmt.working_days(p["available"]),
                                 "used": fmt.days(p["used"])}
    if rule == "leave_service":
        return _("%(kind)s baru dapat diambil setelah masa kerja %(needed)s; masa kerja pada tanggal ini "
                 "%(years)s (%(basis)s).") % {"kind": _kind_name(p["kind"]), "needed": fmt.years(p["needed"]),
                                              "years": fmt.years(p["years"]), "basis": p["basis"]}
    if rule == "leave_service_unknown":
        return _("TMT awal masa kerja belum dicatat BKPSDM: syarat masa kerja %(needed)s untuk %(kind)s "
                 "belum dapat diperiksa.") % {"kind": _kind_name(p["kind"]), "needed": fmt.years(p["needed"])}
    if rule == "leave_length":
        return _("%(kind)s paling lama %(months)s: hari terakhir yang dapat diajukan %(last)s "
                 "(%(basis)s).") % {"kind": _kind_name(p["kind"]), "months": fmt.months(p["months"]),
                                    "last": fmt.long_date(p["last"]), "basis": p["basis"]}
    if rule == "reserved_to_definitive":
        return _("%(kind)s hanya dapat diputus pejabat definitif (%(official)s), bukan Plh/Plt "
                 "(SE BKN 1/SE/I/2021); pengajuan menunggu beliau.") % {**p, "kind": _kind_name(p["kind"])}
    if rule == "document_missing":
        return _("%(label)s belum dilampirkan (%(reason)s).") % p
    if rule == "no_official":
        return _("Belum ada pejabat yang berwenang memberikan cuti di instansi ini; hubungi BKPSDM/Biro SDM.")
    return rule
