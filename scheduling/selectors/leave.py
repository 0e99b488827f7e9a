"""Leave: what an institution asks of a request of each kind (who grants it, which document),
and each employee's cuti tahunan balance. One read for the request form, the preview API, the
submit and approve services, the inbox and HR's pages.

The arithmetic is pure (:mod:`scheduling.leave_rules`); this module gathers its numbers.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q, Sum, Value
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext as _

from portal import facts
from portal import formatting as fmt
from portal.models import Employee, Unit
from scheduling import leave_rules, rules
from scheduling.models import (
    CUTI_KINDS,
    DocumentRule,
    Kind,
    KindRule,
    LeaveAdjustment,
    LeaveOpening,
    LeaveSettings,
    RequestDay,
    Status,
)

# --- Per-institution settings ---------------------------------------------------------------


@dataclass(frozen=True)
class KindSetting:
    """One kind's rule in an institution, configured or the default."""

    kind: str
    needs_official: bool
    document: str
    document_label: str
    configured: bool

    @property
    def kind_label(self) -> str:
        return Kind(self.kind).label


def _default_setting(kind: str) -> KindSetting:
    needs_official, document, label = leave_rules.DEFAULT_KIND_RULES.get(kind, (False, DocumentRule.NONE, ""))
    return KindSetting(kind, needs_official, document, _(label) if label else "", False)


def kind_settings(institution: Unit) -> list[KindSetting]:
    """Every absence and leave kind's rule in the institution, in the order of :class:`Kind`."""
    rows = {r.kind: r for r in KindRule.objects.filter(institution=institution)}
    out = []
    for kind in Kind.values:
        row = rows.get(kind)
        out.append(KindSetting(kind, row.needs_official, row.document, row.document_label, True) if row
                   else _default_setting(kind))
    return out


def kind_setting(institution_id: int, kind: str) -> KindSetting:
    return _setting(kind, KindRule.objects.filter(institution_id=institution_id, kind=kind).first())


def _setting(kind: str, row: KindRule | None) -> KindSetting:
    if row is None:
        return _default_setting(kind)
    return KindSetting(kind, row.needs_official, row.document, row.document_label, True)


def kind_settings_for(institution_ids) -> dict[tuple[int, str], KindSetting]:
    """:func:`kind_setting` of every kind in each institution (a page of the inbox): one query."""
    ids = tuple(sorted(set(institution_ids)))
    rows = {(r.institution_id, r.kind): r for r in facts.remembered(  # a rule fact (portal.facts)
        "leave.kind_rules", ids, lambda: tuple(KindRule.objects.filter(institution_id__in=ids)))}
    return {(i, kind): _setting(kind, rows.get((i, kind))) for i in institution_ids for kind in Kind.values}


@dataclass(frozen=True)
class InstitutionLeave:
    institution: Unit
    official: Employee | None  # configured pejabat yang berwenang memberikan cuti
    first_year: int

    @property
    def grantor(self) -> Employee | None:
        """Who grants leave: the configured official, else the head of the institution."""
        official = self.official if self.official is not None and self.official.is_active else None
        head = self.institution.head
        return official or (head if head is not None and head.is_active else None)


def institution_leave(institution: Unit) -> InstitutionLeave:
    row = LeaveSettings.objects.select_related("official").filter(institution=institution).first()
    if row is None:
        return InstitutionLeave(institution, None, settings.PORTAL_LEAVE_FIRST_YEAR)
    return InstitutionLeave(institution, row.official, row.first_year)


def institution_leaves(institution_ids) -> dict[int, InstitutionLeave]:
    """:func:`institution_leave` of each institution, with its head (a page of the inbox): one query."""
    out = {}
    for institution in (Unit.objects.select_related("head", "leave_settings__official")
                        .filter(pk__in=list(institution_ids))):
        row = getattr(institution, "leave_settings", None)  # None: the institution has not set it up
        out[institution.pk] = (InstitutionLeave(institution, row.official, row.first_year) if row
                               else InstitutionLeave(institution, None, settings.PORTAL_LEAVE_FIRST_YEAR))
    return out


def _institution(employee: Employee) -> Unit:
    return employee.unit.institution


def grantor_for(employee: Employee, kind: str, *, setting: KindSetting | None = None,
                leave_of: InstitutionLeave | None = None) -> tuple[bool, Employee | None]:
    """(whether the kind needs the official after the atasan langsung, who that official is);
    ``setting`` and ``leave_of``: the institution's, when already read for a page.

    Until HR names an official (or the institution has a head), the default chain stops at the
    atasan langsung, as before the institution set anything up; a chain HR chose keeps its official
    step, and a request no one could grant is refused at submit."""
    setting = setting or kind_setting(_institution(employee).pk, kind)
    if not setting.needs_official:
        return False, None
    grantor = (leave_of or institution_leave(_institution(employee))).grantor
    if grantor is None and not setting.configured:
        return False, None
    return True, grantor


