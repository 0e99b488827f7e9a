"""Writes of the fair rota planner: an employee's weekday preferences, a proposed month for a unit,
a supervisor's adjustments, and publishing.

Publishing creates each flexible day the way a request and its approval do: the submit's check
(:func:`scheduling.selectors.preview_days`, the same read the request form uses), then the race-safe
approval (:func:`scheduling.services.decisions._approve`: unit-day lock, employee lock, the rules
re-checked against approved days). A rule that changed since the proposal refuses the day; refused
days are reported in the plan's outcome, never dropped silently. Each person gets one message.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.formatting import long_date, short_date
from portal.models import Employee
from portal.selectors import employee_of, workcalendar
from portal.services.audit import audit_record
from portal.services.notify import notify
from scheduling import rota_rules, rules, selectors
from scheduling.models import RequestDay, RotaPlan, RotaStatus, Status, WeekdayPreference, WorkRequest
from scheduling.models.audit import Verb
from scheduling.selectors import rota as rota_selectors
from scheduling.services.decisions import DecisionBlocked, _approve
from scheduling.services.unit_days import touch_unit_days

# A publish silent this long stopped part-way (a 300-person month publishes in well under a minute).
PUBLISH_STALE = dt.timedelta(minutes=5)
MAX_CHANGES = 10_000  # cells one adjustment may change (a 300-person month is 6,600 cells)


# --- Preferences -----------------------------------------------------------------------------


def _weekday_list(values, field: str) -> list[int]:
    try:
        days = sorted({int(v) for v in values or []})
    except (TypeError, ValueError):
        raise ValidationError({field: _("Hari harus berupa angka 0 (Senin) sampai 6 (Minggu).")}) from None
    if any(not 0 <= d <= 6 for d in days):
        raise ValidationError({field: _("Hari harus berupa angka 0 (Senin) sampai 6 (Minggu).")})
    return days


def weekday_preference_clean(employee: Employee, preferred, impossible) -> tuple[list[int], list[int]]:
    """The one validation of a preference, for the page and the API: weekdays the unit works, and
    no day both wanted and impossible."""
    preferred, impossible = _weekday_list(preferred, "preferred"), _weekday_list(impossible, "impossible")
    working = workcalendar.working_weekdays(employee.unit)
    errors = {}
    for name, days in (("preferred", preferred), ("impossible", impossible)):
        off = [d for d in days if d not in working]
        if off:
            errors[name] = _("%(days)s bukan hari kerja unit Anda.") % {
                "days": ", ".join(_(rules.WEEKDAY_NAMES[d]) for d in off)}
    both = set(preferred) & set(impossible)
    if both and "impossible" not in errors:
        errors["impossible"] = _("%(days)s tidak dapat sekaligus diinginkan dan tidak memungkinkan.") % {
            "days": ", ".join(_(rules.WEEKDAY_NAMES[d]) for d in sorted(both))}
    if errors:
        raise ValidationError(errors)
    return preferred, impossible


def weekday_preference_save(*, actor, preferred, impossible) -> WeekdayPreference:
    """The actor states the weekdays they would like to work flexibly and those they cannot."""
    employee = employee_of(actor)
    if employee is None or not employee.is_active:
        raise PermissionDenied(_("Hanya pegawai aktif yang dapat menyimpan preferensi."))
    preferred, impossible = weekday_preference_clean(employee, preferred, impossible)
    with transaction.atomic():
        pref = WeekdayPreference.objects.select_for_update().filter(employee=employee).first()
        before = {"preferred": pref.preferred, "impossible": pref.impossible} if pref else None
        pref = pref or WeekdayPreference(employee=employee)
        pref.preferred, pref.impossible = preferred, impossible
        pref.save()
        audit_record(actor=actor, verb=Verb.ROTA_PREFERENCE_SAVED, obj=pref, unit=employee.unit, before=before,
                     after={"employee": employee.pk, "preferred": preferred, "impossible": impossible})
    return pref


# --- Proposing and adjusting --------------------------------------------------------------------


def _month(month: dt.date | None, unit) -> dt.date:
    if month is None:
        raise ValidationError({"month": _("Pilih bulan (TTTT-BB).")})
    first = month.replace(day=1)
    if first < unit.local_today().replace(day=1):
        raise ValidationError({"month": _("Bulan yang sudah lewat tidak dapat direncanakan.")})
    return first


def rota_plan_propose(*, actor, unit_id: int, month: dt.date | None, include_subunits: bool = False) -> RotaPlan:
    """A proposed month for a unit the actor may plan: every unit planned on its own rules, checked
    cell by cell with the approval's rule function before it is saved."""
    unit = rota_selectors.rota_unit_for(actor, unit_id)
    first = _month(month, unit)
    inputs = rota_selectors.plan_inputs(unit, first, include_subunits=include_subunits)
    assignment: rota_rules.Assignment = {}
    for ui in inputs:
        proposed = rota_rules.plan(ui.inp)
        # The planner checks each cell as it adds it; this is the whole-plan check a reader can trust.
        if rota_rules.violations(ui.inp, proposed):
            raise RuntimeError("the rota planner proposed a cell the rules refuse")
        assignment.update(proposed)
    fair = rota_selectors.combined_fairness(inputs, assignment)
    with transaction.atomic():
        plan = RotaPlan.objects.create(unit=unit, month=first, include_subunits=include_subunits,
                                       cells=rota_selectors.cells_json(assignment), fairness=fair.as_dict(),
                                       created_by=actor)
        audit_record(actor=actor, verb=Verb.ROTA_PLAN_PROPOSED, obj=plan, unit=unit,
                     after={"month": first.isoformat(), "include_subunits": include_subunits,
                            "flexible_days": sum(len(c) for c in assignment.values()), "spread": fair.spread})
    return plan


