"""The messages scheduling sends. Each is written in the recipient's language, once per key."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.formatting import long_date, short_date
from portal.models import Employee
from portal.services.notify import notify
from scheduling import selectors
from scheduling.models import Kind, RequestDay


def _kind_label(code: str) -> str:
    return str(Kind(code).label) if code in Kind.values else code


def _when(day) -> str:
    return long_date(day)


def _words(p: dict) -> dict:
    """The params as a subject line writes them: the kind's label and the date in words (the params keep
    the code and the ISO date)."""
    return {**p, "kind": _kind_label(p["kind"]), "date": short_date(p["date"])}


def day_decided(day: RequestDay, verb: str):
    """Approved / rejected / auto-approved: tell the employee."""
    params = {"kind": day.kind, "date": day.date.isoformat(), "reason": day.decision_reason,
              "acting_for": day.acting_for}

    def subject(p):
        label = _("disetujui") if verb == "approved" else _("ditolak")
        return _("Pengajuan %(kind)s %(date)s %(label)s") % {
            "kind": _kind_label(p["kind"]), "date": short_date(p["date"]), "label": label}

    def body(p):
        text = (_("Pengajuan %(kind)s Anda untuk %(when)s telah disetujui.") if verb == "approved"
                else _("Pengajuan %(kind)s Anda untuk %(when)s ditolak."))
        text %= {"kind": _kind_label(p["kind"]), "when": _when(day.date)}
        if p["reason"]:
            text += " " + _("Alasan: %(r)s") % {"r": p["reason"]}
        if p["acting_for"]:
            text += " (" + p["acting_for"] + ")"
        return text

    return notify(recipient=day.employee.user, key=f"day:{day.pk}:{verb}", kind=f"request.{verb}", subject=subject,
           body=body, params=params, link="/rencana/pengajuan/")


def day_cancelled(day: RequestDay):
    """An approved day was cancelled: tell whoever approves the employee's requests."""
    approver = selectors.approver_for(day)
    if approver is None:
        return None
    params = {"employee": day.employee.name, "kind": day.kind, "date": day.date.isoformat()}
    return notify(recipient=approver.user, key=f"day:{day.pk}:cancelled", kind="request.cancelled",
           subject=lambda p: _("%(employee)s membatalkan %(kind)s %(date)s") % _words(p),
           body=lambda p: _("%(employee)s membatalkan %(kind)s yang sudah disetujui untuk %(when)s; slot "
                            "kembali tersedia.") % {**p, "kind": _kind_label(p["kind"]), "when": _when(day.date)},
           params=params, link="/tim/")


def day_expired(day: RequestDay):
    params = {"kind": day.kind, "date": day.date.isoformat()}
    return notify(recipient=day.employee.user, key=f"day:{day.pk}:expired", kind="request.expired",
           subject=lambda p: _("Pengajuan %(kind)s %(date)s kedaluwarsa") % _words(p),
           body=lambda p: _("Pengajuan %(kind)s untuk %(when)s tidak diputus sampai tanggalnya lewat dan kini "
                            "kedaluwarsa.") % {"kind": _kind_label(p["kind"]), "when": _when(day.date)},
           params=params, link="/rencana/pengajuan/")


def pending_digest(approver: Employee, count: int, first_date, local_date):
    params = {"count": count, "first": first_date.isoformat(), "local_date": local_date.isoformat()}
    return notify(recipient=approver.user, key=f"digest:{approver.pk}:{local_date.isoformat()}", kind="digest.pending",
           subject=lambda p: ngettext("%(count)d pengajuan menunggu persetujuan Anda",
                                      "%(count)d pengajuan menunggu persetujuan Anda", p["count"]) % p,
           body=lambda p: ngettext(
               "Ada %(count)d hari pengajuan yang menunggu keputusan Anda, yang paling dekat tanggal %(first)s. "
               "Buka kotak persetujuan untuk memutuskan.",
               "Ada %(count)d hari pengajuan yang menunggu keputusan Anda, yang paling dekat tanggal %(first)s. "
               "Buka kotak persetujuan untuk memutuskan.", p["count"]) % {**p, "first": long_date(p["first"])},
           params=params, link="/persetujuan/")


def upcoming_flexible_day(day: RequestDay):
    params = {"kind": day.kind, "date": day.date.isoformat()}
    return notify(recipient=day.employee.user, key=f"day:{day.pk}:reminder", kind="reminder.flexible",
           # Not "besok": on Friday the next working day is Monday, before a holiday later still.
           subject=lambda p: _("Pengingat: %(kind)s pada %(when)s") % {
               "kind": _kind_label(p["kind"]), "when": _when(day.date)},
           body=lambda p: _("Pada hari kerja berikutnya, %(when)s, Anda %(kind)s. Tetap lakukan presensi masuk "
                            "dan pulang, dan datang ke kantor bila atasan memanggil.") % {
                                "kind": _kind_label(p["kind"]), "when": _when(day.date)},
           params=params, link="/rencana/")


def escalation(day: RequestDay, recipient_user, role: str):
    params = {"employee": day.employee.name, "kind": day.kind, "date": day.date.isoformat(), "role": role}
    return notify(recipient=recipient_user, key=f"day:{day.pk}:escalated:{recipient_user.pk}", kind="request.escalated",
           subject=lambda p: _("Belum diputus: %(kind)s %(employee)s tanggal %(date)s") % _words(p),
           body=lambda p: _("Pengajuan %(kind)s %(employee)s untuk %(when)s belum diputus oleh atasan "
                            "langsungnya, padahal tanggalnya hari kerja berikutnya.") % {
                                **p, "kind": _kind_label(p["kind"]), "when": _when(day.date)},
           params=params, link="/persetujuan/")


def day_endorsed(day: RequestDay):
    """The atasan langsung agreed to a leave day the official decides: tell the official (once per
    day; the digest repeats it) — the employee sees the step on their plan."""
    if day.official_id is None:
        return None
    params = {"employee": day.employee.name, "kind": day.kind, "date": day.date.isoformat()}
    return notify(recipient=day.official.user, key=f"day:{day.pk}:endorsed", kind="request.endorsed",
           subject=lambda p: _("Menunggu keputusan Anda: %(kind)s %(employee)s %(date)s") % _words(p),
           body=lambda p: _("Atasan langsung %(employee)s telah menyetujui %(kind)s untuk %(when)s; sebagai "
                            "pejabat yang berwenang memberikan cuti, Anda yang memutuskan.") % {
                                **p, "kind": _kind_label(p["kind"]), "when": _when(day.date)},
           params=params, link="/persetujuan/")
