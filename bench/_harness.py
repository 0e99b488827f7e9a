"""Shared pieces of the HTTP benchmarks: a fresh PostgreSQL database, a gunicorn server,
and a keep-alive load generator that reports throughput and latency percentiles.

Wall-clock numbers on a shared 2-core machine are noisy, so every benchmark reports
ratios against a baseline measured by the same server in the same run.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def bench_env(db_name: str) -> dict:
    env = dict(os.environ)
    env.setdefault("PG_URL", "postgres://postgres@127.0.0.1:5432")
    env.update({
        "DATABASE_URL": f"{env['PG_URL']}/{db_name}",
        "SECRET_KEY": "bench-" + "x" * 50,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "PORTAL_VAR_DIR": str(ROOT / "var" / "bench"),
        "STATIC_MANIFEST": "0",
    })
    return env


def fresh_database(env: dict, db_name: str) -> None:
    Path(env["PORTAL_VAR_DIR"], "static").mkdir(parents=True, exist_ok=True)
    pg = env["PG_URL"].replace("postgres://", "")
    user, host = pg.split("@")
    hostname, port = host.split(":")
    for sql in (f"DROP DATABASE IF EXISTS {db_name}", f"CREATE DATABASE {db_name}"):
        subprocess.run(["psql", "-h", hostname, "-p", port, "-U", user, "-q", "-c", sql], check=True)
    subprocess.run([PY, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(env: dict, workers: int = 4, threads: int = 2):
    port = free_port()
    proc = subprocess.Popen(
        [PY, "-m", "gunicorn", "portal.wsgi", "-b", f"127.0.0.1:{port}", "-w", str(workers),
         "--threads", str(threads), "--log-level", "warning", "--timeout", "60"],
        cwd=ROOT, env=env)
    try:
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.2)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@dataclass
class Result:
    name: str
    count: int
    errors: int
    seconds: float
    latencies: list[float]

    @property
    def rps(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0

    def pct(self, p: float) -> float:
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] * 1000

    def line(self, baseline: Result | None = None) -> str:
        ratio = f"  ratio {self.rps / baseline.rps:.2f}x of {baseline.name}" if baseline else ""
        return (f"{self.name:<28} {self.count:>6} req  {self.errors:>4} err  {self.rps:8.1f} req/s  "
                f"p50 {self.pct(50):6.1f} ms  p99 {self.pct(99):6.1f} ms{ratio}")


def run_load(name: str, port: int, jobs: list[tuple[str, str, str, dict | None]], clients: int,
             ok_statuses=(200, 201)) -> Result:
    """Send every job (method, path, token, body) over ``clients`` keep-alive connections."""
    lock = threading.Lock()
    queue = list(reversed(jobs))
    latencies: list[float] = []
    errors = [0]
    statuses: dict[int, int] = {}

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            with lock:
                if not queue:
                    break
                method, path, token, body = queue.pop()
            payload = json.dumps(body) if body is not None else None
            headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
            t0 = time.perf_counter()
            try:
                conn.request(method, path, body=payload, headers=headers)
                resp = conn.getresponse()
                resp.read()
                status = resp.status
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                status = 0
            elapsed = time.perf_counter() - t0
            with lock:
                latencies.append(elapsed)
                statuses[status] = statuses.get(status, 0) + 1
                if status not in ok_statuses:
                    errors[0] += 1
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result = Result(name, len(latencies), errors[0], time.perf_counter() - t0, latencies)
    result.statuses = statuses  # type: ignore[attr-defined]
    return result


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0
