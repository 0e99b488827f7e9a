"""PP 94/2021 warnings: when a person's TK in a calendar year reaches a threshold, or ten working
days of TK in a row, their supervisor and the HR admins over them get one notification (outbox),
once per threshold per year (:class:`~attendance.models.TkNotice` is the memory of "once").

Run after the nightly recompute and after a month is closed; cheap when nothing crossed: one
grouped count of TK per person in the year.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from attendance import rules
from attendance.models import DayStatus, TkNotice, TkNoticeKind
from attendance.models.audit import Verb
from attendance.selectors.reports import RUN_LOOKBACK, tk_runs
from portal.formatting import working_days
from portal.models import Employee, HRAdminScope, User
from portal.services.audit import audit_record
from portal.services.notify import notify


def tk_counts(year: int, min_days: int = 1) -> dict[int, int]:
    """TK days per employee in the calendar year (never a custom range: PP 94 counts per year)."""
    rows = (DayStatus.objects.filter(date__year=year, code=rules.TK).values("employee_id").order_by()
            .annotate(n=Count("pk")).filter(n__gte=min_days))
    return {r["employee_id"]: r["n"] for r in rows}


def _recipients(employee: Employee) -> list[User]:
    users = {}
    if employee.supervisor_id and employee.supervisor.user_id:
        users[employee.supervisor.user_id] = employee.supervisor.user
    ancestors = employee.unit.ancestor_ids
    for scope in HRAdminScope.objects.filter(unit_id__in=ancestors).select_related("user"):
        users[scope.user_id] = scope.user
    users.pop(employee.user_id, None)
    return [u for u in users.values() if u.is_active]


def _subject(p: dict) -> str:
    if p["kind"] == TkNoticeKind.CONSECUTIVE:
        return ngettext("%(name)s: %(days)d hari kerja berturut-turut tanpa keterangan",
                        "%(name)s: %(days)d hari kerja berturut-turut tanpa keterangan", p["days"]) % p
    return ngettext("%(name)s mencapai %(days)d hari TK tahun %(year)d",
                    "%(name)s mencapai %(days)d hari TK tahun %(year)d", p["days"]) % p


def _notify(employee: Employee, notice: TkNotice, sanction: str) -> int:
    params = {"name": employee.name, "nip": employee.nip_display, "days": notice.days, "year": notice.year,
              "sanction": sanction, "kind": notice.kind, "threshold": notice.threshold}
    sent = 0
    for user in _recipients(employee):
        sent += notify(
            recipient=user, key=f"tk:{notice.pk}:{user.pk}", kind="attendance.tk_threshold",
            subject=_subject,
            body=lambda p: _("%(name)s (NIP %(nip)s) tidak masuk kerja tanpa alasan yang sah %(days)s "
                             "(tahun %(year)d). Menurut PP 94/2021 Pasal 11 ayat (2), jumlah ini termasuk dalam "
                             "ancaman hukuman disiplin: %(sanction)s. Periksa rekap presensi dan tindak lanjuti "
                             "sesuai ketentuan.") % {**p, "days": working_days(p["days"])},
            params=params, link="/laporan/") is not None
    return sent


def _record(employee: Employee, year: int, kind: str, threshold: int, days: int, sanction: str) -> bool:
    try:
        with transaction.atomic():
            notice = TkNotice.objects.create(employee=employee, year=year, kind=kind, threshold=threshold, days=days)
            audit_record(actor=None, verb=Verb.TK_THRESHOLD_NOTIFIED, obj=employee, unit=employee.unit,
                         after={"year": year, "kind": kind, "threshold": threshold, "days": days,
                                "sanction": sanction})
            _notify(employee, notice, sanction)
    except IntegrityError:
        return False  # already told (a concurrent run got there first)
    return True


def check_tk_thresholds(year: int | None = None, today: dt.date | None = None) -> int:
    """Record and send every threshold crossed and not yet told, for ``year`` (default: this
    year). Returns the number of new notices."""
    today = today or timezone.localdate()
    year = year or today.year
    counts = tk_counts(year, min_days=rules.TK_THRESHOLDS[0][0])
    told = set(TkNotice.objects.filter(year=year).values_list("employee_id", "kind", "threshold"))
    new = 0
    people = {e.pk: e for e in Employee.objects.filter(pk__in=list(counts)).select_related("unit", "user",
                                                                                            "supervisor__user")}
    for employee_id, days in counts.items():
        for threshold in rules.tk_thresholds_reached(days):
            if (employee_id, TkNoticeKind.CUMULATIVE, threshold) not in told:
                new += _record(people[employee_id], year, TkNoticeKind.CUMULATIVE, threshold, days,
                               rules.tk_sanction(threshold))
    new += _check_runs(year, today, told)
    return new


def _check_runs(year: int, today: dt.date, told: set) -> int:
    """Ten TK working days in a row ending in ``year`` (the run may start in December before)."""
    start, end = dt.date(year, 1, 1) - RUN_LOOKBACK, min(dt.date(year, 12, 31), today)
    candidates = (DayStatus.objects.filter(date__range=(start, end), code=rules.TK).values("employee_id")
                  .order_by().annotate(n=Count("pk")).filter(n__gte=rules.TK_CONSECUTIVE_DAYS)
                  .values_list("employee_id", flat=True))
    ids = [pk for pk in candidates if (pk, TkNoticeKind.CONSECUTIVE, rules.TK_CONSECUTIVE_DAYS) not in told]
    if not ids:
        return 0
    new = 0
    people = {e.pk: e for e in Employee.objects.filter(pk__in=ids).select_related("unit", "user", "supervisor__user")}
    for employee_id, run in tk_runs(ids, start, end).items():
        if run.length >= rules.TK_CONSECUTIVE_DAYS and run.last and run.last.year == year:
            new += _record(people[employee_id], year, TkNoticeKind.CONSECUTIVE, rules.TK_CONSECUTIVE_DAYS,
                           run.length, rules.TK_CONSECUTIVE_SANCTION)
    return new

