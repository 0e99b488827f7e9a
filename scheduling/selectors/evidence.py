"""The supporting files of requests, for whoever may see a day of the request (the employee, whoever
decides for them, HR over them). Out of scope is "not found", never "forbidden"."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from scheduling.models import Evidence
from scheduling.selectors.requests import request_days_visible_to


def evidence_visible_to(user) -> QuerySet[Evidence]:
    return Evidence.objects.filter(request__in=request_days_visible_to(user).values("request"))


def evidence_for_download(user, pk: int) -> Evidence:
    """One evidence file the user may see, or 404."""
    found = evidence_visible_to(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found
