"""HR's emergency page (Kepegawaian → Keadaan darurat): the emergencies in scope, in force,
declared for later and ended; a form to declare one; a button to end one early."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.selectors import units_visible_to
from portal.views.hr import hr_required
from scheduling import services
from scheduling.forms import EmergencyForm
from scheduling.selectors import emergency as read


def _today(user):
    """Today where the HR admin works (the top of their scope), for "in force" and "later"."""
    unit = units_visible_to(user).order_by("path").first()
    return unit.local_today() if unit else timezone.localdate()


@hr_required
def emergencies(request):
    if request.method == "POST":
        form = EmergencyForm(request.POST, user=request.user)
        if form.is_valid() and _declare(request, form):
            return redirect("scheduling:emergencies")
    else:
        form = EmergencyForm(user=request.user)
    lists = read.emergencies_by_state(request.user, _today(request.user))
    return render(request, "scheduling/emergency/list.html", {"form": form, "lists": lists})


def _declare(request, form: EmergencyForm) -> bool:
    data = form.cleaned_data
    try:
        emergency = services.emergency_declare(
            actor=request.user, name=data["name"], legal_basis=data["legal_basis"],
            document_ref=data["document_ref"], profile=data["profile"], start=data["start"], end=data["end"],
            units=list(data["units"]))
    except ValidationError as exc:
        form.add_service_errors(exc)
        return False
    messages.success(request, _("Keadaan darurat “%(name)s” ditetapkan; pegawai yang terdampak diberi "
                                "tahu.") % {"name": emergency.name})
    return True


@hr_required
@require_POST
def emergency_end(request, pk: int):
    emergency = read.emergencies_visible_to(request.user).filter(pk=pk).first()
    if emergency is None:
        raise Http404
    try:
        ended = services.emergency_end(actor=request.user, emergency=emergency)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Keadaan darurat “%(name)s” diakhiri; aturan biasa berlaku lagi "
                                    "mulai hari ini.") % {"name": ended.name})
    return redirect("scheduling:emergencies")
