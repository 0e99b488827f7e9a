"""Enqueueing background work safely from web requests and services.

Work is enqueued only after the transaction commits, by task name (so ``portal`` and
``scheduling`` need not import the apps that own the tasks), and a broker that is down or
hanging never fails the request: the error is logged and a periodic sweep picks the work
up from the database later (the outbox, the dirty unit-days).
"""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.db import transaction

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
    """Send a task by name; False (and a log line) if the broker refused or timed out."""
    from portal.celery import app

    try:
        _load_task_modules(app)
        task = app.tasks.get(name)
        if task is not None:
            task.apply_async(args=args, kwargs=kwargs or {}, retry=False, **options)
        else:
            app.send_task(name, args=args, kwargs=kwargs or {}, retry=False, **options)
        return True
    except Exception as exc:  # noqa: BLE001 - any broker failure must stay out of the request
        log.warning("enqueue of %s failed (%s); the periodic sweep will catch up", name, type(exc).__name__)
        return False


def enqueue_on_commit(name: str, args: tuple = (), kwargs: dict | None = None, *, coalesce_key: str = "",
                      coalesce_seconds: int = 5, **options) -> None:
    """Enqueue after the current transaction commits.

    With ``coalesce_key``, at most one such task is enqueued per ``coalesce_seconds``: a
    burst of approvals triggers one staffing refresh, which then handles every change.
    """

    if coalesce_key:
        # Run only after the window closes: a change coalesced late in the window must
        # still be seen by the one task, which it would miss if that task ran earlier.
        options["countdown"] = max(options.get("countdown") or 0, coalesce_seconds)

    def _send():
        if coalesce_key and not cache.add(f"coalesce:{coalesce_key}", 1, timeout=coalesce_seconds):
            return
        send_now(name, args, kwargs, **options)

    transaction.on_commit(_send)
