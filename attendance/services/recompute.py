"""Recompute derived day statuses when what they are derived from changes.

A punch, a correction, a permission and a plan decision recompute their own day at once. What
changes many people at once — a holiday or cuti bersama moved, a working pattern, a Ramadan
period, an institution's rules version — recomputes its unit's subtree (or the institution) from
the date it applies, in a worker; days of closed months are skipped by
:func:`~attendance.services.day_status.compute_day_statuses`. A nightly pass over the last
:data:`NIGHTLY_DAYS` days catches up on days that ended (missing check-out, TK) and on anything a
lost task missed; it fans out into :class:`~attendance.models.NightlyBatch` tasks of
:data:`NIGHTLY_BATCH` employees each, which any number of workers share: a batch takes seconds
to a minute at any size, so the pass never meets a time limit, and the institution's recap
freshness and the TK thresholds check wait for its last batch (see :mod:`attendance.models.nightly`).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F, Min, Q
from django.utils import timezone

from attendance.models import DayStatus, NightlyBatch, NightlyRun, Punch
from attendance.services.day_status import compute_day_statuses
from attendance.services.recap_freshness import recap_freshness_invalidate, recap_freshness_mark
from portal.jobs import enqueue_on_commit, send_now
from portal.models import Employee, Unit
from portal.rules import MIN_DATE

BATCH = 500  # employees per pass: with 35 days, about 17,500 rows held in memory at once
NIGHTLY_DAYS = 35  # covers a whole month plus the correction window, for the recap
NIGHTLY_BATCH = 5000  # employees per nightly task: about 123,000 rows, 15-45 s (bench/nightly_bench.py)
NIGHTLY_RESEND_AFTER = dt.timedelta(minutes=30)  # a batch still pending this long after its send: again
NIGHTLY_RUNNING_FOR = dt.timedelta(minutes=20)  # started longer ago than the task time limit: its worker died
NIGHTLY_MAX_ATTEMPTS = 3  # a batch failing this often waits for the next night (its recaps stay checked)
NIGHTLY_SWEEP_NIGHTS = 2  # runs older than this are left alone: the next night covers their days


def _subtrees(institution_id: int | None, unit_id: int | None) -> list[Unit]:
    if unit_id is not None:
        return list(Unit.objects.filter(pk=unit_id))
    roots = Unit.objects.filter(parent__isnull=True)
    return list(roots if institution_id is None else roots.filter(pk=institution_id))


def _first_recorded(**where) -> dt.date | None:
    """The earliest day anything was recorded (in a subtree, or for some people): a change
    "since ever" (a go-live date removed) reaches back that far, not to 1900."""
    dates = [DayStatus.objects.filter(**where).aggregate(d=Min("date"))["d"],
             Punch.objects.filter(**where).aggregate(d=Min("date"))["d"]]
    dates = [d for d in dates if d]
    return min(dates) if dates else None


def _since(start: dt.date, end: dt.date, **where) -> dt.date:
    """``start``, unless it is the open "since ever" (1900-01-01): then the first recorded day,
    or the nightly window when nothing was recorded yet."""
    if start > MIN_DATE:
        return start
    first = _first_recorded(**where)
    return first if first else end - dt.timedelta(days=NIGHTLY_DAYS)


def _people(root: Unit, since: dt.date):
    """Everyone of ``root``'s tree with records on or after ``since``: the active ones, and those
    whose records end inside the range."""
    return Employee.objects.filter(unit__path__startswith=root.path).exclude(
        is_active=False, records_end__isnull=True).exclude(records_end__lt=since)


def _compute(people, start: dt.date, end: dt.date) -> int:
    """``people`` over [start, end], :data:`BATCH` at a time by keyset (ids ascending)."""
    written, after = 0, 0
    while batch := list(people.filter(pk__gt=after).select_related("unit").order_by("pk")[:BATCH]):
        written += compute_day_statuses(batch, start, end)
        after = batch[-1].pk
    return written


def recompute_institution(institution_id: int | None, start: dt.date, end: dt.date, unit_id: int | None = None) -> int:
    """Recompute every employee of the institution's tree (or of ``unit_id``'s subtree) over
    [start, end]: the active ones, and those whose records end inside the range.

    ``institution_id=None`` and no unit means every institution (a national calendar row changed).
    Days after each unit's local today are skipped by :func:`compute_day_statuses`.
    Returns the number of day rows written; safe to run twice.
    """
    written = 0
    for subtree in _subtrees(institution_id, unit_id):
        since = _since(start, end, unit__path__startswith=subtree.path)
        if end < since:
            continue
        began = timezone.now()
        written += _compute(_people(subtree, since), since, end)
        if unit_id is None:  # the whole institution: its recaps need no per-employee check up to here
            recap_freshness_mark(institution_id=subtree.pk, start=since, end=end, computed_at=began)
    return written


def enqueue_recompute(*, institution_id: int | None, start: dt.date, end: dt.date, unit_id: int | None = None) -> None:
    """After commit, one task per institution and calendar month of [start, end]: a change reaching
    back a year is twelve tasks of a few minutes each (100,000 people: about a minute per month,
    docs/benchmarks.md), never one that outlives the task time limit. A national change (no
    institution, no unit) is a task per institution too: as one task per month it recomputed a
    million people in one task (52–103 minutes, past the 30-minute limit), and the workers
    share the institutions."""
    if start <= MIN_DATE:  # "since ever": from the first day anything was recorded in that scope
        scope = _subtrees(institution_id, unit_id)
        firsts = [_first_recorded(unit__path__startswith=u.path) for u in scope] if scope else []
        firsts = [d for d in firsts if d]
        start = min(firsts) if firsts else end - dt.timedelta(days=NIGHTLY_DAYS)
    # Until the tasks ran, these days are not final: recaps check them per employee again.
    recap_freshness_invalidate(start=start, institution_ids=None if institution_id is None and unit_id is None
                               else [institution_id or _institution_of(unit_id)])
    national = institution_id is None and unit_id is None
    institutions = [root.pk for root in _subtrees(None, None)] if national else [institution_id]
    chunk = start
    while chunk <= end:
        following = (chunk.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        last = min(end, following - dt.timedelta(days=1))
        for institution in institutions:
            enqueue_on_commit("attendance.recompute_institution", kwargs={
                "institution_id": institution, "start": chunk.isoformat(), "end": last.isoformat(),
                "unit_id": unit_id})
        chunk = following


def _institution_of(unit_id: int) -> int | None:
    unit = Unit.objects.filter(pk=unit_id).first()
    return unit.ancestor_ids[0] if unit else None


def recompute_employees(employee_ids, start: dt.date, end: dt.date) -> int:
    """Recompute some people over [start, end] (their records window or unit changed)."""
    people = list(Employee.objects.filter(pk__in=list(employee_ids)).select_related("unit"))
    start = _since(start, end, employee_id__in=[p.pk for p in people])
    return compute_day_statuses(people, start, end) if people and start <= end else 0


def recompute_recent(*, today: dt.date | None = None, days: int = NIGHTLY_DAYS) -> int:
    """The nightly pass: every institution over the last ``days`` days up to today, planned as
    batches and enqueued after commit (see :func:`nightly_batch_run`). Returns the number of
    batches; 0 when tonight's run exists already (a second beat, a manual run: the sweep, not a
    second plan, catches up on what the first lost).

    The end is a day past the server's date so units east of it (WIT) reach their own today.
    """
    today = today or timezone.localdate()
    start, end = today - dt.timedelta(days=days), today + dt.timedelta(days=1)
    with transaction.atomic():
        run, made = NightlyRun.objects.get_or_create(day=today, defaults={
            "start": start, "end": end, "began_at": timezone.now()})
        if not made:
            return 0
        batches = []
        for root in _subtrees(None, None):
            ids = list(_people(root, start).order_by("pk").values_list("pk", flat=True))
            if not ids:  # nobody to recompute: the institution is final as it is
                recap_freshness_mark(institution_id=root.pk, start=start, end=end, computed_at=run.began_at)
            batches += [NightlyBatch(run=run, institution=root, first_employee=ids[i],
                                     last_employee=ids[min(i + NIGHTLY_BATCH, len(ids)) - 1], sent_at=run.began_at)
                        for i in range(0, len(ids), NIGHTLY_BATCH)]
        batches = NightlyBatch.objects.bulk_create(batches)
        for batch in batches:
            enqueue_on_commit("attendance.recompute_nightly_batch", args=(batch.pk,))
        if not batches:
            _nightly_finish(run)
    return len(batches)


def nightly_batch_run(batch_id: int) -> int:
    """One batch of the nightly pass (the task's body); safe to run twice: a done batch is
    skipped, two workers on the same pending batch write the same rows and only the first
    completion counts. Returns the number of day rows written."""
    if not NightlyBatch.objects.filter(pk=batch_id, done_at=None).update(
            started_at=timezone.now(), attempts=F("attempts") + 1):
        return 0
    batch = NightlyBatch.objects.select_related("run", "institution").get(pk=batch_id)
    run = batch.run
    people = _people(batch.institution, run.start).filter(pk__range=(batch.first_employee, batch.last_employee))
    written = _compute(people, run.start, run.end)
    _nightly_batch_done(batch, written)
    return written


def _nightly_batch_done(batch: NightlyBatch, written: int) -> None:
    """Mark the batch done. The run's row is locked first, so the completions of one run follow
    one another: of two last batches finishing at once, the second sees the first done, and
    exactly one completion finds its institution (then the run) with nothing pending."""
    with transaction.atomic():
        run = NightlyRun.objects.select_for_update().get(pk=batch.run_id)
        if not NightlyBatch.objects.filter(pk=batch.pk, done_at=None).update(done_at=timezone.now(), rows=written):
            return  # another run of the same batch finished first
        pending = NightlyBatch.objects.filter(run=run, done_at=None)
        if not pending.filter(institution_id=batch.institution_id).exists():
            recap_freshness_mark(institution_id=batch.institution_id, start=run.start, end=run.end,
                                 computed_at=run.began_at)
        if not pending.exists():
            _nightly_finish(run)


def _nightly_finish(run: NightlyRun) -> None:
    if NightlyRun.objects.filter(pk=run.pk, finished_at=None).update(finished_at=timezone.now()):
        enqueue_on_commit("attendance.nightly_tk_check", args=(run.pk,))


def nightly_tk_claim(run_id: int) -> dt.date | None:
    """The finished run's day, for its one TK thresholds check; None if it was claimed already
    (a second message). At most once: a worker dying in the check leaves it to the next night,
    whose check counts the whole year again."""
    if NightlyRun.objects.filter(pk=run_id, finished_at__isnull=False, tk_checked_at=None).update(
            tk_checked_at=timezone.now()):
        return NightlyRun.objects.values_list("day", flat=True).get(pk=run_id)
    return None


def nightly_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Nothing of the last nights stays pending: send again a batch whose message was lost (pending
    long after its send) or whose worker died (started longer ago than its time limit), up to
    :data:`NIGHTLY_MAX_ATTEMPTS`; and a finished run's TK check whose message was lost."""
    now = now or timezone.now()
    since = timezone.localdate(now) - dt.timedelta(days=NIGHTLY_SWEEP_NIGHTS)
    lost = (NightlyBatch.objects.filter(run__day__gte=since, done_at=None, attempts__lt=NIGHTLY_MAX_ATTEMPTS,
                                        sent_at__lt=now - NIGHTLY_RESEND_AFTER)
            .filter(Q(started_at=None) | Q(started_at__lt=now - NIGHTLY_RUNNING_FOR)))
    resent = 0
    for pk, sent in lost.values_list("pk", "sent_at"):
        if NightlyBatch.objects.filter(pk=pk, sent_at=sent).update(sent_at=now):  # one sweep sends it
            resent += bool(send_now("attendance.recompute_nightly_batch", args=(pk,)))
    checks = 0
    for pk in NightlyRun.objects.filter(day__gte=since, finished_at__lt=now - NIGHTLY_RESEND_AFTER,
                                        tk_checked_at=None).values_list("pk", flat=True):
        checks += bool(send_now("attendance.nightly_tk_check", args=(pk,)))
    return {"resent": resent, "tk_checks": checks}
