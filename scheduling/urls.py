"""Scheduling pages (included at the site root by portal/urls.py): the employee's plan and
requests, the supervisor's inbox and team calendar, HR's coverage policies and FWA windows."""

from django.urls import path

from scheduling.views import emergency, employee, evidence, feeds, hr, leave, rota, supervisor

app_name = "scheduling"
urlpatterns: list = [
    path("rencana/", employee.my_calendar, name="my-calendar"),
    path("rencana/ajukan/", employee.request_new, name="request-new"),
    path("rencana/ajukan/periksa/", employee.request_preview, name="request-preview"),
    path("rencana/pengajuan/", employee.my_requests, name="my-requests"),
    path("rencana/pengajuan/<int:pk>/tarik/", employee.day_withdraw, name="day-withdraw"),
    path("rencana/pengajuan/<int:pk>/batalkan/", employee.day_cancel, name="day-cancel"),
    path("rencana/bukti/<int:pk>/", evidence.evidence_download, name="request-evidence"),
    path("persetujuan/", supervisor.inbox, name="inbox"),
    path("persetujuan/<int:pk>/putuskan/", supervisor.inbox_decide, name="inbox-decide"),
    path("persetujuan/massal/", supervisor.inbox_bulk, name="inbox-bulk"),
    path("tim/", supervisor.team, name="team"),
    path("tim/rota/", rota.rota_list, name="rota"),
    path("tim/rota/<int:pk>/", rota.rota_plan, name="rota-plan"),
    path("tim/rota/<int:pk>/ubah/", rota.rota_adjust, name="rota-adjust"),
    path("tim/rota/<int:pk>/terbitkan/", rota.rota_publish, name="rota-publish"),
    path("rencana/preferensi/", rota.my_preferences, name="rota-preferences"),
    path("hr/kebijakan/", hr.policy_list, name="policies"),
    path("hr/kebijakan/unit/<int:unit_id>/", hr.policy_unit, name="policy_unit"),
    path("hr/kebijakan/unit/<int:unit_id>/aturan/<int:policy_id>/", hr.policy_unit, name="policy_edit"),
    path("hr/kebijakan/fwa/", hr.fwa_windows, name="fwa"),
    path("hr/keadaan-darurat/", emergency.emergencies, name="emergencies"),
    path("hr/keadaan-darurat/<int:pk>/akhiri/", emergency.emergency_end, name="emergency-end"),
    path("rencana/cuti/", leave.my_leave, name="my-leave"),
    path("rencana/kalender-ponsel/", feeds.calendar_feeds, name="calendar-feeds"),
    path("kalender/<str:token>.ics", feeds.calendar_feed, name="calendar-feed"),
    path("hr/cuti/", leave.leave_settings, name="leave-settings"),
    path("hr/cuti/instansi/<int:institution_id>/", leave.leave_institution, name="leave-institution"),
    path("hr/cuti/saldo/", leave.leave_balances, name="leave-balances"),
    path("hr/cuti/saldo/<int:employee_id>/", leave.leave_employee, name="leave-employee"),
    path("hr/cuti/impor/", leave.leave_import, name="leave-import"),
]
