"""The attendance pages: check in and out, own history, corrections (employee, supervisor, HR).

Every write is a service call (``attendance.services``); the pages only parse, call, render.
Times are shown in the unit's time zone with its abbreviation (WIB/WITA/WIT).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from attendance.forms import CorrectionForm, DecisionForm, HRCorrectionForm, PunchForm
from attendance.models import MODE_BY_KIND, Correction, CorrectionStatus, DayStatus, Punch, Source, WorkMode
from attendance.rules import BELUM, CUTI_BERSAMA, HADIR, LIBUR, OFF_SCHEDULE, PSW, REVIEW, TK, TL, TL_PSW
from attendance.selectors import presence
from attendance.selectors.schedule import planned_day
from attendance.services import corrections as correction_services
from attendance.services import day_status
from attendance.services import presence as presence_services
from portal import uploads
from portal.formatting import distance_text, short_date
from portal.forms import month_nav, parse_month
from portal.models import Employee, Unit
from portal.selectors import (
    ROLE_SUPERVISOR,
    current_employee,
    employees_visible_to,
    roles_of,
    units_visible_to,
    workcalendar,
)
from scheduling import selectors as scheduling
from scheduling.models import ABSENCE_KINDS, Kind

CODE_LABELS = {
    HADIR: gettext_lazy("Hadir"), TL: gettext_lazy("Terlambat"), PSW: gettext_lazy("Pulang sebelum waktunya"),
    TL_PSW: gettext_lazy("Terlambat dan pulang sebelum waktunya"), TK: gettext_lazy("Tanpa keterangan (TK)"),
    LIBUR: gettext_lazy("Libur"), CUTI_BERSAMA: gettext_lazy("Cuti bersama"), BELUM: gettext_lazy("Belum presensi"),
    OFF_SCHEDULE: gettext_lazy("Presensi di luar jadwal"), REVIEW: gettext_lazy("Perlu ditinjau"),
    **{k.value: k.label for k in Kind if k in ABSENCE_KINDS},
}
CODE_TONES = {HADIR: "ok", TL: "warn", PSW: "warn", TL_PSW: "warn", TK: "bad", BELUM: "muted", OFF_SCHEDULE: "info",
              REVIEW: "warn"}
RECENT_CORRECTIONS = 50


# --- Helpers ------------------------------------------------------------------------------


def local_time(moment: dt.datetime | None, unit: Unit) -> str:
    return timezone.localtime(moment, unit.tzinfo).strftime("%H:%M") if moment else ""


def code_label(code: str) -> str:
    return str(CODE_LABELS.get(code, code))


def _service_error(exc: ValidationError | PermissionDenied) -> str:
    return " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


# --- Check in / out -----------------------------------------------------------------------


@dataclass
class Today:
    """What the check-in page shows about today, in the unit's local time."""

    employee: Employee
    now: dt.datetime
    punch: Punch | None
    plan_kind: str | None
    working: bool
    hours: object | None
    holiday: workcalendar.Holiday | None
    status: DayStatus | None = None  # never older than the punch (day_status.day_status_fresh)

    @property
    def unit(self) -> Unit:
        return self.employee.unit

    @property
    def status_label(self) -> str:
        return code_label(self.status.code) if self.status else ""

    @property
    def status_tone(self) -> str:
        return CODE_TONES.get(self.status.code, "info") if self.status else "muted"

    @property
    def date(self) -> dt.date:
        return self.now.date()

    @property
    def tz(self) -> str:
        return self.unit.tz_abbreviation

    @property
    def work_mode(self) -> str:
        if self.punch is not None:
            return self.punch.work_mode
        return MODE_BY_KIND.get(self.plan_kind, WorkMode.WFO)

    @property
    def work_mode_label(self) -> str:
        return WorkMode(self.work_mode).label

    @property
    def absence_label(self) -> str:
        return Kind(self.plan_kind).label if self.plan_kind in ABSENCE_KINDS else ""

    @property
    def check_in(self) -> str:
        return local_time(self.punch.check_in_at if self.punch else None, self.unit)

    @property
    def check_out(self) -> str:
        return local_time(self.punch.check_out_at if self.punch else None, self.unit)

    @property
    def next_action(self) -> str:
        """What the big button does: "in" first; then "out", "out_again" moves the check-out later."""
        if not self.check_in and not self.check_out:
            return "in"
        return "out_again" if self.check_out else "out"

    @property
    def flag_message(self) -> str:
        """Why the day is flagged; only WFO days are ever flagged by the service."""
        p = self.punch
        if p is None or not p.flagged or p.work_mode != WorkMode.WFO:
            return ""
        distance = max((d for d in (p.in_distance_m, p.out_distance_m) if d is not None), default=None)
        if distance is None:
            return _("Lokasi tidak diketahui pada hari WFO: presensi tetap dicatat dan ditandai untuk diperiksa.")
        return _("Lokasi presensi sekitar %(distance)s dari kantor, di luar radius kantor pada hari WFO: presensi "
                 "tetap dicatat dan ditandai untuk diperiksa.") % {"distance": distance_text(distance)}

    @property
    def clock(self) -> str:
        return self.now.strftime("%H:%M:%S")

    @property
    def server_epoch_ms(self) -> int:
        return int(self.now.timestamp() * 1000)

    @property
    def utc_offset_minutes(self) -> int:
        return int(self.now.utcoffset().total_seconds() // 60)


def today_for(me: Employee) -> Today:
    now = timezone.localtime(timezone.now(), me.unit.tzinfo)
    day = now.date()
    kind = scheduling.approved_plan_for([me.pk], day, day).get((me.pk, day))
    planned = planned_day(me, day)  # the roster's shift, else the unit's pattern
    punch = Punch.objects.filter(employee=me, date=day).first()
    return Today(employee=me, now=now, punch=punch, plan_kind=kind, working=planned.hours is not None,
                 hours=planned.hours, holiday=planned.holiday, status=day_status.day_status_fresh(me, day, punch))


@login_required
@require_GET
def checkin(request):
    me = current_employee(request.user)
    return render(request, "attendance/presence/checkin.html", {"today": today_for(me)})


def _wants_fragment(request) -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


def _punch(request, service, verb: str):
    """Run one check-in/out; answer the panel fragment to fetch() or redirect a plain form post."""
    me = current_employee(request.user)
    form = PunchForm(request.POST)
    level, message, status = messages.ERROR, _("Data lokasi tidak valid."), 400
    if form.is_valid():
        try:
            punch, changed = service(actor=request.user, source=Source.WEB, **form.location())
        except (ValidationError, PermissionDenied) as exc:
            message = _service_error(exc)
        else:
            level, status = (messages.SUCCESS if changed else messages.WARNING), 200
            message = _punch_message(punch, changed, verb, me.unit)
    if not _wants_fragment(request):
        messages.add_message(request, level, message)
        return redirect("attendance-checkin")
    notice = {"level": messages.DEFAULT_TAGS[level], "text": message}
    return render(request, "attendance/presence/partials/panel.html",
                  {"today": today_for(me), "notice": notice}, status=status)


def _punch_message(punch: Punch, changed: bool, verb: str, unit: Unit) -> str:
    values = {"time": local_time(punch.check_in_at if verb == "in" else punch.check_out_at, unit),
              "tz": unit.tz_abbreviation}
    if verb == "in" and not changed:
        return _("Anda sudah presensi masuk pukul %(time)s %(tz)s.") % values
    if verb == "in":
        return _("Presensi masuk tercatat pukul %(time)s %(tz)s.") % values
    return _("Presensi pulang tercatat pukul %(time)s %(tz)s.") % values


@login_required
@require_POST
def checkin_post(request):
    return _punch(request, presence_services.punch_check_in, "in")


@login_required
@require_POST
def checkout_post(request):
    return _punch(request, presence_services.punch_check_out, "out")


# --- History ------------------------------------------------------------------------------


@dataclass
class HistoryRow:
    """A day of :func:`attendance.selectors.presence.own_history` as the page shows it."""

    unit: Unit
    today: dt.date
    date: dt.date
    status: DayStatus | None
    punch: Punch | None
    corrections: list[Correction] = field(default_factory=list)

    @property
    def punch_in(self) -> str:
        return local_time(self.punch.check_in_at, self.unit) if self.punch else ""

    @property
    def punch_out(self) -> str:
        return local_time(self.punch.check_out_at, self.unit) if self.punch else ""

    @property
    def correction_rows(self) -> list[tuple[Correction, str, str]]:
        return [(c, local_time(c.check_in_at, self.unit), local_time(c.check_out_at, self.unit))
                for c in self.corrections]

    @property
    def can_correct(self) -> bool:
        """Offer a correction on a day with a punch problem and no pending correction yet."""
        pending = any(c.status == CorrectionStatus.PENDING for c in self.corrections)
        recent = (self.today - self.date).days <= correction_services.MAX_AGE_DAYS
        problem = self.status is not None and (self.status.code in (TL, PSW, TL_PSW, TK, REVIEW)
                                               or self.status.implausible)
        return problem and recent and not pending

    @property
    def label(self) -> str:
        return code_label(self.status.code) if self.status else _("Tanpa status")

    @property
    def tone(self) -> str:
        return CODE_TONES.get(self.status.code, "info") if self.status else "muted"

    @property
    def work_mode_label(self) -> str:
        mode = self.status.work_mode if self.status else ""
        return WorkMode(mode).label if mode in WorkMode.values else ""


@login_required
@require_GET
def history(request):
    me = current_employee(request.user)
    unit = me.unit
    today = unit.local_today()
    nav = month_nav(parse_month(request.GET.get("bulan"), today))
    first, last = nav["month"], nav["month_end"]
    if first <= today:  # cheap for one person: fills in statuses nobody has computed yet
        day_status.compute_day_statuses([me], first, min(last, today))
    rows = [HistoryRow(unit, today, d.date, d.status, d.punch, d.corrections)
            for d in presence.own_history(request.user, first, last)]
    return render(request, "attendance/presence/history.html", {
        "employee": me, "unit": unit, "rows": rows, "summary": _summary(rows), "today": today, **nav,
    })


def _summary(rows: list[HistoryRow]) -> list[tuple[str, int]]:
    counts = defaultdict(int)
    for row in rows:
        if row.status is None:
            continue
        code = row.status.code
        counts["present"] += code in (HADIR, TL, PSW, TL_PSW)
        counts["tl"] += row.status.tl_level is not None
        counts["psw"] += row.status.psw_level is not None
        counts["tk"] += code == TK
    return [(_("Hadir"), counts["present"]), (_("Terlambat (TL)"), counts["tl"]),
            (_("Pulang cepat (PSW)"), counts["psw"]), (_("Tanpa keterangan"), counts["tk"])]


# --- Corrections: employee ----------------------------------------------------------------


def _initial_date(request) -> dict:
    try:
        return {"date": dt.date.fromisoformat(request.GET.get("tanggal", ""))}
    except ValueError:
        return {}


@login_required
def correction_new(request):
    me = current_employee(request.user)
    if request.method == "POST":
        form = CorrectionForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                correction_services.correction_submit(actor=request.user, evidence=form.cleaned_data["evidence"],
                                                      **form.service_kwargs())
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("Usul perbaikan presensi dikirim ke atasan Anda."))
                return redirect("attendance-correction-new")
    else:
        form = CorrectionForm(initial=_initial_date(request))
    own = presence.with_originals(Correction.objects.filter(employee=me)).order_by("-created_at")
    return render(request, "attendance/presence/correction_form.html", {
        "form": form, "employee": me, "items": _items(own[:RECENT_CORRECTIONS]), "tz": me.unit.tz_abbreviation})


