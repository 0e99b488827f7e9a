"""Django admin for the organisation, the work calendar and the audit trail.

Saves go through the services (so every change is audited). HR admins who are not
superusers work here too: holding an :class:`HRAdminScope` grants view/add/change on
the organisation models, and every queryset and choice list is cut to their subtree.
Querysets always go through the scoped selectors, so a staff account with model
permissions but no scope sees nothing. HR admins still need ``is_staff`` to enter.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal import rules
from portal.models import (
    AuditEvent,
    CalendarOverride,
    Delegation,
    Employee,
    HRAdminScope,
    MonthClosure,
    RamadanPeriod,
    Unit,
    User,
    WorkPattern,
    WorkPatternDay,
)
from portal.selectors import audit_events_visible_to, employees_visible_to, hr_scope_units, units_visible_to
from portal.services import calendar
from portal.services.org import (
    account_save,
    delegation_save,
    employee_save,
    hr_scope_grant,
    hr_scope_revoke,
    org_row_delete,
    unit_save,
)
from portal.services.people_import import account_create

# --- Branding: the admin is the portal's "data induk" pages, in the portal's words ----------------

admin.site.site_header = _("Portal Kerja Fleksibel ASN · Data induk")
admin.site.site_title = _("Data induk Portal Kerja Fleksibel")
admin.site.index_title = _("Data induk")

# Third-party sections that ship no Indonesian get the portal's own names (English is in locale/).
THIRD_PARTY_NAMES = {
    "django_celery_beat": (_("Jadwal tugas otomatis"), {
        "periodictask": (_("tugas berkala"), _("tugas berkala")),
        "periodictasks": (_("penanda perubahan jadwal"), _("penanda perubahan jadwal")),
        "intervalschedule": (_("selang waktu"), _("selang waktu")),
        "crontabschedule": (_("jadwal crontab"), _("jadwal crontab")),
        "solarschedule": (_("jadwal matahari"), _("jadwal matahari")),
        "clockedschedule": (_("jadwal sekali jalan"), _("jadwal sekali jalan")),
    }),
    "axes": (_("Keamanan masuk"), {}),
}


def name_third_party_sections() -> None:
    for label, (section, models) in THIRD_PARTY_NAMES.items():
        try:
            config = apps.get_app_config(label)
        except LookupError:  # not installed in this deployment
            continue
        config.verbose_name = section
        for model_name, (singular, plural) in models.items():
            meta = config.get_model(model_name)._meta
            meta.verbose_name, meta.verbose_name_plural = singular, plural


name_third_party_sections()

# Choice lists where the right answer may sit above the HR admin's subtree (a head of
# dinas reports to the sekda): widen those to the whole institution, never beyond.
INSTITUTION_WIDE_FIELDS = {"supervisor", "head", "delegate"}


def is_scoped_hr(request) -> bool:
    """A non-superuser holding at least one HR scope (cached on the request)."""
    if request.user.is_superuser or not request.user.is_active:
        return False
    if not hasattr(request, "_portal_hr_scopes"):
        request._portal_hr_scopes = hr_scope_units(request.user)
    return bool(request._portal_hr_scopes)


def institution_employees(request):
    """Employees of the institutions the HR admin's scopes belong to."""
    q = Q(pk__in=[])
    for unit in hr_scope_units(request.user):
        q |= Q(unit__path__startswith=f"/{unit.ancestor_ids[0]}/")
    return Employee.objects.filter(q)


class HRScopedAdmin(admin.ModelAdmin):
    """Lets scoped HR admins view/add/change; only superusers delete."""

    def has_module_permission(self, request):
        return super().has_module_permission(request) or is_scoped_hr(request)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or is_scoped_hr(request)

    def has_add_permission(self, request):
        return super().has_add_permission(request) or is_scoped_hr(request)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) or is_scoped_hr(request)

    def has_delete_permission(self, request, obj=None):
        # Deleting people or units breaks history; deactivate instead.
        return request.user.is_superuser

    def delete_model(self, request, obj):
        org_row_delete(actor=request.user, obj=obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)



