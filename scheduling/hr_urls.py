"""HR pages of scheduling, mounted by the project at ``hr/kebijakan/``."""

from django.urls import path

from scheduling import hr_views

app_name = "scheduling_hr"
urlpatterns = [
    path("", hr_views.policy_list, name="policies"),
    path("unit/<int:unit_id>/", hr_views.policy_unit, name="policy_unit"),
    path("unit/<int:unit_id>/aturan/<int:policy_id>/", hr_views.policy_unit, name="policy_edit"),
    path("fwa/", hr_views.fwa_windows, name="fwa"),
]
