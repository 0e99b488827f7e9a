"""Who decides an employee's request about their own day (a correction, a partial-day permission)
and who may read it: one rule for every such model.

The supervisor decides, or their active Plh/Plt, never for themselves; a superuser may decide
anything. Readers are the employee, whoever decides, and HR over the employee. Outside that, a
row does not exist for the user (404).
"""

from __future__ import annotations

from django.db.models import Model, Q, QuerySet
from django.http import Http404

from portal.selectors import employee_of, employees_visible_to, hr_scope_units
from scheduling import selectors as scheduling


def decidable_by(model: type[Model], user) -> QuerySet:
    if getattr(user, "is_superuser", False):
        return model.objects.all()
    approver_ids = list(scheduling.represented_approvers(user))
    return model.objects.filter(employee__supervisor_id__in=approver_ids).exclude(employee__user=user)


def for_decision(model: type[Model], user, pk):
    try:
        return decidable_by(model, user).select_related("employee__unit", "employee__supervisor").get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def visible_to(model: type[Model], user) -> QuerySet:
    """Own rows, those the user decides (also as Plh/Plt), and HR's employees'."""
    if getattr(user, "is_superuser", False):
        return model.objects.all()
    q = Q(pk__in=decidable_by(model, user).values("pk"))
    me = employee_of(user)
    if me is not None:
        q |= Q(employee=me)
    if hr_scope_units(user):
        q |= Q(employee__in=employees_visible_to(user).values("pk"))
    return model.objects.filter(q)
