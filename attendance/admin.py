"""Django admin for attendance: the per-institution TL/PSW band table.

Like the calendar rows in portal.admin there is no service for a band yet, so the admin
writes the audit event in the same transaction and, once committed, asks a worker to
recompute the institution's recent day statuses with the new edges and deductions.
Scoped HR admins see and edit only their own institution's table (their scope must be the
institution itself: a band table is never an OPD's own).
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import admin
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from attendance.models import Band
from attendance.services.recompute import NIGHTLY_DAYS
from portal.admin import InstitutionScopedAdmin, is_scoped_hr
from portal.jobs import enqueue_on_commit
from portal.services.audit import audit_record, snapshot


class BandForm(forms.ModelForm):
    class Meta:
        model = Band
        fields = ("institution", "kind", "level", "from_minute", "to_minute", "deduction_percent")

    def clean(self):
        data = super().clean()
        low, high = data.get("from_minute"), data.get("to_minute")
        if low is not None and low < 1:
            self.add_error("from_minute", _("Pita dimulai paling awal pada menit ke-1."))
        if low is not None and high is not None and high < low:
            self.add_error("to_minute", _("Batas atas tidak boleh lebih kecil dari batas bawah."))
        percent = data.get("deduction_percent")
        if percent is not None and not 0 <= percent <= 100:
            self.add_error("deduction_percent", _("Potongan harus antara 0 dan 100%."))
        return data


def recompute_after_commit(institution_ids) -> None:
    """A band applies from now on: recompute the window the nightly pass keeps fresh."""
    today = timezone.localdate()
    for institution_id in set(institution_ids):
        enqueue_on_commit("attendance.recompute_institution", kwargs={
            "institution_id": institution_id, "start": (today - dt.timedelta(days=NIGHTLY_DAYS)).isoformat(),
            "end": (today + dt.timedelta(days=1)).isoformat()})


@admin.register(Band)
class BandAdmin(InstitutionScopedAdmin):
    form = BandForm
    list_display = ("institution", "kind", "level", "from_minute", "to_minute", "deduction_percent")
    list_filter = ("kind", ("institution", admin.RelatedOnlyFieldListFilter))
    ordering = ("institution", "kind", "level")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if "institution" in form.base_fields:
            form.base_fields["institution"].required = True  # the model requires it too
        return form

    def has_delete_permission(self, request, obj=None):
        # Unlike people and units, a band level carries no history: HR may remove one.
        return super().has_delete_permission(request, obj) or is_scoped_hr(request)

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            old = Band.objects.filter(pk=obj.pk).first() if change else None
            obj.save()
            audit_record(actor=request.user, verb=f"band.{'updated' if change else 'created'}", obj=obj,
                         before=snapshot(old) if old else None, after=snapshot(obj), unit=obj.institution)
        recompute_after_commit([obj.institution_id] + ([old.institution_id] if old else []))

    def delete_model(self, request, obj):
        with transaction.atomic():
            audit_record(actor=request.user, verb="band.deleted", obj=obj, before=snapshot(obj),
                         unit=obj.institution)
            obj.delete()
        recompute_after_commit([obj.institution_id])
