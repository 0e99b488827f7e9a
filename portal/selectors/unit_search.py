"""Unit pickers search on the server: a few matches instead of every unit of the institution."""

from __future__ import annotations

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from portal.models import Employee, Unit

SEARCH_LIMIT = 20


def other_office_units(employee: Employee) -> QuerySet[Unit]:
    """Where an employee may ask to work for a day: another active unit of their own institution."""
    institution_path = f"/{employee.unit.ancestor_ids[0]}/"
    return Unit.objects.filter(path__startswith=institution_path, is_active=True).exclude(pk=employee.unit_id)


def search_units(units: QuerySet[Unit], q: str, *, limit: int = SEARCH_LIMIT) -> list[Unit]:
    """Up to ``limit`` of ``units`` whose code or name contains ``q``; code and name prefixes first."""
    q = q.strip()
    if not q:
        return []
    rank = Case(When(code__istartswith=q, then=Value(0)), When(name__istartswith=q, then=Value(1)),
                default=Value(2), output_field=IntegerField())
    return list(units.filter(Q(code__icontains=q) | Q(name__icontains=q)).annotate(rank=rank)
                .order_by("rank", "name", "pk").only("pk", "code", "name")[:limit])
