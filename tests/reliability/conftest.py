"""Reliability drills: real services stopped, paused and killed under real traffic.

Each drill runs on the services it names (its own ``redis-server``, a real Celery worker process,
PostgreSQL's own connections) and records its figures in docs/reliability.md. They run in both CI
runs; where a service is missing the drill skips, which the PostgreSQL + Redis run treats as a
failure (tests/plugins/no_skips.py).
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import time

import pytest
import redis


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A throwaway ``redis-server`` on a free port: stop it, start it, pause and resume it."""

    def __init__(self, tmp_path):
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.dir = tmp_path
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.dir)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(port=self.port, socket_timeout=0.5)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if client.ping():
                    return
            except redis.RedisError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.terminate()
            self.process.wait(timeout=10)

    def pause(self) -> None:
        self.process.send_signal(signal.SIGSTOP)  # hung: connections accepted, nothing answered

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)


@pytest.fixture
def redis_server(tmp_path):
    if shutil.which("redis-server") is None:
        pytest.skip("needs redis-server (the Debian package redis-server)")
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()