@login_required
@require_POST
def correction_withdraw(request, pk: int):
    current_employee(request.user)
    try:
        correction_services.correction_withdraw(actor=request.user, correction_id=pk)
    except ValidationError as exc:
        messages.error(request, _service_error(exc))
    else:
        messages.success(request, _("Usul perbaikan ditarik."))
    return redirect("attendance-correction-new")


@dataclass
class CorrectionItem:
    """A correction beside the original punch it would supersede (the punch is never edited),
    from :func:`attendance.selectors.presence.with_originals`."""

    correction: Correction

    @property
    def unit(self) -> Unit:
        return self.correction.employee.unit

    @property
    def original(self) -> tuple[str, str]:
        c = self.correction
        return local_time(c.original_in, self.unit), local_time(c.original_out, self.unit)

    @property
    def proposed(self) -> tuple[str, str]:
        c = self.correction
        return local_time(c.check_in_at, self.unit), local_time(c.check_out_at, self.unit)


def _items(corrections) -> list[CorrectionItem]:
    return [CorrectionItem(c) for c in corrections]


@login_required
@require_GET
def correction_evidence(request, pk: int):
    """The evidence file, for its owner, whoever decides it, and HR over the employee."""
    correction = presence.correction_with_evidence(request.user, pk)
    file = correction.evidence.open("rb")
    mime = uploads.sniff_file(file) or "application/octet-stream"
    return FileResponse(file, as_attachment=True, filename=correction.evidence.name.rsplit("/", 1)[-1],
                        content_type=mime)


