"""HR pages for attendance rules versions (with the band table) and shifts (to be written)."""

from django.http import Http404


def rules_list(request):
    raise Http404


def rules_institution(request, institution_id: int, version_id: int | None = None):
    raise Http404


def rules_delete(request, version_id: int):
    raise Http404


def shifts(request, unit_id: int | None = None, shift_id: int | None = None):
    raise Http404