def _draft(actor, plan_id: int) -> RotaPlan:
    plan = rota_selectors.plan_for(actor, plan_id)
    if plan.status != RotaStatus.DRAFT:
        raise ValidationError({"status": _("Rota ini sudah diterbitkan dan tidak dapat diubah.")})
    return plan


def _violation_message(ui_by_person: dict, v: rota_rules.Violation) -> str:
    employee = ui_by_person[v.person_id].employees[v.person_id] if v.person_id in ui_by_person else None
    why = "; ".join(_rule_message(x) for x in v.verdicts)
    return _("%(name)s, %(date)s: %(why)s") % {"name": employee.name if employee else v.person_id,
                                                "date": short_date(v.date), "why": why}


def _rule_message(verdict: rules.Verdict) -> str:
    if verdict.rule == "impossible_weekday":
        return _("hari %(day)s dinyatakan tidak memungkinkan oleh pegawai") % {
            "day": _(rules.WEEKDAY_NAMES[verdict.params["weekday"]])}
    if verdict.rule == "not_in_plan":
        return _("sel ini tidak dapat direncanakan (bukan hari rencana atau sudah ada pengajuan)")
    return verdict.message


def rota_plan_adjust(*, actor, plan_id: int, changes: dict[tuple[int, dt.date], str]) -> RotaPlan:
    """Change cells of a draft (office / WFH / WFA). The whole plan is checked with the approval's
    rule function; any cell the rules refuse refuses the change, and nothing is written."""
    plan = _draft(actor, plan_id)
    if len(changes) > MAX_CHANGES:
        raise ValidationError({"cells": _("Terlalu banyak sel sekaligus.")})
    bad = sorted({v for v in changes.values() if v not in rota_rules.CELL_VALUES})
    if bad:
        raise ValidationError({"cells": _("Isi sel harus kantor, WFH atau WFA.")})
    inputs = rota_selectors.plan_inputs(plan.unit, plan.month, include_subunits=plan.include_subunits)
    ui_by_person = {p.id: ui for ui in inputs for p in ui.inp.people}
    assignment = rota_selectors.assignment_of(plan)
    changed = {}
    for (pid, d), value in changes.items():
        if pid not in ui_by_person:
            raise ValidationError({"cells": _("Pegawai tidak termasuk rota ini.")})
        before = assignment.get(pid, {}).get(d, rota_rules.OFFICE)
        if before == value:
            continue
        cells = assignment.setdefault(pid, {})
        if value == rota_rules.OFFICE:
            cells.pop(d, None)
        else:
            cells[d] = value
        changed[f"{pid}:{d.isoformat()}"] = [before, value]
    _check(inputs, ui_by_person, assignment)
    if not changed:
        return plan
    fair = rota_selectors.combined_fairness(inputs, assignment)
    with transaction.atomic():
        if not RotaPlan.objects.filter(pk=plan.pk, status=RotaStatus.DRAFT).update(
                cells=rota_selectors.cells_json(assignment), fairness=fair.as_dict()):
            raise ValidationError({"status": _("Rota ini sudah diterbitkan dan tidak dapat diubah.")})
        audit_record(actor=actor, verb=Verb.ROTA_PLAN_ADJUSTED, obj=plan, unit=plan.unit,
                     after={"month": plan.month.isoformat(), "cells": changed, "spread": fair.spread})
    plan.refresh_from_db()
    return plan


