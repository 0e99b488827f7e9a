"""Tasks go to a queue per kind (settings.TASK_QUEUES): every queue a task can land on is consumed by
every worker this repository starts, or its tasks would wait for ever."""

from __future__ import annotations

import re

from django.conf import settings

from portal.celery import app

QUEUES = set(settings.WORKER_QUEUES.split(","))


def _queue_of(name: str) -> str:
    route = app.amqp.router.route({}, name)
    return route["queue"].name


def test_every_task_lands_on_a_queue_the_workers_consume():
    app.loader.import_default_modules()
    ours = [name for name in app.tasks if name.split(".")[0] in ("portal", "scheduling", "attendance")]
    assert len(ours) > 20
    assert {_queue_of(name) for name in ours} <= QUEUES
    assert _queue_of("attendance.recompute_day") == "derive"
    assert _queue_of("portal.deliver_notification") == "interactive"


def test_every_routed_task_exists():
    app.loader.import_default_modules()
    assert set(settings.CELERY_TASK_ROUTES) <= set(app.tasks)


def _queues_of(command: str) -> set[str]:
    match = re.search(r"-Q\s+(\S+)", command)
    assert match, command
    return set(match.group(1).split(","))


def test_make_run_and_the_systemd_unit_start_workers_on_every_queue():
    procfile = (settings.BASE_DIR / "Procfile").read_text()
    worker = next(line for line in procfile.splitlines() if line.startswith("worker:"))
    assert _queues_of(worker) == QUEUES
    unit = (settings.BASE_DIR / "deploy" / "systemd" / "portal-worker@.service").read_text()
    default = re.search(r"^Environment=PORTAL_WORKER_QUEUES=(\S+)$", unit, re.M)
    assert default and set(default.group(1).split(",")) == QUEUES
    assert "-Q ${PORTAL_WORKER_QUEUES}" in unit
