"""The fair rota planner's pages: the employee's weekday preferences (Saya), and for supervisors
and HR the proposals of a unit's month, the grid to adjust, and publishing (Tim). Every page works
without JavaScript: the grid is one form with a choice per cell."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.forms import month_from
from portal.selectors import current_employee, workcalendar
from scheduling import rota_rules, rules
from scheduling.selectors import rota as rota_selectors
from scheduling.services import rota as rota_services


def _weekday_choices(weekdays) -> list[tuple[int, str]]:
    return [(d, _(rules.WEEKDAY_NAMES[d])) for d in sorted(weekdays)]


class PreferenceForm(forms.Form):
    preferred = forms.TypedMultipleChoiceField(label=gettext_lazy("Hari yang saya inginkan untuk WFH/WFA"),
                                               coerce=int, required=False, widget=forms.CheckboxSelectMultiple)
    impossible = forms.TypedMultipleChoiceField(label=gettext_lazy("Hari saya tidak dapat bekerja fleksibel"),
                                                coerce=int, required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Every weekday is offered, so a non-working day is refused by the service with its reason.
        for name in ("preferred", "impossible"):
            self.fields[name].choices = _weekday_choices(range(7))


@login_required
@require_http_methods(["GET", "POST"])
def my_preferences(request):
    me = current_employee(request.user)
    pref = rota_selectors.preference_of(me)
    form = PreferenceForm(request.POST or None, initial={"preferred": pref.preferred, "impossible": pref.impossible})
    if request.method == "POST" and form.is_valid():
        try:
            rota_services.weekday_preference_save(actor=request.user, preferred=form.cleaned_data["preferred"],
                                                  impossible=form.cleaned_data["impossible"])
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(request, _("Preferensi hari kerja fleksibel disimpan."))
            return redirect("scheduling:rota-preferences")
    return render(request, "scheduling/rota/preferences.html", {
        "form": form, "working": _weekday_choices(workcalendar.working_weekdays(me.unit))})


# --- Supervisor and HR ----------------------------------------------------------------------------


def _units_or_404(user):
    units = rota_selectors.rota_units(user)
    if not units and not getattr(user, "is_superuser", False):
        raise Http404
    return units


class ProposeForm(forms.Form):
    unit = forms.TypedChoiceField(label=gettext_lazy("Unit"), coerce=int)
    month = forms.CharField(label=gettext_lazy("Bulan (TTTT-BB)"), max_length=7)
    include_subunits = forms.BooleanField(label=gettext_lazy("Termasuk unit di bawahnya"), required=False)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(u.pk, u.name) for u in units]
        self.fields["month"].widget.attrs.update(placeholder="2027-01", inputmode="numeric")

    def clean_month(self) -> dt.date:
        first = month_from(self.cleaned_data["month"])
        if first is None:
            raise ValidationError(_("Tulis bulan sebagai TTTT-BB, misalnya 2027-01."))
        return first


@login_required
@require_http_methods(["GET", "POST"])
def rota_list(request):
    units = _units_or_404(request.user)
    form = ProposeForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            plan = rota_services.rota_plan_propose(actor=request.user, unit_id=form.cleaned_data["unit"],
                                                   month=form.cleaned_data["month"],
                                                   include_subunits=form.cleaned_data["include_subunits"])
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(request, _("Usulan rota dibuat. Periksa, ubah bila perlu, lalu terbitkan."))
            return redirect("scheduling:rota-plan", pk=plan.pk)
    plans = rota_selectors.plans_visible_to(request.user)[:50]
    return render(request, "scheduling/rota/list.html", {"form": form, "plans": plans})


def _render_plan(request, plan, *, errors=(), status=200):
    view = rota_selectors.rota_view(plan)
    return render(request, "scheduling/rota/plan.html", {
        "view": view, "plan": plan, "errors": errors, "choices": _cell_choices(),
        "refused": plan.outcome.get("refused", []) if plan.outcome else [],
        "names": {r.employee.pk: r.employee.name for g in view.grids for r in g.rows}}, status=status)


def _cell_choices() -> list[tuple[str, str]]:
    return [(rota_rules.OFFICE, _("Kantor")), (rota_rules.WFH, "WFH"), (rota_rules.WFA, "WFA")]


@login_required
@require_GET
def rota_plan(request, pk: int):
    _units_or_404(request.user)
    return _render_plan(request, rota_selectors.plan_for(request.user, pk))


def _changes_from(post) -> dict[tuple[int, dt.date], str]:
    """Cells posted as ``c-<employee id>-<YYYY-MM-DD>``; anything else is ignored."""
    changes = {}
    for key, value in post.items():
        parts = key.split("-", 2)
        if len(parts) != 3 or parts[0] != "c" or not parts[1].isdigit() or len(parts[1]) > 18:
            continue
        try:
            day = dt.date.fromisoformat(parts[2])
        except ValueError:
            continue
        changes[(int(parts[1]), day)] = value
    return changes


@login_required
@require_POST
def rota_adjust(request, pk: int):
    _units_or_404(request.user)
    plan = rota_selectors.plan_for(request.user, pk)
    try:
        rota_services.rota_plan_adjust(actor=request.user, plan_id=plan.pk, changes=_changes_from(request.POST))
    except ValidationError as exc:
        return _render_plan(request, plan, errors=exc.messages, status=400)
    messages.success(request, _("Perubahan rota disimpan."))
    return redirect("scheduling:rota-plan", pk=plan.pk)


@login_required
@require_POST
def rota_publish(request, pk: int):
    _units_or_404(request.user)
    plan = rota_selectors.plan_for(request.user, pk)
    try:
        plan = rota_services.rota_plan_publish(actor=request.user, plan_id=plan.pk)
    except ValidationError as exc:
        return _render_plan(request, plan, errors=exc.messages, status=400)
    refused = len(plan.outcome.get("refused", []))
    granted = sum(len(v) for v in plan.outcome.get("granted", {}).values())
    summary = _("Rota diterbitkan: %(granted)d hari disetujui, %(refused)d ditolak aturan.") % {
        "granted": granted, "refused": refused}
    (messages.warning if refused else messages.success)(request, summary)
    return redirect("scheduling:rota-plan", pk=plan.pk)

