"""Attendance pages at the site root (included by portal/urls.py): check-in and history,
corrections, staffing, reports and their exports."""

from django.urls import path

from attendance.views import presence, reports, staffing

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
    path("staffing/", staffing.dashboard, name="staffing-dashboard"),
    path("staffing/unit/<int:unit_id>/hari/<str:day>/", staffing.day, name="staffing-day"),
    path("staffing/unduh/", staffing.export, name="staffing-export"),
    path("laporan/", reports.report_page, name="attendance-reports"),
    path("laporan/ekspor/", reports.report_export, name="attendance-report-export"),
    path("laporan/ekspor/<int:pk>/", reports.export_status, name="attendance-export-status"),
    path("laporan/ekspor/<int:pk>/unduh/", reports.export_download, name="attendance-export-download"),
]
