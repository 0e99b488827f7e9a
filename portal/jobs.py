"""Enqueueing background work safely from web requests and services.

Work is enqueued only after the transaction commits, by task name (an app names only its own
tasks; work for the app above goes through a hook, :mod:`portal.hooks`). Nothing that happens
after the commit may turn the committed write into an error: a broker or cache that is down or
hanging is logged and counted, never raised, and a periodic sweep picks the work up from the
database later (the outbox, the dirty unit-days, pending export jobs). After a broker failure the
breaker skips publishing for a few seconds, so a hung broker costs one timeout, not one per request.
"""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.db import transaction

from portal.resilience import broker_breaker, count

log = logging.getLogger(__name__)


_loaded = False


def _load_task_modules(app) -> None:
    """Import every app's tasks module once, so a task sent by name runs eagerly in tests
    and in an eager deployment instead of falling through to the broker."""
    global _loaded
    if not _loaded:
        app.loader.import_default_modules()
        _loaded = True


def send_now(name: str, args: tuple = (), kwargs: dict | None = None, **options) -> bool:
    """Send a task by name; False (and a log line) if the broker refused, timed out or is skipped."""
    from portal.celery import app, producer

    if app.conf.task_always_eager:  # tests, debugging: run inline, no broker involved
        _load_task_modules(app)
        app.tasks[name].apply_async(args=args, kwargs=kwargs or {}, **options)
        return True
    if not broker_breaker.allow():
        log.debug("enqueue of %s skipped: the broker failed moments ago; the periodic sweep will catch up", name)
        return False
    try:
        producer().send_task(name, args=args, kwargs=kwargs or {}, retry=False, **options)
    except Exception as exc:  # noqa: BLE001 - any broker failure must stay out of the request
        broker_breaker.failed(exc)
        log.warning("enqueue of %s failed (%s); the periodic sweep will catch up", name, type(exc).__name__)
        return False
    broker_breaker.succeeded()
    return True


def enqueue_on_commit(name: str, args: tuple = (), kwargs: dict | None = None, *, coalesce_key: str = "",
                      coalesce_seconds: int = 5, **options) -> None:
    """Enqueue after the current transaction commits; never raises.

    With ``coalesce_key``, at most one such task is enqueued per ``coalesce_seconds``: a
    burst of approvals triggers one staffing refresh, which then handles every change.
    """

    if coalesce_key:
        # Run only after the window closes: a change coalesced late in the window must
        # still be seen by the one task, which it would miss if that task ran earlier.
        options["countdown"] = max(options.get("countdown") or 0, coalesce_seconds)

    def _send():
        try:
            if coalesce_key and not cache.add(f"coalesce:{coalesce_key}", 1, timeout=coalesce_seconds):
                return
            send_now(name, args, kwargs, **options)
        except Exception:  # noqa: BLE001 - the transaction is committed: nothing may fail the request now
            count("jobs.enqueue_errors")
            log.exception("enqueue of %s failed after commit; the periodic sweep will catch up", name)

    transaction.on_commit(_send)