# --- Corrections: supervisor --------------------------------------------------------------


def _require_decider(user) -> None:
    if not (user.is_superuser or ROLE_SUPERVISOR in roles_of(user)):
        raise Http404


@login_required
@require_GET
def corrections_inbox(request):
    _require_decider(request.user)
    pending = presence.with_originals(presence.corrections_decidable_by(request.user)
                                      .filter(status=CorrectionStatus.PENDING)).order_by("date", "employee__name")
    acting = [title for title in scheduling.represented_approvers(request.user).values() if title]
    return render(request, "attendance/presence/corrections_inbox.html",
                  {"items": _items(pending), "acting": acting, "decision_form": DecisionForm()})


@login_required
@require_POST
def correction_decide(request, pk: int):
    _require_decider(request.user)
    correction = presence.correction_for_decision(request.user, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Pilih setujui atau tolak."))
    elif correction.status != CorrectionStatus.PENDING:
        messages.warning(request, _("Usul ini sudah diputus sebelumnya (%(status)s).") % {
            "status": correction.get_status_display()})
    else:
        _decide(request, correction, form.cleaned_data["action"] == "approve", form.cleaned_data["reason"])
    return redirect("attendance-corrections-inbox")


def _decide(request, correction: Correction, approve: bool, reason: str) -> None:
    try:
        decided = correction_services.correction_decide(actor=request.user, correction_id=correction.pk,
                                                        approve=approve, reason=reason)
    except ValidationError as exc:
        messages.error(request, _service_error(exc))
        return
    values = {"name": correction.employee.name, "date": short_date(decided.date)}
    if decided.status == CorrectionStatus.APPROVED:
        messages.success(request, _("Perbaikan presensi %(name)s tanggal %(date)s disetujui.") % values)
    else:
        messages.success(request, _("Perbaikan presensi %(name)s tanggal %(date)s ditolak.") % values)


# --- Corrections: HR ----------------------------------------------------------------------


@login_required
def correction_hr(request):
    if not units_visible_to(request.user).exists():
        raise Http404
    people = employees_visible_to(request.user).select_related("unit")
    form = HRCorrectionForm(request.POST or None, employees=people, initial={"nip": request.GET.get("nip", "")})
    if request.method == "POST" and form.is_valid():
        try:
            correction_services.correction_hr_apply(actor=request.user, employee_id=form.employee.pk,
                                                    **form.service_kwargs())
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Presensi %(name)s dikoreksi.") % {"name": form.employee.name})
            return redirect("attendance-correction-hr")
    recent = presence.with_originals(Correction.objects.filter(employee__in=people.values("pk")))
    return render(request, "attendance/presence/correction_hr.html",
                  {"form": form, "items": _items(recent.order_by("-created_at")[:RECENT_CORRECTIONS])})
