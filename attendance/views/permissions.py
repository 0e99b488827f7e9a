"""Partial-day permission pages (to be written)."""

from django.http import Http404


def permissions(request):
    raise Http404


def permission_withdraw(request, pk: int):
    raise Http404


def permissions_inbox(request):
    raise Http404


def permission_decide(request, pk: int):
    raise Http404
