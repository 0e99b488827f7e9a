"""Django admin for attendance: the per-institution TL/PSW band table.

Saves and deletes go through :mod:`attendance.services.bands` (validated, audited, recomputed).
Scoped HR admins see and edit only their own institution's table (their scope must be the
institution itself: a band table is never an OPD's own).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from attendance.models import Band
from attendance.services import bands
from portal.admin import InstitutionScopedAdmin, is_scoped_hr


class BandForm(forms.ModelForm):
    class Meta:
        model = Band
        fields = ("institution", "kind", "level", "from_minute", "to_minute", "deduction_percent")

    def clean(self):
        data = super().clean()
        try:
            bands.band_clean(from_minute=data.get("from_minute"), to_minute=data.get("to_minute"),
                             deduction_percent=data.get("deduction_percent"))
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                self.add_error(name, errors)
        return data


@admin.register(Band)
class BandAdmin(InstitutionScopedAdmin):
    form = BandForm
    list_display = ("institution", "kind", "level", "from_minute", "to_minute", "deduction_percent")
    list_filter = ("kind", ("institution", admin.RelatedOnlyFieldListFilter))
    ordering = ("institution", "kind", "level")
    save_service, delete_service = bands.band_save, bands.band_delete

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if "institution" in form.base_fields:
            form.base_fields["institution"].required = True  # the model requires it too
        return form

    def has_delete_permission(self, request, obj=None):
        # Unlike people and units, a band level carries no history: HR may remove one.
        return super().has_delete_permission(request, obj) or is_scoped_hr(request)
