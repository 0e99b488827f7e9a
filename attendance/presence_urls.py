"""Attendance pages at the site root (included by attendance/urls.py)."""

from django.urls import path

from attendance.views import presence

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
]
