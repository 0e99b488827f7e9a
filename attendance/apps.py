from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttendanceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "attendance"
    verbose_name = _("Presensi dan kehadiran")

    def ready(self):
        from attendance import tasks
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
        nav.register(
            nav.entry(nav.ME, 10, _("Presensi"), "attendance-checkin", ROLE_EMPLOYEE,
                      description=_("Catat jam datang dan pulang, di kantor atau dari rumah.")),
            nav.entry(nav.ME, 40, _("Riwayat presensi"), "attendance-history", ROLE_EMPLOYEE),
            nav.entry(nav.ME, 45, _("Izin terlambat / pulang cepat"), "attendance-permissions", ROLE_EMPLOYEE),
            nav.entry(nav.TEAM, 25, _("Jadwal dinas"), "attendance-roster", *leads,
                      description=_("Shift dan hari libur pegawai, sebulan sekaligus.")),
            nav.entry(nav.TEAM, 35, _("Persetujuan izin"), "attendance-permissions-inbox", ROLE_SUPERVISOR,
                      ROLE_SUPERUSER),
            nav.entry(nav.TEAM, 30, _("Persetujuan perbaikan presensi"), "attendance-corrections-inbox",
                      ROLE_SUPERVISOR, ROLE_SUPERUSER),
            nav.entry(nav.TEAM, 40, _("Kehadiran unit"), "staffing-dashboard", *leads,
                      description=_("Tingkat kehadiran per hari, prakiraan dan peringatan dini.")),
            nav.entry(nav.REPORTS, 10, _("Laporan presensi"), "attendance-reports", *leads,
                      description=_("Rekap bulanan, TL/PSW, TK kumulatif; unduh CSV, XLSX, PDF.")),
            nav.entry(nav.HR, 30, _("Koreksi presensi (HR)"), "attendance-correction-hr", ROLE_HR_ADMIN,
                      ROLE_SUPERUSER),
            nav.entry(nav.HR, 32, _("Aturan presensi & shift"), "attendance-rules", ROLE_HR_ADMIN, ROLE_SUPERUSER,
                      description=_("Lama minimal di kantor, potongan TL/PSW/TK dan dasar hukumnya, definisi shift.")),
            nav.entry(nav.HR, 34, _("Tutup buku presensi"), "attendance-closing", ROLE_HR_ADMIN, ROLE_SUPERUSER,
                      description=_("Tutup bulan yang sudah diperiksa agar rekapnya tidak berubah lagi.")),
        )
