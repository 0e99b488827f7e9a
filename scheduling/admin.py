"""Django admin for scheduling: policies, FWA windows, and a read-only view of requests.

Writes go through the services like everywhere else: a policy saved here goes through
:func:`coverage_policy_save` (validated, audited), a window through
:func:`services.fwa_window_open` (auto-approvals included), and request statuses are
never edited here; the one action offered decides through the bulk service.
HR admins who are not superusers see only their subtree.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.admin import HRScopedAdmin, is_scoped_hr
from portal.selectors import employees_visible_to, units_visible_to
from scheduling import services
from scheduling.forms import CONFIRM_OVER_CAP_LABEL, policy_number_field
from scheduling.models import (
    CoveragePolicy,
    Emergency,
    EssentialPosition,
    FwaWindow,
    KindRule,
    LeaveAdjustment,
    LeaveOpening,
    LeaveSettings,
    RequestDay,
    RotaPlan,
    WorkRequest,
)
from scheduling.services.policies import INT_RANGES, POLICY_FIELDS, coverage_policy_delete


class ScopedInlineMixin:
    """Inlines follow the parent admin's rights, so scoped HR admins may use them too."""

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or is_scoped_hr(request)

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) or is_scoped_hr(request)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) or is_scoped_hr(request)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) or is_scoped_hr(request)


class EssentialPositionInline(ScopedInlineMixin, admin.TabularInline):
    model = EssentialPosition
    extra = 1


