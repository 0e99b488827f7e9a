#!/usr/bin/env python3
"""Run a command and start it again whenever it exits, until told to stop.

``make run`` starts web, worker and beat under honcho, which stops all three as soon as one
exits. A Celery worker that dies (a broker restart, an out-of-memory kill) must come back on its
own instead: ``keepalive.py -- celery -A portal worker ...`` restarts it after a short, growing
pause, and passes SIGTERM/SIGINT on so that one Ctrl-C still stops everything. In production
systemd does this job (deploy/systemd/, ``Restart=always``).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time

FIRST_PAUSE, LONGEST_PAUSE = 1.0, 30.0
HEALTHY_AFTER = 60.0  # a run this long resets the pause


def main(argv: list[str]) -> int:
    if "--" not in argv or argv.index("--") == len(argv) - 1:
        print("usage: keepalive.py -- command [args...]", file=sys.stderr)
        return 2
    command = argv[argv.index("--") + 1:]
    child: subprocess.Popen | None = None
    stopping = False

    def stop(signum, _frame):
        nonlocal stopping
        stopping = True
        if child is not None and child.poll() is None:
            child.send_signal(signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    pause = FIRST_PAUSE
    while True:
        started = time.monotonic()
        child = subprocess.Popen(command)  # noqa: S603 - the operator's own command line
        code = child.wait()
        if stopping:
            return code
        ran = time.monotonic() - started
        pause = FIRST_PAUSE if ran >= HEALTHY_AFTER else min(pause * 2, LONGEST_PAUSE)
        print(f"keepalive: {command[0]} exited with {code} after {ran:.0f} s; starting it again in {pause:.0f} s",
              file=sys.stderr, flush=True)
        deadline = time.monotonic() + pause
        while time.monotonic() < deadline and not stopping:
            time.sleep(0.2)
        if stopping:
            return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