def is_reserved(employee: Employee, kind: str, abroad: bool) -> bool:
    """Only the definitive official grants it: CLTN and leave taken abroad (SE BKN 1/SE/I/2021;
    PP 11/2017 Pasal 339). A Plh or Plt leaves it for them."""
    limits = leave_rules.limits_for(employee.asn_type, kind)
    return bool((limits and limits.reserved) or (abroad and kind in CUTI_KINDS))


# --- Documents ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentRequirement:
    label: str  # the document, e.g. "Surat keterangan dokter" (translated)
    reason: str  # why it is needed, e.g. "cuti sakit lebih dari 1 hari" (translated)


def document_may_be_required(setting: KindSetting, special_circumstance: bool) -> bool:
    """Whether :func:`document_requirement` can ask a document under this rule of the kind, however
    long the request (a page skips reading lengths and files for the days where it cannot)."""
    return special_circumstance or setting.document != DocumentRule.NONE


def document_requirement(employee, kind: str, n_days: int, special_circumstance: bool, *,
                         setting: KindSetting | None = None) -> DocumentRequirement | None:
    """The document the employee's institution requires for this request, or None (``setting``:
    the institution's rule of the kind, when already read)."""
    setting = setting or kind_setting(_institution(employee).pk, kind)
    if not document_may_be_required(setting, special_circumstance):
        return None
    label = setting.document_label or _("Dokumen pendukung")
    kind_name = Kind(kind).label.lower() if kind in Kind.values else kind
    if setting.document == DocumentRule.ALWAYS:
        return DocumentRequirement(label, kind_name)
    if setting.document == DocumentRule.AFTER_FIRST_DAY and n_days > 1:
        return DocumentRequirement(label, _("%(kind)s lebih dari %(days)s") % {"kind": kind_name, "days": fmt.days(1)})
    if special_circumstance:
        return DocumentRequirement(_(leave_rules.SPECIAL_CIRCUMSTANCE_DOCUMENT), _("keadaan khusus"))
    return None


# --- Cuti tahunan balance -------------------------------------------------------------------


def _used_by_year(employee_ids, statuses, exclude_day_ids=()) -> tuple[dict, dict]:
    """(cuti tahunan days in ``statuses`` per employee and year, ``exclude_day_ids`` left out;
    cuti besar days asked or approved per employee and year): one GROUP BY of conditional counts."""
    ct = Q(kind=Kind.CT, status__in=statuses)
    if exclude_day_ids:
        ct &= ~Q(pk__in=list(exclude_day_ids))
    rows = (RequestDay.objects.filter(employee_id__in=list(employee_ids), kind__in=[Kind.CT, Kind.CB],
                                      status__in=[Status.PENDING, Status.APPROVED])
            .values_list("employee_id", ExtractYear("date"))
            .annotate(ct=Count("id", filter=ct), cb=Count("id", filter=Q(kind=Kind.CB))).order_by())
    used: dict[int, dict[int, int]] = defaultdict(dict)
    cuti_besar: dict[int, dict[int, int]] = defaultdict(dict)
    for employee_id, y, n_ct, n_cb in rows:
        for out, n in ((used, n_ct), (cuti_besar, n_cb)):
            if n:
                out[employee_id][int(y)] = n
    return used, cuti_besar


def institution_id_of(employee: Employee) -> int:
    """The id of the employee's institution, without reading it."""
    unit = employee.unit
    return unit.ancestor_ids[0] if unit.parent_id else unit.pk


def annual_leave_facts(employee: Employee, *, approved_only: bool = False,
                       exclude_day_ids=()) -> leave_rules.AnnualLeaveFacts:
    """The numbers :func:`leave_rules.annual_balances` needs. Asked days count as used (a second
    request cannot spend the same days); an approval counts approved days only."""
    return annual_leave_facts_many([employee], approved_only=approved_only, exclude_day_ids=exclude_day_ids)[
        employee.pk]