class CoveragePolicyForm(forms.ModelForm):
    class Meta:
        model = CoveragePolicy
        fields = ("unit", *POLICY_FIELDS)

    confirm_regulatory = forms.BooleanField(label=CONFIRM_OVER_CAP_LABEL, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The numbers with the service's limits and message, as the HR form and the API (not the
        # model's validators, which would answer the same limit in other words).
        for name in INT_RANGES:
            self.fields[name] = policy_number_field(name, self.fields[name].label)

    def clean(self):
        data = super().clean()
        try:
            services.coverage_policy_clean({name: data.get(name) for name in POLICY_FIELDS},
                                           confirm_regulatory=data.get("confirm_regulatory", False))
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                if name in self.fields and name not in self.errors:
                    self.add_error(name, errors)
        return data


@admin.register(CoveragePolicy)
class CoveragePolicyAdmin(HRScopedAdmin):
    form = CoveragePolicyForm
    inlines = [EssentialPositionInline]
    list_display = ("unit", "effective_from", "min_office_share", "min_office_headcount", "weekly_cap",
                    "monthly_cap", "mode", "note")
    list_filter = ("mode", "effective_from")
    search_fields = ("unit__name", "unit__code", "note")
    list_select_related = ("unit",)
    autocomplete_fields = ("unit",)
    ordering = ("unit__path", "-effective_from")

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs.filter(unit__in=units_visible_to(request.user)) if is_scoped_hr(request) else qs

    def get_readonly_fields(self, request, obj=None):
        return ("unit",) if obj is not None else ()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "unit" and is_scoped_hr(request):
            kwargs["queryset"] = units_visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        pass  # saved with its essential positions, in one audited service call, in save_related

    def delete_model(self, request, obj):
        coverage_policy_delete(actor=request.user, policy=obj)

    def save_related(self, request, form, formsets, change):
        essential = [(row["jabatan"], row["min_in_office"]) for formset in formsets for row in formset.cleaned_data
                     if row and not row.get("DELETE") and row.get("jabatan")]
        unit = form.instance.unit if change else form.cleaned_data["unit"]
        services.coverage_policy_save(actor=request.user, unit=unit, policy=form.instance, essential=essential,
                                      data={name: form.cleaned_data.get(name) for name in POLICY_FIELDS},
                                      confirm_regulatory=form.cleaned_data.get("confirm_regulatory", False))
        for formset in formsets:  # the admin's change message reads these
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []


class FwaWindowForm(forms.ModelForm):
    class Meta:
        model = FwaWindow
        fields = ("name", "start", "end", "units", "include_subunits", "lifts_caps")

    def clean(self):
        data = super().clean()
        if not self.errors:
            try:
                data["name"] = services.fwa_window_clean(name=data["name"], start=data["start"], end=data["end"],
                                                         units=list(data["units"]))
            except ValidationError as exc:
                for name, errors in exc.message_dict.items():
                    self.add_error(name if name in self.fields else None, errors)
        return data


@admin.register(FwaWindow)
class FwaWindowAdmin(HRScopedAdmin):
    """Windows are opened through the service (which approves waiting days) and never edited."""

    form = FwaWindowForm
    list_display = ("name", "start", "end", "include_subunits", "lifts_caps", "created_by", "created_at")
    list_filter = ("start",)
    search_fields = ("name",)
    filter_horizontal = ("units",)
    list_select_related = ("created_by",)

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs.filter(units__in=units_visible_to(request.user)).distinct() if is_scoped_hr(request) else qs

    def has_change_permission(self, request, obj=None):
        return False

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "units" and is_scoped_hr(request):
            kwargs["queryset"] = units_visible_to(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        pass  # the service creates the window together with its units, in save_related

    def save_related(self, request, form, formsets, change):
        data = form.cleaned_data
        window = services.fwa_window_open(actor=request.user, name=data["name"], start=data["start"],
                                          end=data["end"], units=list(data["units"]),
                                          include_subunits=data["include_subunits"],
                                          lifts_caps=data["lifts_caps"]).window
        form.instance.pk, form.instance.created_by = window.pk, window.created_by

    def delete_model(self, request, obj):
        services.fwa_window_delete(actor=request.user, window=obj)


class ReadOnlyAdmin(HRScopedAdmin):
    """View only: requests change status through the services, never by editing rows."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RequestDayInline(admin.TabularInline):
    model = RequestDay
    fields = ("date", "kind", "status", "decided_by", "decided_at", "acting_for", "decision_reason",
              "auto_approved")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or is_scoped_hr(request)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WorkRequest)
class WorkRequestAdmin(ReadOnlyAdmin):
    inlines = [RequestDayInline]
    list_display = ("employee", "kind", "special_circumstance", "created_at")
    list_filter = ("kind", "special_circumstance")
    search_fields = ("employee__nip", "employee__name")
    list_select_related = ("employee",)
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs.filter(employee__unit__in=units_visible_to(request.user)) if is_scoped_hr(request) else qs


@admin.register(RequestDay)
class RequestDayAdmin(ReadOnlyAdmin):
    list_display = ("date", "employee", "unit", "kind", "status", "auto_approved", "decided_by", "acting_for")
    list_filter = ("status", "kind", "date", "auto_approved")
    search_fields = ("employee__nip", "employee__name")
    list_select_related = ("employee", "unit", "decided_by")
    date_hierarchy = "date"
    actions = ["approve_selected"]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs.filter(unit__in=units_visible_to(request.user)) if is_scoped_hr(request) else qs

    @admin.action(description=_("Setujui hari terpilih (sesuai aturan kehadiran)"))
    def approve_selected(self, request, queryset):
        results = services.requests_decide_bulk(actor=request.user, day_ids=list(queryset.values_list("pk", flat=True)),
                                                action="approve")
        done = sum(1 for r in results if r["ok"])
        self.message_user(request, ngettext("%(n)d hari disetujui.", "%(n)d hari disetujui.", done) % {"n": done},
                          messages.SUCCESS)
        for failed in (r for r in results if not r["ok"]):
            self.message_user(request, f"#{failed['id']} {failed.get('date', '')}: {failed['error']}", messages.WARNING)


# --- Leave -------------------------------------------------------------------------------------
# A kind's rule has a cleaner of its own and is saved here through its service. Settings, openings
# and adjustments are checked against balances under a lock, which an admin form cannot show on a
# field: they are read here and written on the HR leave pages (or the API).


class KindRuleForm(forms.ModelForm):
    class Meta:
        model = KindRule
        fields = ("institution", "kind", "needs_official", "document", "document_label")

    def clean(self):
        data = super().clean()
        institution = data.get("institution") or getattr(self.instance, "institution", None)
        kind = data.get("kind") or self.instance.kind
        if institution is None or not kind or self.errors:
            return data
        try:
            data["document_label"] = services.kind_rule_clean(
                institution=institution, kind=kind, needs_official=data.get("needs_official", False),
                document=data.get("document", ""), document_label=data.get("document_label", ""))
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                self.add_error(name if name in self.fields else None, errors)
        return data


@admin.register(KindRule)
class KindRuleAdmin(HRScopedAdmin):
    form = KindRuleForm
    list_display = ("institution", "kind", "needs_official", "document", "document_label", "updated_at")
    list_filter = ("kind", "document", "needs_official")
    list_select_related = ("institution",)

    def get_queryset(self, request):
        return super().get_queryset(request).filter(institution__in=units_visible_to(request.user))

    def get_readonly_fields(self, request, obj=None):
        return ("institution", "kind") if obj is not None else ()

    def has_delete_permission(self, request, obj=None):
        return False  # a rule is changed, never removed: the trail keeps what applied when

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "institution":
            kwargs["queryset"] = units_visible_to(request.user).filter(parent__isnull=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        saved = services.kind_rule_save(actor=request.user, institution=obj.institution, kind=obj.kind,
                                        needs_official=obj.needs_official, document=obj.document,
                                        document_label=obj.document_label)
        obj.pk = saved.pk


@admin.register(LeaveSettings)
class LeaveSettingsAdmin(ReadOnlyAdmin):
    list_display = ("institution", "official", "first_year", "updated_at")
    list_select_related = ("institution", "official")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(institution__in=units_visible_to(request.user))


@admin.register(LeaveOpening)
class LeaveOpeningAdmin(ReadOnlyAdmin):
    list_display = ("employee", "year", "days", "note", "set_by", "set_at")
    list_filter = ("year",)
    search_fields = ("employee__nip", "employee__name")
    list_select_related = ("employee", "set_by")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(employee__in=employees_visible_to(request.user))


@admin.register(LeaveAdjustment)
class LeaveAdjustmentAdmin(ReadOnlyAdmin):
    list_display = ("employee", "year", "days", "reason", "created_by", "created_at")
    list_filter = ("year",)
    search_fields = ("employee__nip", "employee__name", "reason")
    list_select_related = ("employee", "created_by")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(employee__in=employees_visible_to(request.user))


# --- Emergencies and rotas -----------------------------------------------------------------------
# Declaring, ending and publishing notify people, mark staffing days and go through the locks of the
# approval: they happen on the HR emergency page and the rota page (or the API), never as a row edit.
# The admin lists them so a superuser or scoped HR admin can find one by its letter or unit.


@admin.register(Emergency)
class EmergencyAdmin(ReadOnlyAdmin):
    list_display = ("name", "profile", "start", "last_day", "legal_basis", "created_by", "ended_early_at")
    list_filter = ("profile",)
    search_fields = ("name", "legal_basis", "document_ref")
    list_select_related = ("created_by",)
    date_hierarchy = "start"
    filter_horizontal = ("units",)

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if is_scoped_hr(request):
            qs = qs.filter(units__in=units_visible_to(request.user)).distinct()
        return qs


@admin.register(RotaPlan)
class RotaPlanAdmin(ReadOnlyAdmin):
    list_display = ("unit", "month", "include_subunits", "status", "created_by", "created_at")
    list_filter = ("status", "include_subunits")
    search_fields = ("unit__name", "unit__code")
    list_select_related = ("unit", "created_by")
    date_hierarchy = "month"
    exclude = ("cells", "fairness", "outcome")

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs.filter(unit__in=units_visible_to(request.user)) if is_scoped_hr(request) else qs