def _check(inputs, ui_by_person, assignment: rota_rules.Assignment) -> None:
    problems = []
    for ui in inputs:
        mine = {pid: cells for pid, cells in assignment.items() if ui_by_person.get(pid) is ui}
        problems += rota_rules.violations(ui.inp, mine)
    if problems:
        raise ValidationError({"cells": [_violation_message(ui_by_person, v) for v in problems[:20]]})


# --- Publishing ----------------------------------------------------------------------------------


@dataclass
class PublishOutcome:
    granted: dict[int, list[dt.date]] = field(default_factory=lambda: defaultdict(list))
    refused: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"granted": {str(pk): [d.isoformat() for d in sorted(days)] for pk, days in self.granted.items()},
                "refused": self.refused}


def rota_plan_publish(*, actor, plan_id: int) -> RotaPlan:
    """Publish a draft once: each flexible day submitted and approved through the approval's lock,
    the refused ones reported, one message per person, one audit event for the plan.

    Each person's days commit on their own (a month of approvals in one transaction would hold the
    unit-day locks of the whole month), so a publish that stopped part-way (a crash, a killed
    worker) leaves the plan "publishing"; publishing it again after :data:`PUBLISH_STALE` carries on
    from the days its requests already hold, and only then tells people and marks it published."""
    plan = rota_selectors.plan_for(actor, plan_id)
    _claim_for_publishing(plan, actor)
    outcome = PublishOutcome()
    assignment = rota_selectors.assignment_of(plan)
    done = _days_already_published(plan)
    for pid, days in done.items():
        outcome.granted[pid] += days
    people = Employee.objects.filter(pk__in=list(assignment)).select_related("unit", "user").in_bulk()
    titles = selectors.represented_approvers(actor)
    for pid in sorted(assignment):
        employee = people.get(pid)
        if employee is None or not employee.is_active:
            outcome.refused += [_refusal(pid, d, _("Pegawai tidak aktif.")) for d in sorted(assignment[pid])]
            continue
        if employee.user_id == actor.pk:  # nobody decides their own days (docs/decisions.md)
            outcome.refused += [_refusal(pid, d, _("Hari Anda sendiri diputus oleh atasan Anda."))
                                for d in sorted(assignment[pid])]
            continue
        for kind in rota_rules.FLEXIBLE:
            dates = sorted(d for d, k in assignment[pid].items() if k == kind and d not in done.get(pid, ()))
            if dates:
                _publish_days(plan, actor, employee, kind, dates, outcome, titles.get(employee.supervisor_id, ""))
    with transaction.atomic():
        RotaPlan.objects.filter(pk=plan.pk).update(status=RotaStatus.PUBLISHED, outcome=outcome.as_dict())
        audit_record(actor=actor, verb=Verb.ROTA_PLAN_PUBLISHED, obj=plan, unit=plan.unit,
                     before={"status": RotaStatus.DRAFT},
                     after={"status": RotaStatus.PUBLISHED, "month": plan.month.isoformat(),
                            "granted": sum(len(v) for v in outcome.granted.values()),
                            "refused": len(outcome.refused)})
        for pid in sorted(assignment):
            if pid in people and people[pid].user_id:
                _tell(plan, people[pid], outcome)
    plan.refresh_from_db()
    return plan


def _claim_for_publishing(plan: RotaPlan, actor) -> None:
    """Mark the plan "publishing" (a draft, or a publish that stopped more than PUBLISH_STALE ago):
    one conditional UPDATE, so two clicks never publish twice at once."""
    now = timezone.now()
    claimable = Q(status=RotaStatus.DRAFT) | Q(status=RotaStatus.PUBLISHING, published_at__lt=now - PUBLISH_STALE)
    if RotaPlan.objects.filter(claimable, pk=plan.pk).update(status=RotaStatus.PUBLISHING, published_by=actor,
                                                           published_at=now):
        return
    if RotaPlan.objects.filter(pk=plan.pk, status=RotaStatus.PUBLISHING).exists():
        raise ValidationError({"status": _("Rota ini sedang diterbitkan. Bila penerbitan terhenti, coba lagi "
                                           "beberapa menit kemudian untuk melanjutkannya.")})
    raise ValidationError({"status": _("Rota ini sudah diterbitkan.")})


