"""The supporting files of requests, for whoever may see a day of the request (the employee, whoever
decides for them, HR over them). Out of scope is "not found", never "forbidden"."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from scheduling.models import Evidence
from scheduling.selectors.requests import request_days_visible_to


def files_prefetch() -> Prefetch:
    """The files of the days' requests, read with a page of days into a plain list,
    ``request.files``: Django's own prefetch ("request__evidence") builds a filtered queryset per
    request to hold them, about 1 ms of a page of 50."""
    return Prefetch("request__evidence", to_attr="files")


def request_files(request) -> list[Evidence]:
    """The request's files: as read for its page (:func:`files_prefetch`) when they were, else now."""
    files = getattr(request, "files", None)
    return files if files is not None else list(request.evidence.all())


def evidence_visible_to(user) -> QuerySet[Evidence]:
    return Evidence.objects.filter(request__in=request_days_visible_to(user).values("request"))


def evidence_for_download(user, pk: int) -> Evidence:
    """One evidence file the user may see, or 404."""
    found = evidence_visible_to(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found