def annual_leave_facts_many(employees: list[Employee], *, approved_only: bool = False, exclude_day_ids=(),
                            first_years: dict[int, int] | None = None) -> dict[int, leave_rules.AnnualLeaveFacts]:
    """:func:`annual_leave_facts` of each employee (the inbox's page of people): three queries, two
    when ``first_years`` (each institution's, from :func:`institution_leaves`) was read already."""
    if not employees:
        return {}
    ids = {e.pk for e in employees}
    statuses = [Status.APPROVED] if approved_only else [Status.PENDING, Status.APPROVED]
    adjustments: dict[int, dict[int, int]] = defaultdict(dict)
    openings: dict[int, dict[int, int]] = defaultdict(dict)
    # HR's two kinds of numbers in one read: the adjustments summed per year, the opening balances.
    adjusted = (LeaveAdjustment.objects.filter(employee_id__in=ids).values("employee_id", "year")
                .annotate(n=Sum("days"), opening=Value(False)).values_list("employee_id", "year", "n", "opening")
                .order_by())
    opened = (LeaveOpening.objects.filter(employee_id__in=ids).annotate(opening=Value(True))
              .values_list("employee_id", "year", "days", "opening").order_by())
    for employee_id, year, n, opening in adjusted.union(opened, all=True):
        (openings if opening else adjustments)[employee_id][year] = n
    if first_years is None:
        first_years = dict(LeaveSettings.objects.filter(institution_id__in={institution_id_of(e) for e in employees})
                           .values_list("institution_id", "first_year"))
    used, cuti_besar = _used_by_year(ids, statuses, exclude_day_ids)
    return {e.pk: leave_rules.AnnualLeaveFacts(
        asn_type=e.asn_type, service_start=e.service_start,
        first_year=first_years.get(institution_id_of(e), settings.PORTAL_LEAVE_FIRST_YEAR),
        openings=openings.get(e.pk, {}), adjustments=adjustments.get(e.pk, {}), used=used.get(e.pk, {}),
        cuti_besar_years=frozenset(cuti_besar.get(e.pk, {}))) for e in employees}


def annual_leave(employee: Employee, year: int, **kwargs) -> leave_rules.YearBalance:
    """The employee's cuti tahunan of ``year``: what they have, used and have left."""
    return leave_rules.annual_balances(annual_leave_facts(employee, **kwargs), year)[year]


def annual_leave_years(employee: Employee, up_to: int) -> list[leave_rules.YearBalance]:
    """Every year the portal keeps for the employee, newest first (the balance page)."""
    return sorted(leave_rules.annual_balances(annual_leave_facts(employee), up_to).values(),
                  key=lambda b: -b.year)


# --- Checks of a request's days (used by the preview) -------------------------------------


@dataclass(frozen=True)
class LeaveCheck:
    """What a cuti request's days must meet, read once for a range of dates."""

    kind: str
    asn_type: str
    limits: leave_rules.KindLimits
    service_start: dt.date | None
    balances: dict[int, leave_rules.YearBalance]  # cuti tahunan only

    def verdicts(self, days: list[dt.date]) -> dict[dt.date, list[rules.Verdict]]:
        """Per day of a batch asked together: service length, the longest a leave may run (from
        the batch's first day) and, for cuti tahunan, the balance each day spends."""
        out: dict[dt.date, list[rules.Verdict]] = defaultdict(list)
        if not days:
            return out
        last_allowed = leave_rules.last_day_allowed(min(days), self.limits)
        spent: dict[int, int] = defaultdict(int)
        for d in sorted(days):
            out[d] += self._service(d)
            if last_allowed is not None and d > last_allowed:
                out[d].append(rules.Verdict("leave_length", rules.BLOCK, {
                    "kind": self.kind, "months": self.limits.max_months, "last": last_allowed.isoformat(),
                    "basis": self.limits.citation}))
            if self.kind == Kind.CT and not any(v.severity == rules.BLOCK for v in out[d]):
                out[d] += self._balance(d, spent)
        return out

    def _service(self, d: dt.date) -> list[rules.Verdict]:
        needed = self.limits.min_service_years
        if not needed:
            return []
        years = leave_rules.years_of_service(self.service_start, d)
        if years is None:
            return [rules.Verdict("leave_service_unknown", rules.INFO, {"kind": self.kind, "needed": needed})]
        if years < needed:
            return [rules.Verdict("leave_service", rules.BLOCK, {
                "kind": self.kind, "years": years, "needed": needed, "basis": self.limits.citation})]
        return []

    def _balance(self, d: dt.date, spent: dict[int, int]) -> list[rules.Verdict]:
        balance = self.balances.get(d.year)
        remaining = (balance.remaining if balance else 0) - spent[d.year]
        if remaining <= 0:
            return [rules.Verdict("leave_balance", rules.BLOCK, {
                "year": d.year, "available": balance.available if balance else 0,
                "used": (balance.used if balance else 0) + spent[d.year]})]
        spent[d.year] += 1
        return []


def leave_check(employee: Employee, kind: str, end: dt.date, *, approving: bool,
                exclude_day_id: int | None = None,
                facts: leave_rules.AnnualLeaveFacts | None = None) -> LeaveCheck | None:
    """The checks of a cuti request up to ``end`` (None for kinds that are not cuti); ``facts``:
    the employee's cuti tahunan numbers when already read (:func:`annual_leave_facts_many`)."""
    if kind not in CUTI_KINDS:
        return None
    limits = leave_rules.limits_for(employee.asn_type, kind)
    if limits is None:
        return None  # not open to this ASN type: refused at submit with its own message
    balances = {}
    if kind == Kind.CT:
        facts = facts or annual_leave_facts(employee, approved_only=approving,
                                            exclude_day_ids=[exclude_day_id] if exclude_day_id else ())
        balances = leave_rules.annual_balances(facts, end.year)
    return LeaveCheck(kind, employee.asn_type, limits, employee.service_start, balances)
