"""Month closing pages (to be written)."""

from django.http import Http404


def closing(request):
    raise Http404


def closing_reopen(request, pk: int):
    raise Http404
