"""Attendance pages at the site root (included by portal/urls.py): check-in and history,
corrections, partial-day permissions, the roster, staffing, reports and their exports, and HR's
rules, shifts and month closing."""

from django.urls import path

from attendance.views import closing, permissions, presence, reports, roster, rules, staffing

urlpatterns = [
    path("presensi/", presence.checkin, name="attendance-checkin"),
    path("presensi/masuk/", presence.checkin_post, name="attendance-checkin-post"),
    path("presensi/pulang/", presence.checkout_post, name="attendance-checkout-post"),
    path("presensi/riwayat/", presence.history, name="attendance-history"),
    path("presensi/perbaikan/ajukan/", presence.correction_new, name="attendance-correction-new"),
    path("presensi/perbaikan/<int:pk>/tarik/", presence.correction_withdraw, name="attendance-correction-withdraw"),
    path("presensi/perbaikan/<int:pk>/bukti/", presence.correction_evidence, name="attendance-correction-evidence"),
    path("presensi/perbaikan/persetujuan/", presence.corrections_inbox, name="attendance-corrections-inbox"),
    path("presensi/perbaikan/<int:pk>/putuskan/", presence.correction_decide, name="attendance-correction-decide"),
    path("presensi/perbaikan/hr/", presence.correction_hr, name="attendance-correction-hr"),
    path("presensi/izin/", permissions.permissions, name="attendance-permissions"),
    path("presensi/izin/<int:pk>/tarik/", permissions.permission_withdraw, name="attendance-permission-withdraw"),
    path("presensi/izin/persetujuan/", permissions.permissions_inbox, name="attendance-permissions-inbox"),
    path("presensi/izin/<int:pk>/putuskan/", permissions.permission_decide, name="attendance-permission-decide"),
    path("presensi/jadwal-dinas/", roster.roster, name="attendance-roster"),
    path("hr/presensi/aturan/", rules.rules_list, name="attendance-rules"),
    path("hr/presensi/aturan/instansi/<int:institution_id>/", rules.rules_institution,
         name="attendance-rules-institution"),
    path("hr/presensi/aturan/instansi/<int:institution_id>/versi/<int:version_id>/", rules.rules_institution,
         name="attendance-rules-edit"),
    path("hr/presensi/aturan/versi/<int:version_id>/hapus/", rules.rules_delete, name="attendance-rules-delete"),
    path("hr/presensi/shift/", rules.shifts, name="attendance-shifts"),
    path("hr/presensi/shift/unit/<int:unit_id>/", rules.shifts, name="attendance-shifts-unit"),
    path("hr/presensi/shift/unit/<int:unit_id>/<int:shift_id>/", rules.shifts, name="attendance-shift-edit"),
    path("hr/presensi/tutup-buku/", closing.closing, name="attendance-closing"),
    path("hr/presensi/tutup-buku/<int:pk>/buka/", closing.closing_reopen, name="attendance-closing-reopen"),
    path("staffing/", staffing.dashboard, name="staffing-dashboard"),
    path("staffing/unit/<int:unit_id>/hari/<str:day>/", staffing.day, name="staffing-day"),
    path("staffing/unduh/", staffing.export, name="staffing-export"),
    path("laporan/", reports.report_page, name="attendance-reports"),
    path("laporan/ekspor/", reports.report_export, name="attendance-report-export"),
    path("laporan/ekspor/<int:pk>/", reports.export_status, name="attendance-export-status"),
    path("laporan/ekspor/<int:pk>/unduh/", reports.export_download, name="attendance-export-download"),
]
