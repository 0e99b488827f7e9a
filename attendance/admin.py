"""Django admin for attendance: read-only views of the rules, shifts, rosters and permissions.

These are written on their own pages (HR: /hr/presensi/…, supervisors: the roster and permission
inbox) and through the API, where a whole rules version or a month of roster is validated at once,
audited and recomputed; the admin shows them for reading, scoped like the pages.
"""

from __future__ import annotations

from django.contrib import admin

from attendance.models import AttendanceRules, Band, PartialPermission, RosterEntry, Shift
from portal.admin import ReadOnlyAdmin
from portal.selectors import employees_visible_to, units_visible_to


class BandInline(admin.TabularInline):
    model = Band
    extra = 0
    fields = ("kind", "level", "from_minute", "to_minute", "deduction_percent")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class UnitScopedReadOnly(ReadOnlyAdmin):
    unit_field = "unit"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(**{f"{self.unit_field}__in": units_visible_to(request.user)})


@admin.register(AttendanceRules)
class AttendanceRulesAdmin(UnitScopedReadOnly):
    unit_field = "institution"
    list_display = ("institution", "effective_from", "min_stay_minutes", "implausible_status",
                    "tk_deduction_percent", "daily_cap_percent", "legal_basis")
    list_select_related = ("institution",)
    inlines = [BandInline]


@admin.register(Shift)
class ShiftAdmin(UnitScopedReadOnly):
    list_display = ("unit", "code", "name", "start", "end", "ends_next_day", "is_active")
    list_select_related = ("unit",)


class EmployeeScopedReadOnly(ReadOnlyAdmin):
    def get_queryset(self, request):
        qs = super().get_queryset(request).select_related("employee")
        if request.user.is_superuser:
            return qs
        return qs.filter(employee__in=employees_visible_to(request.user))


@admin.register(RosterEntry)
class RosterEntryAdmin(EmployeeScopedReadOnly):
    list_display = ("employee", "date", "shift")
    date_hierarchy = "date"


@admin.register(PartialPermission)
class PartialPermissionAdmin(EmployeeScopedReadOnly):
    list_display = ("employee", "date", "kind", "status", "decided_at")
    list_filter = ("kind", "status")
    date_hierarchy = "date"
