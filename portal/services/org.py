"""Writes to the organisation: units, employees, delegations. Each writes an audit event."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import hooks, rules
from portal.models import Delegation, Employee, HRAdminScope, Unit, User
from portal.models.audit import Verb
from portal.selectors import employees_visible_to, units_visible_to
from portal.services.audit import audit_record, snapshot


def _compute_path(unit: Unit) -> tuple[str, int]:
    if unit.parent_id:
        parent = Unit.objects.only("path", "depth").get(pk=unit.parent_id)
        return f"{parent.path}{unit.pk}/", parent.depth + 1
    return f"/{unit.pk}/", 0


def _rewrite_descendant_paths(old_prefix: str, new_prefix: str, depth_delta: int) -> None:
    """After a move, rewrite every descendant's path prefix (one row at a time is fine:
    moves are rare HR operations)."""
    for child in Unit.objects.filter(path__startswith=old_prefix).exclude(path=old_prefix):
        Unit.objects.filter(pk=child.pk).update(
            path=new_prefix + child.path[len(old_prefix):], depth=child.depth + depth_delta
        )


def _require_scope(actor, *unit_ids) -> None:
    """The services re-check what the views check, so the admin, tasks and the shell cannot
    write outside an HR admin's subtree. ``actor=None`` is the system (seed, migrations)."""
    if actor is None or getattr(actor, "is_superuser", False):
        return
    wanted = {u for u in unit_ids if u is not None}
    if None in unit_ids or units_visible_to(actor).filter(pk__in=wanted).count() != len(wanted):
        raise Http404


def unit_save(*, actor, unit: Unit) -> Unit:
    """Create or update a unit, keeping the materialized path of its subtree right."""
    if unit.pk:
        old_parent = Unit.objects.filter(pk=unit.pk).values_list("parent_id", flat=True).first()
        _require_scope(actor, unit.pk, *([unit.parent_id] if unit.parent_id != old_parent else []))
    else:
        _require_scope(actor, unit.parent_id)
    with transaction.atomic():
        if unit.parent_id:
            # Unit.clean() refuses cycles by reading the parent's path; a parent instance
            # loaded before a concurrent move has a stale path and would let a cycle in.
            # Re-read it locked, so no one moves it between the check and the write.
            unit.parent = Unit.objects.select_for_update().get(pk=unit.parent_id)
        unit.full_clean(exclude=["head"])
        before = None
        old_path, old_depth = "", 0
        if unit.pk:
            old = Unit.objects.get(pk=unit.pk)
            before, old_path, old_depth = snapshot(old), old.path, old.depth
        unit.save()
        path, depth = _compute_path(unit)
        if (path, depth) != (unit.path, unit.depth):
            Unit.objects.filter(pk=unit.pk).update(path=path, depth=depth)
            unit.path, unit.depth = path, depth
            if old_path and old_path != path:
                _rewrite_descendant_paths(old_path, path, depth - old_depth)
        audit_record(
            actor=actor, verb=Verb.UNIT_UPDATED if before else Verb.UNIT_CREATED, obj=unit,
            before=before, after=snapshot(unit), unit=unit,
        )
        if before and before.get("attendance_from") != snapshot(unit)["attendance_from"] and not unit.parent_id:
            _announce_go_live(unit, before.get("attendance_from"))
    return unit


def _changed_span(old: dt.date | None, new: dt.date | None, end: dt.date | None = None):
    """The days between an old and a new boundary date (None: open, reaching back to the first
    recorded day); attendance recomputes them."""
    dates = [d for d in (old, new) if d]
    if not dates:
        return None
    start = rules.MIN_DATE if None in (old, new) else min(dates)
    return start, max(end or max(dates), max(dates))


def _announce_go_live(unit: Unit, old_iso: str | None) -> None:
    """The institution's go-live moved: days between the old and the new date gain or lose
    their statuses (attendance clamps the start to the first day anything was recorded)."""
    old = dt.date.fromisoformat(old_iso) if old_iso else None
    span = _changed_span(old, unit.attendance_from)
    if span:
        hooks.calendar_changed.send(institution_id=unit.pk, start=span[0], end=span[1], unit_id=None)


def _announce_records(employee: Employee, before: dict | None) -> None:
    """A new person, or a changed records start/end: recompute the days that changed side."""
    if before is None:
        return
    today = timezone.localdate() + dt.timedelta(days=1)
    spans = []
    for field, moved_to in (("records_start", employee.records_start), ("records_end", employee.records_end)):
        old = dt.date.fromisoformat(before[field]) if before.get(field) else None
        if old != moved_to:
            span = _changed_span(old, moved_to, today if field == "records_end" else None)
            if span:
                spans.append(span)
    if spans:
        hooks.records_changed.send(employee_ids={employee.pk}, start=min(s[0] for s in spans),
                                   end=min(max(s[1] for s in spans), today))


def _refuse_supervisor_cycle(employee: Employee) -> None:
    """Walk up from the new supervisor; meeting the employee again would close a loop."""
    if not employee.pk or not employee.supervisor_id:
        return
    seen, current = set(), employee.supervisor_id
    while current and current not in seen:
        if current == employee.pk:
            raise ValidationError({"supervisor": _(
                "Atasan ini membentuk lingkaran: %(name)s sudah berada di atas rantai atasannya.")
                % {"name": employee.name}})
        seen.add(current)
        current = Employee.objects.filter(pk=current).values_list("supervisor_id", flat=True).first()


