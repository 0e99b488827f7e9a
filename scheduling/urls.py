"""Scheduling pages (included at the site root by portal/urls.py): the employee's plan and
requests, the supervisor's inbox and team calendar, HR's coverage policies and FWA windows."""

from django.urls import path

from scheduling.views import employee, hr, supervisor

app_name = "scheduling"
urlpatterns: list = [
    path("rencana/", employee.my_calendar, name="my-calendar"),
    path("rencana/ajukan/", employee.request_new, name="request-new"),
    path("rencana/ajukan/periksa/", employee.request_preview, name="request-preview"),
    path("rencana/pengajuan/", employee.my_requests, name="my-requests"),
    path("rencana/pengajuan/<int:pk>/tarik/", employee.day_withdraw, name="day-withdraw"),
    path("rencana/pengajuan/<int:pk>/batalkan/", employee.day_cancel, name="day-cancel"),
    path("persetujuan/", supervisor.inbox, name="inbox"),
    path("persetujuan/<int:pk>/putuskan/", supervisor.inbox_decide, name="inbox-decide"),
    path("persetujuan/massal/", supervisor.inbox_bulk, name="inbox-bulk"),
    path("tim/", supervisor.team, name="team"),
    path("hr/kebijakan/", hr.policy_list, name="policies"),
    path("hr/kebijakan/unit/<int:unit_id>/", hr.policy_unit, name="policy_unit"),
    path("hr/kebijakan/unit/<int:unit_id>/aturan/<int:policy_id>/", hr.policy_unit, name="policy_edit"),
    path("hr/kebijakan/fwa/", hr.fwa_windows, name="fwa"),
]