@admin.register(Unit)
class UnitAdmin(HRScopedAdmin):
    list_display = ("indented_name", "code", "kind", "parent", "head", "time_zone", "is_active")
    list_filter = ("kind", "is_active", "time_zone")
    search_fields = ("code", "name")
    autocomplete_fields = ("parent", "head")
    list_select_related = ("parent", "head")
    ordering = ("path",)

    @admin.display(description=_("nama"), ordering="path")
    def indented_name(self, obj):
        return f"{'— ' * obj.depth}{obj.name}"

    def get_queryset(self, request):
        return super().get_queryset(request) & units_visible_to(request.user)

    def get_readonly_fields(self, request, obj=None):
        # The top of an HR admin's scope hangs from a unit they do not manage.
        if obj is not None and is_scoped_hr(request) and obj in request._portal_hr_scopes:
            return ("parent", "kind")
        return ()

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if is_scoped_hr(request) and "parent" in form.base_fields:
            form.base_fields["parent"].required = True  # only superusers create an instansi
        return form

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if is_scoped_hr(request):
            if db_field.name == "parent":
                kwargs["queryset"] = units_visible_to(request.user)
            elif db_field.name == "head":
                kwargs["queryset"] = institution_employees(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        unit_save(actor=request.user, unit=obj)


@admin.register(Employee)
class EmployeeAdmin(HRScopedAdmin):
    list_display = ("name", "nip_display", "jabatan", "position_kind", "asn_type", "unit", "supervisor", "is_active")
    list_filter = ("asn_type", "position_kind", "is_active", ("unit", admin.RelatedOnlyFieldListFilter))
    search_fields = ("nip", "name", "jabatan", "user__username")
    list_select_related = ("unit", "supervisor", "user")
    fields = ("user", "nip", "asn_type", "name", "jabatan", "position_kind", "unit", "supervisor",
              "placement_date", "service_start", "disciplinary_until", "records_start", "records_end",
              "records_end_reason", "is_active")

    @admin.display(description=_("NIP / NI PPPK"), ordering="nip")
    def nip_display(self, obj):
        return obj.nip_display

    def get_autocomplete_fields(self, request):
        # HR admins cannot browse accounts; a new employee gets one made for them.
        return ("unit", "supervisor") if is_scoped_hr(request) else ("user", "unit", "supervisor")

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        return [f for f in fields if f != "user"] if is_scoped_hr(request) else fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if "user" in form.base_fields:
            form.base_fields["user"].required = False
            form.base_fields["user"].help_text = _("Kosongkan untuk membuat akun baru dengan nama pengguna = NIP.")
        return form

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if is_scoped_hr(request) and _autocomplete_field(request) in INSTITUTION_WIDE_FIELDS:
            return qs & institution_employees(request)
        return qs & employees_visible_to(request.user)

    def get_search_results(self, request, queryset, search_term):
        # People type a NIP grouped with spaces ("19860926 201505 1 001").
        digits = rules.normalize_nip(search_term)
        if len(digits) >= 4 and digits.isdigit():
            return queryset.filter(nip__contains=digits), False
        return super().get_search_results(request, queryset, search_term)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if is_scoped_hr(request):
            if db_field.name == "unit":
                kwargs["queryset"] = units_visible_to(request.user)
            elif db_field.name == "supervisor":
                kwargs["queryset"] = institution_employees(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not obj.user_id:
            obj.user = account_create(actor=request.user, username=obj.nip, unit=obj.unit)
        employee_save(actor=request.user, employee=obj)


def _autocomplete_field(request) -> str | None:
    match = getattr(request, "resolver_match", None)
    if match is not None and match.url_name == "autocomplete":
        return request.GET.get("field_name")
    return None


@admin.register(Delegation)
class DelegationAdmin(HRScopedAdmin):
    list_display = ("kind", "delegator", "delegate", "start", "end", "decree_number", "revoked_at")
    list_filter = ("kind",)
    search_fields = ("delegator__name", "delegator__nip", "delegate__name", "delegate__nip", "decree_number")
    autocomplete_fields = ("delegator", "delegate")
    list_select_related = ("delegator", "delegate")
    date_hierarchy = "start"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if not request.user.is_superuser:
            qs = qs.filter(delegator__in=employees_visible_to(request.user))
        return qs

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if is_scoped_hr(request):
            if db_field.name == "delegator":
                kwargs["queryset"] = employees_visible_to(request.user)
            elif db_field.name == "delegate":
                kwargs["queryset"] = institution_employees(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        delegation_save(actor=request.user, delegation=obj)


class InstitutionScopedAdmin(HRScopedAdmin):
    """Rows that belong to an institution (or the nation): saved and deleted by ``save_service`` /
    ``delete_service``, which check the scope, audit, and tell attendance what to recompute."""

    save_service = None
    delete_service = None

    def get_queryset(self, request):
        qs = super().get_queryset(request).select_related("institution")
        if not request.user.is_superuser:
            qs = qs.filter(institution__in=units_visible_to(request.user))
        return qs

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "institution" and is_scoped_hr(request):
            kwargs["queryset"] = units_visible_to(request.user).filter(parent__isnull=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if is_scoped_hr(request) and "institution" in form.base_fields:
            form.base_fields["institution"].required = True  # national rows are for superusers
        return form

    def save_model(self, request, obj, form, change):
        type(self).save_service(actor=request.user, row=obj)

    def delete_model(self, request, obj):
        type(self).delete_service(actor=request.user, row=obj)


def _override_save(*, actor, row):
    return calendar.calendar_override_save(actor=actor, override=row)


def _override_delete(*, actor, row):
    calendar.calendar_override_delete(actor=actor, override=row)


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(InstitutionScopedAdmin):
    list_display = ("date", "kind", "name", "institution")
    list_filter = ("kind", ("institution", admin.RelatedOnlyFieldListFilter))
    search_fields = ("name",)
    date_hierarchy = "date"
    save_service, delete_service = _override_save, _override_delete


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown for reading only, to superusers and scoped HR admins: these rows are written on their
    HR pages (which validate a whole pattern or closing at once and recompute what it changes),
    never row by row here."""

    def has_module_permission(self, request):
        return super().has_module_permission(request) or is_scoped_hr(request)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or is_scoped_hr(request)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class WorkPatternDayInline(admin.TabularInline):
    model = WorkPatternDay
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WorkPattern)
class WorkPatternAdmin(ReadOnlyAdmin):
    list_display = ("unit", "effective_from", "kind", "flex_until", "note")
    list_select_related = ("unit",)
    search_fields = ("unit__name", "unit__code")
    inlines = [WorkPatternDayInline]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else qs.filter(unit__in=units_visible_to(request.user))


@admin.register(MonthClosure)
class MonthClosureAdmin(ReadOnlyAdmin):
    list_display = ("unit", "month", "closed_at", "reopened_at", "reopen_reason")
    list_select_related = ("unit",)
    date_hierarchy = "month"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else qs.filter(unit__in=units_visible_to(request.user))


@admin.register(RamadanPeriod)
class RamadanPeriodAdmin(InstitutionScopedAdmin):
    list_display = ("start", "end", "institution", "start_time", "end_time", "friday_end_time")
    list_filter = (("institution", admin.RelatedOnlyFieldListFilter),)
    save_service, delete_service = calendar.ramadan_period_save, calendar.ramadan_period_delete


@admin.register(HRAdminScope)
class HRAdminScopeAdmin(admin.ModelAdmin):
    """Granting HR powers is for superusers; a scope is granted or revoked, never edited."""

    list_display = ("user", "unit")
    search_fields = ("user__username", "unit__name", "unit__code")
    autocomplete_fields = ("user", "unit")
    list_select_related = ("user", "unit")

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        scope = hr_scope_grant(actor=request.user, user=obj.user, unit=obj.unit)
        obj.pk = scope.pk

    def delete_model(self, request, obj):
        hr_scope_revoke(actor=request.user, scope=obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset.select_related("unit"):
            self.delete_model(request, obj)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = DjangoUserAdmin.fieldsets + ((_("Preferensi"), {"fields": ("language",)}),)
    search_fields = ("username", "first_name", "last_name", "email", "employee__nip")

    def save_model(self, request, obj, form, change):
        account_save(actor=request.user, user=obj)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the trail is append-only and written only by services."""

    list_display = ("at", "actor", "acting_for", "verb", "object_type", "object_repr", "unit")
    list_filter = ("verb", "object_type")
    search_fields = ("object_repr", "object_id", "actor__username", "acting_for")
    list_select_related = ("actor", "unit")
    date_hierarchy = "at"

    def get_queryset(self, request):
        return super().get_queryset(request) & audit_events_visible_to(request.user)

    def has_module_permission(self, request):
        return super().has_module_permission(request) or is_scoped_hr(request)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or is_scoped_hr(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
