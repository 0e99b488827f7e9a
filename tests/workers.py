"""A real Celery worker process for tests: start, wait for outcomes, kill, restart.

The worker is a subprocess on the same database and broker as the test process: the SQLite
file and kombu's filesystem broker (in a temporary folder) on the embedded default, the test
PostgreSQL database and Redis in CI's second run. Used by tests/portal/test_real_worker.py and the
reliability drills (tests/reliability/).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from kombu import pools as kombu_pools

from portal.celery import app as celery_app

WAIT_SECONDS = 40


def database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or ""
    if db["PORT"]:
        host += f":{db['PORT']}"
    return f"postgres://{credentials}@{host}/{db['NAME']}"


def reset_producer_pools() -> None:
    import portal.celery

    kombu_pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    portal.celery._producer = None


@contextlib.contextmanager
def shared_broker(var_dir: Path, broker_url: str | None = None):
    """Point this process's producer at the broker the worker will read.

    The filesystem transport's folders come from settings under PORTAL_VAR_DIR: both processes use
    the same temporary one, so no stale message from elsewhere is read.
    """
    conf = celery_app.conf
    saved = (conf.broker_url, dict(conf.broker_transport_options or {}))
    if broker_url:
        conf.broker_url = broker_url
    if conf.broker_url.startswith("filesystem"):
        folders = {name: var_dir / "broker" / name for name in ("in", "processed", "control")}
        for folder in folders.values():
            folder.mkdir(parents=True, exist_ok=True)
        conf.broker_transport_options = {"data_folder_in": str(folders["in"]), "data_folder_out": str(folders["in"]),
                                         "processed_folder": str(folders["processed"]),
                                         "control_folder": str(folders["control"]), "store_processed": False}
    reset_producer_pools()
    try:
        yield
    finally:
        conf.broker_url, conf.broker_transport_options = saved
        reset_producer_pools()


def purge_default_queue() -> None:
    """Redis in CI is the tests' own database; drop what an earlier run may have left there."""
    with celery_app.connection_for_write() as conn:
        conn.default_channel.queue_purge("celery")


@contextlib.contextmanager
def eager(enabled: bool):
    saved = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = enabled
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = saved


class Worker:
    """One worker subprocess; :meth:`kill` and :meth:`start` again to drill a crash."""

    def __init__(self, tmp_path: Path, env: dict[str, str]):
        self.tmp_path, self.env = tmp_path, env
        self.log_path = tmp_path / "worker.log"
        self.process: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> Worker:
        self.starts += 1
        celery = Path(sys.executable).parent / "celery"
        command = [str(celery), "-A", "portal", "worker", "--pool=solo", "--concurrency=1",
                   "-Q", settings.WORKER_QUEUES, f"--hostname=drill{self.starts}@%h", "--without-heartbeat",
                   "--without-gossip", "--without-mingle", "--loglevel=INFO"]
        with self.log_path.open("ab") as out:
            self.process = subprocess.Popen(command, cwd=settings.BASE_DIR, env=self.env, stdout=out,
                                            stderr=subprocess.STDOUT)
        return self

    def kill(self) -> None:
        """SIGKILL: no warm shutdown, no message restored, nothing flushed (a crash, an OOM kill)."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=1)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def wait_for(self, condition, what: str, seconds: float = WAIT_SECONDS):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if condition():
                return
            assert self.process.poll() is None, f"the worker exited early:\n{self.log()[-4000:]}"
            time.sleep(0.1)
        pytest.fail(f"{what} within {seconds} s; worker log:\n{self.log()[-4000:]}")


@contextlib.contextmanager
def running_worker(tmp_path: Path, **extra_env: str):
    """A started worker on the test database and a broker this process publishes to."""
    var_dir = tmp_path / "var"
    var_dir.mkdir(exist_ok=True)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "CELERY_TASK_ALWAYS_EAGER": "0",
           "DATABASE_URL": database_url(), "PORTAL_VAR_DIR": str(var_dir), "EMAIL_URL": "consolemail://",
           "PORTAL_ALLOW_DEV_SECRET": "1", "PYTHONPATH": str(settings.BASE_DIR), "PYTHONUNBUFFERED": "1",
           **extra_env}
    if not celery_app.conf.broker_url.startswith("filesystem"):
        env["CELERY_BROKER_URL"] = celery_app.conf.broker_url
    with shared_broker(var_dir):
        if not celery_app.conf.broker_url.startswith("filesystem"):
            purge_default_queue()
        worker = Worker(tmp_path, env).start()
        try:
            yield worker
        finally:
            worker.stop()
