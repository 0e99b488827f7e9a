"""HR pages for the work calendar: working patterns per unit (with flexible start), Ramadan periods.

(To be written: see portal/urls.py for the routes.)
"""

from django.http import Http404


def work_patterns(request):
    raise Http404


def work_pattern_unit(request, unit_id: int, pattern_id: int | None = None):
    raise Http404


def work_pattern_delete(request, pattern_id: int):
    raise Http404


def ramadan_periods(request, period_id: int | None = None):
    raise Http404


def ramadan_period_delete(request, period_id: int):
    raise Http404
