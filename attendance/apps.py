from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttendanceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "attendance"
    verbose_name = _("Presensi dan kehadiran")

    def ready(self):
        from attendance import tasks
        from attendance.selectors import home
        from portal import hooks
        from portal import navigation as nav
        from portal.selectors import ROLE_EMPLOYEE, ROLE_HR_ADMIN, ROLE_SUPERUSER, ROLE_SUPERVISOR
        from scheduling import hooks as scheduling_hooks

        # Portal and scheduling announce changes; attendance recomputes what is derived from them.
        hooks.calendar_changed.register(tasks.recompute_after_calendar_change)
        hooks.records_changed.register(tasks.recompute_after_records_change)
        scheduling_hooks.plan_changed.register(tasks.refresh_staffing_after_plan_change)
        hooks.people_changed.register(tasks.refresh_staffing_after_people_change)

        leads = (ROLE_SUPERVISOR, ROLE_HR_ADMIN, ROLE_SUPERUSER)
        deciders = (ROLE_SUPERVISOR, ROLE_SUPERUSER)
        hr = (ROLE_HR_ADMIN, ROLE_SUPERUSER)
        nav.register(
            nav.entry(nav.ME, 10, _("Presensi"), "attendance-checkin", ROLE_EMPLOYEE,
                      description=_("Catat jam datang dan pulang, di kantor atau dari rumah.")),
            nav.entry(nav.ME, 12, _("Riwayat presensi"), "attendance-history", ROLE_EMPLOYEE,
                      also=["attendance-correction-new"]),
            nav.entry(nav.ME, 14, _("Izin terlambat / pulang cepat"), "attendance-permissions", ROLE_EMPLOYEE),
            nav.entry(nav.TEAM, 12, _("Persetujuan perbaikan"), "attendance-corrections-inbox", *deciders),
            nav.entry(nav.TEAM, 14, _("Persetujuan izin"), "attendance-permissions-inbox", *deciders),
            nav.entry(nav.TEAM, 25, _("Jadwal dinas"), "attendance-roster", *leads,
                      description=_("Shift dan hari libur pegawai, sebulan sekaligus.")),
            nav.entry(nav.REPORTS, 10, _("Laporan presensi"), "attendance-reports", *leads,
                      description=_("Rekap bulanan, TL/PSW, TK kumulatif; unduh CSV, XLSX, PDF.")),
            nav.entry(nav.REPORTS, 20, _("Kehadiran unit"), "staffing-dashboard", *leads,
                      description=_("Tingkat kehadiran per hari, prakiraan dan peringatan dini.")),
            nav.entry(nav.HR, 30, _("Koreksi presensi"), "attendance-correction-hr", *hr),
            nav.entry(nav.HR, 35, _("Tutup buku presensi"), "attendance-closing", *hr,
                      description=_("Tutup bulan yang sudah diperiksa agar rekapnya tidak berubah lagi.")),
            nav.entry(nav.HR, 50, _("Aturan presensi & shift"), "attendance-rules", *hr, also=["attendance-shifts"],
                      description=_("Lama minimal di kantor, potongan TL/PSW/TK dan dasar hukumnya, definisi shift.")),
        )
        nav.register_panel(nav.TODAY, 10, "attendance-today", "attendance/home/today.html", home.today_panel,
                           ROLE_EMPLOYEE)
        nav.register_panel(nav.DECISIONS, 20, "attendance-decisions", "attendance/home/decisions.html",
                           home.decisions_panel, *deciders)
        nav.register_panel(nav.WATCH, 10, "attendance-watch", "attendance/home/watch.html", home.watch_panel, *hr)
        nav.register_panel(nav.WATCH, 20, "attendance-exports", "attendance/home/exports.html", home.exports_panel,
                           *leads)
