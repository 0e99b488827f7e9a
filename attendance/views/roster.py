"""The roster page (to be written)."""

from django.http import Http404


def roster(request):
    raise Http404