def employee_save(*, actor, employee: Employee) -> Employee:
    """Create or update an employee after validating NIP and supervisor.

    The NIP may be typed grouped ("19860926 201505 1 001"); it is stored without spaces.
    """
    # Normalize before full_clean(): its max_length check runs before Employee.clean()
    # strips the spaces, so a grouped NIP would fail as "too long".
    employee.nip = rules.normalize_nip(employee.nip)
    old_unit = Employee.objects.filter(pk=employee.pk).values_list("unit_id", flat=True).first() \
        if employee.pk else employee.unit_id
    _require_scope(actor, old_unit, employee.unit_id)
    employee.full_clean(exclude=["user"])
    with transaction.atomic():
        _refuse_supervisor_cycle(employee)
        before = snapshot(Employee.objects.get(pk=employee.pk)) if employee.pk else None
        employee.save()
        if before is None or (before["unit_id"], before["is_active"]) != (employee.unit_id, employee.is_active):
            hooks.people_changed.send(unit_ids={employee.unit_id, before["unit_id"] if before else None} - {None})
        audit_record(
            actor=actor, verb=Verb.EMPLOYEE_UPDATED if before else Verb.EMPLOYEE_CREATED, obj=employee,
            before=before, after=snapshot(employee), unit=employee.unit,
        )
        _announce_records(employee, before)
    return employee


def delegation_save(*, actor, delegation: Delegation) -> Delegation:
    _require_scope(actor, delegation.delegator.unit_id)
    delegation.full_clean()
    with transaction.atomic():
        before = snapshot(Delegation.objects.get(pk=delegation.pk)) if delegation.pk else None
        delegation.save()
        audit_record(
            actor=actor, verb=Verb.DELEGATION_UPDATED if before else Verb.DELEGATION_CREATED, obj=delegation,
            before=before, after=snapshot(delegation), unit=delegation.delegator.unit,
        )
    return delegation


def delegation_revoke(*, actor, delegation: Delegation) -> bool:
    """End a Plh/Plt assignment now: it stops counting from this moment on.

    Only superusers and HR admins over the delegator's unit may revoke (others: 404).
    Safe to repeat: a delegation already revoked stays as it was and ``False`` comes back.
    """
    if not employees_visible_to(actor).filter(pk=delegation.delegator_id).exists():
        raise Http404
    with transaction.atomic():
        before = snapshot(Delegation.objects.get(pk=delegation.pk))
        # Conditional UPDATE: two revokes racing write one audit event, not two.
        changed = Delegation.objects.filter(pk=delegation.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now())
        delegation.refresh_from_db(fields=["revoked_at"])
        if changed:
            audit_record(actor=actor, verb=Verb.DELEGATION_REVOKED, obj=delegation, before=before,
                         after=snapshot(delegation), unit=delegation.delegator.unit)
    return bool(changed)


def hr_scope_grant(*, actor, user, unit: Unit) -> HRAdminScope:
    """Make ``user`` an HR admin over ``unit`` and everything below it. Superusers only."""
    if not getattr(actor, "is_superuser", False):
        raise Http404
    with transaction.atomic():
        if HRAdminScope.objects.filter(user=user, unit=unit).exists():
            raise ValidationError({"unit": _("Akun ini sudah menjadi admin kepegawaian unit tersebut.")})
        scope = HRAdminScope.objects.create(user=user, unit=unit)
        audit_record(actor=actor, verb=Verb.HR_SCOPE_CREATED, obj=scope, after=snapshot(scope), unit=unit)
    return scope


def hr_scope_revoke(*, actor, scope: HRAdminScope) -> None:
    """Take an HR scope away. Superusers only."""
    if not getattr(actor, "is_superuser", False):
        raise Http404
    with transaction.atomic():
        audit_record(actor=actor, verb=Verb.HR_SCOPE_DELETED, obj=scope, before=snapshot(scope), unit=scope.unit)
        scope.delete()


# Account fields worth a trail; never the password hash.
ACCOUNT_AUDIT_FIELDS = ["username", "email", "first_name", "last_name", "is_active", "is_staff", "is_superuser",
                        "language"]


def account_save(*, actor, user: User) -> User:
    """Create or change a login account (the admin's user form). Superusers only."""
    if actor is not None and not getattr(actor, "is_superuser", False):
        raise Http404
    with transaction.atomic():
        old = User.objects.filter(pk=user.pk).first() if user.pk else None
        user.save()
        audit_record(actor=actor, verb=Verb.USER_UPDATED if old else Verb.USER_CREATED, obj=user,
                     before=snapshot(old, ACCOUNT_AUDIT_FIELDS) if old else None,
                     after=snapshot(user, ACCOUNT_AUDIT_FIELDS))
    return user


_DELETE_VERBS = {Unit: (Verb.UNIT_DELETED, lambda u: u.parent), Employee: (Verb.EMPLOYEE_DELETED, lambda e: e.unit),
                 Delegation: (Verb.DELEGATION_DELETED, lambda d: d.delegator.unit)}


def org_row_delete(*, actor, obj) -> None:
    """Delete a unit, employee or delegation (superusers only: HR deactivates instead, because
    deleting breaks history). The database refuses while anything still refers to it."""
    if not getattr(actor, "is_superuser", False):
        raise Http404
    verb, unit_of = _DELETE_VERBS[type(obj)]
    with transaction.atomic():
        audit_record(actor=actor, verb=verb, obj=obj, before=snapshot(obj), unit=unit_of(obj))
        obj.delete()
