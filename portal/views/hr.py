"""HR admin pages: people import, supervisor data check, audit log."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def import_people(request):  # placeholder, implemented by the HR-tools work
    return HttpResponse(status=501)


@login_required
def supervisor_check(request):
    return HttpResponse(status=501)


@login_required
def audit_log(request):
    return HttpResponse(status=501)
