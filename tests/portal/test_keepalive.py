"""``scripts/keepalive.py``: a worker that dies is started again; a stop signal stops it for good."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "keepalive.py"


def test_it_restarts_a_command_that_exits_and_stops_on_sigterm(tmp_path):
    runs = tmp_path / "runs"
    child = f"open({str(runs)!r}, 'a').write('x'); import time; time.sleep(0.2); raise SystemExit(1)"
    process = subprocess.Popen([sys.executable, str(SCRIPT), "--", sys.executable, "-c", child],
                               stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and (not runs.exists() or len(runs.read_text()) < 2):
        time.sleep(0.1)
    process.send_signal(signal.SIGTERM)
    _out, err = process.communicate(timeout=10)
    assert len(runs.read_text()) >= 2, err  # it ran, died, and ran again
    assert "starting it again" in err
    assert process.returncode is not None


def test_it_refuses_to_run_without_a_command():
    result = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True, timeout=10)
    assert result.returncode == 2 and "usage" in result.stderr