def _days_already_published(plan: RotaPlan) -> dict[int, list[dt.date]]:
    """The days an earlier, interrupted publish of this plan already approved, per person."""
    done: dict[int, list[dt.date]] = defaultdict(list)
    for pid, day in RequestDay.objects.filter(request__rota_plan=plan, status=Status.APPROVED).values_list(
            "employee_id", "date"):
        done[pid].append(day)
    return done


def _refusal(pid: int, d: dt.date, why: str, verdicts=()) -> dict:
    return {"employee": pid, "date": d.isoformat(), "reason": why, "verdicts": [v.as_dict() for v in verdicts]}


def _stops(verdicts: list[rules.Verdict]) -> list[rules.Verdict]:
    """What refuses a rota day: a block, or a warning (a rota carries no justification)."""
    return [v for v in verdicts if v.severity in (rules.BLOCK, rules.WARN)]


def _publish_days(plan: RotaPlan, actor, employee: Employee, kind: str, dates: list[dt.date],
                  outcome: PublishOutcome, acting_for: str) -> None:
    """Submit-check the days together, then create and approve each under the approval's lock (a
    savepoint each: a refused day leaves nothing behind)."""
    previews = selectors.preview_days(employee, kind, dates)
    passing = []
    for p in previews:
        stops = _stops(p.verdicts)
        if stops:
            outcome.refused.append(_refusal(employee.pk, p.date, "; ".join(v.message for v in stops), stops))
        else:
            passing.append(p)
    if not passing:
        return
    reason = _("Rota %(month)s") % {"month": plan.month.strftime("%Y-%m")}
    with transaction.atomic():
        request = WorkRequest.objects.create(employee=employee, kind=kind, created_by=actor, reason=reason,
                                             rota_plan=plan, location=_("Sesuai rota unit") if kind == "WFA" else "")
        granted = [p.date for p in passing if _grant_one(request, actor, employee, kind, p, outcome, acting_for)]
        if not granted:
            request.delete()
            return
        audit_record(actor=actor, verb=Verb.REQUEST_SUBMITTED, obj=request, unit=employee.unit,
                     after={"kind": kind, "dates": [d.isoformat() for d in granted], "rota_plan": plan.pk})
        outcome.granted[employee.pk] += granted


def _grant_one(request: WorkRequest, actor, employee: Employee, kind: str, preview, outcome: PublishOutcome,
               acting_for: str) -> bool:
    try:
        with transaction.atomic():
            day = RequestDay.objects.create(request=request, employee=employee, unit=employee.unit, kind=kind,
                                            date=preview.date, verdicts=[v.as_dict() for v in preview.verdicts])
            touch_unit_days([(employee.unit_id, preview.date)])
            decision = _approve(day.pk, actor=actor, acting_for=acting_for, reason="", tell=False)
            if decision.day.status != Status.APPROVED:
                raise DecisionBlocked([], _("Tidak dapat disetujui."))
    except DecisionBlocked as exc:
        outcome.refused.append(_refusal(employee.pk, preview.date, str(exc), exc.verdicts))
        return False
    except IntegrityError:
        outcome.refused.append(_refusal(employee.pk, preview.date,
                                        _("Sudah ada pengajuan aktif pada tanggal ini.")))
        return False
    return True


def _tell(plan: RotaPlan, employee: Employee, outcome: PublishOutcome) -> None:
    """One message per person per published plan: the days granted, and the days refused."""
    granted = sorted(outcome.granted.get(employee.pk, []))
    refused = [r["date"] for r in outcome.refused if r["employee"] == employee.pk]
    params = {"month": plan.month.isoformat(), "granted": [d.isoformat() for d in granted], "refused": refused}

    def subject(p):
        return _("Rota %(month)s diterbitkan") % {"month": plan.month.strftime("%m/%Y")}

    def body(p):
        text = ngettext("Hari kerja fleksibel Anda yang disetujui: %(days)s.",
                        "Hari kerja fleksibel Anda yang disetujui: %(days)s.", len(p["granted"])) % {
            "days": ", ".join(long_date(dt.date.fromisoformat(d)) for d in p["granted"]) or _("tidak ada")}
        if p["refused"]:
            text += " " + _("Tidak dapat disetujui karena aturan unit: %(days)s.") % {
                "days": ", ".join(long_date(dt.date.fromisoformat(d)) for d in p["refused"])}
        return text

    notify(recipient=employee.user, key=f"rota:{plan.pk}:{employee.pk}", kind="rota.published", subject=subject,
           body=body, params=params, link="/rencana/")
